using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Fellesjournal.Server.Tests;

public class SearchTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private readonly HttpClient _c = server.CreateClient();

    [Fact]
    public async Task Search_by_id_returns_a_searchset_with_self_link()
    {
        var a = (string)(await Fhir.Create(_c, Fhir.Patient()))["id"]!;
        var b = (string)(await Fhir.Create(_c, Fhir.Patient()))["id"]!;
        var r = await _c.GetAsync($"/fhir/Patient?_id={a},{b}&_total=accurate");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var bundle = await Fhir.Body(r);
        Assert.Equal("searchset", (string?)bundle["type"]);
        Assert.Equal(2, (int?)bundle["total"]);
        Assert.Equal(2, bundle["entry"]!.AsArray().Count);
        Assert.Equal("match", (string?)bundle["entry"]![0]!["search"]!["mode"]);
        var self = (string?)bundle["link"]![0]!["url"];
        Assert.Contains($"_id={a},{b}", self);
    }

    [Fact]
    public async Task Search_pages_with_next_links()
    {
        var ids = new List<string>();
        for (var i = 0; i < 5; i++) ids.Add((string)(await Fhir.Create(_c, Fhir.Patient()))["id"]!);
        var url = $"/fhir/Patient?_id={string.Join(',', ids)}&_count=2";
        var seen = new List<string>();
        for (var guard = 0; url is not null && guard < 10; guard++)
        {
            var bundle = await Fhir.Body(await _c.GetAsync(url));
            seen.AddRange(bundle["entry"]?.AsArray().Select(e => (string)e!["resource"]!["id"]!) ?? []);
            var next = bundle["link"]!.AsArray().FirstOrDefault(l => (string?)l!["relation"] == "next");
            url = next is null ? null : new Uri((string)next["url"]!).PathAndQuery;
        }
        Assert.Equal(ids.OrderBy(x => x), seen.OrderBy(x => x));
    }

    [Fact]
    public async Task Unknown_parameters_strict_400_lenient_ignored()
    {
        var strict = Fhir.Request(HttpMethod.Get, "/fhir/Patient?fooparam=1", null, ("Prefer", "handling=strict"));
        var oo = await Fhir.AssertOutcome(await _c.SendAsync(strict), 400);
        Assert.Equal("fooparam", (string?)oo["issue"]![0]!["expression"]![0]);
        var lenient = await _c.GetAsync("/fhir/Patient?fooparam=1&_count=1");
        Assert.Equal(HttpStatusCode.OK, lenient.StatusCode);
        var bundle = await Fhir.Body(lenient);
        Assert.DoesNotContain("fooparam", (string?)bundle["link"]![0]!["url"]);
        Assert.Contains(bundle["entry"]!.AsArray(), e => (string?)e!["search"]!["mode"] == "outcome");
        await Fhir.AssertOutcome(await _c.GetAsync("/fhir/Patient?_count=abc"), 400);
    }

    [Fact]
    public async Task Criteria_reach_the_store_index()
    {
        var family = "Søk" + Guid.NewGuid().ToString("N")[..8];
        var p = Fhir.Patient(null, family);
        p["identifier"] = new JsonArray(new JsonObject { ["system"] = "urn:example:mrn", ["value"] = family });
        var id = (string)(await Fhir.Create(_c, p))["id"]!;
        await Fhir.Create(_c, Fhir.Patient(null, "Other" + family));
        var byFamily = await Fhir.Body(await _c.GetAsync($"/fhir/Patient?family:exact={Uri.EscapeDataString(family)}"));
        Assert.Equal([id], byFamily["entry"]!.AsArray().Select(e => (string)e!["resource"]!["id"]!));
        var byIdentifier = await Fhir.Body(await _c.GetAsync($"/fhir/Patient?identifier=urn:example:mrn|{Uri.EscapeDataString(family)}"));
        Assert.Single(byIdentifier["entry"]!.AsArray());
        // _sort is supported now; _filter is not, and strict handling names it.
        var sorted = Fhir.Request(HttpMethod.Get, "/fhir/Patient?_sort=family", null, ("Prefer", "handling=strict"));
        Assert.Equal(HttpStatusCode.OK, (await _c.SendAsync(sorted)).StatusCode);
        var filter = Fhir.Request(HttpMethod.Get, "/fhir/Patient?_filter=x", null, ("Prefer", "handling=strict"));
        Assert.Contains("_filter", (await Fhir.AssertOutcome(await _c.SendAsync(filter), 400)).ToJsonString());
    }

    [Fact]
    public async Task Post_search_and_summary_count()
    {
        var a = (string)(await Fhir.Create(_c, Fhir.Patient()))["id"]!;
        var form = new FormUrlEncodedContent([new("_id", a)]);
        var r = await _c.PostAsync("/fhir/Patient/_search", form);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Single((await Fhir.Body(r))["entry"]!.AsArray());
        var count = await Fhir.Body(await _c.GetAsync($"/fhir/Patient?_id={a}&_summary=count"));
        Assert.Equal(1, (int?)count["total"]);
        Assert.Empty(count["entry"]!.AsArray());
        await Fhir.AssertOutcome(await _c.PostAsync("/fhir/Patient/_search", Fhir.Json("{}")), 415);
        var summarized = await Fhir.Body(await _c.GetAsync($"/fhir/Patient?_id={a}&_summary=true"));
        var res = summarized["entry"]![0]!["resource"]!;
        Assert.Contains(res["meta"]!["tag"]!.AsArray(), t => (string?)t!["code"] == "SUBSETTED");
        var onlyGender = await Fhir.Body(await _c.GetAsync($"/fhir/Patient?_id={a}&_elements=gender"));
        Assert.Null(onlyGender["entry"]![0]!["resource"]!["name"]);
        Assert.Equal("female", (string?)onlyGender["entry"]![0]!["resource"]!["gender"]);
    }
}
