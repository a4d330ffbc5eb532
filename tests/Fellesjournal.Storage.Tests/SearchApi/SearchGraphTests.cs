using Fellesjournal.Storage.Search;
using static Fellesjournal.Storage.Tests.SearchApi.SearchFixture;
using static Fellesjournal.Storage.Tests.TempStore;

namespace Fellesjournal.Storage.Tests.SearchApi;

/// <summary>Chains, _has, _list, includes, compartments and the access restriction; expectations by hand.</summary>
public class SearchGraphTests
{
    [Theory]
    [InlineData("Observation", "subject:Patient.name=ærø", "o2")]
    [InlineData("Observation", "subject.family=ødeg", "o1,o4,o5")]
    [InlineData("Observation", "subject:Patient.organization.name=haukeland", "o3")]      // two levels
    [InlineData("Observation", "subject:Patient.organization:Organization.name=sykehuset", "o1,o2,o4,o5")]
    [InlineData("Observation", "subject:Patient.birthdate=lt1980&code=2339-0", "o1,o5")]
    [InlineData("Patient", "_has:Observation:subject:code=29463-7", "pa,pc")]
    [InlineData("Patient", "_has:Condition:subject:code=http://snomed.info/sct|38341003", "pb")]
    [InlineData("Patient", "_has:Observation:subject:_has:Provenance:target:_id=prov1", "pa")]   // nested
    [InlineData("Organization", "_has:Patient:organization:_has:Observation:subject:code=29463-7", "org1,org2")]
    [InlineData("Patient", "_list=l1", "pa,pc")]
    [InlineData("Patient", "_list=l1&gender=female", "pc")]
    public async Task Chains_has_and_list(string type, string query, string expected)
    {
        await using var t = await Seed();
        Assert.Equal(expected, await Ids(t, type, query));
    }

    [Fact]
    public async Task Compartment_and_system_level_type()
    {
        await using var t = await Seed();
        Assert.Equal("o1,o4,o5", await Ids(t, "Observation", "", compartment: "pa"));
        Assert.Equal("o4", await Ids(t, "Observation", "code=29463-7", compartment: "pa"));
        // Patient/pa/*: the Patient itself, its Observations and Condition (Provenance and List name no patient).
        Assert.Equal("c1,o1,o4,o5,pa", await Ids(t, null, "", compartment: "pa", types: ["Patient", "Observation", "Condition", "Provenance", "List"]));
        Assert.Equal("c1,c2,org1,org2", await Ids(t, null, "", types: ["Condition", "Organization"]));
    }

    [Fact]
    public async Task Access_restriction_applies_to_matches_chains_and_has()
    {
        await using var t = await Seed();
        var onlyPb = new CompartmentAccess(false, ["pb"]);
        Assert.Equal("o2", await Ids(t, "Observation", "", access: onlyPb));
        // Shared resources (no compartment key) stay visible.
        Assert.Equal("org1,org2", await Ids(t, "Organization", "", access: onlyPb));
        // A chain through a hidden patient does not match...
        Assert.Equal("", await Ids(t, "Observation", "subject:Patient.name=ødegård", access: onlyPb));
        // ... and _has does not look at hidden sources: pa's glucose results are hidden from this caller.
        Assert.Equal("pb", await Ids(t, "Patient", "_has:Observation:subject:code=2339-0", access: onlyPb));
        Assert.Equal("org1", await Ids(t, "Organization", "_has:Patient:organization:gender=female", access: onlyPb));
    }

    private static async Task<SearchPage> Page(TempStore t, string type, string query, params (string, string)[] includes) =>
        await t.Store.SearchAsync(new SearchQuery(type, Criteria(query), Count: 100,
            Includes: includes.Select(i => new KeyValuePair<string, string>(i.Item1, i.Item2)).ToList()));

    private static string Included(SearchPage p) =>
        string.Join(",", (p.Included ?? []).Select(r => r.ResourceType + "/" + r.Id).Order(StringComparer.Ordinal));

    [Fact]
    public async Task Include_revinclude_and_iterate()
    {
        await using var t = await Seed();
        Assert.Equal("Patient/pa", Included(await Page(t, "Observation", "_id=o1", ("_include", "Observation:subject"))));
        Assert.Equal("Provenance/prov1", Included(await Page(t, "Observation", "_id=o1", ("_revinclude", "Provenance:target"))));
        Assert.Equal("Organization/org1,Patient/pa", Included(await Page(t, "Observation", "_id=o1",
            ("_include", "Observation:subject"), ("_include:iterate", "Patient:organization"))));
        // Without :iterate the second include only applies to matches (Observations), so nothing more comes.
        Assert.Equal("Patient/pa", Included(await Page(t, "Observation", "_id=o1",
            ("_include", "Observation:subject"), ("_include", "Patient:organization"))));
        // A target type restricts: Observation:subject:Group finds nothing.
        Assert.Equal("", Included(await Page(t, "Observation", "_id=o1", ("_include", "Observation:subject:Group"))));
        // * = every reference parameter; a match is never repeated as an include.
        Assert.Equal("Organization/org1,Organization/org2", Included(await Page(t, "Patient", "_id=pa,pc", ("_include", "Patient:*"))));
        Assert.Equal("Observation/o1,Observation/o4,Observation/o5,Provenance/prov1", Included(await Page(t, "Patient", "_id=pa",
            ("_revinclude", "Observation:subject"), ("_revinclude:iterate", "Provenance:target"))));
    }

    [Fact]
    public async Task Sort_on_several_types_with_missing_last()
    {
        await using var t = await Seed();
        Assert.Equal("pa,pb,pc,pd", await Ids(t, "Patient", "", keepOrder: true, sort: ["birthdate"]));
        Assert.Equal("pc,pb,pa,pd", await Ids(t, "Patient", "", keepOrder: true, sort: ["-birthdate"]));
        // Normalized family: berg, dahl, ærø, ødegård (æ < ø in code point order, as in the Norwegian alphabet).
        Assert.Equal("pc,pd,pb,pa", await Ids(t, "Patient", "", keepOrder: true, sort: ["family"]));
        // gender then -birthdate: female (pc 2001, pb 1990), male (pa), missing (pd).
        Assert.Equal("pc,pb,pa,pd", await Ids(t, "Patient", "", keepOrder: true, sort: ["gender", "-birthdate"]));
        Assert.Equal("o5,o4,o2,o1,o3", await Ids(t, "Observation", "", keepOrder: true, sort: ["-date"]));
        // "2339-0" < "29463-7" (3 < 9), ties by id descending.
        Assert.Equal("o5,o2,o1,o4,o3", await Ids(t, "Observation", "", keepOrder: true, sort: ["code", "-_id"]));
        await Assert.ThrowsAsync<SearchException>(() => Ids(t, "Patient", "", sort: ["nonsense"]));
    }

    private static async Task<List<string>> AllPages(TempStore t, string type, IReadOnlyList<string>? sort, int count,
        Func<int, Task>? afterPage = null)
    {
        var ids = new List<string>();
        string? cursor = null;
        for (var n = 0; n < 50; n++)
        {
            var page = await t.Store.SearchAsync(new SearchQuery(type, [], Count: count, Cursor: cursor, Sort: sort));
            ids.AddRange(page.Resources.Select(r => r.Id));
            if (afterPage is not null) await afterPage(n);
            cursor = page.NextCursor;
            if (cursor is null) break;
        }
        return ids;
    }

    [Fact]
    public async Task Paging_is_stable_while_inserting()
    {
        await using var t = await Seed();
        // Sorted by birthdate one per page; after page 1 (pa) a patient born 1980 is written: it sorts after the
        // cursor and appears once; after page 3 one born 1970 is written: before the cursor, so it does not appear.
        var sorted = await AllPages(t, "Patient", ["birthdate"], 1, async n =>
        {
            if (n == 0) await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"pz","birthDate":"1980"}""")]);
            if (n == 2) await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"py","birthDate":"1970"}""")]);
        });
        Assert.Equal(["pa", "pz", "pb", "pc", "pd"], sorted);
        // Default order (write order), two per page, with a write between pages: nothing repeats or goes missing.
        var plain = await AllPages(t, "Organization", null, 1, async n =>
        {
            if (n == 0) await t.Store.MergeAsync([Put("""{"resourceType":"Organization","id":"org3","name":"Ny"}""")]);
        });
        Assert.Equal(["org1", "org2", "org3"], plain);
        // Descending with a tie-breaker, two per page, after both inserts (missing birthDate last).
        var desc = await AllPages(t, "Patient", ["-birthdate", "_id"], 2);
        Assert.Equal(["pc", "pb", "pz", "pa", "py", "pd"], desc);
    }

    [Fact]
    public async Task Bad_cursor_is_a_search_error()
    {
        await using var t = await Seed();
        await Assert.ThrowsAsync<SearchException>(() => t.Store.SearchAsync(new SearchQuery("Patient", [], Cursor: "kxyz", Sort: ["birthdate"])));
        await Assert.ThrowsAsync<SearchException>(() => t.Store.SearchAsync(new SearchQuery("Patient", [], Cursor: "s12", Sort: ["birthdate"])));
    }
}
