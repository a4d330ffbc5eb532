using System.Collections.Concurrent;
using Fellesjournal.Storage;

namespace Fellesjournal.Trust.Access;

/// <summary>
/// The per-patient cache behind <see cref="CareFactsReader"/>. An entry holds the derived facts and the
/// <see cref="ChangeMarker"/> of what they were derived from: the reference-index rows of the fact searches that
/// point at the patient, and the version of every resource read to resolve them (the Patient, practitioners,
/// organisations, roles, proxy holders). An entry is used only when the marker read from the database now is the
/// same, so a write by any server process on the database is seen by the next request. Before that marker, the
/// store's own (the highest <c>seq</c> of all, one seek) is read: while nothing at all was written since an entry was
/// last validated, the entry is valid without the longer statement. Bounded; when full it starts over (the entries
/// are cheap to rebuild and the working set of a node is the patients it is serving now).
/// </summary>
internal sealed class CareFactsCache(IChangeMarkers markers, int capacity = CareFactsCache.DefaultCapacity)
{
    public const int DefaultCapacity = 20_000;

    /// <param name="Store">The store's marker read before <paramref name="Marker"/> was last found unchanged (or
    /// before the facts were derived): no write since then means the entry is valid as it stands.</param>
    public sealed record Entry(ChangeMarker Marker, IReadOnlyList<(string Type, string Id)> Resources, CareFacts Facts, CitizenControls Controls, long Store);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The cached entry if the database's marker still matches it, else null.</summary>
    public async Task<Entry?> GetValidAsync(string patientId, CancellationToken ct)
    {
        if (!_entries.TryGetValue(patientId, out var entry)) return null;
        // Read before the finer marker: a write in between changes the store's marker, so the next use looks again.
        var store = await markers.StoreMarkerAsync(ct);
        if (store == entry.Store) return entry;
        var now = await markers.ReferenceMarkerAsync(patientId, CareFactsReader.FactSearches, entry.Resources, ct);
        if (now.SameAs(entry.Marker))
        {
            var revalidated = entry with { Store = store };
            _entries.TryUpdate(patientId, revalidated, entry);
            return revalidated;
        }
        _entries.TryRemove(KeyValuePair.Create(patientId, entry));
        return null;
    }

    /// <summary>The store's marker and the marker of the searched rows alone, read (in that order) before a derivation.</summary>
    public async Task<(long Store, ChangeMarker Rows)> MarkersBeforeReadAsync(string patientId, CancellationToken ct)
    {
        var store = await markers.StoreMarkerAsync(ct);
        return (store, await markers.ReferenceMarkerAsync(patientId, CareFactsReader.FactSearches, [], ct));
    }

    public void Put(string patientId, (long Store, ChangeMarker Rows) before, List<(string Type, string Id)> resources, List<long> versions,
        CareFacts facts, CitizenControls controls)
    {
        if (versions.Contains(-1)) return; // read in two versions: not cacheable
        if (_entries.Count >= capacity) _entries.Clear();
        _entries[patientId] = new Entry(before.Rows with { Versions = [.. versions] }, [.. resources], facts, controls, before.Store);
    }

    public int Count => _entries.Count;
}
