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

    [Theory, SqliteStore, PostgresStore]
    public async Task The_store_marker_rises_with_every_write_and_only_then(string store)
    {
        await using var t = new TempStore(store);
        var markers = (IChangeMarkers)t.Store;
        var empty = await markers.StoreMarkerAsync();
        await t.Store.MergeAsync([Patient("Berg")]);
        var created = await markers.StoreMarkerAsync();
        Assert.True(created > empty);
        await t.Store.GetAsync("Patient", "a");
        await Found(t.Store, "Berg");
        Assert.Equal(created, await markers.StoreMarkerAsync()); // reads move nothing
        await t.Store.MergeAsync([Patient("Dahl")]);
        var updated = await markers.StoreMarkerAsync();
        Assert.True(updated > created);
        await t.Store.MergeAsync([new ResourceWrite("Patient", "a", null)]);
        Assert.True(await markers.StoreMarkerAsync() > updated); // a delete writes a tombstone version
    }

    [Fact]
    public async Task Sqlite_the_store_marker_is_the_snapshots_until_the_flow_writes()
    {
        await using var t = new TempStore("sqlite");
        var markers = (IChangeMarkers)t.Store;
        await t.Store.MergeAsync([Patient("Berg")]);
        using (t.Store.ReadSnapshot())
        {
            var seen = await markers.StoreMarkerAsync();
            await WriteElsewhere(t.Store, Patient("Dahl"));
            Assert.Equal(seen, await markers.StoreMarkerAsync()); // the snapshot's state, as every other read in it
            await t.Store.MergeAsync([Patient("Lie")]); // the flow's own write ends the snapshot's transaction
            Assert.True(await markers.StoreMarkerAsync() > seen);
        }
    }
}
