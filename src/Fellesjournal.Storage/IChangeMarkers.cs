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
}

/// <summary>See <see cref="IChangeMarkers.ReferenceMarkerAsync"/>.</summary>
public sealed record ChangeMarker(long Rows, long MaxSeq, IReadOnlyList<long> Versions)
{
    public bool SameAs(ChangeMarker other) =>
        Rows == other.Rows && MaxSeq == other.MaxSeq && Versions.SequenceEqual(other.Versions);
}

/// <summary>The statement behind <see cref="IChangeMarkers"/>, shared by the SQLite and PostgreSQL stores (both have
/// <c>idx_reference(h_ident, target_id)</c> and <c>resource_version(res_type, res_id, version)</c> indexes).
/// <paramref name="p"/> names the i-th parameter in the store's syntax.</summary>
internal static class ChangeMarkerSql
{
    public static string Reference(int via, int resources, Func<int, string> p)
    {
        var hashes = string.Join(", ", Enumerable.Range(1, via).Select(p));
        var refs = $"FROM idx_reference WHERE h_ident IN ({hashes}) AND target_id = {p(0)}";
        var sql = new System.Text.StringBuilder($"SELECT (SELECT count(*) {refs}), (SELECT coalesce(max(seq), 0) {refs})");
        for (var i = 0; i < resources; i++)
        {
            var t = p(1 + via + 2 * i);
            var id = p(2 + via + 2 * i);
            sql.Append($", (SELECT coalesce(max(version), 0) FROM resource_version WHERE res_type = {t} AND res_id = {id})");
        }
        return sql.ToString();
    }

    /// <summary>Parameter values in the order <see cref="Reference"/> numbers them.</summary>
    public static IEnumerable<object> Arguments(string targetId, IReadOnlyList<(string Type, string Param)> via, IReadOnlyList<(string Type, string Id)> resources)
    {
        yield return targetId;
        foreach (var (type, param) in via) yield return IndexHash.Of(type, param);
        foreach (var (type, id) in resources) { yield return type; yield return id; }
    }

    public const string Type = "SELECT coalesce(max(seq), 0) FROM resource_version WHERE res_type = ";
}
