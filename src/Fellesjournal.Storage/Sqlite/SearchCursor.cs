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

    /// <summary>"Comes after the cursor" in the order (k0 nulls last, k1 ..., seq), as SQL over the aliases k0.. and seq.</summary>
    public static string After(List<(string Sql, bool Desc)> keys, (object?[] Keys, long Seq) cursor, SqliteCommand cmd)
    {
        var ors = new List<string>();
        var equal = new StringBuilder("1 = 1");
        for (var k = 0; k < keys.Count; k++)
        {
            var v = cursor.Keys[k];
            var col = "k" + k;
            if (v is null)
            {
                // Nulls come last: nothing is after null within this key; equal means also null.
                equal.Append($" AND {col} IS NULL");
                continue;
            }
            var p = "$c" + k;
            cmd.Parameters.AddWithValue(p, v);
            ors.Add($"({equal} AND ({col} {(keys[k].Desc ? "<" : ">")} {p} OR {col} IS NULL))");
            equal.Append($" AND {col} = {p}");
        }
        cmd.Parameters.AddWithValue("$cseq", cursor.Seq);
        ors.Add($"({equal} AND seq > $cseq)");
        return "(" + string.Join(" OR ", ors) + ")";
    }
}
