using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Fellesjournal.Storage.Sqlite;

/// <summary>
/// Keyset paging cursors: "s{seq}" without sort keys (as before), "k" + base64url(JSON [key values..., seq]) with them.
/// A cursor only encodes a position; filters (and access) are recomputed for every page.
/// </summary>
internal static class SearchCursor
{
    public static string Format(object?[] keys, long seq)
    {
        if (keys.Length == 0) return "s" + seq.ToString(CultureInfo.InvariantCulture);
        var json = JsonSerializer.SerializeToUtf8Bytes(keys.Append(seq).ToArray());
        return "k" + Convert.ToBase64String(json).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Key values and seq of the last row of the previous page.</summary>
    public static (object?[] Keys, long Seq) Parse(string cursor, int keyCount)
    {
        try
        {
            if (keyCount == 0 && cursor.Length > 1 && cursor[0] == 's' &&
                long.TryParse(cursor.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var s))
                return ([], s);
            if (keyCount > 0 && cursor.Length > 1 && cursor[0] == 'k')
            {
                var b64 = cursor[1..].Replace('-', '+').Replace('_', '/');
                b64 += new string('=', (4 - b64.Length % 4) % 4);
                var arr = JsonSerializer.Deserialize<JsonElement[]>(Convert.FromBase64String(b64));
                if (arr is not null && arr.Length == keyCount + 1)
                    return (arr[..keyCount].Select(Value).ToArray(), arr[keyCount].GetInt64());
            }
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException) { }
        throw new SearchException("Invalid paging cursor (it does not belong to this search's _sort).", "_cursor");
    }

    private static object? Value(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number when e.TryGetInt64(out var l) => l,
        JsonValueKind.Number => e.GetDouble(),
        _ => throw new FormatException(),
    };
}
