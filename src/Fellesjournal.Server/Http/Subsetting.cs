using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Definitions;

namespace Fellesjournal.Server.Http;

/// <summary>_summary and _elements: reduce a resource to the requested elements and tag it SUBSETTED.</summary>
public static class Subsetting
{
    public static bool IsValidSummary(string? s) => s is null or "true" or "false" or "text" or "data" or "count";

    /// <summary>Applies _summary (true/text/data) or _elements; returns null when nothing changes.</summary>
    public static JsonObject? Apply(FhirDefinitions defs, ReadOnlyMemory<byte> json, string? summary, string? elements)
    {
        if (summary is null or "false" or "count" && string.IsNullOrEmpty(elements)) return null;
        var resource = ResourceJson.ParseObject(json);
        var type = ResourceJson.GetString(resource, "resourceType");
        var root = type is null ? null : defs.GetStructure(type)?.Root;
        if (root is null) return null;
        switch (summary)
        {
            case "true":
                KeepSummary(defs, resource, root, type!);
                break;
            case "text":
                foreach (var name in resource.Select(p => p.Key).ToList())
                {
                    if (name is "resourceType" or "id" or "meta" or "text") continue;
                    var child = defs.ResolveChild(root, type, name.TrimStart('_'));
                    if (child is null || child.Definition.Min == 0) resource.Remove(name);
                }
                break;
            case "data":
                resource.Remove("text");
                break;
            default:
                // "Patient.name" and "name.family" both keep the top-level "name" (nested selection keeps the whole element).
                var keep = new HashSet<string>(elements!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                    .Select(e => e.Split('.'))
                    .Select(parts => parts.Length > 1 && parts[0] == type ? parts[1] : parts[0]));
                foreach (var name in resource.Select(p => p.Key).ToList())
                {
                    if (name is "resourceType" or "id" or "meta") continue;
                    if (!keep.Contains(name.TrimStart('_'))) resource.Remove(name);
                }
                break;
        }
        Tag(resource);
        return resource;
    }

    private static void KeepSummary(FhirDefinitions defs, JsonObject obj, ElementInfo parent, string parentType)
    {
        foreach (var name in obj.Select(p => p.Key).ToList())
        {
            if (name is "resourceType" or "id" or "meta") continue;
            var res = defs.ResolveChild(parent, parentType, name.TrimStart('_'));
            if (res is null || !(res.Definition.IsSummary || res.Definition.Min > 0)) { obj.Remove(name); continue; }
            // Backbone elements carry their own summary flags; data types are kept whole.
            if (res.Definition.Children.Count == 0 || name.StartsWith('_')) continue;
            foreach (var item in obj[name] is JsonArray a ? a.OfType<JsonObject>() : obj[name] is JsonObject o ? [o] : [])
                KeepSummary(defs, item, res.Definition, res.TypeName);
        }
    }

    private static void Tag(JsonObject resource)
    {
        if (resource["meta"] is not JsonObject meta) resource["meta"] = meta = new JsonObject();
        if (meta["tag"] is not JsonArray tags) meta["tag"] = tags = new JsonArray();
        tags.Add(new JsonObject
        {
            ["system"] = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
            ["code"] = "SUBSETTED",
            ["display"] = "Resource encoded in summary mode",
        });
    }
}
