using System.Text.Json;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.Validation;

/// <summary>
/// dom-3, natively: each contained resource must be referenced from elsewhere in the resource
/// ("#id" in a reference, canonical or uri), or must itself reference its container ("#").
/// </summary>
internal static class ContainedChecks
{
    public static void CheckReferenced(JsonElement resource, JsonElement contained, ElementNode node, ValidationRun run)
    {
        if (contained.ValueKind != JsonValueKind.Array) return;
        var refs = new HashSet<string>(StringComparer.Ordinal);
        Collect(resource, refs, 0);
        var i = -1;
        foreach (var c in contained.EnumerateArray())
        {
            i++;
            if (c.ValueKind != JsonValueKind.Object) continue;
            var id = c.TryGetProperty("id", out var idEl) && idEl.ValueKind == JsonValueKind.String ? idEl.GetString() : null;
            if (id is not null && refs.Contains("#" + id)) continue;
            var back = new HashSet<string>(StringComparer.Ordinal);
            Collect(c, back, 0);
            if (back.Contains("#")) continue;
            run.AddIssue(IssueSeverity.Error, "invariant",
                id is null
                    ? "A contained resource must have an id and be referenced from the resource (dom-3)"
                    : $"The contained resource '{PrimitiveChecks.Short(id)}' is not referenced from the resource (dom-3)",
                $"{node.Location}.contained[{i}]");
        }
    }

    /// <summary>Every string value starting with '#' (local references, canonicals and uris).</summary>
    private static void Collect(JsonElement e, HashSet<string> refs, int depth)
    {
        if (depth > FhirJson.MaxDepth) return;
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject()) Collect(p.Value, refs, depth + 1);
                break;
            case JsonValueKind.Array:
                foreach (var x in e.EnumerateArray()) Collect(x, refs, depth + 1);
                break;
            case JsonValueKind.String:
                if (e.ValueEquals("#") || (e.GetString() is { Length: > 1 } s && s[0] == '#')) refs.Add(e.GetString()!);
                break;
        }
    }
}
