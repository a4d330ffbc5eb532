using System.Diagnostics;
using Fellesjournal.Services.Summary;
using Fellesjournal.Storage.Sqlite;
using Fellesjournal.Trust.Access;
using Fellesjournal.Trust.Identity;

// In-process $summary harness over a seeded SQLite data directory (no HTTP, no access log): the CPU time of each step
// (policy facts, the summary's reads, the same reads as one search per type, assembly and signing, the whole
// summary), taken in alternating rounds so that a loaded machine distorts the steps alike; then the wall-clock time
// of each step one at a time; then whole summaries from CONCURRENCY parallel callers (skipped with seconds = 0).
//   dotnet run -c Release --project bench/summary/SummaryHarness -- <data-dir> <ids-file> [samples] [concurrency] [seconds] [rounds]
var dataDir = args[0];
var ids = File.ReadAllLines(args[1]).Where(l => l.Length > 0).ToArray();
var samples = args.Length > 2 ? int.Parse(args[2]) : 200;
var concurrency = args.Length > 3 ? int.Parse(args[3]) : 32;
var seconds = args.Length > 4 ? int.Parse(args[4]) : 20;
var rounds = args.Length > 5 ? int.Parse(args[5]) : 5;

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

// CPU time per step (process CPU time over a loop, divided by the calls): rounds alternate the steps.
var cpuIds = Enumerable.Range(0, samples).Select(_ => ids[rng.Next(ids.Length)]).ToArray();
var now = DateTimeOffset.UtcNow;
var sources = new Dictionary<string, SummarySource>();
foreach (var id in cpuIds) sources[id] = (await reader.ReadAsync(id, now, default))!;
var steps = new (string Name, Func<string, Task> Run)[]
{
    ("policy facts (CareFactsReader)", id => facts.ReadAsync(id)),
    ("summary reads (SummaryReader)", async id => (await reader.ReadAsync(id, now, default))?.Dispose()),
    ("  of which the compartment statement (PatientRows)", id => PatientRows.ReadAsync(store, id, [.. SummaryReader.CompartmentTypes, .. StoreMedicationSource.Types], SummaryReader.MaxPerType, default)),
    ("  the nine searches per type it replaces", id => PerTypeSearchesAsync(store, id)),
    ("  the visits search (hospital and emergency encounters, three years)", id => store.SearchAsync(SummaryReader.VisitsQuery(id, now))),
    ("  the compartment statement and parsing its rows (JsonDocument each)", async id =>
    {
        foreach (var r in (await PatientRows.ReadAsync(store, id, [.. SummaryReader.CompartmentTypes, .. StoreMedicationSource.Types], SummaryReader.MaxPerType, default))
            .Values.SelectMany(l => l)) SourceResource.From(r).Dispose();
    }),
    ("classify, assemble, sign, serialise", id => { SummaryRecord.Compose(sources[id], [], [], "https://fj.example/fhir", now, "note", true, Guid.NewGuid(), signer); return Task.CompletedTask; }),
    ("whole summary (facts + reads + assembly + signing)", id => service.BuildAsync(id, new SummaryRequest { Caller = caller })),
};
var cpu = steps.Select(_ => new List<double>()).ToArray();
var allocated = new double[steps.Length];
foreach (var (_, run) in steps) await run(cpuIds[0]);   // JIT
for (var round = 0; round < rounds; round++)
    for (var k = 0; k < steps.Length; k++)
    {
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        var bytes = GC.GetTotalAllocatedBytes(precise: true);
        foreach (var id in cpuIds) await steps[k].Run(id);
        cpu[k].Add((Process.GetCurrentProcess().TotalProcessorTime - before).TotalMilliseconds / cpuIds.Length);
        allocated[k] = (GC.GetTotalAllocatedBytes(precise: true) - bytes) / 1024.0 / cpuIds.Length;
    }
Console.WriteLine($"CPU time per call, {samples} patients of {ids.Length}, median of {rounds} rounds (min–max), and the bytes allocated per call in the last round:");
for (var k = 0; k < steps.Length; k++)
    Console.WriteLine($"  {steps[k].Name}: {Percentile(cpu[k], 50):F2} ms ({cpu[k].Min():F2}–{cpu[k].Max():F2}), {allocated[k]:F0} KB allocated");

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

if (seconds <= 0) return;

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

// The summary's reads as they were before PatientRows: one search per type by the patient reference (the medicines
// with their status criteria); the Patient, encounter and GP reads are the same in both.
static async Task PerTypeSearchesAsync(Fellesjournal.Storage.IResourceStore store, string id)
{
    var patient = new Fellesjournal.Storage.SearchCriterion("patient", null, ["Patient/" + id]);
    foreach (var type in SummaryReader.CompartmentTypes)
        await store.SearchAsync(new Fellesjournal.Storage.SearchQuery(type, [patient], Count: SummaryReader.MaxPerType));
    await store.SearchAsync(new Fellesjournal.Storage.SearchQuery("MedicationStatement",
        [patient, new Fellesjournal.Storage.SearchCriterion("status", null, ["active", "intended"])], Count: 100));
    await store.SearchAsync(new Fellesjournal.Storage.SearchQuery("MedicationRequest",
        [patient, new Fellesjournal.Storage.SearchCriterion("status", null, ["active"]), new Fellesjournal.Storage.SearchCriterion("intent", null, ["order"])], Count: 100));
}
