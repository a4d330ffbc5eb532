using System.Diagnostics;
using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Search;
using Fellesjournal.Server.Http;
using Fellesjournal.Server.Validation;
using Fellesjournal.Storage;

namespace Fellesjournal.Server.Import;

/// <summary>
/// Bulk load straight into the store: NDJSON files (one resource per line) and Bundles
/// (transaction, batch, collection, searchset), validated, written in batches.
/// Idempotent: a resource whose content equals the current version is skipped (no new version); the store decides
/// that inside its write transaction (<see cref="ResourceWrite.SkipIfUnchanged"/>), so no read per resource.
/// Each resource is parsed once: the tree built for validation also yields its search values (<see cref="ImportItem"/>),
/// on all cores, while the store commits the previous batch.
/// </summary>
public sealed class Importer(IResourceStore store, FhirDefinitions defs, IResourceValidator validator, int batchSize = Importer.DefaultBatch)
{
    /// <summary>Resources per store transaction. Each commit writes every B-tree page the batch touched, so with
    /// input mixing types (an export stream) 1,000 per commit rewrote the same index pages many times over: a shuffled
    /// 100,000-resource file imported at 8,200–8,600/s with 1,000 and 11,400–11,800/s with 5,000 (per-type files were
    /// the same at either size).</summary>
    public const int DefaultBatch = 5000;

    public sealed record Rejection(string Source, string Reason);

    public sealed class Report
    {
        public long Loaded { get; set; }
        public long Unchanged { get; set; }
        public List<Rejection> Rejected { get; } = [];
        public TimeSpan Elapsed { get; set; }
        /// <summary>Wall time spent parsing, validating and indexing (all cores).</summary>
        public TimeSpan Preparing { get; set; }
        /// <summary>Wall time spent waiting for the store to finish the batch in flight: when this is most of
        /// <see cref="Elapsed"/>, the import is bound by the store's writer, not by preparation.</summary>
        public TimeSpan WaitingForStore { get; set; }
        public double PerSecond => Elapsed.TotalSeconds > 0 ? (Loaded + Unchanged) / Elapsed.TotalSeconds : 0;
    }

    private readonly List<ImportItem.Input> _pending = [];
    private readonly ImportItem _items = new(defs, validator, (store as ISearchIndexedStore)?.Indexer);
    private Task<IReadOnlyList<StoredResource>>? _inFlight;
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
                await foreach (var (line, lineNo) in NdjsonLines.ReadAsync(file, ct))
                {
                    _pending.Add(new(line, file, lineNo));
                    if (_pending.Count >= batchSize) await FlushAsync(report, ct);
                }
            }
            else
            {
                _pending.Add(new(await File.ReadAllBytesAsync(file, ct), file, 0));
                if (_pending.Count >= batchSize) await FlushAsync(report, ct);
            }
        }
        await FlushAsync(report, ct);
        await DrainAsync(report);
        if (report.Loaded > 0) await store.RefreshStatisticsAsync(ct);
        report.Elapsed = _clock.Elapsed;
        return report;
    }

    /// <summary>
    /// Parses, validates and extracts the pending inputs in parallel, then hands the valid ones to the store.
    /// One store write is kept in flight while the next batch is prepared; a resource that occurs twice gets its
    /// versions in input order (batches go to the store in input order, and within one the sort is stable).
    /// </summary>
    private async Task FlushAsync(Report report, CancellationToken ct)
    {
        if (_pending.Count == 0) return;
        var inputs = _pending.ToArray();
        _pending.Clear();
        var prepared = new IReadOnlyList<ImportItem.Prepared>[inputs.Length];
        var started = _clock.Elapsed;
        Parallel.For(0, inputs.Length, new ParallelOptions { CancellationToken = ct }, i => prepared[i] = _items.Prepare(inputs[i]));
        report.Preparing += _clock.Elapsed - started;

        var batch = new List<ResourceWrite>(inputs.Length);
        foreach (var list in prepared)
            foreach (var p in list)
            {
                if (p.Write is { } w) batch.Add(w);
                else report.Rejected.Add(new(p.Source, p.Rejection!));
            }
        await DrainAsync(report);
        // In key order, the batch's inserts walk each B-tree forwards instead of jumping around it (a shuffled file
        // imported about 4 % faster). The sort is stable: a resource that occurs twice keeps its versions in input order.
        if (batch.Count > 0)
            _inFlight = store.MergeAsync(
                batch.OrderBy(w => w.ResourceType, StringComparer.Ordinal).ThenBy(w => w.Id, StringComparer.Ordinal).ToList(), ct);
        if (Progress is not null && _clock.Elapsed - _lastProgress >= TimeSpan.FromSeconds(1))
        {
            _lastProgress = _clock.Elapsed;
            var done = report.Loaded + report.Unchanged;
            Progress(done, done / _clock.Elapsed.TotalSeconds);
        }
    }

    /// <summary>Waits for the store write in flight and counts what it wrote.</summary>
    private async Task DrainAsync(Report report)
    {
        if (_inFlight is null) return;
        var started = _clock.Elapsed;
        var results = await _inFlight;
        report.WaitingForStore += _clock.Elapsed - started;
        _inFlight = null;
        foreach (var r in results)
            if (r.Unchanged) report.Unchanged++;
            else report.Loaded++;
    }
}
