using Fellesjournal.Storage.Tests.Postgres;
using Fellesjournal.Storage;
using static Fellesjournal.Storage.Tests.TempStore;

namespace Fellesjournal.Storage.Tests;

public class StoreTransactionTests
{
    [Theory, SqliteStore, PostgresStore]
    public async Task Transaction_sees_its_own_writes_and_commits_together(string store)
    {
        await using var t = new TempStore(store);
        var n = await t.Store.InTransactionAsync(async tx =>
        {
            await tx.MergeAsync([Put("""{"resourceType":"Patient","id":"a"}""")]);
            var a = await tx.GetAsync("Patient", "a");
            Assert.NotNull(a);
            var found = await tx.SearchAsync(new SearchQuery("Patient", [new SearchCriterion("_id", null, ["a"])]));
            Assert.Single(found.Resources);
            await tx.MergeAsync([Put("""{"resourceType":"Patient","id":"a","active":true}""")]);
            return (await tx.GetAsync("Patient", "a"))!.VersionId;
        });
        Assert.Equal(2, n);
        Assert.Equal(2, (await t.Store.GetAsync("Patient", "a"))!.VersionId);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Failing_transaction_rolls_everything_back(string store)
    {
        await using var t = new TempStore(store);
        await Assert.ThrowsAsync<InvalidOperationException>(() => t.Store.InTransactionAsync<int>(async tx =>
        {
            await tx.MergeAsync([Put("""{"resourceType":"Patient","id":"a"}""")]);
            throw new InvalidOperationException("boom");
        }));
        Assert.Null(await t.Store.GetAsync("Patient", "a"));
        // The store stays usable and the sequence is consistent.
        var s = await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"a"}""")]);
        Assert.Equal(1, s[0].VersionId);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Caught_conflict_inside_a_transaction_discards_only_that_batch(string store)
    {
        await using var t = new TempStore(store);
        await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"x"}""")]);
        await t.Store.InTransactionAsync(async tx =>
        {
            await tx.MergeAsync([Put("""{"resourceType":"Patient","id":"keep"}""")]);
            await Assert.ThrowsAsync<VersionConflictException>(() =>
                tx.MergeAsync([Put("""{"resourceType":"Patient","id":"half"}"""), Put("""{"resourceType":"Patient","id":"x"}""", mustNotExist: true)]));
            return 0;
        });
        Assert.NotNull(await t.Store.GetAsync("Patient", "keep"));
        Assert.Null(await t.Store.GetAsync("Patient", "half"));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Parallel_writers_of_one_resource_get_distinct_versions(string store)
    {
        await using var t = new TempStore(store);
        const int writers = 8, each = 10;
        var versions = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var mine = new List<long>();
            for (var i = 0; i < each; i++)
                mine.Add((await t.Store.MergeAsync([Put($$"""{"resourceType":"Patient","id":"shared","gender":"w{{w}}-{{i}}"}""")]))[0].VersionId);
            return mine;
        })));
        var all = versions.SelectMany(v => v).OrderBy(v => v).ToList();
        Assert.Equal(Enumerable.Range(1, writers * each).Select(i => (long)i), all);
        foreach (var v in versions) Assert.Equal(v.OrderBy(x => x), v); // each writer saw its versions increase
        var h = await t.Store.HistoryAsync(new HistoryQuery("Patient", "shared", Count: 1000));
        Assert.Equal(writers * each, h.Entries.Count);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Optimistic_locking_lets_exactly_one_of_racing_updates_win(string store)
    {
        await using var t = new TempStore(store);
        await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"p"}""")]);
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            try
            {
                await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"p"}""", ifMatch: 1)]);
                return true;
            }
            catch (VersionConflictException) { return false; }
        })));
        Assert.Equal(1, results.Count(r => r));
        Assert.Equal(2, (await t.Store.GetAsync("Patient", "p"))!.VersionId);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Readers_run_while_writing(string store)
    {
        await using var t = new TempStore(store);
        await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"r"}""")]);
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 30; i++)
                await t.Store.MergeAsync(Enumerable.Range(0, 20).Select(j => Put($$"""{"resourceType":"Patient","id":"w{{i}}-{{j}}"}""")).ToList());
        });
        var reads = 0;
        while (!writer.IsCompleted)
        {
            Assert.NotNull(await t.Store.GetAsync("Patient", "r"));
            reads++;
        }
        await writer;
        Assert.True(reads > 0);
        var page = await t.Store.SearchAsync(new SearchQuery("Patient", [], Count: 0, IncludeTotal: true));
        Assert.Equal(601, page.Total);
    }
}

public class StoreTransactionMisuseTests
{
    [Theory, SqliteStore, PostgresStore]
    public async Task Writing_through_the_store_inside_a_transaction_fails_fast(string store)
    {
        await using var t = new TempStore(store);
        var task = t.Store.InTransactionAsync<int>(async tx =>
        {
            await t.Store.MergeAsync([TempStore.Put("""{"resourceType":"Patient","id":"a"}""")]);
            return 0;
        });
        var done = await Task.WhenAny(task, Task.Delay(10_000));
        Assert.Same(task, done);
        await Assert.ThrowsAsync<InvalidOperationException>(() => task);
        Assert.Null(await t.Store.GetAsync("Patient", "a"));
    }
}
