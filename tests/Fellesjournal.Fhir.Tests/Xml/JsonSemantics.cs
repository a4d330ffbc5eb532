using System.Text.Json;
using System.Xml.Linq;

namespace Fellesjournal.Fhir.Tests;

/// <summary>Semantic JSON equality: property order is free, numbers compare by their exact text, narrative xhtml by XML content.</summary>
internal static class JsonSemantics
{
    /// <summary>Null when equal, else the JSON path of the first difference and why.</summary>
    public static string? Difference(JsonElement a, JsonElement b, string path = "$")
    {
        if (a.ValueKind != b.ValueKind) return $"{path}: {a.ValueKind} vs {b.ValueKind}";
        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                var pa = a.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
                var pb = b.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
                foreach (var k in pa.Keys.Union(pb.Keys))
                {
                    if (!pa.TryGetValue(k, out var va)) return $"{path}.{k}: missing on the left";
                    if (!pb.TryGetValue(k, out var vb)) return $"{path}.{k}: missing on the right";
                    if (Difference(va, vb, $"{path}.{k}") is { } d) return d;
                }
                return null;
            case JsonValueKind.Array:
                if (a.GetArrayLength() != b.GetArrayLength()) return $"{path}: {a.GetArrayLength()} vs {b.GetArrayLength()} items";
                for (var i = 0; i < a.GetArrayLength(); i++)
                    if (Difference(a[i], b[i], $"{path}[{i}]") is { } d) return d;
                return null;
            case JsonValueKind.String:
                var sa = a.GetString()!;
                var sb = b.GetString()!;
                if (sa == sb) return null;
                if (path.EndsWith(".div", StringComparison.Ordinal) && SameXml(sa, sb)) return null;
                return $"{path}: \"{Short(sa)}\" vs \"{Short(sb)}\"";
            case JsonValueKind.Number:
                return a.GetRawText() == b.GetRawText() ? null : $"{path}: {a.GetRawText()} vs {b.GetRawText()}";
            default:
                return null;
        }
    }

    private static bool SameXml(string a, string b)
    {
        try
        {
            return XNode.DeepEquals(XElement.Parse(a, LoadOptions.PreserveWhitespace), XElement.Parse(b, LoadOptions.PreserveWhitespace));
        }
        catch (System.Xml.XmlException)
        {
            return false;
        }
    }

    private static string Short(string s) => s.Length > 80 ? s[..80] + "…" : s;
}
