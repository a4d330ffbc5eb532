using System.Diagnostics;
using Fellesjournal.Services.Summary;
using Fellesjournal.Storage.Sqlite;
using Fellesjournal.Trust.Access;
using Fellesjournal.Trust.Identity;

// In-process $summary harness over a seeded SQLite data directory (no HTTP, no access log): the cost of each step
// (policy facts, the summary's queries, assembly and signing), then whole summaries from CONCURRENCY parallel callers.
//   dotnet run -c Release --project bench/summary/SummaryHarness -- <data-dir> <ids-file> [samples] [concurrency] [seconds]
var dataDir = args[0];
var ids = File.ReadAllLines(args[1]).Where(l => l.Length > 0).ToArray();
var samples = args.Length > 2 ? int.Parse(args[2]) : 200;
var concurrency = args.Length > 3 ? int.Parse(args[3]) : 32;
var seconds = args.Length > 4 ? int.Parse(args[4]) : 20;

await using var store = SqliteResourceStore.Open(dataDir);
using var signer = DocumentSigner.Generate();
var caller = new Principal
{
    Kind = PrincipalKind.Personnel, Pid = "23056800026", HprNumber = "412345678", OrgNumberParent = "983710018", Scopes = ScopeSet.Parse("user/*.rs"),
    TrustFramework = new TrustFrameworkDetails { AuthorizationCode = "LE", LegalEntity = "983710018", PurposeOfUse = PurposeOfUse.EmergencyTreat, PurposeDetails = "Bevisstløs" },
};
var service = new SummaryRecord(store, signer);
var facts = new CareFactsReader(store);
var reader = new SummaryReader(store, new StoreMedicationSource(store));
var rng = new Random(1);

// Steps, sequentially.
var tFacts = new List<double>(); var tRead = new List<double>(); var tWhole = new List<double>(); var sizes = new List<int>();
for (var i = 0; i < samples; i++)
{
    var id = ids[rng.Next(ids.Length)];
    var sw = Stopwatch.StartNew();
    await facts.ReadAsync(id);
    tFacts.Add(sw.Elapsed.TotalMilliseconds);
    sw.Restart();
    await reader.ReadAsync(id, DateTimeOffset.UtcNow, default);
    tRead.Add(sw.Elapsed.TotalMilliseconds);
    sw.Restart();
    var r = await service.BuildAsync(id, new SummaryRequest { Caller = caller });
    tWhole.Add(sw.Elapsed.TotalMilliseconds);
    if (!r.Success) throw new InvalidOperationException(r.Outcome!.ToJson());
    sizes.Add(r.Document!.Length);
}
Console.WriteLine($"sequential, {samples} patients of {ids.Length}:");
Report("  policy facts (CareFactsReader)", tFacts);
Report("  summary queries (SummaryReader)", tRead);
Report("  whole summary (facts + queries + assembly + signing)", tWhole);
Console.WriteLine($"  document size: median {Percentile(sizes.Select(s => (double)s).ToList(), 50):F0} bytes");

// Whole summaries, concurrently.
var latencies = new List<double>();
var stop = DateTime.UtcNow.AddSeconds(seconds);
var total = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async w =>
{
    var local = new List<double>();
    var k = w * 7919;
    while (DateTime.UtcNow < stop)
    {
        var id = ids[k++ % ids.Length];
        var sw = Stopwatch.StartNew();
        await service.BuildAsync(id, new SummaryRequest { Caller = caller });
        local.Add(sw.Elapsed.TotalMilliseconds);
    }
    lock (latencies) latencies.AddRange(local);
}));
Console.WriteLine($"concurrent, {concurrency} callers for {seconds} s: {latencies.Count / total.Elapsed.TotalSeconds:F1} summaries/s");
Report("  whole summary", latencies);
Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");

static void Report(string name, List<double> ms) =>
    Console.WriteLine($"{name}: p50 {Percentile(ms, 50):F1} ms, p90 {Percentile(ms, 90):F1} ms, p99 {Percentile(ms, 99):F1} ms, max {ms.Max():F1} ms");

static double Percentile(List<double> values, double p)
{
    var s = values.OrderBy(x => x).ToList();
    return s[Math.Clamp((int)Math.Ceiling(p / 100 * s.Count) - 1, 0, s.Count - 1)];
}
