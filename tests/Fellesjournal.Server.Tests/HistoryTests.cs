using System.Net;
using System.Text.Json.Nodes;

namespace Fellesjournal.Server.Tests;

public class HistoryTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private readonly HttpClient _c = server.CreateClient();

    [Fact]
    public async Task Instance_history_lists_versions_newest_first_with_request_and_response()
    {
        var id = "h" + Guid.NewGuid().ToString("N")[..10];
        await _c.PutAsync($"/fhir/Patient/{id}", Fhir.Json(Fhir.Patient(id)));
        await _c.PutAsync($"/fhir/Patient/{id}", Fhir.Json(Fhir.Patient(id, "Second")));
        await _c.DeleteAsync($"/fhir/Patient/{id}");
        var r = await _c.GetAsync($"/fhir/Patient/{id}/_history");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var b = await Fhir.Body(r);
        Assert.Equal("history", (string?)b["type"]);
        var e = b["entry"]!.AsArray();
        Assert.Equal(3, e.Count);
        Assert.Equal("DELETE", (string?)e[0]!["request"]!["method"]);
        Assert.Null(e[0]!["resource"]);
        Assert.Equal("PUT", (string?)e[1]!["request"]!["method"]);
        Assert.Equal("Second", (string?)e[1]!["resource"]!["name"]![0]!["family"]);
        Assert.Equal("W/\"1\"", (string?)e[2]!["response"]!["etag"]);
        Assert.NotNull(e[2]!["response"]!["lastModified"]);
        Assert.EndsWith($"/fhir/Patient/{id}", (string?)e[2]!["fullUrl"]);
        await Fhir.AssertOutcome(await _c.GetAsync("/fhir/Patient/nope-nope/_history"), 404);
    }

    [Fact]
    public async Task Type_and_system_history_page_with_next_links()
    {
        var type = "Basic";
        for (var i = 0; i < 5; i++)
            await Fhir.Create(_c, new JsonObject { ["resourceType"] = type, ["code"] = new JsonObject { ["text"] = $"h{i}" } });
        var seen = new HashSet<string>();
        string? url = $"/fhir/{type}/_history?_count=2";
        var pages = 0;
        while (url is not null)
        {
            var b = await Fhir.Body(await _c.GetAsync(url));
            Assert.True(b["entry"]!.AsArray().Count <= 2);
            foreach (var e in b["entry"]!.AsArray()) seen.Add((string)e!["fullUrl"]! + (string)e!["response"]!["etag"]!);
            url = b["link"]!.AsArray().FirstOrDefault(l => (string?)l!["relation"] == "next")?["url"]?.ToString();
            if (url is not null) url = new Uri(url).PathAndQuery;
            pages++;
            Assert.True(pages < 20);
        }
        Assert.True(seen.Count >= 5, $"saw {seen.Count}");
        Assert.True(pages >= 3);

        var sys = await Fhir.Body(await _c.GetAsync("/fhir/_history?_count=3"));
        Assert.Equal(3, sys["entry"]!.AsArray().Count);
        Assert.Contains(sys["link"]!.AsArray(), l => (string?)l!["relation"] == "next");
    }

    [Fact]
    public async Task Since_and_at_filter_history()
    {
        var id = "s" + Guid.NewGuid().ToString("N")[..10];
        await _c.PutAsync($"/fhir/Patient/{id}", Fhir.Json(Fhir.Patient(id)));
        await Task.Delay(50);
        var mid = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        await _c.PutAsync($"/fhir/Patient/{id}", Fhir.Json(Fhir.Patient(id, "Later")));
        var since = await Fhir.Body(await _c.GetAsync($"/fhir/Patient/{id}/_history?_since={Uri.EscapeDataString(mid.ToString("o"))}"));
        Assert.Single(since["entry"]!.AsArray());
        Assert.Equal("Later", (string?)since["entry"]![0]!["resource"]!["name"]![0]!["family"]);
        var at = await Fhir.Body(await _c.GetAsync($"/fhir/Patient/{id}/_history?_at={Uri.EscapeDataString(mid.ToString("o"))}"));
        Assert.Equal("Nordmann", (string?)at["entry"]![0]!["resource"]!["name"]![0]!["family"]);
        await Fhir.AssertOutcome(await _c.GetAsync($"/fhir/Patient/{id}/_history?_since=yesterday"), 400);
        await Fhir.AssertOutcome(await _c.GetAsync($"/fhir/Patient/{id}/_history?_count=-1"), 400);
    }
}
