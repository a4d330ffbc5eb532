using System.Text;

namespace Fellesjournal.Server.Http;

/// <summary>Query strings as ordered key/value pairs (repeated keys kept: they mean AND in search).</summary>
public static class QueryParams
{
    public static List<KeyValuePair<string, string>> Parse(string? query)
    {
        var result = new List<KeyValuePair<string, string>>();
        if (string.IsNullOrEmpty(query)) return result;
        foreach (var part in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            var key = Decode(eq < 0 ? part : part[..eq]);
            var value = eq < 0 ? "" : Decode(part[(eq + 1)..]);
            result.Add(new(key, value));
        }
        return result;
    }

    private static string Decode(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));

    public static string Build(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var sb = new StringBuilder();
        foreach (var (k, v) in pairs)
        {
            if (sb.Length > 0) sb.Append('&');
            sb.Append(Uri.EscapeDataString(k).Replace("%3A", ":")).Append('=').Append(Uri.EscapeDataString(v).Replace("%2C", ",").Replace("%7C", "|"));
        }
        return sb.ToString();
    }
}
