using System.Net;
using Fellesjournal.Fhir.Definitions;

namespace Fellesjournal.Server.Tests;

public class MetadataAndHomeTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private readonly HttpClient _c = server.CreateClient();

    [Fact]
    public async Task Capability_statement_lists_every_resource_type_and_interaction()
    {
        var r = await _c.GetAsync("/fhir/metadata");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var cs = await Fhir.Body(r);
        Assert.Equal("CapabilityStatement", (string?)cs["resourceType"]);
        Assert.Equal("4.0.1", (string?)cs["fhirVersion"]);
        var rest = cs["rest"]![0]!;
        var resources = rest["resource"]!.AsArray();
        Assert.Equal(FhirDefinitions.Default.ResourceTypes.Count(), resources.Count);
        var patient = resources.Single(x => (string?)x!["type"] == "Patient")!;
        var interactions = patient["interaction"]!.AsArray().Select(i => (string)i!["code"]!).ToHashSet();
        foreach (var i in new[] { "read", "vread", "update", "patch", "delete", "history-instance", "history-type", "create", "search-type" })
            Assert.Contains(i, interactions);
        var patientParams = patient["searchParam"]!.AsArray().Select(p => (string)p!["name"]!).ToHashSet();
        Assert.Contains("identifier", patientParams);
        Assert.Contains("_id", patientParams);
        // Only what the store evaluates: composite yes (equality), special (near, _text) no.
        var observation = resources.Single(x => (string?)x!["type"] == "Observation")!;
        Assert.DoesNotContain(observation["searchParam"]!.AsArray(), p => (string?)p!["type"] is "special");
        Assert.Contains(observation["searchParam"]!.AsArray(), p => (string?)p!["name"] == "code-value-quantity");
        Assert.Contains(observation["searchParam"]!.AsArray(), p => (string?)p!["name"] == "code");
        Assert.Contains(rest["interaction"]!.AsArray(), i => (string?)i!["code"] == "transaction");
        Assert.Equal("single", (string?)patient["conditionalDelete"]);
    }

    [Fact]
    public async Task Home_page_is_html_in_norwegian_and_english()
    {
        var r = await _c.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("text/html", r.Content.Headers.ContentType?.MediaType);
        var html = await r.Content.ReadAsStringAsync();
        Assert.Contains("lang=\"nb\"", html);
        Assert.Contains("/fhir/metadata", html);
        Assert.Contains("FHIR-basen", html);
        Assert.Contains("The FHIR base", html);
        Assert.Contains("Patient", html);
    }
}
