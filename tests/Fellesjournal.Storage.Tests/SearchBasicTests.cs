using Fellesjournal.Storage;
using static Fellesjournal.Storage.Tests.TempStore;

namespace Fellesjournal.Storage.Tests;

public class SearchBasicTests
{
    private static SearchQuery Q(string? type, params SearchCriterion[] c) => new(type, c);
    private static SearchCriterion C(string code, params string[] values) => new(code, null, values);

    [Fact]
    public async Task Id_search_ORs_values_and_skips_deleted_and_other_types()
    {
        await using var t = new TempStore();
        await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"a"}"""), Put("""{"resourceType":"Patient","id":"b"}"""),
            Put("""{"resourceType":"Patient","id":"c"}"""), Put("""{"resourceType":"Observation","id":"a","status":"final","code":{"text":"x"}}""")]);
        await t.Store.MergeAsync([new ResourceWrite("Patient", "c", null)]);
        var r = await t.Store.SearchAsync(Q("Patient", C("_id", "a", "c", "zz")));
        Assert.Equal(["a"], r.Resources.Select(x => x.Id));
        Assert.Equal("Patient", r.Resources[0].ResourceType);
        var sys = await t.Store.SearchAsync(Q(null, C("_id", "a")));
        Assert.Equal(2, sys.Resources.Count);
        var and = await t.Store.SearchAsync(Q("Patient", C("_id", "a", "b"), C("_id", "b")));
        Assert.Equal(["b"], and.Resources.Select(x => x.Id));
    }

    [Fact]
    public async Task LastUpdated_prefixes()
    {
        await using var t = new TempStore();
        var a = (await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"a"}""")]))[0];
        await Task.Delay(30);
        var b = (await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"b"}""")]))[0];
        string Ts(DateTimeOffset d) => Fellesjournal.Storage.MetaStamper.FormatInstant(d);
        async Task<string[]> Ids(string v) => (await t.Store.SearchAsync(Q("Patient", C("_lastUpdated", v)))).Resources.Select(x => x.Id).Order().ToArray();
        Assert.Equal(["a"], await Ids("eq" + Ts(a.LastUpdated)));
        Assert.Equal(["a"], await Ids(Ts(a.LastUpdated)));
        Assert.Equal(["b"], await Ids("ne" + Ts(a.LastUpdated)));
        Assert.Equal(["b"], await Ids("gt" + Ts(a.LastUpdated)));
        Assert.Equal(["a", "b"], await Ids("ge" + Ts(a.LastUpdated)));
        Assert.Equal(["a"], await Ids("lt" + Ts(b.LastUpdated)));
        Assert.Equal(["a", "b"], await Ids("le" + Ts(b.LastUpdated)));
        Assert.Equal(["b"], await Ids("sa" + Ts(a.LastUpdated)));
        Assert.Equal(["a"], await Ids("eb" + Ts(b.LastUpdated)));
        Assert.Equal(["a", "b"], await Ids(a.LastUpdated.UtcDateTime.Year.ToString()));
        Assert.Empty(await Ids("lt2000"));
        Assert.Equal(["a"], (await t.Store.SearchAsync(Q("Patient", C("_lastUpdated", "ge2000"), C("_lastUpdated", "lt" + Ts(b.LastUpdated))))).Resources.Select(x => x.Id));
    }

    [Fact]
    public async Task Paging_and_total()
    {
        await using var t = new TempStore();
        await t.Store.MergeAsync(Enumerable.Range(0, 25).Select(i => Put($$"""{"resourceType":"Patient","id":"p{{i:D2}}"}""")).ToList());
        var ids = new List<string>();
        string? cursor = null;
        long? total = null;
        do
        {
            var page = await t.Store.SearchAsync(new SearchQuery("Patient", [], Count: 10, Cursor: cursor, IncludeTotal: true));
            total = page.Total;
            ids.AddRange(page.Resources.Select(r => r.Id));
            cursor = page.NextCursor;
        } while (cursor is not null);
        Assert.Equal(25, total);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"p{i:D2}"), ids);
    }

    [Theory]
    [InlineData("nonsense", "x")]
    [InlineData("_lastUpdated", "yesterday")]
    [InlineData("_lastUpdated", "")]
    public async Task Bad_criteria_throw_SearchException(string code, string value)
    {
        await using var t = new TempStore();
        await Assert.ThrowsAnyAsync<SearchException>(() => t.Store.SearchAsync(Q("Patient", C(code, value))));
    }

    [Fact]
    public async Task Unknown_type_throws_SearchException()
    {
        await using var t = new TempStore();
        await Assert.ThrowsAnyAsync<SearchException>(() => t.Store.SearchAsync(Q("Nope")));
    }
}
