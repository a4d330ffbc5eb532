using System.Net;
using System.Text.Json.Nodes;

namespace Fellesjournal.Server.Tests;

/// <summary>The search API over HTTP: handling of unknown parameters, errors, includes, compartments, sorted paging.</summary>
public class SearchApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private readonly HttpClient _c = server.CreateClient();

    private static List<string> Ids(JsonObject bundle, string mode = "match") =>
        bundle["entry"]?.AsArray().Where(e => (string?)e!["search"]?["mode"] == mode)
            .Select(e => (string)e!["resource"]!["resourceType"]! + "/" + (string)e!["resource"]!["id"]!).ToList() ?? [];

    private static string? Link(JsonObject bundle, string rel) =>
        (string?)bundle["link"]!.AsArray().FirstOrDefault(l => (string?)l!["relation"] == rel)?["url"];

    /// <summary>A patient with a unique family name and two Observations, one with a Provenance.</summary>
    private async Task<(string Family, string Pid, string O1, string O2)> World()
    {
        var family = "Åsheim" + Guid.NewGuid().ToString("N")[..8];
        var pid = (string)(await Fhir.Create(_c, Fhir.Patient(null, family)))["id"]!;
        JsonObject Obs(string code, string date) => new()
        {
            ["resourceType"] = "Observation", ["status"] = "final",
            ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = code }) },
            ["subject"] = new JsonObject { ["reference"] = "Patient/" + pid },
            ["effectiveDateTime"] = date,
        };
        var o1 = (string)(await Fhir.Create(_c, Obs("2339-0", "2024-01-10")))["id"]!;
        var o2 = (string)(await Fhir.Create(_c, Obs("29463-7", "2024-02-10")))["id"]!;
        await Fhir.Create(_c, new JsonObject
        {
            ["resourceType"] = "Provenance", ["recorded"] = "2024-01-10T10:00:00Z",
            ["target"] = new JsonArray(new JsonObject { ["reference"] = "Observation/" + o1 }, new JsonObject { ["reference"] = "Patient/" + pid }),
            ["agent"] = new JsonArray(new JsonObject { ["who"] = new JsonObject { ["reference"] = "Patient/" + pid } }),
        });
        return (family, pid, o1, o2);
    }

    [Fact]
    public async Task Unknown_parameters_strict_is_400_naming_it_lenient_is_ignored_and_left_out_of_self()
    {
        var strict = Fhir.Request(HttpMethod.Get, "/fhir/Patient?foo=1&gender=female", null, ("Prefer", "handling=strict"));
        var oo = await Fhir.AssertOutcome(await _c.SendAsync(strict), 400);
        Assert.Contains("foo", oo.ToJsonString());
        var lenient = await Fhir.Body(await _c.GetAsync("/fhir/Patient?foo=1&gender=female&_count=1"));
        var self = Link(lenient, "self")!;
        Assert.DoesNotContain("foo", self);
        Assert.Contains("gender=female", self);
    }

    [Fact]
    public async Task Contained_parameters_are_accepted_strict_and_invalid_values_are_400()
    {
        var (family, pid, _, _) = await World();
        var ok = Fhir.Request(HttpMethod.Get, $"/fhir/Patient?family={family}&_contained=false&_containedType=container", null, ("Prefer", "handling=strict"));
        var bundle = await Fhir.Body(await _c.SendAsync(ok));
        Assert.Equal(["Patient/" + pid], Ids(bundle));
        Assert.Contains("_contained=false", Link(bundle, "self")!);
        // The patient is not contained anywhere: both finds it, true finds nothing.
        var both = Fhir.Request(HttpMethod.Get, $"/fhir/Patient?family={family}&_contained=both&_containedType=contained", null, ("Prefer", "handling=strict"));
        Assert.Equal(["Patient/" + pid], Ids(await Fhir.Body(await _c.SendAsync(both))));
        Assert.Empty(Ids(await Fhir.Body(await _c.GetAsync($"/fhir/Patient?family={family}&_contained=true"))));
        foreach (var q in new[] { "_contained=yes", "_containedType=inside" })
        {
            var oo = await Fhir.AssertOutcome(await _c.GetAsync($"/fhir/Patient?family={family}&{q}"), 400);
            Assert.Contains(q.Split('=')[0], oo.ToJsonString());
        }
    }

    [Theory]
    [InlineData("/fhir/Patient?birthdate=2024-13-40", "birthdate")]
    [InlineData("/fhir/Observation?value-quantity=xx5", "value-quantity")]
    [InlineData("/fhir/Patient?_sort=nonsense", "_sort")]
    [InlineData("/fhir/Patient?_count=abc", "_count")]
    [InlineData("/fhir/Patient?_total=maybe", "_total")]
    [InlineData("/fhir/Patient?_include=Nope:x", "_include")]
    [InlineData("/fhir/Patient?_cursor=zzz&_sort=birthdate", "_cursor")]
    public async Task Malformed_values_are_400_with_the_parameter(string url, string param)
    {
        var oo = await Fhir.AssertOutcome(await _c.GetAsync(url), 400);
        Assert.Contains(param, oo.ToJsonString());
    }

    [Fact]
    public async Task Chain_has_include_and_revinclude()
    {
        var (family, pid, o1, o2) = await World();
        var chained = await Fhir.Body(await _c.GetAsync($"/fhir/Observation?subject:Patient.family={family}&code=2339-0"));
        Assert.Equal([$"Observation/{o1}"], Ids(chained));
        var has = await Fhir.Body(await _c.GetAsync($"/fhir/Patient?_has:Observation:subject:code=29463-7&family={family}"));
        Assert.Equal([$"Patient/{pid}"], Ids(has));
        var inc = await Fhir.Body(await _c.GetAsync(
            $"/fhir/Observation?subject={pid}&_sort=date&_include=Observation:subject&_revinclude=Provenance:target"));
        Assert.Equal([$"Observation/{o1}", $"Observation/{o2}"], Ids(inc));
        var included = Ids(inc, "include");
        Assert.Equal(2, included.Count);
        Assert.Contains($"Patient/{pid}", included);
        Assert.Contains(included, x => x.StartsWith("Provenance/"));
    }

    [Fact]
    public async Task Compartment_search_and_everything()
    {
        var (_, pid, o1, o2) = await World();
        var obs = await Fhir.Body(await _c.GetAsync($"/fhir/Patient/{pid}/Observation?_sort=-date"));
        Assert.Equal([$"Observation/{o2}", $"Observation/{o1}"], Ids(obs));
        var star = Ids(await Fhir.Body(await _c.GetAsync($"/fhir/Patient/{pid}/*")));
        Assert.Contains($"Patient/{pid}", star);
        Assert.Contains($"Observation/{o1}", star);
        Assert.Contains(star, x => x.StartsWith("Provenance/"));   // Provenance.patient (a Patient target) puts it in the compartment
        var everything = Ids(await Fhir.Body(await _c.GetAsync($"/fhir/Patient/{pid}/$everything?_type=Observation")));
        Assert.Equal(2, everything.Count);
        await Fhir.AssertOutcome(await _c.GetAsync("/fhir/Patient/does-not-exist/Observation"), 404);
        await Fhir.AssertOutcome(await _c.GetAsync($"/fhir/Patient/{pid}/Organization"), 400);
    }

    [Fact]
    public async Task Sorted_paging_follows_next_links_with_first_link()
    {
        var family = "Ødegård" + Guid.NewGuid().ToString("N")[..8];
        var dates = new[] { "1990-01-01", "1970-01-01", "2000-01-01", "1980-01-01", "1960-01-01" };
        foreach (var d in dates)
        {
            var p = Fhir.Patient(null, family);
            p["birthDate"] = d;
            await Fhir.Create(_c, p);
        }
        var url = $"/fhir/Patient?family={Uri.EscapeDataString(family)}&_sort=-birthdate&_count=2&_elements=birthDate";
        var seen = new List<string>();
        for (var guard = 0; url is not null && guard < 10; guard++)
        {
            var bundle = await Fhir.Body(await _c.GetAsync(url));
            Assert.NotNull(Link(bundle, "first"));
            seen.AddRange(bundle["entry"]!.AsArray().Select(e => (string)e!["resource"]!["birthDate"]!));
            url = Link(bundle, "next") is { } next ? new Uri(next).PathAndQuery : null;
        }
        Assert.Equal(["2000-01-01", "1990-01-01", "1980-01-01", "1970-01-01", "1960-01-01"], seen);
    }
}
