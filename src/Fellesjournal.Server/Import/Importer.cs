using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Server.Bundles;
using Fellesjournal.Server.Http;
using Fellesjournal.Server.Store;
using Fellesjournal.Server.Validation;
using Fellesjournal.Storage;

namespace Fellesjournal.Server.Import;

/// <summary>
/// Bulk load straight into the store: NDJSON files (one resource per line) and Bundles
/// (transaction, batch, collection, searchset), validated, written in batches.
/// Idempotent: a resource whose content equals the current version is skipped (no new version).
/// </summary>
public sealed class Importer(IResourceStore store, FhirDefinitions defs, IResourceValidator validator, int batchSize = 1000)
{
    public sealed record Rejection(string Source, string Reason);

    public sealed class Report
    {
        public long Loaded { get; set; }
        public long Unchanged { get; set; }
        public List<Rejection> Rejected { get; } = [];
        public TimeSpan Elapsed { get; set; }
        public double PerSecond => Elapsed.TotalSeconds > 0 ? (Loaded + Unchanged) / Elapsed.TotalSeconds : 0;
    }

    private readonly List<(JsonObject Resource, string Source)> _pending = [];
    private Task? _inFlight;
    private readonly Stopwatch _clock = new();
    private TimeSpan _lastProgress;

    /// <summary>Called about once a second with (resources processed, resources per second).</summary>
    public Action<long, double>? Progress { get; init; }

    public static IEnumerable<string> Files(string path) =>
        Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
            : File.Exists(path) ? [path] : throw new FileNotFoundException($"No such file or directory: {path}");

    public async Task<Report> ImportAsync(IEnumerable<string> files, CancellationToken ct = default)
    {
        var report = new Report();
        _clock.Start();
        foreach (var file in files)
        {
            if (file.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase))
            {
                using var reader = new StreamReader(file, Encoding.UTF8);
                var lineNo = 0;
                while (await reader.ReadLineAsync(ct) is { } line)
                {
                    lineNo++;
                    if (string.IsNullOrWhiteSpace(line)) continue;
                    await AddAsync(Encoding.UTF8.GetBytes(line), $"{file}:{lineNo}", report, ct);
                }
            }
            else
            {
                await AddAsync(await File.ReadAllBytesAsync(file, ct), file, report, ct);
            }
        }
        await FlushAsync(report, ct);
        await DrainAsync();
        report.Elapsed = _clock.Elapsed;
        return report;
    }

    private async Task AddAsync(byte[] json, string source, Report report, CancellationToken ct)
    {
        JsonObject resource;
        try
        {
            resource = ResourceJson.ParseObject(json);
        }
        catch (FhirException e)
        {
            report.Rejected.Add(new(source, e.Message));
            return;
        }
        if (ResourceJson.GetString(resource, "resourceType") == "Bundle" &&
            ResourceJson.GetString(resource, "type") is "transaction" or "batch" or "collection" or "searchset")
        {
            await AddBundleAsync(resource, source, report, ct);
            return;
        }
        await AddResourceAsync(resource, source, report, ct);
    }

    private async Task AddBundleAsync(JsonObject bundle, string source, Report report, CancellationToken ct)
    {
        var entries = (bundle["entry"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        // Bundle-local identities (urn:uuid fullUrls) become Type/id, as in a transaction.
        var identities = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            if (e["resource"] is not JsonObject r || ResourceJson.GetString(r, "resourceType") is not { } type) continue;
            if (ResourceJson.GetString(r, "id") is null) r["id"] = IdGenerator.NewId();
            if (ResourceJson.GetString(e, "fullUrl") is { } fu) identities[fu] = $"{type}/{ResourceJson.GetString(r, "id")}";
        }
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (ResourceJson.GetString(e["request"], "method") is "DELETE" or "GET") continue;
            if (e["resource"] is not JsonObject r) { report.Rejected.Add(new($"{source} entry[{i}]", "entry has no resource")); continue; }
            if (identities.Count > 0) ReferenceRewriter.Rewrite(r, s => identities.GetValueOrDefault(s), identities);
            await AddResourceAsync(r, $"{source} entry[{i}]", report, ct);
        }
    }

    private Task AddResourceAsync(JsonObject resource, string source, Report report, CancellationToken ct)
    {
        _pending.Add((resource, source));
        return _pending.Count >= batchSize ? FlushAsync(report, ct) : Task.CompletedTask;
    }

    private sealed record Prepared(string? Type, string? Id, byte[]? Bytes, JsonObject Resource, string Source, string? Rejection);

    /// <summary>CPU work per resource (type check, id, serialization, validation), run in parallel.</summary>
    private Prepared Prepare(JsonObject resource, string source)
    {
        var type = ResourceJson.GetString(resource, "resourceType");
        if (type is null || !defs.IsConcreteResourceType(type))
            return new(type, null, null, resource, source, $"unknown resource type '{type}'");
        var id = ResourceJson.GetString(resource, "id");
        if (id is null) resource["id"] = id = IdGenerator.NewId();
        ResourceJson.StripServerMeta(resource);
        var bytes = ResourceJson.ToBytes(resource);
        var result = validator.Validate(resource, bytes);
        if (result.Success) return new(type, id, bytes, resource, source, null);
        var issues = result.Outcome.Issues.Where(i => i.Severity is Fhir.Model.IssueSeverity.Error or Fhir.Model.IssueSeverity.Fatal).Take(3);
        return new(type, id, bytes, resource, $"{source} ({type}/{id})", string.Join("; ", issues.Select(i => $"{i.Location}: {i.Diagnostics}")));
    }

    /// <summary>
    /// Validates the pending resources in parallel, skips unchanged ones, and hands the rest to the store.
    /// One store write is kept in flight while the next chunk is prepared; writes stay in input order.
    /// </summary>
    private async Task FlushAsync(Report report, CancellationToken ct)
    {
        if (_pending.Count == 0) return;
        var items = _pending.ToArray();
        _pending.Clear();
        var prepared = new Prepared[items.Length];
        Parallel.For(0, items.Length, new ParallelOptions { CancellationToken = ct }, i => prepared[i] = Prepare(items[i].Resource, items[i].Source));

        var writes = new List<Prepared>(prepared.Length);
        foreach (var p in prepared)
        {
            if (p.Rejection is not null) report.Rejected.Add(new(p.Source, p.Rejection));
            else writes.Add(p);
        }
        var unchanged = new bool[writes.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, writes.Count), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (i, token) =>
        {
            var current = await store.GetAsync(writes[i].Type!, writes[i].Id!, token);
            unchanged[i] = current is { IsDeleted: false } && ContentEquality.SameContent(current.Json, writes[i].Resource);
        });

        // Split where the same resource occurs twice, so each version is written in order.
        var batch = new List<ResourceWrite>();
        var keys = new HashSet<(string, string)>();
        for (var i = 0; i < writes.Count; i++)
        {
            if (unchanged[i]) { report.Unchanged++; continue; }
            if (!keys.Add((writes[i].Type!, writes[i].Id!)))
            {
                await WriteAsync(batch, report, ct);
                batch = [];
                keys = [(writes[i].Type!, writes[i].Id!)];
            }
            batch.Add(new ResourceWrite(writes[i].Type!, writes[i].Id!, writes[i].Bytes));
        }
        await WriteAsync(batch, report, ct);
        if (Progress is not null && _clock.Elapsed - _lastProgress >= TimeSpan.FromSeconds(1))
        {
            _lastProgress = _clock.Elapsed;
            var done = report.Loaded + report.Unchanged;
            Progress(done, done / _clock.Elapsed.TotalSeconds);
        }
    }

    private async Task WriteAsync(List<ResourceWrite> batch, Report report, CancellationToken ct)
    {
        if (_inFlight is not null) await _inFlight;
        _inFlight = null;
        if (batch.Count == 0) return;
        report.Loaded += batch.Count;
        _inFlight = store.MergeAsync(batch, ct);
    }

    /// <summary>Waits for the last store write.</summary>
    private async Task DrainAsync()
    {
        if (_inFlight is not null) await _inFlight;
        _inFlight = null;
    }
}
