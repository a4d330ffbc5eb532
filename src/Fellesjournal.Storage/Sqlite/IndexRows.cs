using Fellesjournal.Fhir.Search;
using Fellesjournal.Storage.Search;

namespace Fellesjournal.Storage.Sqlite;

/// <summary>Receives the index rows of a version, by the table (kind) they belong to.</summary>
internal interface IIndexRowSink
{
    void Add(IndexKind kind, in IndexRow row);
}

/// <summary>
/// The index rows of one version, for both stores (same columns, hashes and ords). The resource's own values get
/// ords 0, 1, 2, ... Each contained resource k gets the block of ords [-(k+1)·<see cref="Stride"/>, -k·Stride): a
/// marker token row at the block's start (parameter <c>_id</c>, code = the contained id) followed by its values, all
/// under <see cref="IndexHash.Contained"/> idents. So a contained resource's rows share the container's seq (deletes
/// and superseding drop them with the container's rows) and compartment key, and one block is one contained resource
/// (a search correlates its criteria to the same block: <c>ord &gt; marker.ord AND ord &lt; marker.ord + Stride</c>).
/// </summary>
internal static class IndexRows
{
    public const int Stride = 1 << 16;
    /// <summary>Contained resources indexed per container (the ord blocks stay within int).</summary>
    public const int MaxContained = 32767;
    public const string MarkerParam = "_id";

    public static void Write<TSink>(ref TSink sink, long seq, string? patient, string type, ResourceIndex index)
        where TSink : struct, IIndexRowSink
    {
        var ord = 0;
        foreach (var v in index.Values) Add(ref sink, seq, ord++, patient, type, IndexHash.Of(type, v.Param), v);
        if (index.Contained is { } contained) WriteContained(ref sink, seq, patient, contained);
    }

    /// <summary>Only the contained resources' rows (the backfill of versions indexed before they were).</summary>
    public static void WriteContained<TSink>(ref TSink sink, long seq, string? patient, IReadOnlyList<ContainedIndex> contained)
        where TSink : struct, IIndexRowSink
    {
        for (var k = 0; k < contained.Count && k < MaxContained; k++)
        {
            var (type, id, values) = contained[k];
            var start = -(k + 1) * Stride;
            sink.Add(IndexKind.Token, new IndexRow(seq, start, patient, IndexHash.Contained(type, MarkerParam),
                I1: IndexHash.Of(type, MarkerParam, null, id), S2: id));
            for (var n = 0; n < values.Count && n < Stride - 1; n++)
                Add(ref sink, seq, start + 1 + n, patient, type, IndexHash.Contained(type, values[n].Param), values[n]);
        }
    }

    private static void Add<TSink>(ref TSink sink, long seq, int o, string? patient, string type, long ident, IndexValue v)
        where TSink : struct, IIndexRowSink
    {
        switch (v)
        {
            case StringIndexValue s:
                sink.Add(IndexKind.String, new(seq, o, patient, ident, S1: s.Normalized, S2: s.Exact));
                break;
            case TokenIndexValue t:
                sink.Add(IndexKind.Token, new(seq, o, patient, ident, I1: IndexHash.Of(type, t.Param, t.System, t.Code), S1: t.System, S2: t.Code, S3: t.Text));
                break;
            case DateIndexValue d:
                sink.Add(IndexKind.Date, new(seq, o, patient, ident, I1: SqliteValues.Millis(d.Low), I2: SqliteValues.Millis(d.High)));
                break;
            case NumberIndexValue n:
                sink.Add(IndexKind.Number, new(seq, o, patient, ident, R: (double)n.Value));
                break;
            case QuantityIndexValue q:
                sink.Add(IndexKind.Quantity, new(seq, o, patient, ident, R: (double)q.Value, S1: q.System, S2: q.Code, S3: q.Unit));
                break;
            case ReferenceIndexValue r:
                sink.Add(IndexKind.Reference, new(seq, o, patient, ident, S1: r.TargetType, S2: r.TargetId, S3: r.BaseUrl));
                break;
            case UriIndexValue u:
                sink.Add(IndexKind.Uri, new(seq, o, patient, ident, S1: u.Uri));
                break;
            case CompositeIndexValue c:
                sink.Add(IndexKind.Composite, new(seq, o, patient, ident, I1: IndexHash.Of(type, c.Param, CompositeKeys.KeyOf(c)), S1: CompositeKeys.Describe(c)));
                break;
        }
    }
}
