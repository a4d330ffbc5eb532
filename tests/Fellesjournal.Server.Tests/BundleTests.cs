using System.Net;
using System.Text.Json.Nodes;

namespace Fellesjournal.Server.Tests;

public class BundleTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private readonly HttpClient _c = server.CreateClient();

    private static JsonObject Entry(string method, string url, JsonObject? resource = null, string? fullUrl = null, JsonObject? extra = null)
    {
        var request = new JsonObject { ["method"] = method, ["url"] = url };
        if (extra is not null) foreach (var (k, v) in extra.ToList()) { extra.Remove(k); request[k] = v; }
        var e = new JsonObject();
        if (fullUrl is not null) e["fullUrl"] = fullUrl;
        if (resource is not null) e["resource"] = resource;
        e["request"] = request;
        return e;
    }

    private static JsonObject Bundle(string type, params JsonObject[] entries) =>
        new() { ["resourceType"] = "Bundle", ["type"] = type, ["entry"] = new JsonArray(entries) };

    private static JsonObject Obs(string subject) => new()
    {
        ["resourceType"] = "Observation", ["status"] = "final",
        ["code"] = new JsonObject { ["text"] = "Puls" },
        ["subject"] = new JsonObject { ["reference"] = subject },
    };

    [Fact]
    public async Task Transaction_resolves_urn_uuid_references_and_reports_each_entry()
    {
        var existing = "tx" + Guid.NewGuid().ToString("N")[..10];
        await _c.PutAsync($"/fhir/Patient/{existing}", Fhir.Json(Fhir.Patient(existing)));
        var toDelete = "txd" + Guid.NewGuid().ToString("N")[..10];
        await _c.PutAsync($"/fhir/Patient/{toDelete}", Fhir.Json(Fhir.Patient(toDelete)));
        const string urn = "urn:uuid:5b2a3c4e-0d1f-4a6b-9c8d-7e6f5a4b3c2d";
        var bundle = Bundle("transaction",
            Entry("GET", $"Patient/{existing}"),
            Entry("POST", "Observation", Obs(urn)),
            Entry("POST", "Patient", Fhir.Patient(), urn),
            Entry("PUT", $"Patient/{existing}", Fhir.Patient(existing, "Changed")),
            Entry("POST", "Observation", Obs($"Patient?_id={existing}")),
            Entry("DELETE", $"Patient/{toDelete}"));
        var r = await _c.PostAsync("/fhir", Fhir.Json(bundle));
        var b = await Fhir.Body(r);
        Assert.True(r.StatusCode == HttpStatusCode.OK, b.ToJsonString());
        Assert.Equal("transaction-response", (string?)b["type"]);
        var e = b["entry"]!.AsArray();
        Assert.Equal(6, e.Count);
        Assert.Equal("200 OK", (string?)e[0]!["response"]!["status"]);
        // GET runs after the writes: it sees the PUT of the same transaction.
        Assert.Equal("Changed", (string?)e[0]!["resource"]!["name"]![0]!["family"]);
        Assert.Equal("201 Created", (string?)e[1]!["response"]!["status"]);
        Assert.Equal("201 Created", (string?)e[2]!["response"]!["status"]);
        var patientId = (string)e[2]!["resource"]!["id"]!;
        Assert.Equal($"Patient/{patientId}", (string?)e[1]!["resource"]!["subject"]!["reference"]);
        Assert.Contains("/_history/1", (string?)e[2]!["response"]!["location"]);
        Assert.Equal("W/\"1\"", (string?)e[2]!["response"]!["etag"]);
        Assert.NotNull(e[2]!["response"]!["lastModified"]);
        Assert.Equal("200 OK", (string?)e[3]!["response"]!["status"]);
        Assert.Equal($"Patient/{existing}", (string?)e[4]!["resource"]!["subject"]!["reference"]);
        Assert.Equal("204 No Content", (string?)e[5]!["response"]!["status"]);

        var obsId = (string)e[1]!["resource"]!["id"]!;
        var stored = await Fhir.Body(await _c.GetAsync($"/fhir/Observation/{obsId}"));
        Assert.Equal($"Patient/{patientId}", (string?)stored["subject"]!["reference"]);
        await Fhir.AssertOutcome(await _c.GetAsync($"/fhir/Patient/{toDelete}"), 410);
    }

    [Fact]
    public async Task Transaction_is_atomic()
    {
        var existing = "txa" + Guid.NewGuid().ToString("N")[..10];
        await _c.PutAsync($"/fhir/Patient/{existing}", Fhir.Json(Fhir.Patient(existing)));
        var fresh = "txa" + Guid.NewGuid().ToString("N")[..10];
        var bundle = Bundle("transaction",
            Entry("PUT", $"Patient/{fresh}", Fhir.Patient(fresh)),
            Entry("PUT", $"Patient/{existing}", Fhir.Patient(existing, "Nope"), extra: new JsonObject { ["ifMatch"] = "W/\"7\"" }));
        var r = await _c.PostAsync("/fhir", Fhir.Json(bundle));
        var oo = await Fhir.AssertOutcome(r, 412);
        Assert.StartsWith("Bundle.entry[1]", (string?)oo["issue"]![0]!["expression"]![0]);
        await Fhir.AssertOutcome(await _c.GetAsync($"/fhir/Patient/{fresh}"), 404);
        Assert.Equal("W/\"1\"", Fhir.ETag(await _c.GetAsync($"/fhir/Patient/{existing}")));

        var badRef = Bundle("transaction",
            Entry("PUT", $"Patient/{fresh}", Fhir.Patient(fresh)),
            Entry("POST", "Observation", Obs("Patient?_id=nobody-has-this")));
        await Fhir.AssertOutcome(await _c.PostAsync("/fhir", Fhir.Json(badRef)), 412);
        await Fhir.AssertOutcome(await _c.GetAsync($"/fhir/Patient/{fresh}"), 404);

        var invalid = Bundle("transaction",
            Entry("PUT", $"Patient/{fresh}", Fhir.Patient(fresh)),
            Entry("POST", "Patient", new JsonObject { ["resourceType"] = "Patient", ["bogus"] = 1 }));
        var oo3 = await Fhir.AssertOutcome(await _c.PostAsync("/fhir", Fhir.Json(invalid)), 400);
        Assert.StartsWith("Bundle.entry[1]", (string?)oo3["issue"]![0]!["expression"]![0]);
        await Fhir.AssertOutcome(await _c.GetAsync($"/fhir/Patient/{fresh}"), 404);
    }

    [Fact]
    public async Task Transaction_conditional_create_reuses_the_match()
    {
        var existing = "txc" + Guid.NewGuid().ToString("N")[..10];
        await _c.PutAsync($"/fhir/Patient/{existing}", Fhir.Json(Fhir.Patient(existing)));
        const string urn = "urn:uuid:0c8d4a0e-9f57-4d8a-9b7e-3f1e2d3c4b5a";
        var bundle = Bundle("transaction",
            Entry("POST", "Patient", Fhir.Patient(), urn, new JsonObject { ["ifNoneExist"] = $"_id={existing}" }),
            Entry("POST", "Observation", Obs(urn)));
        var b = await Fhir.Body(await _c.PostAsync("/fhir", Fhir.Json(bundle)));
        var e = b["entry"]!.AsArray();
        Assert.Equal("200 OK", (string?)e[0]!["response"]!["status"]);
        Assert.Equal($"Patient/{existing}", (string?)e[1]!["resource"]!["subject"]!["reference"]);
        Assert.Equal("W/\"1\"", Fhir.ETag(await _c.GetAsync($"/fhir/Patient/{existing}")));
    }

    [Fact]
    public async Task Batch_entries_are_independent()
    {
        var id = "b" + Guid.NewGuid().ToString("N")[..10];
        var bundle = Bundle("batch",
            Entry("PUT", $"Patient/{id}", Fhir.Patient(id)),
            Entry("GET", "Patient/does-not-exist-here"),
            Entry("POST", "Patient", new JsonObject { ["resourceType"] = "Patient", ["bogus"] = true }),
            Entry("PATCH", $"Patient/{id}", new JsonObject
            {
                ["resourceType"] = "Binary", ["contentType"] = "application/json-patch+json",
                ["data"] = Convert.ToBase64String("""[{"op":"add","path":"/birthDate","value":"2001-02-03"}]"""u8.ToArray()),
            }),
            Entry("FROB", "Patient"),
            Entry("POST", "", Bundle("batch")),
            Entry("PATCH", $"Patient/{id}", new JsonObject { ["resourceType"] = "Binary", ["contentType"] = "application/json-patch+json", ["data"] = "!!!" }));
        var r = await _c.PostAsync("/fhir", Fhir.Json(bundle));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var e = (await Fhir.Body(r))["entry"]!.AsArray();
        Assert.Equal("201 Created", (string?)e[0]!["response"]!["status"]);
        Assert.Equal("404 Not Found", (string?)e[1]!["response"]!["status"]);
        Assert.Equal("OperationOutcome", (string?)e[1]!["response"]!["outcome"]!["resourceType"]);
        Assert.Equal("400 Bad Request", (string?)e[2]!["response"]!["status"]);
        Assert.Equal("200 OK", (string?)e[3]!["response"]!["status"]);
        Assert.Equal("2001-02-03", (string?)e[3]!["resource"]!["birthDate"]);
        Assert.Equal("400 Bad Request", (string?)e[4]!["response"]!["status"]);
        Assert.Equal("400 Bad Request", (string?)e[5]!["response"]!["status"]);
        Assert.Equal("400 Bad Request", (string?)e[6]!["response"]!["status"]);
    }

    [Fact]
    public async Task Transaction_patch_entries_json_and_fhirpath()
    {
        var id = "txp" + Guid.NewGuid().ToString("N")[..10];
        await _c.PutAsync($"/fhir/Patient/{id}", Fhir.Json(Fhir.Patient(id)));
        var fhirPathPatch = JsonNode.Parse("""
            {"resourceType":"Parameters","parameter":[{"name":"operation","part":[
              {"name":"type","valueCode":"replace"},{"name":"path","valueString":"Patient.gender"},{"name":"value","valueCode":"male"}]}]}
            """)!.AsObject();
        var jsonPatch = new JsonObject
        {
            ["resourceType"] = "Binary", ["contentType"] = "application/json-patch+json",
            ["data"] = Convert.ToBase64String("""[{"op":"add","path":"/birthDate","value":"1999-12-31"}]"""u8.ToArray()),
        };
        var r = await _c.PostAsync("/fhir", Fhir.Json(Bundle("transaction",
            Entry("PATCH", $"Patient/{id}", fhirPathPatch),
            Entry("PATCH", $"Patient/{id}", jsonPatch))));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var p = await Fhir.Body(await _c.GetAsync($"/fhir/Patient/{id}"));
        Assert.Equal("male", (string?)p["gender"]);
        Assert.Equal("1999-12-31", (string?)p["birthDate"]);
        Assert.Equal("3", (string?)p["meta"]!["versionId"]);
    }

    [Fact]
    public async Task Bundle_errors_and_prefer()
    {
        await Fhir.AssertOutcome(await _c.PostAsync("/fhir", Fhir.Json(Bundle("collection"))), 400);
        await Fhir.AssertOutcome(await _c.PostAsync("/fhir", Fhir.Json(Fhir.Patient())), 400);
        await Fhir.AssertOutcome(await _c.PostAsync("/fhir", Fhir.Json("{")), 400);
        var minimal = Fhir.Request(HttpMethod.Post, "/fhir", Fhir.Json(Bundle("transaction", Entry("POST", "Patient", Fhir.Patient()))), ("Prefer", "return=minimal"));
        var e = (await Fhir.Body(await _c.SendAsync(minimal)))["entry"]!.AsArray();
        Assert.Null(e[0]!["resource"]);
        Assert.Equal("201 Created", (string?)e[0]!["response"]!["status"]);
        var empty = await _c.PostAsync("/fhir", Fhir.Json(Bundle("transaction")));
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
    }
}
