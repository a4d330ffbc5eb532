using System.Diagnostics;
using Fellesjournal.Storage;
using Fellesjournal.Storage.Search;
using Fellesjournal.Trust.Access;

// In-process search harness over a store (no HTTP, no token check, no audit): each search-mix class's request paths
// run through IResourceStore.SearchAsync one at a time, so the store's own cost per query class shows (wall and CPU
// time per query; run niced on a quiet machine, or compare alternately). The system client's reach is reproduced:
// every compartment minus the locked sections of the patients with an active sperring Consent.
// With access "named", each query runs under the explicit compartment of the patient its path names (as for personnel
// or a citizen naming that patient); a path naming no patient id sees shared resources only.
//   dotnet run -c Release --project bench/search/SearchHarness -- <data-dir|postgres-connection> <paths-dir> [queries per class] [rounds] [access: system|none|named]
// FELLESJOURNAL_TRACE_SQL=plan prints every statement with its plan (use 1 query per class).
var target = args[0];
var pathsDir = args[1];
var perClass = args.Length > 2 ? int.Parse(args[2]) : 50;
var rounds = args.Length > 3 ? int.Parse(args[3]) : 2;
var accessMode = args.Length > 4 ? args[4] : "system";

await using var store = target.Contains('=')
    ? ResourceStoreFactory.Open("postgres", "", target)
    : ResourceStoreFactory.Open("sqlite", target, null);

CompartmentAccess? access = null;
if (accessMode == "system")
{
    var hidden = new List<HiddenSection>();
    var reader = new CareFactsReader(store);
    var page = await store.SearchAsync(new SearchQuery("Consent",
        [new SearchCriterion("category", null, [$"{CitizenControlCodes.System}|{CitizenControlCodes.Sperring}"]), new SearchCriterion("status", null, ["active"])], Count: 1000));
    foreach (var pid in page.Resources.Select(r => r.PatientId).OfType<string>().Distinct())
    {
        var (_, controls) = await reader.ReadAsync(pid);
        hidden.AddRange(controls.Locks.Select(l => new HiddenSection(pid, l.Key)));
    }
    access = new CompartmentAccess(true, []) { Hidden = hidden };
    Console.WriteLine($"access: system, {hidden.Count} locked sections of {page.Resources.Count} patients with sperring");
}

var process = Process.GetCurrentProcess();
foreach (var file in Directory.GetFiles(pathsDir, "search-*.paths").Order())
{
    var name = Path.GetFileNameWithoutExtension(file)["search-".Length..];
    var all = File.ReadAllLines(file).Where(l => l.Length > 0).ToArray();
    var paths = Enumerable.Range(0, Math.Min(perClass, all.Length)).Select(i => all[i * all.Length / Math.Min(perClass, all.Length)]).ToArray();
    var wall = new List<double>();
    var rows = 0;
    var cpu0 = process.TotalProcessorTime;
    for (var round = 0; round < rounds; round++)
        foreach (var path in paths)
        {
            var q = Parse(path, accessMode == "named" ? Named(path) : access);
            var sw = Stopwatch.StartNew();
            var result = await store.SearchAsync(q);
            var ms = sw.Elapsed.TotalMilliseconds;
            if (round > 0 || rounds == 1) { wall.Add(ms); rows += result.Resources.Count + (result.Included?.Count ?? 0); }
        }
    process.Refresh();
    var cpuMs = (process.TotalProcessorTime - cpu0).TotalMilliseconds / (paths.Length * rounds);
    wall.Sort();
    Console.WriteLine($"{name,-32} n={wall.Count,4} p50 {P(wall, 50),7:F2} ms  p99 {P(wall, 99),7:F2} ms  max {wall[^1],7:F2} ms  cpu/query {cpuMs,6:F2} ms  rows/query {(double)rows / wall.Count:F1}");
}
Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");

static CompartmentAccess Named(string path) =>
    System.Text.RegularExpressions.Regex.Match(path, @"pat-\d+") is { Success: true } m ? new CompartmentAccess(false, [m.Value]) : CompartmentAccess.Nobody;

static double P(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];

// The server's URL split (Interactions/SearchParameters), reduced to what the mix uses.
static SearchQuery Parse(string path, CompartmentAccess? access)
{
    var rel = path.StartsWith("/fhir/", StringComparison.Ordinal) ? path["/fhir/".Length..] : path;
    var qm = rel.IndexOf('?');
    var type = rel[..qm];
    var criteria = new List<SearchCriterion>();
    var includes = new List<KeyValuePair<string, string>>();
    var sort = new List<string>();
    var count = 50;
    foreach (var part in rel[(qm + 1)..].Split('&'))
    {
        var eq = part.IndexOf('=');
        var key = Uri.UnescapeDataString(part[..eq]);
        var value = Uri.UnescapeDataString(part[(eq + 1)..]);
        switch (key)
        {
            case "_count": count = int.Parse(value); continue;
            case "_sort": sort.AddRange(value.Split(',')); continue;
            case "_include" or "_revinclude": includes.Add(new(key, value)); continue;
        }
        var colon = key.IndexOf(':');
        var dot = key.IndexOf('.');
        criteria.Add(colon >= 0 && (dot < 0 || colon < dot)
            ? new SearchCriterion(key[..colon], key[(colon + 1)..], value.Split(','))
            : new SearchCriterion(key, null, value.Split(',')));
    }
    return new SearchQuery(type, criteria, Count: count, Sort: sort, Access: access, Includes: includes);
}
