using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Search;
using Fellesjournal.Storage;
using Fellesjournal.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Fellesjournal.Bench;

/// <summary>Cold, single-shot runs: each iteration imports into a fresh database.</summary>
public sealed class StoreBenchConfig : ManualConfig
{
    public StoreBenchConfig()
    {
        AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3));
    }
}

/// <summary>
/// Import throughput: <see cref="IResourceStore.MergeAsync"/> of N synthetic resources in batches of 1,000
/// (full path: parse, search-value extraction, meta stamping, compression, index rows) against plain SQLite
/// inserts of the same JSON (same durability settings, no extraction, no indexes). Results are per resource
/// (OperationsPerInvoke), so resources/s = 1e9 / mean ns.
/// </summary>
[Config(typeof(StoreBenchConfig))]
public class StoreImportBenchmark
{
    private const int N = 100_000;
    private const int Batch = 1_000;
    private (string Type, string Id, byte[] Json)[] _data = [];
    private string _dir = "";

    [GlobalSetup]
    public void Setup()
    {
        _data = StoreSyntheticData.Create(N);
        _ = FhirDefinitions.Default; // load outside the measurement
    }

    [IterationSetup]
    public void NewDirectory() => _dir = Path.Combine(Path.GetTempPath(), "fj-bench-" + Guid.NewGuid().ToString("N"));

    [IterationCleanup]
    public void DeleteDirectory()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Benchmark(OperationsPerInvoke = N, Description = "MergeAsync (full store path)")]
    public Task MergeAsync() => Import(null);

    /// <summary>How an import should drive the store: the next batch's extraction (outside the write lock)
    /// overlaps the current batch's SQLite work.</summary>
    [Benchmark(OperationsPerInvoke = N, Description = "MergeAsync, 2 batches in flight")]
    public async Task MergeAsyncPipelined()
    {
        await using var store = SqliteResourceStore.Open(_dir);
        var inFlight = new Queue<Task>();
        for (var start = 0; start < _data.Length; start += Batch)
        {
            var batch = _data.Skip(start).Take(Batch).Select(d => new ResourceWrite(d.Type, d.Id, d.Json)).ToList();
            if (inFlight.Count == 2) await inFlight.Dequeue();
            inFlight.Enqueue(Task.Run(() => store.MergeAsync(batch)));
        }
        await Task.WhenAll(inFlight);
    }

    [Benchmark(OperationsPerInvoke = N, Description = "MergeAsync without extraction")]
    public Task MergeAsyncNoIndex() => Import(new NoIndexer());

    private async Task Import(ISearchIndexer? indexer)
    {
        await using var store = SqliteResourceStore.Open(_dir, indexer);
        var batch = new List<ResourceWrite>(Batch);
        foreach (var (type, id, json) in _data)
        {
            batch.Add(new ResourceWrite(type, id, json));
            if (batch.Count == Batch)
            {
                await store.MergeAsync(batch);
                batch = new List<ResourceWrite>(Batch);
            }
        }
        if (batch.Count > 0) await store.MergeAsync(batch);
    }

    [Benchmark(OperationsPerInvoke = N, Baseline = true, Description = "Raw SQLite insert")]
    public void RawSqlite()
    {
        Directory.CreateDirectory(_dir);
        using var conn = new SqliteConnection($"Data Source={Path.Combine(_dir, "raw.db")};Pooling=False");
        conn.Open();
        using (var p = conn.CreateCommand())
        {
            p.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; " +
                            "CREATE TABLE r (seq INTEGER PRIMARY KEY, res_type TEXT NOT NULL, res_id TEXT NOT NULL, version INTEGER NOT NULL, last_updated INTEGER NOT NULL, json BLOB NOT NULL);";
            p.ExecuteNonQuery();
        }
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "INSERT INTO r (res_type, res_id, version, last_updated, json) VALUES ($t, $i, 1, $u, $j)";
        var t = cmd.Parameters.Add("$t", SqliteType.Text);
        var i = cmd.Parameters.Add("$i", SqliteType.Text);
        var u = cmd.Parameters.Add("$u", SqliteType.Integer);
        var j = cmd.Parameters.Add("$j", SqliteType.Blob);
        for (var start = 0; start < _data.Length; start += Batch)
        {
            using var tx = conn.BeginTransaction();
            cmd.Transaction = tx;
            for (var k = start; k < Math.Min(start + Batch, _data.Length); k++)
            {
                t.Value = _data[k].Type;
                i.Value = _data[k].Id;
                u.Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                j.Value = _data[k].Json;
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
        }
    }

    private sealed class NoIndexer : ISearchIndexer
    {
        public FhirDefinitions Definitions => FhirDefinitions.Default;
        public ResourceIndex Extract(ElementNode resource, string? id = null) => ResourceIndex.Empty;
    }
}
