using System.Text.Json.Nodes;

namespace Fellesjournal.Server.Tests;

/// <summary>Search over HTTP: previous/last links, _total modes, full text and the new modifiers' error handling.</summary>
public class SearchPagingHttpTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private readonly HttpClient _c = server.CreateClient();

    private static string? Link(JsonObject bundle, string rel) =>
        (string?)bundle["link"]!.AsArray().FirstOrDefault(l => (string?)l!["relation"] == rel)?["url"];

    private static string Births(JsonObject bundle) =>
        string.Join(",", bundle["entry"]?.AsArray().Select(e => (string)e!["resource"]!["birthDate"]!) ?? []);

    private async Task<string> Family(params string[] births)
    {
        var family = "Ørsta" + Guid.NewGuid().ToString("N")[..8];
        foreach (var d in births)
        {
            var p = Fhir.Patient(null, family);
            p["birthDate"] = d;
            await Fhir.Create(_c, p);
        }
        return family;
    }

    [Fact]
    public async Task Next_then_previous_links_walk_the_same_pages_and_last_is_the_end()
    {
        var family = await Family("1990-01-01", "1970-01-01", "2000-01-01", "1980-01-01", "1960-01-01");
        string? url = $"/fhir/Patient?family={Uri.EscapeDataString(family)}&_sort=birthdate&_count=2";
        var forward = new List<string>();
        JsonObject bundle = null!;
        for (var guard = 0; url is not null && guard < 10; guard++)
        {
            bundle = await Fhir.Body(await _c.GetAsync(url));
            forward.Add(Births(bundle));
            url = Link(bundle, "next") is { } next ? new Uri(next).PathAndQuery : null;
        }
        Assert.Equal(["1960-01-01,1970-01-01", "1980-01-01,1990-01-01", "2000-01-01"], forward);
        var backward = new List<string> { forward[^1] };
        url = Link(bundle, "previous") is { } p0 ? new Uri(p0).PathAndQuery : null;
        for (var guard = 0; url is not null && guard < 10; guard++)
        {
            bundle = await Fhir.Body(await _c.GetAsync(url));
            backward.Insert(0, Births(bundle));
            url = Link(bundle, "previous") is { } prev ? new Uri(prev).PathAndQuery : null;
        }
        Assert.Equal(forward, backward);
        Assert.Null(Link(bundle, "previous"));
        var last = await Fhir.Body(await _c.GetAsync(new Uri(Link(bundle, "last")!).PathAndQuery));
        Assert.Equal("1990-01-01,2000-01-01", Births(last));
        Assert.Null(Link(last, "next"));
        Assert.NotNull(Link(last, "previous"));
    }

    [Fact]
    public async Task Total_none_estimate_and_accurate()
    {
        var family = await Family("1990-01-01", "1970-01-01", "2000-01-01");
        var q = $"/fhir/Patient?family={Uri.EscapeDataString(family)}&_count=1";
        Assert.Null((await Fhir.Body(await _c.GetAsync(q + "&_total=none")))["total"]);
        Assert.Equal(3, (int)(await Fhir.Body(await _c.GetAsync(q + "&_total=estimate")))["total"]!);
        Assert.Equal(3, (int)(await Fhir.Body(await _c.GetAsync(q + "&_total=accurate")))["total"]!);
    }

    [Fact]
    public async Task Full_text_and_modifier_errors_are_operation_outcomes()
    {
        var family = await Family("1985-05-05");
        var found = await Fhir.Body(await _c.GetAsync($"/fhir/Patient?_content={Uri.EscapeDataString(family.ToUpperInvariant())}"));
        Assert.Single(found["entry"]!.AsArray());
        // Unknown value set: a 400 naming it, in either handling mode.
        var bad = await _c.GetAsync("/fhir/Patient?gender:in=http://example.org/ValueSet/none");
        var outcome = await Fhir.AssertOutcome(bad, 400);
        Assert.Contains("http://example.org/ValueSet/none", outcome.ToJsonString());
        // :below without a loaded hierarchy is unsupported: 400 when strict, ignored (and reported) otherwise.
        var strict = new HttpRequestMessage(HttpMethod.Get, "/fhir/Patient?gender:below=male");
        strict.Headers.Add("Prefer", "handling=strict");
        await Fhir.AssertOutcome(await _c.SendAsync(strict), 400);
        var lenient = await Fhir.Body(await _c.GetAsync("/fhir/Patient?gender:below=male&_count=1"));
        Assert.Contains(lenient["entry"]!.AsArray(), e => (string?)e!["search"]?["mode"] == "outcome");
    }
}
