using System.Text.Json;
using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Search;
using Fellesjournal.Server.Bundles;
using Fellesjournal.Server.Http;
using Fellesjournal.Server.Store;
using Fellesjournal.Server.Validation;
using Fellesjournal.Storage;

namespace Fellesjournal.Server.Import;

/// <summary>
/// The CPU work for one import input, run in parallel: one JSON parse, validation over the element tree, and search
/// values from the same tree. A resource that already has an id and no server meta is stored with its bytes as given;
/// one that needs an id or has meta.versionId/lastUpdated to drop is rewritten first, and a Bundle is split into its
/// entries (urn:uuid references resolved) — those rarer cases take the JsonObject way.
/// </summary>
internal sealed class ImportItem(FhirDefinitions defs, IResourceValidator validator, ISearchIndexer? indexer)
{
    /// <param name="Line">The NDJSON line number, or 0 for a whole-file resource or Bundle.</param>
    public readonly record struct Input(byte[] Json, string File, int Line)
    {
        public string Source => Line > 0 ? $"{File}:{Line}" : File;
    }

    /// <summary>Either a write for the store or a rejection with its reason.</summary>
    public sealed record Prepared(ResourceWrite? Write, string Source, string? Rejection);

    private static readonly JsonDocumentOptions ParseOptions = FhirJson.DocumentOptions with { AllowDuplicateProperties = false };

    public IReadOnlyList<Prepared> Prepare(Input input)
    {
        try
        {
            return PrepareInput(input);
        }
        catch (FhirException e)
        {
            return [new(null, input.Source, e.Message)];
        }
    }

    private IReadOnlyList<Prepared> PrepareInput(Input input)
    {
        var source = input.Source;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(input.Json, ParseOptions);
        }
        catch (JsonException e)
        {
            return [new(null, source, $"The resource is not valid JSON: {e.Message}")];
        }
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            doc.Dispose();
            return [new(null, source, "The resource must be a JSON object.")];
        }
        var type = StringProperty(root, "resourceType");
        if (type == "Bundle" && StringProperty(root, "type") is "transaction" or "batch" or "collection" or "searchset")
        {
            doc.Dispose();
            return PrepareBundle(input.Json, source);
        }
        if (StringProperty(root, "id") is { } id && !HasServerMeta(root))
            return [PrepareResource(doc, input.Json, source, type, id)];
        doc.Dispose();
        return [PrepareRewritten(ResourceJson.ParseObject(input.Json), source)];
    }

    /// <summary>Resolves the Bundle's local identities (urn:uuid fullUrls become Type/id, as in a transaction) and
    /// prepares each entry that carries a resource to write.</summary>
    private List<Prepared> PrepareBundle(byte[] json, string source)
    {
        var bundle = ResourceJson.ParseObject(json);
        var entries = (bundle["entry"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var identities = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            if (e["resource"] is not JsonObject r || ResourceJson.GetString(r, "resourceType") is not { } type) continue;
            if (ResourceJson.GetString(r, "id") is null) r["id"] = IdGenerator.NewId();
            if (ResourceJson.GetString(e, "fullUrl") is { } fu) identities[fu] = $"{type}/{ResourceJson.GetString(r, "id")}";
        }
        var result = new List<Prepared>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (ResourceJson.GetString(e["request"], "method") is "DELETE" or "GET") continue;
            if (e["resource"] is not JsonObject r) { result.Add(new(null, $"{source} entry[{i}]", "entry has no resource")); continue; }
            if (identities.Count > 0) ReferenceRewriter.Rewrite(r, s => identities.GetValueOrDefault(s), identities);
            result.Add(PrepareRewritten(r, $"{source} entry[{i}]"));
        }
        return result;
    }

    /// <summary>Gives the resource an id if it has none, drops client-supplied versionId/lastUpdated, and serializes it.</summary>
    private Prepared PrepareRewritten(JsonObject resource, string source)
    {
        var type = ResourceJson.GetString(resource, "resourceType");
        if (type is null || !defs.IsConcreteResourceType(type))
            return new(null, source, $"unknown resource type '{type}'");
        var id = ResourceJson.GetString(resource, "id");
        if (id is null) resource["id"] = id = IdGenerator.NewId();
        ResourceJson.StripServerMeta(resource);
        var bytes = ResourceJson.ToBytes(resource);
        return PrepareResource(JsonDocument.Parse(bytes, ParseOptions), bytes, source, type, id);
    }

    /// <summary>Validates and indexes one parsed resource; disposes <paramref name="doc"/>.</summary>
    private Prepared PrepareResource(JsonDocument doc, byte[] json, string source, string? type, string id)
    {
        using (doc)
        {
            if (type is null || !defs.IsConcreteResourceType(type))
                return new(null, source, $"unknown resource type '{type}'");
            var node = ElementNode.FromJson(doc.RootElement, defs);
            var result = validator.Validate(node, json);
            if (!result.Success)
            {
                var issues = result.Outcome.Issues.Where(i => i.Severity is IssueSeverity.Error or IssueSeverity.Fatal).Take(3);
                return new(null, $"{source} ({type}/{id})", string.Join("; ", issues.Select(i => $"{i.Location}: {i.Diagnostics}")));
            }
            // Values are copied out of the document, so it can go back to the pool after this.
            var index = indexer?.Extract(node, id) is { } ix ? ix with { Text = FullTextExtractor.Extract(node) } : null;
            return new(new ResourceWrite(type, id, json) { Index = index, SkipIfUnchanged = true }, source, null);
        }
    }

    private static string? StringProperty(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>meta.versionId/lastUpdated are the store's to assign; an empty meta is dropped as well (as
    /// <see cref="ResourceJson.StripServerMeta"/> does), so such resources take the rewriting way.</summary>
    private static bool HasServerMeta(JsonElement root)
    {
        if (!root.TryGetProperty("meta", out var meta) || meta.ValueKind != JsonValueKind.Object) return false;
        var any = false;
        foreach (var p in meta.EnumerateObject())
        {
            if (p.NameEquals("versionId"u8) || p.NameEquals("lastUpdated"u8)) return true;
            any = true;
        }
        return !any;
    }
}
