using System.Text.Json.Nodes;
using Fellesjournal.Services.Medication;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Server.Tests;

/// <summary>The medication chain over HTTP with real tokens: the operations route to the services, the caller is the
/// token's principal, and every refusal is an OperationOutcome with its status.</summary>
public class MedicationOperationTests : IAsyncLifetime
{
    private readonly ServerFixture _server;

    public MedicationOperationTests() : this("sqlite") { }

    /// <summary>On another store (the PostgreSQL run derives from this class).</summary>
    protected MedicationOperationTests(string store) => _server = new() { Store = store };

    public async Task InitializeAsync()
    {
        var c = _server.CreateClient().As(TestTokens.For("registry", new Fellesjournal.Trust.Identity.MintOptions { Scopes = "system/*.cruds" }));
        // The care relationships the HTTP layer requires: the GP's list, and a care team with the hospital and the pharmacy.
        var p = Fhir.Patient("anne");
        p["generalPractitioner"] = new JsonArray(new JsonObject
            { ["identifier"] = new JsonObject { ["system"] = "urn:oid:2.16.578.1.12.4.1.4.4", ["value"] = DemoPersonas.Get("gp").HprNumber } });
        Assert.True((await c.PutAsync("/fhir/Patient/anne", Fhir.Json(p))).IsSuccessStatusCode);
        var team = new JsonObject
        {
            ["resourceType"] = "CareTeam", ["id"] = "anne-care", ["status"] = "active",
            ["subject"] = new JsonObject { ["reference"] = "Patient/anne" },
            ["managingOrganization"] = new JsonArray(
                new JsonObject { ["identifier"] = new JsonObject { ["system"] = "urn:oid:2.16.578.1.12.4.1.4.101", ["value"] = DemoPersonas.HospitalOrg } },
                new JsonObject { ["identifier"] = new JsonObject { ["system"] = "urn:oid:2.16.578.1.12.4.1.4.101", ["value"] = DemoPersonas.PharmacyOrg } }),
        };
        var put = await c.PutAsync("/fhir/CareTeam/anne-care", Fhir.Json(team));
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        foreach (var atc in new[] { "C10AA05", "A10BA02" })
        {
            var m = MedicationCatalogue.ToResource(MedicationCatalogue.Default.Find(atc)!);
            Assert.True((await c.PutAsync("/fhir/Medication/" + m["id"], Fhir.Json(m))).IsSuccessStatusCode);
        }
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static JsonObject Prescription(string atc, int repeats) => new()
    {
        ["resourceType"] = "Parameters",
        ["parameter"] = new JsonArray(new JsonObject
        {
            ["name"] = "prescription",
            ["resource"] = new JsonObject
            {
                ["resourceType"] = "MedicationRequest",
                ["subject"] = new JsonObject { ["reference"] = "Patient/anne" },
                ["medicationReference"] = new JsonObject { ["reference"] = "Medication/med-" + atc },
                ["dosageInstruction"] = new JsonArray(new JsonObject { ["text"] = "1 tablett daglig" }),
                ["dispenseRequest"] = new JsonObject { ["numberOfRepeatsAllowed"] = repeats },
            },
        }),
    };

    [Fact]
    public async Task Prescribe_dispense_and_read_the_list_over_HTTP()
    {
        var gp = _server.ClientFor("gp");
        var r = await gp.PostAsync("/fhir/MedicationRequest/$prescribe?patient=Patient/anne", Fhir.Json(Prescription("C10AA05", 1)));
        var text = await r.Content.ReadAsStringAsync();
        Assert.True((int)r.StatusCode == 201, text);
        var body = JsonNode.Parse(text)!;
        var mr = body["parameter"]![0]!["resource"]!;
        Assert.Equal("565501872", (string?)mr["requester"]!["identifier"]!["value"]);
        var id = (string)mr["id"]!;
        Assert.EndsWith($"/fhir/MedicationRequest/{id}/_history/1", r.Headers.Location!.ToString());

        var pharmacist = _server.ClientFor("pharmacist");
        for (var i = 0; i < 2; i++)
            Assert.Equal(201, (int)(await pharmacist.PostAsync($"/fhir/MedicationRequest/{id}/$dispense", Fhir.Json(new JsonObject { ["resourceType"] = "Parameters" }))).StatusCode);
        var oo = await Fhir.AssertOutcome(await pharmacist.PostAsync($"/fhir/MedicationRequest/{id}/$dispense", Fhir.Json(new JsonObject { ["resourceType"] = "Parameters" })), 409);
        Assert.Contains("fully used", (string?)oo["issue"]![0]!["diagnostics"]);
        Assert.NotNull(oo["issue"]![0]!["expression"]);

        var list = await Fhir.Body(await gp.GetAsync("/fhir/Patient/anne/$medication-list"));
        Assert.Equal("collection", (string?)list["type"]);
        Assert.Equal("List", (string?)list["entry"]![0]!["resource"]!["resourceType"]);
        Assert.Equal("MedicationStatement", (string?)list["entry"]![1]!["resource"]!["resourceType"]);
        var history = await Fhir.Body(await gp.GetAsync("/fhir/Patient/anne/$medication-list?history=true"));
        Assert.Equal("Provenance", (string?)history["entry"]![1]!["resource"]!["resourceType"]);
    }

    [Fact]
    public async Task Role_rules_refuse_with_403_outcomes()
    {
        // The hospital nurse has a care relationship (the care team) but no prescribing rights.
        var nurse = _server.ClientFor("nurse");
        var oo = await Fhir.AssertOutcome(await nurse.PostAsync("/fhir/MedicationRequest/$prescribe?patient=Patient/anne", Fhir.Json(Prescription("C10AA05", 0))), 403);
        Assert.Contains("prescribing rights", (string?)oo["issue"]![0]!["diagnostics"]);
        var pharmacist = _server.ClientFor("pharmacist");

        var gp = _server.ClientFor("gp");
        var created = await Fhir.Body(await gp.PostAsync("/fhir/MedicationRequest/$prescribe?patient=Patient/anne", Fhir.Json(Prescription("A10BA02", 0))));
        var id = (string)created["parameter"]![0]!["resource"]!["id"]!;
        await Fhir.AssertOutcome(await gp.PostAsync($"/fhir/MedicationRequest/{id}/$dispense", Fhir.Json(new JsonObject { ["resourceType"] = "Parameters" })), 403);
        await Fhir.AssertOutcome(await gp.PostAsync("/fhir/MedicationRequest/nope/$dispense", Fhir.Json(new JsonObject { ["resourceType"] = "Parameters" })), 403);
        // A URL naming another patient than the prescription's subject is refused.
        await Fhir.AssertOutcome(await gp.PostAsync("/fhir/MedicationRequest/$prescribe?patient=Patient/someone-else", Fhir.Json(Prescription("A10BA02", 0))), 400);
        await Fhir.AssertOutcome(await pharmacist.PostAsync("/fhir/MedicationRequest/nope/$dispense", Fhir.Json(new JsonObject { ["resourceType"] = "Parameters" })), 404);
    }

    [Fact]
    public async Task Reconcile_compares_and_applies_over_HTTP()
    {
        var gp = _server.ClientFor("gp");
        await gp.PostAsync("/fhir/MedicationRequest/$prescribe?patient=Patient/anne", Fhir.Json(Prescription("C10AA05", 0)));
        await gp.PostAsync("/fhir/MedicationRequest/$prescribe?patient=Patient/anne", Fhir.Json(Prescription("A10BA02", 2)));
        var submitted = new JsonObject
        {
            ["resourceType"] = "List", ["status"] = "current", ["mode"] = "snapshot",
            ["contained"] = new JsonArray(new JsonObject
            {
                ["resourceType"] = "MedicationStatement", ["id"] = "s1", ["status"] = "active",
                ["medicationReference"] = new JsonObject { ["reference"] = "Medication/med-C10AA05" },
                ["subject"] = new JsonObject { ["reference"] = "Patient/anne" },
                ["dosage"] = new JsonArray(new JsonObject { ["text"] = "1 tablett daglig" }),
            }),
            ["entry"] = new JsonArray(new JsonObject { ["item"] = new JsonObject { ["reference"] = "#s1" } }),
        };
        var hospital = _server.ClientFor("hospital-doctor");
        var parameters = new JsonObject
        {
            ["resourceType"] = "Parameters",
            ["parameter"] = new JsonArray(
                new JsonObject { ["name"] = "list", ["resource"] = submitted },
                new JsonObject { ["name"] = "mode", ["valueCode"] = "apply" },
                new JsonObject { ["name"] = "reason", ["valueString"] = "Innleggelse" }),
        };
        var r = await hospital.PostAsync("/fhir/Patient/anne/$reconcile", Fhir.Json(parameters));
        var text = await r.Content.ReadAsStringAsync();
        Assert.True((int)r.StatusCode == 200, text);
        var body = JsonNode.Parse(text)!;
        Assert.Contains(((JsonArray)body["parameter"]!), p => (string?)p!["name"] == "revoked");
        Assert.Contains(((JsonArray)body["parameter"]!), p => (string?)p!["name"] == "applied" && (bool)p["valueBoolean"]!);

        parameters["parameter"]![1]!["valueCode"] = "sideways";
        await Fhir.AssertOutcome(await hospital.PostAsync("/fhir/Patient/anne/$reconcile", Fhir.Json(parameters)), 400);
    }
}
