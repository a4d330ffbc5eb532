using System.Collections.Concurrent;
using Fellesjournal.Storage;

namespace Fellesjournal.Trust.Access;

/// <summary>
/// The per-patient cache behind <see cref="CareFactsReader"/>. An entry holds the derived facts and the
/// <see cref="ChangeMarker"/> of what they were derived from: the reference-index rows of the fact searches that
/// point at the patient, and the version of every resource read to resolve them (the Patient, practitioners,
/// organisations, roles, proxy holders). An entry is used only when the marker read from the database now is the
/// same, so a write by any server process on the database is seen by the next request. Bounded; when full it starts
/// over (the entries are cheap to rebuild and the working set of a node is the patients it is serving now).
/// </summary>
internal sealed class CareFactsCache(IChangeMarkers markers, int capacity = CareFactsCache.DefaultCapacity)
{
    public const int DefaultCapacity = 20_000;

    public sealed record Entry(ChangeMarker Marker, IReadOnlyList<(string Type, string Id)> Resources, CareFacts Facts, CitizenControls Controls);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The cached entry if the database's marker still matches it, else null.</summary>
    public async Task<Entry?> GetValidAsync(string patientId, CancellationToken ct)
    {
        if (!_entries.TryGetValue(patientId, out var entry)) return null;
        var now = await markers.ReferenceMarkerAsync(patientId, CareFactsReader.FactSearches, entry.Resources, ct);
        if (now.SameAs(entry.Marker)) return entry;
        _entries.TryRemove(KeyValuePair.Create(patientId, entry));
        return null;
    }

    /// <summary>The marker of the searched rows alone, read before a derivation.</summary>
    public Task<ChangeMarker> RowsMarkerAsync(string patientId, CancellationToken ct) =>
        markers.ReferenceMarkerAsync(patientId, CareFactsReader.FactSearches, [], ct);

    public void Put(string patientId, ChangeMarker rows, List<(string Type, string Id)> resources, List<long> versions,
        CareFacts facts, CitizenControls controls)
    {
        if (versions.Contains(-1)) return; // read in two versions: not cacheable
        if (_entries.Count >= capacity) _entries.Clear();
        _entries[patientId] = new Entry(rows with { Versions = [.. versions] }, [.. resources], facts, controls);
    }

    public int Count => _entries.Count;
}
