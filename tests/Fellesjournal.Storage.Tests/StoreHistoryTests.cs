using Fellesjournal.Storage.Tests.Postgres;
using Fellesjournal.Storage;
using static Fellesjournal.Storage.Tests.TempStore;

namespace Fellesjournal.Storage.Tests;

public class StoreHistoryTests
{
    [Theory, SqliteStore, PostgresStore]
    public async Task History_pages_by_cursor_without_gaps_or_repeats(string store)
    {
        await using var t = new TempStore(store);
        for (var b = 0; b < 5; b++)
            await t.Store.MergeAsync(Enumerable.Range(0, 7).Select(i => Put($$"""{"resourceType":"Patient","id":"p{{i}}","gender":"g{{b}}"}""")).ToList());
        await t.Store.MergeAsync([Put("""{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"x"}}""")]);
        var seen = new List<(string, long)>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await t.Store.HistoryAsync(new HistoryQuery("Patient", Count: 4, Cursor: cursor));
            seen.AddRange(page.Entries.Select(e => (e.Id, e.VersionId)));
            cursor = page.NextCursor;
            pages++;
        } while (cursor is not null);
        Assert.Equal(35, seen.Count);
        Assert.Equal(35, seen.Distinct().Count());
        Assert.Equal(9, pages);
        Assert.Equal(5, seen[0].Item2); // newest first
        Assert.Equal(1, seen[^1].Item2);
        var all = await t.Store.HistoryAsync(new HistoryQuery(Count: 100));
        Assert.Equal(36, all.Entries.Count);
        Assert.Equal("Observation", all.Entries[0].ResourceType);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Since_and_at_select_by_time(string store)
    {
        await using var t = new TempStore(store);
        var v1 = (await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"p","gender":"a"}""")]))[0];
        await Task.Delay(20);
        var v2 = (await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"p","gender":"b"}""")]))[0];
        await Task.Delay(20);
        var q = (await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"q"}""")]))[0];
        await Task.Delay(20);
        await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"p","gender":"c"}""")]);

        var since = await t.Store.HistoryAsync(new HistoryQuery("Patient", "p", Since: v2.LastUpdated));
        Assert.Equal([3L, 2], since.Entries.Select(e => e.VersionId));

        var at = await t.Store.HistoryAsync(new HistoryQuery("Patient", At: q.LastUpdated.AddMilliseconds(1)));
        Assert.Equal([("q", 1L), ("p", 2L)], at.Entries.Select(e => (e.Id, e.VersionId)));
        var early = await t.Store.HistoryAsync(new HistoryQuery("Patient", "p", At: v1.LastUpdated));
        Assert.Equal([1L], early.Entries.Select(e => e.VersionId));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Bad_cursor_is_a_search_error(string store)
    {
        await using var t = new TempStore(store);
        await Assert.ThrowsAsync<SearchException>(() => t.Store.HistoryAsync(new HistoryQuery(Cursor: "zz")));
        await Assert.ThrowsAsync<SearchException>(() => t.Store.SearchAsync(new SearchQuery("Patient", [], Cursor: "h1.2")));
    }
}
