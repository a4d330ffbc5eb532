using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Definitions;
using Xunit.Abstractions;

namespace Fellesjournal.Server.Tests;

/// <summary>
/// Acceptance: every example resource of the official R4 package goes in through the HTTP API
/// (PUT by id) and comes back JSON-equal apart from meta.versionId/lastUpdated. Rejections must be
/// exactly the documented list of examples that are invalid.
/// </summary>
public sealed class ExamplesAcceptanceTests(ITestOutputHelper output)
{
    /// <summary>Examples the server rejects, with the reason. Each is genuinely invalid content.</summary>
    public static readonly Dictionary<string, string> ExpectedRejections = new()
    {
        ["SearchParameter-questionnaireresponse-extensions-QuestionnaireResponse-item-subject.json"] =
            "400: the id has 67 characters; FHIR ids are at most 64",
    };

    [Fact]
    public async Task Every_official_example_round_trips_through_the_api()
    {
        // Two examples (Bundle-dataelements, Bundle-resources) exceed the default 16 MiB body limit; raise it here.
        await using var server = new ServerFixture { MaxBodyBytes = 64L * 1024 * 1024 };
        var c = server.CreateClient();
        var defs = FhirDefinitions.Default;
        var files = Directory.GetFiles(defs.PackageDirectory, "*.json")
            .Where(f => Path.GetFileName(f) is var n && n.Contains('-') && defs.IsConcreteResourceType(n[..n.IndexOf('-')]))
            .OrderBy(f => f, StringComparer.Ordinal).ToList();
        var loaded = 0;
        var rejected = new Dictionary<string, string>();
        var mismatches = new List<string>();
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            var text = await File.ReadAllTextAsync(file);
            var node = JsonNode.Parse(text)!.AsObject();
            var type = (string?)node["resourceType"];
            var id = (string?)node["id"];
            if (type is null || id is null) { rejected[name] = "no resourceType/id"; continue; }
            var put = await c.PutAsync($"/fhir/{type}/{id}", Fhir.Json(text));
            if (!put.IsSuccessStatusCode)
            {
                var oo = await Fhir.Body(put);
                rejected[name] = $"{(int)put.StatusCode}: " + string.Join("; ", oo["issue"]!.AsArray().Take(3).Select(i => $"{i!["expression"]?[0]} {i["diagnostics"]}"));
                continue;
            }
            loaded++;
            var back = JsonNode.Parse(await c.GetStringAsync($"/fhir/{type}/{id}"))!.AsObject();
            if (!JsonNode.DeepEquals(StripMeta(node), StripMeta(back))) mismatches.Add(name);
        }
        output.WriteLine($"{files.Count} example files, {loaded} loaded, {rejected.Count} rejected, {mismatches.Count} changed on read-back.");
        foreach (var (f, why) in rejected.OrderBy(kv => kv.Key)) output.WriteLine($"REJECTED {f}: {why}");
        foreach (var f in mismatches) output.WriteLine($"CHANGED {f}");
        Assert.True(files.Count > 2500, $"only {files.Count} example files found");
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
