using System.Diagnostics;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Search;
using Fellesjournal.Storage;
using Fellesjournal.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Fellesjournal.Bench;

/// <summary>
/// A quick console mode (<c>-- quick [N]</c>) for the shared, loaded machine: reports process CPU time per
/// resource (less sensitive to other load than wall clock) next to wall-clock resources/s, for
/// extraction alone and for the store paths of <see cref="StoreImportBenchmark"/>.
/// </summary>
public static class StoreQuick
{
    public static async Task Run(int n)
    {
        var data = StoreSyntheticData.Create(n);
        var defs = FhirDefinitions.Default;
        var indexer = new SearchIndexer(defs);
        // Warm up (JIT, plans).
        foreach (var d in data.Take(2000)) indexer.Extract(ElementNode.Parse(d.Json, defs), d.Id);

        Measure("parse only (1 thread)", n, () => { foreach (var d in data) ElementNode.Parse(d.Json, defs); return Task.CompletedTask; });
        Measure("parse + extract (1 thread)", n, () => { foreach (var d in data) indexer.Extract(ElementNode.Parse(d.Json, defs), d.Id); return Task.CompletedTask; });
        await MeasureAsync("MergeAsync full, batches of 1000", n, dir => Import(dir, data, null, false));
        await MeasureAsync("MergeAsync full, 2 batches in flight", n, dir => Import(dir, data, null, true));
        await MeasureAsync("MergeAsync without extraction", n, dir => Import(dir, data, new NoIndexer(), false));
    }

    private static async Task Import(string dir, (string Type, string Id, byte[] Json)[] data, ISearchIndexer? indexer, bool pipelined)
    {
        await using var store = SqliteResourceStore.Open(dir, indexer);
        var inFlight = new Queue<Task>();
        for (var start = 0; start < data.Length; start += 1000)
        {
            var batch = new List<ResourceWrite>(1000);
            for (var k = start; k < Math.Min(start + 1000, data.Length); k++)
                batch.Add(new ResourceWrite(data[k].Type, data[k].Id, data[k].Json));
            if (!pipelined) { await store.MergeAsync(batch); continue; }
            if (inFlight.Count == 2) await inFlight.Dequeue();
            inFlight.Enqueue(Task.Run(() => store.MergeAsync(batch)));
        }
        await Task.WhenAll(inFlight);
    }

    private static void Measure(string name, int n, Func<Task> work) =>
        MeasureAsync(name, n, _ => work()).GetAwaiter().GetResult();

    /// <summary>Best of three: on a shared machine the minimum is the most repeatable figure.</summary>
    private static async Task MeasureAsync(string name, int n, Func<string, Task> work)
    {
        var best = (Cpu: double.MaxValue, Rate: 0.0);
        for (var r = 0; r < 3; r++)
        {
            var (cpu, rate) = await MeasureOnce(n, work);
            if (cpu < best.Cpu) best = (cpu, rate);
        }
        Console.WriteLine($"{name,-40} CPU {best.Cpu,7:F1} µs/res   wall {best.Rate,9:N0} res/s   load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
    }

    private static async Task<(double CpuMicros, double Rate)> MeasureOnce(int n, Func<string, Task> work)
    {
        var dir = Path.Combine(Path.GetTempPath(), "fj-quick-" + Guid.NewGuid().ToString("N"));
        GC.Collect();
        var p = Process.GetCurrentProcess();
        p.Refresh();
        var cpu0 = p.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        await work(dir);
        sw.Stop();
        p.Refresh();
        var cpu = p.TotalProcessorTime - cpu0;
        SqliteConnection.ClearAllPools();
        try { if (Directory.Exists(dir)) Directory.Delete(dir, true); } catch (IOException) { }
        return (cpu.TotalMicroseconds / n, n / sw.Elapsed.TotalSeconds);
    }

    private sealed class NoIndexer : ISearchIndexer
    {
        public FhirDefinitions Definitions => FhirDefinitions.Default;
        public ResourceIndex Extract(ElementNode resource, string? id = null) => ResourceIndex.Empty;
    }
}

public static class PlanDump
{
    public static void Run()
    {
        var defs = FhirDefinitions.Default;
        foreach (var t in new[] { "Patient", "Observation", "Encounter", "Condition" })
            foreach (var sp in defs.SearchParametersFor(t).Values)
            {
                if (string.IsNullOrEmpty(sp.Expression)) continue;
                var pruned = ExpressionPruner.ForType(sp.Expression, t, defs.IsResourceType);
                if (pruned is null) continue;
                var fast = SimplePathEvaluator.TryCreate(pruned, t, defs) is not null;
                var req = ExpressionPruner.RequiredElements(pruned, t);
                Console.WriteLine($"{t} {sp.Code} {sp.Type} fast={fast} req={(req is null ? "null" : string.Join(",", req))} :: {(fast ? "" : pruned)}");
            }
    }
}
