using System.Text.Json.Nodes;

namespace Fellesjournal.Server.Bundles;

/// <summary>Replaces bundle-local identities (urn:uuid:, urn:oid:, conditional and fullUrl references) with resolved Type/id.</summary>
public static class ReferenceRewriter
{
    /// <summary>Rewrites in place; <paramref name="resolve"/> returns the replacement for a string value or null to leave it.</summary>
    public static void Rewrite(JsonNode? node, Func<string, string?> resolve, IReadOnlyDictionary<string, string> identities)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                {
                    var child = o[key];
                    if (child is JsonValue v && v.TryGetValue<string>(out var s))
                    {
                        if (key == "div" && s.Contains("urn:", StringComparison.Ordinal))
                        {
                            // Narrative links to bundle-local identities point at the resolved resource too.
                            foreach (var (from, to) in identities) s = s.Replace($"\"{from}\"", $"\"{to}\"", StringComparison.Ordinal);
                            o[key] = s;
                        }
                        else if (resolve(s) is { } replacement) o[key] = replacement;
                    }
                    else Rewrite(child, resolve, identities);
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is JsonValue v && v.TryGetValue<string>(out var s) && resolve(s) is { } replacement) a[i] = replacement;
                    else Rewrite(a[i], resolve, identities);
                }
                break;
        }
    }

    /// <summary>Collects the "reference" strings of a resource (for conditional references).</summary>
    public static IEnumerable<string> References(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (k, v) in o)
                {
                    if (k == "reference" && v is JsonValue rv && rv.TryGetValue<string>(out var s)) yield return s;
                    else foreach (var r in References(v)) yield return r;
                }
                break;
            case JsonArray a:
                foreach (var item in a) foreach (var r in References(item)) yield return r;
                break;
        }
    }
}
