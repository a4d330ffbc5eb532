using System.Net;
using System.Text.Json.Nodes;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Server.Tests;

/// <summary>SMART v2 scope restrictions (<c>Observation.rs?category=…|laboratory</c>) bound every path over HTTP.</summary>
public class ScopeRestrictionTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Categories = "http://terminology.hl7.org/CodeSystem/observation-category";
    private const string LabOnly =
        $"system/Patient.rs system/DiagnosticReport.rs system/Observation.crus?category={Categories}|laboratory";

    private readonly HttpClient _admin = server.CreateClient();
    private HttpClient Client(string scopes) => server.ClientFor("registry", new MintOptions { Scopes = scopes });

    private static JsonObject Observation(string id, string patient, string category) => new()
    {
        ["resourceType"] = "Observation", ["id"] = id, ["status"] = "final",
        ["category"] = new JsonArray(new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = Categories, ["code"] = category }) }),
        ["code"] = new JsonObject { ["text"] = category },
        ["subject"] = new JsonObject { ["reference"] = $"Patient/{patient}" },
    };

    /// <summary>A patient with one laboratory and one vital-signs Observation, and a report naming both.</summary>
    private async Task<(string Patient, string Lab, string Vital, string Report)> SeedAsync()
    {
        var s = Guid.NewGuid().ToString("N")[..10];
        var (p, lab, vital, report) = ("sr-p" + s, "sr-lab" + s, "sr-vit" + s, "sr-dr" + s);
        Assert.Equal(HttpStatusCode.Created, (await _admin.PutAsync($"/fhir/Patient/{p}", Fhir.Json(Fhir.Patient(p)))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _admin.PutAsync($"/fhir/Observation/{lab}", Fhir.Json(Observation(lab, p, "laboratory")))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _admin.PutAsync($"/fhir/Observation/{vital}", Fhir.Json(Observation(vital, p, "vital-signs")))).StatusCode);
        var dr = new JsonObject
        {
            ["resourceType"] = "DiagnosticReport", ["id"] = report, ["status"] = "final", ["code"] = new JsonObject { ["text"] = "panel" },
            ["subject"] = new JsonObject { ["reference"] = $"Patient/{p}" },
            ["result"] = new JsonArray(new JsonObject { ["reference"] = $"Observation/{lab}" }, new JsonObject { ["reference"] = $"Observation/{vital}" }),
        };
        Assert.Equal(HttpStatusCode.Created, (await _admin.PutAsync($"/fhir/DiagnosticReport/{report}", Fhir.Json(dr))).StatusCode);
        return (p, lab, vital, report);
    }

    private static List<string> Ids(JsonObject bundle, string type) =>
        (bundle["entry"]?.AsArray() ?? []).Select(e => e!["resource"]).Where(r => (string?)r?["resourceType"] == type)
            .Select(r => (string)r!["id"]!).ToList();

    [Fact]
    public async Task Search_and_total_reach_only_the_restricted_category()
    {
        var (p, lab, vital, _) = await SeedAsync();
        var all = await Fhir.Body(await _admin.GetAsync($"/fhir/Observation?subject=Patient/{p}&_total=accurate"));
        Assert.Equal(2, (int)all["total"]!);

        var r = await Client(LabOnly).GetAsync($"/fhir/Observation?subject=Patient/{p}&_total=accurate");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var b = await Fhir.Body(r);
        Assert.Equal([lab], Ids(b, "Observation"));
        Assert.Equal(1, (int)b["total"]!);
        Assert.DoesNotContain(vital, b.ToJsonString());
    }

    [Fact]
    public async Task Included_resources_of_a_restricted_type_are_checked()
    {
        var (p, lab, vital, report) = await SeedAsync();
        var c = Client(LabOnly);
        var inc = await Fhir.Body(await c.GetAsync($"/fhir/DiagnosticReport?_id={report}&_include=DiagnosticReport:result"));
        Assert.Equal([report], Ids(inc, "DiagnosticReport"));
        Assert.Equal([lab], Ids(inc, "Observation"));
        var rev = await Fhir.Body(await c.GetAsync($"/fhir/Patient?_id={p}&_revinclude=Observation:subject"));
        Assert.Equal([lab], Ids(rev, "Observation"));
        Assert.DoesNotContain(vital, rev.ToJsonString());
    }

    [Fact]
    public async Task Read_vread_and_history_outside_the_restriction_answer_404()
    {
        var (_, lab, vital, _) = await SeedAsync();
        var c = Client(LabOnly);
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync($"/fhir/Observation/{lab}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync($"/fhir/Observation/{lab}/_history/1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync($"/fhir/Observation/{lab}/_history")).StatusCode);
        await Fhir.AssertOutcome(await c.GetAsync($"/fhir/Observation/{vital}"), 404);
        await Fhir.AssertOutcome(await c.GetAsync($"/fhir/Observation/{vital}/_history/1"), 404);
        await Fhir.AssertOutcome(await c.GetAsync($"/fhir/Observation/{vital}/_history"), 404);

        var typeHistory = await Fhir.Body(await c.GetAsync("/fhir/Observation/_history?_count=1000"));
        Assert.Contains(lab, Ids(typeHistory, "Observation"));
        Assert.DoesNotContain(vital, Ids(typeHistory, "Observation"));
    }

    [Fact]
    public async Task Writes_outside_the_restriction_are_refused()
    {
        var (p, lab, vital, _) = await SeedAsync();
        var c = Client(LabOnly);
        var id = "sr-new" + Guid.NewGuid().ToString("N")[..8];
        await Fhir.AssertOutcome(await c.PutAsync($"/fhir/Observation/{id}", Fhir.Json(Observation(id, p, "vital-signs"))), 403);
        await Fhir.AssertOutcome(await c.PostAsync("/fhir/Observation", Fhir.Json(Observation(id, p, "vital-signs"))), 403);
        Assert.Equal(HttpStatusCode.Created, (await c.PutAsync($"/fhir/Observation/{id}", Fhir.Json(Observation(id, p, "laboratory")))).StatusCode);
        // Moving a lab result out of the category, or a vital sign into it, is refused as well.
        await Fhir.AssertOutcome(await c.PutAsync($"/fhir/Observation/{lab}", Fhir.Json(Observation(lab, p, "vital-signs"))), 403);
        var moved = await c.PutAsync($"/fhir/Observation/{vital}", Fhir.Json(Observation(vital, p, "laboratory")));
        Assert.Equal(403, (int)moved.StatusCode);
        var still = await Fhir.Body(await _admin.GetAsync($"/fhir/Observation/{vital}"));
        Assert.Equal("vital-signs", (string?)still["category"]![0]!["coding"]![0]!["code"]);
    }

    [Fact]
    public async Task Restrictions_the_query_cannot_combine_are_refused_not_dropped()
    {
        var (p, _, _, _) = await SeedAsync();
        // Two alternatives on one parameter are an OR of values: both categories.
        var either = Client($"system/Observation.rs?category={Categories}|laboratory system/Observation.rs?category={Categories}|vital-signs");
        var b = await Fhir.Body(await either.GetAsync($"/fhir/Observation?subject=Patient/{p}&_total=accurate"));
        Assert.Equal(2, (int)b["total"]!);
        // Alternatives on different parameters are an OR of AND-groups the store query cannot express.
        var mixed = Client($"system/Observation.rs?category={Categories}|laboratory system/Observation.rs?status=final");
        await Fhir.AssertOutcome(await mixed.GetAsync($"/fhir/Observation?subject=Patient/{p}"), 403);
        // Chains and _has into the restricted type would filter on hidden Observations.
        var lab = Client(LabOnly);
        Assert.Equal(HttpStatusCode.OK, (await lab.GetAsync($"/fhir/DiagnosticReport?subject=Patient/{p}&subject:Patient.name=Nordmann")).StatusCode);
        foreach (var url in new[] { $"/fhir/DiagnosticReport?subject=Patient/{p}&result.code:text=vital", $"/fhir/Patient?_id={p}&_has:Observation:subject:code:text=vital" })
            Assert.Contains("restriction", (await Fhir.AssertOutcome(await lab.GetAsync(url), 403)).ToJsonString());
    }

    [Fact]
    public async Task A_restriction_on_a_non_token_parameter_is_checked_by_the_store_on_reads_and_refused_on_versions()
    {
        var (p, lab, _, _) = await SeedAsync();
        var dated = "sr-dated" + Guid.NewGuid().ToString("N")[..8];
        var o = Observation(dated, p, "laboratory");
        o["effectiveDateTime"] = "2024-03-01";
        Assert.Equal(HttpStatusCode.Created, (await _admin.PutAsync($"/fhir/Observation/{dated}", Fhir.Json(o))).StatusCode);

        var recent = Client("system/Observation.rs?date=ge2020-01-01");
        Assert.Equal(HttpStatusCode.OK, (await recent.GetAsync($"/fhir/Observation/{dated}")).StatusCode);
        await Fhir.AssertOutcome(await recent.GetAsync($"/fhir/Observation/{lab}"), 404);
        var b = await Fhir.Body(await recent.GetAsync($"/fhir/Observation?subject=Patient/{p}"));
        Assert.Equal([dated], Ids(b, "Observation"));
        await Fhir.AssertOutcome(await recent.GetAsync($"/fhir/Observation/{dated}/_history/1"), 403);
    }
}
