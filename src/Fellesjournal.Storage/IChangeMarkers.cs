namespace Fellesjournal.Storage;

/// <summary>
/// Cheap markers read from the database that change whenever a set of rows changes, so that something derived
/// from those rows (the access policy's facts about a patient) can be cached in a process and validated on every
/// use with one short statement. They are read from the database, not from the process, so writes made by other
/// server processes on the same database invalidate a cache as surely as this process's own writes.
/// </summary>
public interface IChangeMarkers
{
    /// <summary>
    /// A marker over (1) the current reference-index rows of the given (type, search parameter) pairs that point at
    /// <paramref name="targetId"/> (whatever the target type or base), and (2) the current version number of each
    /// listed resource (0 when it never existed). Rows of a new version carry a new <c>seq</c> greater than every
    /// existing one and rows of a replaced or deleted version disappear, so the pair (row count, highest seq)
    /// changes whenever the set of rows changes: an addition raises the highest seq, and removals alone lower the
    /// count. Reading the marker before the rows it covers makes a cache entry at worst too old, never wrongly valid.
    /// </summary>
    Task<ChangeMarker> ReferenceMarkerAsync(string targetId, IReadOnlyList<(string Type, string Param)> via,
        IReadOnlyList<(string Type, string Id)> resources, CancellationToken ct = default);

    /// <summary>The highest <c>seq</c> over every version of a type (versions are never removed, and a delete writes a
    /// tombstone version), so any write of a resource of that type raises it. One index seek.</summary>
    Task<long> TypeMarkerAsync(string resourceType, CancellationToken ct = default);

    /// <summary>The highest <c>seq</c> over every version of every type: any committed write raises it (one seek at
    /// the end of the primary key). While it is unchanged nothing at all was written, so a cache validated at that
    /// value is still valid without its finer marker.</summary>
    Task<long> StoreMarkerAsync(CancellationToken ct = default);
}

/// <summary>See <see cref="IChangeMarkers.ReferenceMarkerAsync"/>.</summary>
public sealed record ChangeMarker(long Rows, long MaxSeq, IReadOnlyList<long> Versions)
{
    public bool SameAs(ChangeMarker other) =>
        Rows == other.Rows && MaxSeq == other.MaxSeq && Versions.SequenceEqual(other.Versions);
}

/// <summary>The statement behind <see cref="IChangeMarkers"/>, shared by the SQLite and PostgreSQL stores (both have
/// <c>idx_reference(h_ident, target_id)</c> and <c>resource_version(res_type, res_id, version)</c> indexes).
/// Parameters are named <c>{prefix}{i}</c> in the store's syntax (<c>$p</c>, <c>@p</c>).</summary>
internal static class ChangeMarkerSql
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(int Via, int Resources, string Prefix), string> Texts = new();

    /// <summary>The statement for one shape, built once: the policy's facts cache reads a marker on every request
    /// about a patient, and building its text each time was a visible share of that. The reference rows are
    /// counted and their highest seq taken in one pass over the index (two subqueries walked the same range twice).</summary>
    public static string Reference(int via, int resources, string prefix) =>
        Texts.GetOrAdd((via, resources, prefix), static k =>
        {
            string P(int i) => k.Prefix + i;
            var hashes = string.Join(", ", Enumerable.Range(1, k.Via).Select(P));
            var sql = new System.Text.StringBuilder("SELECT refs.n, refs.m");
            for (var i = 0; i < k.Resources; i++)
                sql.Append($", (SELECT coalesce(max(version), 0) FROM resource_version WHERE res_type = {P(1 + k.Via + 2 * i)} AND res_id = {P(2 + k.Via + 2 * i)})");
            sql.Append($" FROM (SELECT count(*) AS n, coalesce(max(seq), 0) AS m FROM idx_reference WHERE h_ident IN ({hashes}) AND target_id = {P(0)}) refs");
            return sql.ToString();
        });

    /// <summary>Parameter values in the order <see cref="Reference"/> numbers them.</summary>
    public static IEnumerable<object> Arguments(string targetId, IReadOnlyList<(string Type, string Param)> via, IReadOnlyList<(string Type, string Id)> resources)
    {
        yield return targetId;
        foreach (var (type, param) in via) yield return IndexHash.Of(type, param);
        foreach (var (type, id) in resources) { yield return type; yield return id; }
    }

    public const string Type = "SELECT coalesce(max(seq), 0) FROM resource_version WHERE res_type = ";

    public const string Store = "SELECT coalesce(max(seq), 0) FROM resource_version";
}
