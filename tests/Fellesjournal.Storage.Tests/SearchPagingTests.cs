using Fellesjournal.Storage.Tests.Postgres;
using Fellesjournal.Storage;
using static Fellesjournal.Storage.Tests.TempStore;

namespace Fellesjournal.Storage.Tests;

/// <summary>Keyset paging in both directions (next, previous, last) and _total=estimate, on both stores.</summary>
public class SearchPagingTests
{
    /// <summary>Patients p0..p6: birth dates (two equal, two missing) so that sort keys tie and hold nulls.</summary>
    private static readonly (string Id, string? Birth)[] People =
        [("p0", "1970"), ("p1", "1990"), ("p2", null), ("p3", "1980"), ("p4", "1990"), ("p5", null), ("p6", "1960")];

    private static async Task<TempStore> Seed(string store)
    {
        var t = new TempStore(store);
        foreach (var (id, birth) in People)
            await t.Store.MergeAsync([Put($$"""{"resourceType":"Patient","id":"{{id}}","active":true{{(birth is null ? "" : $",\"birthDate\":\"{birth}\"")}}}""")]);
        return t;
    }

    private static SearchQuery Query(string? cursor, IReadOnlyList<string>? sort, int count = 2) =>
        new("Patient", [new SearchCriterion("active", null, ["true"])], count, cursor, Sort: sort);

    /// <summary>Pages forward to the end, then backward to the start; returns both walks as "a,b|c,d|...".</summary>
    private static async Task<(string Forward, string Backward, string Last)> Walk(TempStore t, IReadOnlyList<string>? sort)
    {
        var forward = new List<string>();
        var backward = new List<string>();
        string? cursor = null;
        SearchPage page;
        var guard = 0;
        do
        {
            page = await t.Store.SearchAsync(Query(cursor, sort));
            forward.Add(string.Join(",", page.Resources.Select(r => r.Id)));
            cursor = page.NextCursor;
        } while (cursor is not null && ++guard < 20);
        cursor = page.PreviousCursor;
        backward.Insert(0, forward[^1]);
        while (cursor is not null && ++guard < 40)
        {
            page = await t.Store.SearchAsync(Query(cursor, sort));
            backward.Insert(0, string.Join(",", page.Resources.Select(r => r.Id)));
            cursor = page.PreviousCursor;
        }
        var last = await t.Store.SearchAsync(Query(SearchPage.LastPageCursor, sort));
        return (string.Join("|", forward), string.Join("|", backward), string.Join(",", last.Resources.Select(r => r.Id)));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Previous_links_walk_back_over_the_same_pages(string store)
    {
        await using var t = await Seed(store);
        // Unsorted: the order of writing.
        var (f, b, last) = await Walk(t, null);
        Assert.Equal("p0,p1|p2,p3|p4,p5|p6", f);
        Assert.Equal(f, b);
        Assert.Equal("p5,p6", last);
        // Ascending birth date, ties by write order, missing last.
        (f, b, last) = await Walk(t, ["birthdate"]);
        Assert.Equal("p6,p0|p3,p1|p4,p2|p5", f);
        Assert.Equal(f, b);
        Assert.Equal("p2,p5", last);
        // Descending birth date, missing still last.
        (f, b, last) = await Walk(t, ["-birthdate", "_id"]);
        Assert.Equal("p1,p4|p3,p0|p6,p2|p5", f);
        Assert.Equal(f, b);
        Assert.Equal("p2,p5", last);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_previous_link_still_works_while_writes_happen(string store)
    {
        await using var t = await Seed(store);
        var first = await t.Store.SearchAsync(Query(null, ["birthdate"], 3));
        var second = await t.Store.SearchAsync(Query(first.NextCursor, ["birthdate"], 3));
        Assert.Equal("p1,p4,p2", string.Join(",", second.Resources.Select(r => r.Id)));
        // A new patient sorts first; p0 is deleted: the previous page is the rows before p1 now.
        await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"new","active":true,"birthDate":"1950"}""")]);
        await t.Store.MergeAsync([new ResourceWrite("Patient", "p0", null)]);
        var back = await t.Store.SearchAsync(Query(second.PreviousCursor, ["birthdate"], 3));
        Assert.Equal("new,p6,p3", string.Join(",", back.Resources.Select(r => r.Id)));
        Assert.Null(back.PreviousCursor);
        var again = await t.Store.SearchAsync(Query(back.NextCursor, ["birthdate"], 3));
        Assert.Equal("p1,p4,p2", string.Join(",", again.Resources.Select(r => r.Id)));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Total_estimate_is_exact_below_the_cap(string store)
    {
        await using var t = await Seed(store);
        var page = await t.Store.SearchAsync(Query(null, null) with { IncludeTotal = true, EstimateTotal = true });
        Assert.Equal(7, page.Total);
        page = await t.Store.SearchAsync(Query(null, null) with { IncludeTotal = false });
        Assert.Null(page.Total);
    }
}
