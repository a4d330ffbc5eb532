using Fellesjournal.Storage.Tests.Postgres;
using static Fellesjournal.Storage.Tests.TempStore;

namespace Fellesjournal.Storage.Tests;

/// <summary>A request's reads in one read transaction (<see cref="IResourceStore.ReadSnapshot"/>): one state of the
/// store for the whole scope, yet the flow's own writes are seen.</summary>
public class StoreReadSnapshotTests
{
    private static ResourceWrite Patient(string family) => Put($$"""{"resourceType":"Patient","id":"a","name":[{"family":"{{family}}"}]}""");

    /// <summary>A write by another request: a flow that does not carry this one's snapshot.</summary>
    private static Task<IReadOnlyList<StoredResource>> WriteElsewhere(IResourceStore store, ResourceWrite w)
    {
        using (ExecutionContext.SuppressFlow()) return Task.Run(() => store.MergeAsync([w]));
    }

    private static async Task<long> Version(IResourceStore store) => (await store.GetAsync("Patient", "a"))!.VersionId;

    private static async Task<int> Found(IResourceStore store, string family) =>
        (await store.SearchAsync(new SearchQuery("Patient", [new SearchCriterion("family", "exact", [family])]))).Resources.Count;

    [Fact]
    public async Task Sqlite_reads_in_a_snapshot_see_one_state_until_it_ends()
    {
        await using var t = new TempStore("sqlite");
        await t.Store.MergeAsync([Patient("Berg")]);
        using (t.Store.ReadSnapshot())
        {
            Assert.Equal(1, await Version(t.Store));
            await WriteElsewhere(t.Store, Patient("Dahl"));
            Assert.Equal(1, await Version(t.Store));
            Assert.Equal(1, await Found(t.Store, "Berg"));
            Assert.Equal(0, await Found(t.Store, "Dahl"));
        }
        Assert.Equal(2, await Version(t.Store));
        Assert.Equal(1, await Found(t.Store, "Dahl"));
    }

    [Fact]
    public async Task Sqlite_nested_scope_leaves_the_outer_snapshot_open()
    {
        await using var t = new TempStore("sqlite");
        await t.Store.MergeAsync([Patient("Berg")]);
        using (t.Store.ReadSnapshot())
        {
            Assert.Equal(1, await Version(t.Store));
            using (t.Store.ReadSnapshot()) Assert.Equal(1, await Version(t.Store));
            await WriteElsewhere(t.Store, Patient("Dahl"));
            Assert.Equal(1, await Version(t.Store));
        }
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Own_writes_inside_a_snapshot_are_seen(string store)
    {
        await using var t = new TempStore(store);
        await t.Store.MergeAsync([Patient("Berg")]);
        using (t.Store.ReadSnapshot())
        {
            Assert.Equal(1, await Version(t.Store));
            await t.Store.MergeAsync([Patient("Dahl")]);
            Assert.Equal(2, await Version(t.Store));
            await t.Store.InTransactionAsync(tx => tx.MergeAsync([Patient("Lie")]));
            Assert.Equal(3, await Version(t.Store));
            Assert.Equal(1, await Found(t.Store, "Lie"));
        }
    }

    [Fact]
    public async Task Sqlite_a_flow_that_outlives_its_snapshot_reads_on_its_own()
    {
        await using var t = new TempStore("sqlite");
        await t.Store.MergeAsync([Patient("Berg")]);
        var gate = new TaskCompletionSource();
        Task<long> late;
        using (t.Store.ReadSnapshot())
        {
            Assert.Equal(1, await Version(t.Store));
            // Started inside the scope, so it carries the snapshot; it reads after the scope has ended.
            late = Task.Run(async () => { await gate.Task; return await Version(t.Store); });
        }
        await WriteElsewhere(t.Store, Patient("Dahl"));
        gate.SetResult();
        Assert.Equal(2, await late);
    }
}
