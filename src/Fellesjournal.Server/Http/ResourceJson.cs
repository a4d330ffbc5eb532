using System.Text.Json;
using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Server.Http;

/// <summary>Parsing and serializing resource JSON with FHIR's limits, mapping malformed input to 400.</summary>
public static class ResourceJson
{
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };
    private static readonly JsonWriterOptions Compact = new() { Indented = false, SkipValidation = false };
    private static readonly JsonWriterOptions Pretty = new() { Indented = true };

    public static JsonObject ParseObject(ReadOnlyMemory<byte> json, string what = "resource")
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json.Span, NodeOptions, FhirJson.DocumentOptions);
            // JsonObject detects duplicate keys lazily; force it now so it fails here as 400.
            if (node is JsonObject o) _ = o.Count;
        }
        catch (JsonException e)
        {
            throw FhirException.BadRequest($"The {what} is not valid JSON: {e.Message}", code: "structure");
        }
        catch (ArgumentException e)
        {
            throw FhirException.BadRequest($"The {what} is not valid JSON: {e.Message}", code: "structure");
        }
        return node as JsonObject ?? throw FhirException.BadRequest($"The {what} must be a JSON object.", code: "structure");
    }

    public static byte[] ToBytes(JsonNode node, bool indented = false)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, indented ? Pretty : Compact)) node.WriteTo(w);
        return ms.ToArray();
    }

    public static string? GetString(JsonNode? node, string property) =>
        node is JsonObject o && o[property] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>Removes the store-assigned meta fields so they cannot be supplied by the client.</summary>
    public static void StripServerMeta(JsonObject resource)
    {
        if (resource["meta"] is not JsonObject meta) return;
        meta.Remove("versionId");
        meta.Remove("lastUpdated");
        if (meta.Count == 0) resource.Remove("meta");
    }

    /// <summary>Pretty-prints stored JSON bytes.</summary>
    public static byte[] Indent(ReadOnlyMemory<byte> json)
    {
        using var doc = JsonDocument.Parse(json);
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, Pretty)) doc.WriteTo(w);
        return ms.ToArray();
    }
}
