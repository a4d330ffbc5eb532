using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fellesjournal.Storage;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Services.Medication;

/// <summary>Small helpers for resource JSON the medication chain reads and writes.</summary>
internal static class FhirJson
{
    public static JsonObject Parse(StoredResource r) => JsonNode.Parse(r.Json.Span)!.AsObject();

    /// <summary>The JSON to store: meta is the store's to stamp, so it is dropped.</summary>
    public static ResourceWrite Write(JsonObject resource, long? ifMatch = null, bool mustNotExist = false)
    {
        resource.Remove("meta");
        return new ResourceWrite((string)resource["resourceType"]!, (string)resource["id"]!,
            Encoding.UTF8.GetBytes(resource.ToJsonString()), ifMatch, mustNotExist);
    }

    public static string NewId() => Guid.NewGuid().ToString("N");

    public static string Instant(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
    public static string Date(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public static string? Str(JsonNode? n, params string[] path)
    {
        foreach (var p in path)
        {
            if (n is JsonArray a) n = a.Count > 0 ? a[0] : null;
            n = (n as JsonObject)?[p];
        }
        return n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
    }

    /// <summary>A reference to the acting professional by HPR number (and their organisation), as the token attests.</summary>
    public static JsonObject PersonnelReference(Principal p) => new()
    {
        ["identifier"] = new JsonObject { ["system"] = MedicationCodes.Hpr, ["value"] = p.HprNumber },
        ["display"] = p.Name ?? "HPR " + p.HprNumber,
    };

    public static JsonObject? OrganisationReference(Principal p) => p.LegalEntity is { } org
        ? new JsonObject
        {
            ["identifier"] = new JsonObject { ["system"] = MedicationCodes.OrgNumber, ["value"] = org },
            ["display"] = p.TrustFramework?.LegalEntityName ?? p.TrustFramework?.PointOfCareName ?? org,
        }
        : null;

    public static JsonObject Ref(string reference, string? display = null)
    {
        var o = new JsonObject { ["reference"] = reference };
        if (display is not null) o["display"] = display;
        return o;
    }

    public static JsonObject Text(string text) => new() { ["text"] = text };

    /// <summary>A Parameters resource's named parameters.</summary>
    public static IEnumerable<JsonObject> Params(JsonObject parameters, string name) =>
        (parameters["parameter"] as JsonArray ?? []).OfType<JsonObject>().Where(p => Str(p, "name") == name);

    public static byte[] Bytes(JsonNode n) => Encoding.UTF8.GetBytes(n.ToJsonString());

    public static JsonObject ParseBody(ReadOnlyMemory<byte> body)
    {
        try
        {
            return JsonNode.Parse(body.Span) as JsonObject ?? throw MedicationException.Invalid("The body is not a JSON object.", "$");
        }
        catch (JsonException e)
        {
            throw MedicationException.Invalid("The body is not valid JSON: " + e.Message, "$");
        }
    }
}
