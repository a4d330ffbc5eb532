using System.Net;
using System.Text.Json.Nodes;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Server.Tests;

/// <summary>_contained and _containedType over HTTP: Bundles, fullUrls, paging links, strict handling, and the caller's
/// reach (compartment and scopes) applied to the containers. Expected entries are written out by hand.</summary>
public class SearchContainedHttpTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Fnr = "urn:oid:2.16.578.1.12.4.1.4.1";
    private const string Rx = "http://www.nlm.nih.gov/research/umls/rxnorm";
    private readonly HttpClient _admin = server.CreateClient();

    private static JsonObject Med(string id, string code) => new()
    {
        ["resourceType"] = "Medication", ["id"] = id,
        ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = Rx, ["code"] = code }) },
    };

    private static JsonObject Request(string id, string patient, params JsonObject[] contained)
    {
        var r = new JsonObject
        {
            ["resourceType"] = "MedicationRequest", ["id"] = id, ["status"] = "active", ["intent"] = "order",
            ["subject"] = new JsonObject { ["reference"] = "Patient/" + patient },
            ["contained"] = new JsonArray(contained),
            ["medicationReference"] = new JsonObject { ["reference"] = "#" + (string)contained[0]["id"]! },
        };
        // Every contained resource is referred to from its container (dom-3).
        if (contained.Length > 1)
            r["supportingInformation"] = new JsonArray(contained.Skip(1).Select(c => (JsonNode)new JsonObject { ["reference"] = "#" + (string)c["id"]! }).ToArray());
        return r;
    }

    /// <summary>Kari (the citizen persona's FNR) and another patient, each with a MedicationRequest that contains
    /// Medication 1049221; Kari's also contains 2222.</summary>
    private async Task SeedAsync()
    {
        var kari = Fhir.Patient("ck-kari");
        kari["identifier"] = new JsonArray(new JsonObject { ["system"] = Fnr, ["value"] = "15038500047" });
        JsonObject[] resources =
        [
            kari, Fhir.Patient("ck-other"),
            Request("ck-mr-kari", "ck-kari", Med("med1", "1049221"), Med("med2", "2222")),
            Request("ck-mr-other", "ck-other", Med("med1", "1049221")),
        ];
        foreach (var r in resources)
        {
            var resp = await _admin.PutAsync($"/fhir/{r["resourceType"]}/{r["id"]}", Fhir.Json(r));
            Assert.True(resp.IsSuccessStatusCode, await resp.Content.ReadAsStringAsync());
        }
    }

    /// <summary>Match entries as fullUrl path after /fhir/ and resource type.</summary>
    private static async Task<List<string>> Entries(HttpResponseMessage r)
    {
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, text);
        var bundle = JsonNode.Parse(text)!;
        return (bundle["entry"]?.AsArray() ?? []).Where(e => (string?)e!["search"]?["mode"] == "match")
            .Select(e => ((string)e!["fullUrl"]!)[(((string)e["fullUrl"]!).IndexOf("/fhir/", StringComparison.Ordinal) + 6)..] +
                         " " + (string)e["resource"]!["resourceType"]!).Order(StringComparer.Ordinal).ToList();
    }

    [Fact]
    public async Task Containers_or_contained_resources_with_their_fullUrl()
    {
        await SeedAsync();
        var code = $"code={Rx}|1049221";
        Assert.Equal(["MedicationRequest/ck-mr-kari MedicationRequest", "MedicationRequest/ck-mr-other MedicationRequest"],
            await Entries(await _admin.GetAsync($"/fhir/Medication?{code}&_contained=true")));
        Assert.Equal(["MedicationRequest/ck-mr-kari#med1 Medication", "MedicationRequest/ck-mr-other#med1 Medication"],
            await Entries(await _admin.GetAsync($"/fhir/Medication?{code}&_contained=true&_containedType=contained")));
        Assert.Empty(await Entries(await _admin.GetAsync($"/fhir/Medication?{code}")));
        // Two criteria on two contained resources of one container do not match.
        Assert.Empty(await Entries(await _admin.GetAsync($"/fhir/Medication?{code}&_id=med2&_contained=true")));
        Assert.Equal(["MedicationRequest/ck-mr-kari#med2 Medication"],
            await Entries(await _admin.GetAsync($"/fhir/Medication?_id=med2&_contained=both&_containedType=contained")));
        // The contained resource itself, as stored in its container.
        var bundle = await Fhir.Body(await _admin.GetAsync($"/fhir/Medication?_id=med2&_contained=true&_containedType=contained"));
        var med = bundle["entry"]![0]!["resource"]!;
        Assert.Equal("2222", (string)med["code"]!["coding"]![0]!["code"]!);
    }

    [Fact]
    public async Task Paging_links_keep_the_contained_parameters()
    {
        await SeedAsync();
        var first = await Fhir.Body(await _admin.GetAsync($"/fhir/Medication?code={Rx}|1049221&_contained=true&_containedType=contained&_count=1&_total=accurate"));
        Assert.Equal(2, (int)first["total"]!);
        Assert.Single(first["entry"]!.AsArray());
        var next = (string)first["link"]!.AsArray().First(l => (string?)l!["relation"] == "next")!["url"]!;
        Assert.Contains("_containedType=contained", next);
        var second = await Fhir.Body(await _admin.GetAsync(next));
        var urls = new[] { first, second }.Select(b => (string)b["entry"]![0]!["fullUrl"]!).ToList();
        Assert.EndsWith("/fhir/MedicationRequest/ck-mr-kari#med1", urls[0]);
        Assert.EndsWith("/fhir/MedicationRequest/ck-mr-other#med1", urls[1]);
        Assert.DoesNotContain(second["link"]!.AsArray(), l => (string?)l!["relation"] == "next");
    }

    [Fact]
    public async Task A_caller_finds_only_contained_resources_of_containers_within_reach()
    {
        await SeedAsync();
        var citizen = server.ClientFor("citizen");
        var code = $"code={Rx}|1049221";
        Assert.Equal(["MedicationRequest/ck-mr-kari MedicationRequest"], await Entries(await citizen.GetAsync($"/fhir/Medication?{code}&_contained=true")));
        Assert.Equal(["MedicationRequest/ck-mr-kari#med1 Medication"],
            await Entries(await citizen.GetAsync($"/fhir/Medication?{code}&_contained=true&_containedType=contained")));
        // A client that may search Medication but not MedicationRequest reaches no container.
        var medOnly = server.ClientFor("registry", new MintOptions { Scopes = "system/Medication.rs" });
        Assert.Empty(await Entries(await medOnly.GetAsync($"/fhir/Medication?{code}&_contained=true&_containedType=contained")));
        Assert.Empty(await Entries(await medOnly.GetAsync($"/fhir/Medication?{code}&_contained=true")));
    }

    [Fact]
    public async Task Invalid_values_are_400_and_criteria_without_contained_index_follow_handling()
    {
        await SeedAsync();
        await Fhir.AssertOutcome(await _admin.GetAsync("/fhir/Medication?_contained=maybe"), 400);
        await Fhir.AssertOutcome(await _admin.GetAsync("/fhir/Medication?_containedType=nested"), 400);
        var strict = Fhir.Request(HttpMethod.Get, "/fhir/Medication?_text=x&_contained=true", null, ("Prefer", "handling=strict"));
        var oo = await Fhir.AssertOutcome(await _admin.SendAsync(strict), 400);
        Assert.Contains("_text", oo.ToJsonString());
        // Lenient: _text is ignored (with a warning), so every container of a Medication matches.
        Assert.Equal(["MedicationRequest/ck-mr-kari MedicationRequest", "MedicationRequest/ck-mr-other MedicationRequest"],
            await Entries(await _admin.GetAsync("/fhir/Medication?_text=x&_contained=true")));
    }

    [Fact]
    public async Task A_new_version_without_the_contained_resource_no_longer_matches()
    {
        await SeedAsync();
        var other = Request("ck-mr-other", "ck-other", Med("med9", "9999"));
        Assert.True((await _admin.PutAsync("/fhir/MedicationRequest/ck-mr-other", Fhir.Json(other))).IsSuccessStatusCode);
        Assert.Equal(["MedicationRequest/ck-mr-kari#med1 Medication"],
            await Entries(await _admin.GetAsync($"/fhir/Medication?code={Rx}|1049221&_contained=true&_containedType=contained")));
    }
}
