using System.Globalization;
using System.Text;
using Fellesjournal.Fhir.Search;

namespace Fellesjournal.Storage.Sqlite;

internal static class SqliteValues
{
    /// <summary>Unix milliseconds, clamping the open ends of date ranges.</summary>
    public static long Millis(DateTimeOffset t) =>
        t == DateTimeOffset.MinValue ? long.MinValue
        : t == DateTimeOffset.MaxValue ? long.MaxValue
        : t.ToUnixTimeMilliseconds();
}

/// <summary>Keys of composite index values: the equality key hashed into <c>h_value</c> and a readable form.</summary>
internal static class CompositeKeys
{
    /// <summary>Components joined by '$': tokens by code, strings normalized, other values by their text.</summary>
    public static string KeyOf(CompositeIndexValue c) => string.Join("$", c.Components.Select(ComponentKey));

    public static string ComponentKey(IndexValue v) => v switch
    {
        TokenIndexValue t => t.Code ?? "",
        StringIndexValue s => s.Normalized,
        UriIndexValue u => u.Uri,
        ReferenceIndexValue r => r.TargetType is null ? r.TargetId : r.TargetType + "/" + r.TargetId,
        NumberIndexValue n => Canonical(n.Value),
        QuantityIndexValue q => Canonical(q.Value),
        DateIndexValue d => d.Low.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        _ => "",
    };

    /// <summary>A decimal without trailing zeros (185.0 and 185 give the same key).</summary>
    public static string Canonical(decimal d) => (d / 1.0000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);

    public static string Describe(CompositeIndexValue c)
    {
        var sb = new StringBuilder();
        foreach (var v in c.Components)
        {
            if (sb.Length > 0) sb.Append('$');
            sb.Append(v switch
            {
                TokenIndexValue t => (t.System ?? "") + "|" + t.Code,
                QuantityIndexValue q => q.Value.ToString(CultureInfo.InvariantCulture) + "|" + q.System + "|" + q.Code,
                _ => ComponentKey(v),
            });
        }
        return sb.ToString();
    }
}
