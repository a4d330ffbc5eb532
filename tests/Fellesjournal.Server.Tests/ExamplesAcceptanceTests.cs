using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Definitions;
using Xunit.Abstractions;

namespace Fellesjournal.Server.Tests;

/// <summary>
/// Acceptance: every example resource of the official R4 package goes in through the HTTP API
/// (PUT by id) and comes back JSON-equal apart from meta.versionId/lastUpdated. Rejections must be
/// exactly the documented list of examples that are invalid.
/// </summary>
public class ExamplesAcceptanceTests(ITestOutputHelper output)
{
    /// <summary>The store the examples go through (the PostgreSQL run overrides it).</summary>
    protected virtual string Store => "sqlite";

    /// <summary>Examples the server rejects, with the reason. Each is genuinely invalid content.</summary>
    public static readonly Dictionary<string, string> ExpectedRejections = new()
    {
        // Narrative div with only whitespace (txt-2).
        ["ActivityDefinition-blood-tubes-supply.json"] = "400 txt-2: narrative without content",
        ["ActivityDefinition-heart-valve-replacement.json"] = "400 txt-2: narrative without content",
        ["EventDefinition-example.json"] = "400 txt-2: narrative without content",
        // Missing required elements.
        ["ImplementationGuide-fhir.json"] = "400 missing name and status",
        ["Questionnaire-qs1.json"] = "400 missing item.item.linkId",
        ["SearchParameter-codesystem-extensions-CodeSystem-author.json"] = "400 missing base",
        ["SearchParameter-codesystem-extensions-CodeSystem-effective.json"] = "400 missing base",
        ["SearchParameter-codesystem-extensions-CodeSystem-end.json"] = "400 missing base",
        ["SearchParameter-codesystem-extensions-CodeSystem-keyword.json"] = "400 missing base",
        ["SearchParameter-codesystem-extensions-CodeSystem-workflow.json"] = "400 missing base",
        ["SearchParameter-valueset-extensions-ValueSet-author.json"] = "400 missing base",
        ["SearchParameter-valueset-extensions-ValueSet-effective.json"] = "400 missing base",
        ["SearchParameter-valueset-extensions-ValueSet-end.json"] = "400 missing base",
        ["SearchParameter-valueset-extensions-ValueSet-keyword.json"] = "400 missing base",
        ["SearchParameter-valueset-extensions-ValueSet-workflow.json"] = "400 missing base",
        // sdf-4: not abstract but no baseDefinition (logical models).
        ["StructureDefinition-Definition.json"] = "422 sdf-4",
        ["StructureDefinition-Event.json"] = "422 sdf-4",
        ["StructureDefinition-FiveWs.json"] = "422 sdf-4",
        ["StructureDefinition-Request.json"] = "422 sdf-4",
        // bdl-7: duplicate fullUrl values without distinct versionIds.
        ["Bundle-dataelements.json"] = "422 bdl-7",
        // The id has 67 characters; FHIR ids are at most 64.
        ["SearchParameter-questionnaireresponse-extensions-QuestionnaireResponse-item-subject.json"] = "400 id too long",
    };

    [Fact]
    public async Task Every_official_example_round_trips_through_the_api()
    {
        // Two examples (Bundle-dataelements, Bundle-resources) exceed the default 16 MiB body limit; raise it here.
        await using var server = new ServerFixture { MaxBodyBytes = 64L * 1024 * 1024, Store = Store };
        var c = server.CreateClient();
        var defs = FhirDefinitions.Default;
        var files = Directory.GetFiles(defs.PackageDirectory, "*.json")
            .Where(f => Path.GetFileName(f) is var n && n.Contains('-') && defs.IsConcreteResourceType(n[..n.IndexOf('-')]))
            .OrderBy(f => f, StringComparer.Ordinal).ToList();
        var loaded = 0;
        var auditEventsRefused = 0;
        var rejected = new Dictionary<string, string>();
        var mismatches = new List<string>();
        var gate = new Lock();
        // A few concurrent clients: validation (CPU) overlaps with the store's durable commits.
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (file, ct) =>
        {
            var name = Path.GetFileName(file);
            var text = await File.ReadAllTextAsync(file, ct);
            var node = JsonNode.Parse(text)!.AsObject();
            var type = (string?)node["resourceType"];
            var id = (string?)node["id"];
            if (type is null || id is null) { lock (gate) rejected[name] = "no resourceType/id"; return; }
            var put = await c.PutAsync($"/fhir/{type}/{id}", Fhir.Json(text), ct);
            if (type == "AuditEvent")
            {
                // /fhir/AuditEvent is the server's own access log: read-only, written only by the server.
                if ((int)put.StatusCode == 405) Interlocked.Increment(ref auditEventsRefused);
                else lock (gate) mismatches.Add(name + $" (PUT to the access log answered {(int)put.StatusCode})");
                return;
            }
            if (!put.IsSuccessStatusCode)
            {
                var oo = await Fhir.Body(put);
                var why = $"{(int)put.StatusCode}: " + string.Join("; ", oo["issue"]!.AsArray().Take(3).Select(i => $"{i!["expression"]?[0]} {i["diagnostics"]}"));
                lock (gate) rejected[name] = why;
                return;
            }
            var back = JsonNode.Parse(await c.GetStringAsync($"/fhir/{type}/{id}", ct))!.AsObject();
            lock (gate)
            {
                loaded++;
                if (!JsonNode.DeepEquals(StripMeta(node), StripMeta(back))) mismatches.Add(name);
            }
        });
        output.WriteLine($"{files.Count} example files, {loaded} loaded, {rejected.Count} rejected, {mismatches.Count} changed on read-back.");
        foreach (var (f, why) in rejected.OrderBy(kv => kv.Key)) output.WriteLine($"REJECTED {f}: {why}");
        foreach (var f in mismatches) output.WriteLine($"CHANGED {f}");
        Assert.True(files.Count > 2500, $"only {files.Count} example files found");
        Assert.True(auditEventsRefused > 0, "no AuditEvent example was sent to the (read-only) access log");
        Assert.Empty(mismatches);
        Assert.Equal(ExpectedRejections.Keys.OrderBy(k => k), rejected.Keys.OrderBy(k => k));
        foreach (var (f, why) in ExpectedRejections) Assert.StartsWith(why[..3], rejected[f]);
    }

    private static JsonObject StripMeta(JsonObject r)
    {
        var copy = (JsonObject)r.DeepClone();
        if (copy["meta"] is JsonObject meta)
        {
            meta.Remove("versionId");
            meta.Remove("lastUpdated");
            if (meta.Count == 0) copy.Remove("meta");
        }
        return copy;
    }
}
