using System.Reflection;
using System.Text.Json;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Server.Http;

namespace Fellesjournal.Server.Capabilities;

/// <summary>
/// The CapabilityStatement, generated from what the server actually does: every concrete resource
/// type of the definitions with the interactions implemented in <see cref="Interactions.FhirService"/>,
/// and the search parameters passed to the store.
/// </summary>
public sealed class CapabilityStatementBuilder(FhirDefinitions defs, ServerOptions options)
{
    public static readonly string[] TypeInteractions =
        ["read", "vread", "update", "patch", "delete", "history-instance", "history-type", "create", "search-type"];
    public static readonly string[] SystemInteractions = ["transaction", "batch", "search-system", "history-system"];

    private readonly Dictionary<string, byte[]> _cache = new();
    private readonly Lock _lock = new();

    public byte[] Build(string baseUrl)
    {
        lock (_lock)
        {
            if (_cache.TryGetValue(baseUrl, out var cached)) return cached;
            var built = Write(baseUrl);
            // The base URL comes from the Host header: bound the cache so arbitrary hosts cannot grow it.
            if (_cache.Count < 16) _cache[baseUrl] = built;
            return built;
        }
    }

    private byte[] Write(string baseUrl)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            var version = typeof(CapabilityStatementBuilder).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.1";
            w.WriteStartObject();
            w.WriteString("resourceType", "CapabilityStatement");
            w.WriteString("status", "active");
            w.WriteString("date", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd"));
            w.WriteString("publisher", "Fellesjournal");
            w.WriteString("kind", "instance");
            w.WriteStartObject("software");
            w.WriteString("name", "Fellesjournal");
            w.WriteString("version", version.Split('+')[0]);
            w.WriteEndObject();
            w.WriteStartObject("implementation");
            w.WriteString("description", "Fellesjournal FHIR R4 server" + (options.Demo ? " (demo data)" : ""));
            w.WriteString("url", baseUrl);
            w.WriteEndObject();
            w.WriteString("fhirVersion", "4.0.1");
            w.WriteStartArray("format");
            foreach (var f in FormatNegotiation.SupportedFormats()) w.WriteStringValue(f);
            w.WriteEndArray();
            w.WriteStartArray("patchFormat");
            w.WriteStringValue("application/json-patch+json");
            w.WriteStringValue("application/fhir+json");
            w.WriteEndArray();
            w.WriteStartArray("rest");
            w.WriteStartObject();
            w.WriteString("mode", "server");
            w.WriteStartArray("resource");
            foreach (var type in defs.ResourceTypes.OrderBy(t => t, StringComparer.Ordinal))
                WriteResource(w, type);
            w.WriteEndArray();
            w.WriteStartArray("interaction");
            foreach (var i in SystemInteractions)
            {
                w.WriteStartObject();
                w.WriteString("code", i);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("searchParam");
            foreach (var (code, type) in new[] { ("_id", "token"), ("_lastUpdated", "date"), ("_text", "string"), ("_content", "string") })
                WriteParam(w, code, type, null);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return ms.ToArray();
    }

    private void WriteResource(Utf8JsonWriter w, string type)
    {
        w.WriteStartObject();
        w.WriteString("type", type);
        w.WriteString("profile", $"http://hl7.org/fhir/StructureDefinition/{type}");
        w.WriteStartArray("interaction");
        foreach (var i in TypeInteractions)
        {
            w.WriteStartObject();
            w.WriteString("code", i);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("versioning", "versioned-update");
        w.WriteBoolean("readHistory", true);
        w.WriteBoolean("updateCreate", true);
        w.WriteBoolean("conditionalCreate", true);
        w.WriteString("conditionalRead", "full-support");
        w.WriteBoolean("conditionalUpdate", true);
        w.WriteString("conditionalDelete", "single");
        w.WriteStartArray("referencePolicy");
        w.WriteStringValue("literal");
        w.WriteStringValue("local");
        w.WriteEndArray();
        w.WriteStartArray("operation");
        w.WriteStartObject();
        w.WriteString("name", "validate");
        w.WriteString("definition", "http://hl7.org/fhir/OperationDefinition/Resource-validate");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartArray("searchParam");
        foreach (var sp in defs.SearchParametersFor(type).Values
                     .Where(p => Interactions.SearchParameters.IsSupported(defs, type, p.Code))
                     .OrderBy(p => p.Code, StringComparer.Ordinal))
            WriteParam(w, sp.Code, sp.Type, sp.Url);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteParam(Utf8JsonWriter w, string code, string type, string? url)
    {
        w.WriteStartObject();
        w.WriteString("name", code);
        if (url is not null) w.WriteString("definition", url);
        w.WriteString("type", type);
        w.WriteEndObject();
    }
}
