using System.Net;
using System.Text.Json.Nodes;
using Fellesjournal.Server.Audit;
using Fellesjournal.Trust.Audit;
using Fellesjournal.Trust.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Fellesjournal.Server.Tests;

/// <summary>
/// A first set of access cases per persona over HTTP: each asserts exactly which records come back. The facts
/// (GP list, parent relation) are resources in the store, as in production; the default client (system, every
/// scope) writes them.
/// </summary>
public class AccessTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Fnr = "urn:oid:2.16.578.1.12.4.1.4.1";
    private const string Hpr = "urn:oid:2.16.578.1.12.4.1.4.4";
    private readonly HttpClient _admin = server.CreateClient();

    private static JsonObject Patient(string id, string? fnr, string born, JsonObject? gp = null)
    {
        var p = Fhir.Patient(id);
        p["birthDate"] = born;
        if (fnr is not null) p["identifier"] = new JsonArray(new JsonObject { ["system"] = Fnr, ["value"] = fnr });
        if (gp is not null) p["generalPractitioner"] = new JsonArray(gp);
        return p;
    }

    private static JsonObject Observation(string id, string patient, string text) => new()
    {
        ["resourceType"] = "Observation", ["id"] = id, ["status"] = "final",
        ["code"] = new JsonObject { ["text"] = text },
        ["subject"] = new JsonObject { ["reference"] = "Patient/" + patient },
    };

    private async Task SeedAsync()
    {
        var resources = new[]
        {
            Patient("ac-kari", "15038500047", "1985-03-15"),
            Patient("ac-child", "05041500079", "2015-04-05"),
            Patient("ac-other", null, "1970-01-01"),
            Patient("ac-listed", null, "1960-06-01", new JsonObject { ["identifier"] = new JsonObject { ["system"] = Hpr, ["value"] = "565501872" } }),
            new JsonObject
            {
                ["resourceType"] = "RelatedPerson", ["id"] = "ac-parent-of-child", ["patient"] = new JsonObject { ["reference"] = "Patient/ac-child" },
                ["identifier"] = new JsonArray(new JsonObject { ["system"] = Fnr, ["value"] = "02029000002" }),
                ["relationship"] = new JsonArray(new JsonObject { ["coding"] = new JsonArray(new JsonObject
                    { ["system"] = "http://terminology.hl7.org/CodeSystem/v3-RoleCode", ["code"] = "PRN" }) }),
            },
            Observation("ac-obs-kari", "ac-kari", "kari"),
            Observation("ac-obs-child", "ac-child", "child"),
            Observation("ac-obs-other", "ac-other", "other"),
            Observation("ac-obs-listed", "ac-listed", "listed"),
            Patient("ac-locked", null, "1975-01-01", new JsonObject { ["identifier"] = new JsonObject { ["system"] = Hpr, ["value"] = "565501872" } }),
            Observation("ac-obs-locked", "ac-locked", "locked"),
            new JsonObject
            {
                ["resourceType"] = "Condition", ["id"] = "ac-cond-locked", ["subject"] = new JsonObject { ["reference"] = "Patient/ac-locked" },
                ["code"] = new JsonObject { ["text"] = "open" },
            },
            new JsonObject
            {
                // Sperring: the patient's Observations are locked.
                ["resourceType"] = "Consent", ["id"] = "ac-sperring", ["status"] = "active",
                ["patient"] = new JsonObject { ["reference"] = "Patient/ac-locked" },
                ["scope"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/consentscope", ["code"] = "patient-privacy" }) },
                ["category"] = new JsonArray(new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "https://fellesjournal.no/fhir/CodeSystem/citizen-control", ["code"] = "sperring" }) }),
                ["policyRule"] = new JsonObject { ["text"] = "sperring" },
                ["provision"] = new JsonObject { ["type"] = "deny", ["class"] = new JsonArray(new JsonObject { ["system"] = "http://hl7.org/fhir/resource-types", ["code"] = "Observation" }) },
            },
        };
        foreach (var r in resources)
        {
            var resp = await _admin.PutAsync($"/fhir/{r["resourceType"]}/{r["id"]}", Fhir.Json(r));
            Assert.True(resp.IsSuccessStatusCode, await resp.Content.ReadAsStringAsync());
        }
    }

    private static async Task<List<string>> Ids(HttpResponseMessage r, string type = "Observation")
    {
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, text);
        var bundle = JsonNode.Parse(text)!;
        return (bundle["entry"]?.AsArray() ?? []).Select(e => e!["resource"]!).Where(x => (string?)x["resourceType"] == type)
            .Select(x => (string)x["id"]!).Where(id => id.StartsWith("ac-")).Order().ToList();
    }

    [Fact]
    public async Task Citizen_sees_her_own_record_and_nobody_elses()
    {
        await SeedAsync();
        var c = server.ClientFor("citizen");
        Assert.Equal(["ac-obs-kari"], await Ids(await c.GetAsync("/fhir/Observation")));
        Assert.Equal(["ac-obs-kari"], await Ids(await c.GetAsync("/fhir/Observation?patient=ac-kari")));
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync("/fhir/Observation/ac-obs-kari")).StatusCode);
        await Fhir.AssertOutcome(await c.GetAsync("/fhir/Observation/ac-obs-other"), 404);
        await Fhir.AssertOutcome(await c.GetAsync("/fhir/Patient/ac-other"), 404);
        await Fhir.AssertOutcome(await c.GetAsync("/fhir/Observation?patient=ac-other"), 404);
        await Fhir.AssertOutcome(await c.GetAsync("/fhir/Patient/ac-other/$everything"), 404);
        await Fhir.AssertOutcome(await c.GetAsync("/fhir/Observation/ac-obs-other/_history/1"), 404);
        // Writing into someone else's record is refused.
        await Fhir.AssertOutcome(await c.PostAsync("/fhir/Observation", Fhir.Json(Observation("x", "ac-other", "planted"))), 403);
    }

    [Fact]
    public async Task Parent_sees_child_under_12_but_not_another_adult()
    {
        await SeedAsync();
        var c = server.ClientFor("parent");
        Assert.Equal(["ac-obs-child"], await Ids(await c.GetAsync("/fhir/Observation")));
        Assert.Equal(["ac-obs-child"], await Ids(await c.GetAsync("/fhir/Observation?subject=Patient/ac-child")));
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync("/fhir/Patient/ac-child")).StatusCode);
        await Fhir.AssertOutcome(await c.GetAsync("/fhir/Patient/ac-kari"), 404);
    }

    [Fact]
    public async Task Gp_reads_listed_patients_and_gets_403_with_the_reason_for_others()
    {
        await SeedAsync();
        var c = server.ClientFor("gp");
        Assert.Equal(["ac-obs-listed"], await Ids(await c.GetAsync("/fhir/Observation?patient=Patient/ac-listed")));
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync("/fhir/Observation/ac-obs-listed")).StatusCode);
        var denied = await Fhir.AssertOutcome(await c.GetAsync("/fhir/Observation?patient=ac-other"), 403);
        Assert.Contains("care relationship", (string?)denied["issue"]![0]!["diagnostics"]);
        await Fhir.AssertOutcome(await c.GetAsync("/fhir/Observation/ac-obs-other"), 403);
        await Fhir.AssertOutcome(await c.GetAsync("/fhir/Patient/ac-other/$everything"), 403);
        var unnamed = await Fhir.AssertOutcome(await c.GetAsync("/fhir/Observation"), 403);
        Assert.Contains("Name the patient", (string?)unnamed["issue"]![0]!["diagnostics"]);
        await Fhir.AssertOutcome(await c.PutAsync("/fhir/Observation/ac-obs-other", Fhir.Json(Observation("ac-obs-other", "ac-other", "changed"))), 403);
        // Finding the patient by FNR names them: the GP has no relation with Kari.
        await Fhir.AssertOutcome(await c.GetAsync($"/fhir/Patient?identifier={Fnr}|15038500047"), 403);
    }

    [Fact]
    public async Task A_patient_named_by_fnr_is_looked_up_again_once_anything_was_written()
    {
        // The lookup of a number is kept only while nothing at all was written: moving the number to another
        // patient decides the very next request.
        await SeedAsync();
        const string number = "01028012019";
        JsonObject gpOf() => new() { ["identifier"] = new JsonObject { ["system"] = Hpr, ["value"] = "565501872" } };
        Assert.True((await _admin.PutAsync("/fhir/Patient/ac-fnr-first", Fhir.Json(Patient("ac-fnr-first", number, "1980-02-01", gpOf())))).IsSuccessStatusCode);
        var c = server.ClientFor("gp");
        var url = $"/fhir/Patient?identifier={Fnr}|{number}";
        Assert.Equal(["ac-fnr-first"], await Ids(await c.GetAsync(url), "Patient"));
        Assert.Equal(["ac-fnr-first"], await Ids(await c.GetAsync(url), "Patient")); // the kept lookup

        Assert.True((await _admin.PutAsync("/fhir/Patient/ac-fnr-first", Fhir.Json(Patient("ac-fnr-first", null, "1980-02-01", gpOf())))).IsSuccessStatusCode);
        Assert.True((await _admin.PutAsync("/fhir/Patient/ac-fnr-second", Fhir.Json(Patient("ac-fnr-second", number, "1980-02-01")))).IsSuccessStatusCode);
        // Now the number names a patient the GP has no relation with.
        await Fhir.AssertOutcome(await c.GetAsync(url), 403);
    }

    [Fact]
    public async Task Conditional_matches_in_a_transaction_stay_within_the_callers_reach()
    {
        await SeedAsync();
        var bundle = new JsonObject
        {
            ["resourceType"] = "Bundle", ["type"] = "transaction",
            ["entry"] = new JsonArray(new JsonObject
            {
                ["resource"] = Fhir.Patient(null, "Probe"),
                ["request"] = new JsonObject { ["method"] = "POST", ["url"] = "Patient", ["ifNoneExist"] = $"identifier={Fnr}|15038500047" },
            }),
        };
        var r = await server.ClientFor("parent").PostAsync("/fhir", Fhir.Json(bundle));
        var text = await r.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        Assert.DoesNotContain("ac-kari", text);
        Assert.DoesNotContain("1985-03-15", text);
    }

    [Fact]
    public async Task Emergency_access_needs_a_reason()
    {
        await SeedAsync();
        var noReason = server.ClientFor("gp", new MintOptions { Purpose = PurposeOfUse.EmergencyTreat });
        var refused = await Fhir.AssertOutcome(await noReason.GetAsync("/fhir/Observation?patient=ac-other"), 403);
        Assert.Contains("reason", (string?)refused["issue"]![0]!["diagnostics"]);
        var withReason = server.ClientFor("gp", new MintOptions { Purpose = PurposeOfUse.EmergencyTreat, PurposeDetails = "Bevisstløs i akuttmottak" });
        Assert.Equal(["ac-obs-other"], await Ids(await withReason.GetAsync("/fhir/Observation?patient=ac-other")));
    }

    [Fact]
    public async Task Emergency_access_notifies_the_patient_once_a_day_in_her_own_record()
    {
        await SeedAsync();
        // A patient of her own, so no other test's emergency access has notified her today.
        Assert.True((await _admin.PutAsync("/fhir/Patient/ac-varsel", Fhir.Json(Patient("ac-varsel", null, "1950-05-05")))).IsSuccessStatusCode);
        Assert.True((await _admin.PutAsync("/fhir/Observation/ac-obs-varsel", Fhir.Json(Observation("ac-obs-varsel", "ac-varsel", "varsel")))).IsSuccessStatusCode);
        var emergency = server.ClientFor("gp", new MintOptions { Purpose = PurposeOfUse.EmergencyTreat, PurposeDetails = "Bevisstløs i akuttmottak" });
        Assert.Equal(["ac-obs-varsel"], await Ids(await emergency.GetAsync("/fhir/Observation?patient=ac-varsel")));
        Assert.Equal(["ac-obs-varsel"], await Ids(await emergency.GetAsync("/fhir/Observation?patient=ac-varsel")));

        // Written after the access log's record is durable, so it may take a moment to appear.
        var reader = server.ClientFor("registry"); // the patient's own view is tested through the compartment rules
        var url = $"/fhir/Communication?subject=Patient/ac-varsel&category={CitizenNotifier.System}|{CitizenNotifier.EmergencyCode}";
        JsonArray notices = [];
        for (var i = 0; i < 200 && notices.Count == 0; i++)
        {
            var r = await reader.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            notices = JsonNode.Parse(await r.Content.ReadAsStringAsync())!["entry"]?.AsArray() ?? [];
            if (notices.Count == 0) await Task.Delay(50);
        }
        var notice = Assert.Single(notices)!["resource"]!; // two accesses, one notice
        Assert.Equal("Patient/ac-varsel", (string?)notice["recipient"]![0]!["reference"]);
        var text = (string)notice["payload"]![0]!["contentString"]!;
        Assert.Contains("akuttilgang", text);
        Assert.Contains("«Bevisstløs i akuttmottak»", text);
        Assert.Contains("HPR-nummer 565501872", text);

        // The notice is patient data written by the server: its write is in the access log too.
        var log = server.Services.GetRequiredService<AccessAuditor>().Log;
        var records = await log.QueryByPatientAsync("ac-varsel");
        Assert.Contains(records, r => r.ClientId == CitizenNotifier.ClientId && r.Action == AuditAction.Create
            && r.Resources.Contains("Communication/" + (string)notice["id"]!));
        // The citizen reads her notices in her own compartment; a GP without a relationship is refused.
        var kari = server.ClientFor("citizen");
        var own = await kari.GetAsync($"/fhir/Communication?subject=Patient/ac-kari&category={CitizenNotifier.System}|{CitizenNotifier.EmergencyCode}");
        Assert.True(own.StatusCode == HttpStatusCode.OK, await own.Content.ReadAsStringAsync());
        await Fhir.AssertOutcome(await kari.GetAsync(url), 404);
        await Fhir.AssertOutcome(await server.ClientFor("gp").GetAsync(url), 403);
    }

    [Fact]
    public async Task System_client_sees_all_within_its_scopes()
    {
        await SeedAsync();
        var c = server.ClientFor("registry"); // system/*.rs
        Assert.Equal(["ac-obs-child", "ac-obs-kari", "ac-obs-listed", "ac-obs-other"], await Ids(await c.GetAsync("/fhir/Observation?_count=1000")));
        var write = await Fhir.AssertOutcome(await c.PostAsync("/fhir/Observation", Fhir.Json(Observation("y", "ac-other", "x"))), 403);
        Assert.Contains("'c' on Observation", (string?)write["issue"]![0]!["diagnostics"]);
    }

    [Fact]
    public async Task Locked_sections_stay_hidden_unless_emergency()
    {
        await SeedAsync();
        var gp = server.ClientFor("gp");
        Assert.Empty(await Ids(await gp.GetAsync("/fhir/Observation?patient=ac-locked")));
        Assert.Equal(["ac-cond-locked"], await Ids(await gp.GetAsync("/fhir/Condition?patient=ac-locked"), "Condition"));
        await Fhir.AssertOutcome(await gp.GetAsync("/fhir/Observation/ac-obs-locked"), 404);
        var everything = await Fhir.Body(await gp.GetAsync("/fhir/Patient/ac-locked/$everything"));
        Assert.DoesNotContain(everything["entry"]!.AsArray(), e => (string?)e!["resource"]!["id"] == "ac-obs-locked");
        var registry = server.ClientFor("registry");
        await Fhir.AssertOutcome(await registry.GetAsync("/fhir/Observation/ac-obs-locked"), 404);
        var emergency = server.ClientFor("gp", new MintOptions { Purpose = PurposeOfUse.EmergencyTreat, PurposeDetails = "Hjertestans" });
        Assert.Equal(["ac-obs-locked"], await Ids(await emergency.GetAsync("/fhir/Observation?patient=ac-locked")));
    }

    [Fact]
    public async Task Accesses_are_audited_and_the_citizen_reads_her_own_log()
    {
        await SeedAsync();
        var reason = "Akutt innleggelse " + Guid.NewGuid().ToString("N")[..6];
        var emergency = server.ClientFor("gp", new MintOptions { Purpose = PurposeOfUse.EmergencyTreat, PurposeDetails = reason });
        Assert.Single(await Ids(await emergency.GetAsync("/fhir/Observation?patient=ac-kari")));
        var gp = server.ClientFor("gp");
        await Fhir.AssertOutcome(await gp.GetAsync("/fhir/Observation?patient=ac-kari"), 403);
        var created = await Fhir.Body(await _admin.PostAsync("/fhir/Observation", Fhir.Json(Observation("ignored", "ac-kari", "new"))));

        var log = server.Services.GetRequiredService<AccessAuditor>().Log;
        var records = await log.QueryByPatientAsync("ac-kari");
        var flagged = Assert.Single(records, r => r.EmergencyReason == reason);
        Assert.True(flagged.Emergency);
        Assert.Equal(AuditAction.Search, flagged.Action);
        Assert.Contains("Observation/ac-obs-kari", flagged.Resources);
        Assert.Contains(records, r => r.Outcome == AuditOutcome.Denied && r.HprNumber == "565501872" && r.OutcomeDetail!.Contains("care relationship"));
        Assert.Contains(records, r => r.Action == AuditAction.Create && r.Resources.Contains($"Observation/{created["id"]}"));

        // The citizen reads her own log; another patient's log comes back empty, and personnel cannot read it.
        var citizen = server.ClientFor("citizen");
        var own = await Fhir.Body(await citizen.GetAsync("/fhir/AuditEvent?patient=ac-kari"));
        Assert.Contains(reason, own.ToJsonString());
        var others = await Fhir.Body(await citizen.GetAsync("/fhir/AuditEvent?patient=ac-other"));
        Assert.Empty(others["entry"]?.AsArray() ?? []);
        await Fhir.AssertOutcome(await gp.GetAsync("/fhir/AuditEvent?patient=ac-kari"), 403);
        await Fhir.AssertOutcome(await server.ClientFor("registry").GetAsync("/fhir/AuditEvent?patient=ac-kari"), 403);
        await Fhir.AssertOutcome(await _admin.GetAsync("/fhir/AuditEvent?patient=ac-kari"), 403); // system/*.cruds does not name the log
        await Fhir.AssertOutcome(await _admin.PostAsync("/fhir/AuditEvent", Fhir.Json(new JsonObject { ["resourceType"] = "AuditEvent" })), 405);
        var auditor = server.ClientFor("registry", new MintOptions { Scopes = "system/AuditEvent.rs" });
        Assert.Contains(reason, await auditor.GetStringAsync("/fhir/AuditEvent?patient=ac-kari"));
    }

    [Fact]
    public async Task Scopes_limit_types_and_interactions()
    {
        await SeedAsync();
        var pharmacist = server.ClientFor("pharmacist"); // no Observation scope
        await Fhir.AssertOutcome(await pharmacist.GetAsync("/fhir/Observation?patient=ac-listed"), 403);
        var citizen = server.ClientFor("citizen", new MintOptions { Scopes = "patient/Patient.r" });
        await Fhir.AssertOutcome(await citizen.GetAsync("/fhir/Observation?patient=ac-kari"), 403);
        Assert.Equal(HttpStatusCode.OK, (await citizen.GetAsync("/fhir/Patient/ac-kari")).StatusCode);
        await Fhir.AssertOutcome(await citizen.GetAsync("/fhir/_history"), 403);
    }
}
