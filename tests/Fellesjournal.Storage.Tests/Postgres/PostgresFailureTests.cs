using System.Text;
using Fellesjournal.Storage.Postgres;
using static Fellesjournal.Storage.Tests.TempStore;

namespace Fellesjournal.Storage.Tests.Postgres;

/// <summary>The database going away and two servers on one database. Each crash test runs its own server.</summary>
public class PostgresFailureTests
{
    internal static ResourceWrite Patient(string id, int n) =>
        new("Patient", id, Encoding.UTF8.GetBytes($$"""{"resourceType":"Patient","id":"{{id}}","multipleBirthInteger":{{n}}}"""));

    [Theory, PostgresStore]
    public async Task Stopped_database_gives_StoreUnavailable_and_the_store_reconnects(string store)
    {
        Assert.Equal("postgres", store);
        using var server = new PostgresServer();
        var db = server.CreateDatabase();
        await using var s = await PostgresResourceStore.OpenAsync(server.ConnectionString(db));
        await s.MergeAsync([Patient("a", 1)]);
        server.StopImmediate();
        await Assert.ThrowsAsync<StoreUnavailableException>(() => s.GetAsync("Patient", "a"));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => s.MergeAsync([Patient("b", 1)]));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => s.SearchAsync(new SearchQuery("Patient", [])));
        server.Start();
        // Broken pooled connections are discarded; the next calls get new ones.
        StoredResource? a = null;
        for (var i = 0; i < 3 && a is null; i++)
            try { a = await s.GetAsync("Patient", "a"); } catch (StoreUnavailableException) { }
        Assert.Equal(1, a!.VersionId);
        Assert.Equal(2, (await s.MergeAsync([Patient("a", 2)]))[0].VersionId);
        Assert.Null(await s.GetAsync("Patient", "b"));
    }

    [Theory, PostgresStore]
    public async Task Crash_restart_mid_load_loses_no_acknowledged_write(string store)
    {
        Assert.Equal("postgres", store);
        using var server = new PostgresServer();
        var db = server.CreateDatabase();
        await using var s = await PostgresResourceStore.OpenAsync(server.ConnectionString(db));
        var acked = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        var unavailable = 0;
        var otherErrors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        using var stop = new CancellationTokenSource();
        async Task Load(int worker)
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var batch = Enumerable.Range(0, 5).Select(k => Patient($"w{worker}-{i}-{k}", i)).ToList();
                try
                {
                    foreach (var r in await s.MergeAsync(batch)) acked[r.Id] = r.VersionId;
                }
                catch (StoreUnavailableException) { Interlocked.Increment(ref unavailable); await Task.Delay(20); }
                catch (Exception e) { otherErrors.Enqueue(e); }
            }
        }
        var workers = Enumerable.Range(0, 3).Select(w => Task.Run(() => Load(w))).ToArray();
        while (acked.Count < 200) await Task.Delay(10);
        var before = acked.Count;
        server.RestartImmediate();
        // Keep loading until writes have gone through again after the restart.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (acked.Count < before + 200 && DateTime.UtcNow < deadline) await Task.Delay(10);
        stop.Cancel();
        await Task.WhenAll(workers);
        Assert.Empty(otherErrors);
        Assert.True(acked.Count >= before + 200, $"writes did not resume after the restart ({acked.Count} acknowledged, {before} before)");
        foreach (var (id, version) in acked)
        {
            var got = await s.GetAsync("Patient", id);
            Assert.True(got is not null && got.VersionId == version, $"acknowledged write Patient/{id} is missing after the crash");
        }
    }

    [Theory, PostgresStore]
    public async Task Two_stores_on_one_database_lose_no_update_under_if_match(string store)
    {
        await using var t = new TempStore(store);
        await using var second = t.OpenAnother();
        IResourceStore[] stores = [t.Store, second];
        const int resources = 4, workersPerStore = 3, incrementsPerWorker = 15;
        await t.Store.MergeAsync(Enumerable.Range(0, resources).Select(r => Patient("c" + r, 0)).ToList());
        var conflicts = 0;
        async Task Worker(IResourceStore s, int w)
        {
            for (var done = 0; done < incrementsPerWorker;)
            {
                var id = "c" + (w + done) % resources;
                var cur = (await s.GetAsync("Patient", id))!;
                var n = System.Text.Json.JsonDocument.Parse(cur.Json).RootElement.GetProperty("multipleBirthInteger").GetInt32();
                try
                {
                    await s.MergeAsync([Patient(id, n + 1) with { IfMatchVersion = cur.VersionId }]);
                    done++;
                }
                catch (VersionConflictException) { Interlocked.Increment(ref conflicts); }
            }
        }
        await Task.WhenAll(stores.SelectMany((s, si) => Enumerable.Range(0, workersPerStore).Select(w => Task.Run(() => Worker(s, si * workersPerStore + w)))));
        long total = 0;
        for (var r = 0; r < resources; r++)
        {
            var cur = (await second.GetAsync("Patient", "c" + r))!;
            var n = System.Text.Json.JsonDocument.Parse(cur.Json).RootElement.GetProperty("multipleBirthInteger").GetInt32();
            Assert.Equal(cur.VersionId - 1, n); // every version is exactly one increment: no lost update
            total += n;
            var h = await t.Store.HistoryAsync(new HistoryQuery("Patient", "c" + r, Count: 1000));
            Assert.Equal(h.Entries.Count, h.Entries.Select(e => e.VersionId).Distinct().Count());
            Assert.Equal(Enumerable.Range(1, (int)cur.VersionId).Select(v => (long)v).Reverse(), h.Entries.Select(e => e.VersionId));
        }
        Assert.Equal(2 * workersPerStore * incrementsPerWorker, total);
        Assert.True(conflicts > 0, "the workers never raced; the test proves nothing");
        var dup = t.Query("SELECT count(*) FROM (SELECT res_id, version FROM resource_version GROUP BY res_id, version HAVING count(*) > 1) d");
        Assert.Equal("0", dup[0][0]);
    }
}
