using System.Net;
using System.Text.Json.Nodes;

namespace Fellesjournal.Server.Tests;

public class CrudTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private readonly HttpClient _c = server.CreateClient();

    [Fact]
    public async Task Create_assigns_id_version_and_headers()
    {
        var r = await _c.PostAsync("/fhir/Patient", Fhir.Json(Fhir.Patient()));
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        Assert.Equal("application/fhir+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", r.Content.Headers.ContentType?.CharSet);
        var body = await Fhir.Body(r);
        var id = (string)body["id"]!;
        Assert.Matches("^[0-9a-z]{20}$", id);
        Assert.Equal("1", (string?)body["meta"]!["versionId"]);
        Assert.NotNull(body["meta"]!["lastUpdated"]);
        Assert.Equal("W/\"1\"", Fhir.ETag(r));
        Assert.EndsWith($"/fhir/Patient/{id}/_history/1", r.Headers.Location!.ToString());
        Assert.NotNull(r.Content.Headers.LastModified);
    }

    [Fact]
    public async Task Create_ignores_client_id_and_meta_version()
    {
        var p = Fhir.Patient("client-chosen");
        p["meta"] = new JsonObject { ["versionId"] = "99", ["lastUpdated"] = "2000-01-01T00:00:00Z" };
        var body = await Fhir.Create(_c, p);
        Assert.NotEqual("client-chosen", (string?)body["id"]);
        Assert.Equal("1", (string?)body["meta"]!["versionId"]);
    }

    [Fact]
    public async Task Read_and_vread_return_the_versions()
    {
        var created = await Fhir.Create(_c, Fhir.Patient());
        var id = (string)created["id"]!;
        var upd = Fhir.Patient(id, "Hansen");
        var put = await _c.PutAsync($"/fhir/Patient/{id}", Fhir.Json(upd));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("W/\"2\"", Fhir.ETag(put));

        var read = await _c.GetAsync($"/fhir/Patient/{id}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("W/\"2\"", Fhir.ETag(read));
        Assert.Equal("Hansen", (string?)(await Fhir.Body(read))["name"]![0]!["family"]);

        var v1 = await _c.GetAsync($"/fhir/Patient/{id}/_history/1");
        Assert.Equal(HttpStatusCode.OK, v1.StatusCode);
        Assert.Equal("Nordmann", (string?)(await Fhir.Body(v1))["name"]![0]!["family"]);
        Assert.Equal("W/\"1\"", Fhir.ETag(v1));

        await Fhir.AssertOutcome(await _c.GetAsync($"/fhir/Patient/{id}/_history/7"), 404);
        await Fhir.AssertOutcome(await _c.GetAsync($"/fhir/Patient/{id}/_history/x"), 404);
    }

    [Fact]
    public async Task Decimal_precision_and_unicode_survive_the_round_trip()
    {
        const string json = """{"resourceType":"Observation","status":"final","code":{"text":"Blodtrykk – måling"},"valueQuantity":{"value":1.50,"unit":"mmol/L"},"note":[{"text":"🙂 æøå"}]}""";
        var r = await _c.PostAsync("/fhir/Observation", Fhir.Json(json));
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var id = (string)(await Fhir.Body(r))["id"]!;
        var text = await _c.GetStringAsync($"/fhir/Observation/{id}");
        Assert.Contains("\"value\":1.50", text);
        var back = JsonNode.Parse(text)!;
        Assert.Equal("Blodtrykk – måling", (string?)back["code"]!["text"]);
        Assert.Equal("🙂 æøå", (string?)back["note"]![0]!["text"]);
    }

    [Fact]
    public async Task Read_unknown_id_and_type_are_404()
    {
        await Fhir.AssertOutcome(await _c.GetAsync("/fhir/Patient/does-not-exist"), 404);
        await Fhir.AssertOutcome(await _c.GetAsync("/fhir/Patientt/1"), 404);
        await Fhir.AssertOutcome(await _c.GetAsync("/fhir/Patient/bad_id!"), 404);
    }

    [Fact]
    public async Task Update_as_create_with_client_id_is_201()
    {
        var id = "upd-create-" + Guid.NewGuid().ToString("N")[..8];
        var r = await _c.PutAsync($"/fhir/Patient/{id}", Fhir.Json(Fhir.Patient(id)));
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        Assert.Equal(id, (string?)(await Fhir.Body(r))["id"]);
    }

    [Fact]
    public async Task Update_with_wrong_or_missing_id_or_type_is_400()
    {
        var o1 = await Fhir.AssertOutcome(await _c.PutAsync("/fhir/Patient/a1", Fhir.Json(Fhir.Patient("b2"))), 400);
        Assert.Equal("id", (string?)o1["issue"]![0]!["expression"]![0]);
        await Fhir.AssertOutcome(await _c.PutAsync("/fhir/Patient/a1", Fhir.Json(Fhir.Patient())), 400);
        var obs = new JsonObject { ["resourceType"] = "Observation", ["id"] = "a1", ["status"] = "final", ["code"] = new JsonObject { ["text"] = "x" } };
        await Fhir.AssertOutcome(await _c.PutAsync("/fhir/Patient/a1", Fhir.Json(obs)), 400);
    }

    [Fact]
    public async Task Invalid_content_is_400_with_location()
    {
        await Fhir.AssertOutcome(await _c.PostAsync("/fhir/Patient", Fhir.Json("{not json")), 400);
        await Fhir.AssertOutcome(await _c.PostAsync("/fhir/Patient", Fhir.Json("[1,2]")), 400);
        await Fhir.AssertOutcome(await _c.PostAsync("/fhir/Patient", Fhir.Json("""{"resourceType":"Patient","gender":"male","gender":"female"}""")), 400);
        await Fhir.AssertOutcome(await _c.PostAsync("/fhir/Patient", Fhir.Json("")), 400);
        var oo = await Fhir.AssertOutcome(await _c.PostAsync("/fhir/Patient", Fhir.Json("""{"resourceType":"Patient","nmae":[{"family":"X"}]}""")), 400);
        Assert.Equal("Patient.nmae", (string?)oo["issue"]![0]!["expression"]![0]);
        var oo2 = await Fhir.AssertOutcome(await _c.PostAsync("/fhir/Patient", Fhir.Json("""{"resourceType":"Patient","name":{"family":"X"}}""")), 400);
        Assert.Equal("Patient.name", (string?)oo2["issue"]![0]!["expression"]![0]);
        var deep = string.Concat(Enumerable.Repeat("{\"extension\":[", 200)) + string.Concat(Enumerable.Repeat("]}", 200));
        await Fhir.AssertOutcome(await _c.PostAsync("/fhir/Patient", Fhir.Json("{\"resourceType\":\"Patient\",\"extension\":[" + deep + "]}")), 400);
    }

    [Fact]
    public async Task Delete_makes_read_gone_and_is_idempotent()
    {
        var id = (string)(await Fhir.Create(_c, Fhir.Patient()))["id"]!;
        var d = await _c.DeleteAsync($"/fhir/Patient/{id}");
        Assert.Equal(HttpStatusCode.NoContent, d.StatusCode);
        Assert.Equal("W/\"2\"", Fhir.ETag(d));
        var gone = await _c.GetAsync($"/fhir/Patient/{id}");
        await Fhir.AssertOutcome(gone, 410);
        Assert.Equal(HttpStatusCode.OK, (await _c.GetAsync($"/fhir/Patient/{id}/_history/1")).StatusCode);
        await Fhir.AssertOutcome(await _c.GetAsync($"/fhir/Patient/{id}/_history/2"), 410);
        Assert.Equal(HttpStatusCode.NoContent, (await _c.DeleteAsync($"/fhir/Patient/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _c.DeleteAsync("/fhir/Patient/never-existed")).StatusCode);
        // Recreate after delete
        var again = await _c.PutAsync($"/fhir/Patient/{id}", Fhir.Json(Fhir.Patient(id)));
        Assert.True(again.IsSuccessStatusCode);
        Assert.Equal("W/\"3\"", Fhir.ETag(again));
    }

    [Fact]
    public async Task If_Match_gives_optimistic_locking()
    {
        var id = (string)(await Fhir.Create(_c, Fhir.Patient()))["id"]!;
        var stale = await _c.SendAsync(Fhir.Request(HttpMethod.Put, $"/fhir/Patient/{id}", Fhir.Json(Fhir.Patient(id)), ("If-Match", "W/\"5\"")));
        await Fhir.AssertOutcome(stale, 412);
        var ok = await _c.SendAsync(Fhir.Request(HttpMethod.Put, $"/fhir/Patient/{id}", Fhir.Json(Fhir.Patient(id)), ("If-Match", "W/\"1\"")));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var again = await _c.SendAsync(Fhir.Request(HttpMethod.Put, $"/fhir/Patient/{id}", Fhir.Json(Fhir.Patient(id)), ("If-Match", "W/\"1\"")));
        await Fhir.AssertOutcome(again, 412);
        await Fhir.AssertOutcome(await _c.SendAsync(Fhir.Request(HttpMethod.Put, $"/fhir/Patient/{id}", Fhir.Json(Fhir.Patient(id)), ("If-Match", "garbage"))), 400);
        await Fhir.AssertOutcome(await _c.SendAsync(Fhir.Request(HttpMethod.Delete, $"/fhir/Patient/{id}", null, ("If-Match", "W/\"1\""))), 412);
        Assert.Equal(HttpStatusCode.NoContent, (await _c.SendAsync(Fhir.Request(HttpMethod.Delete, $"/fhir/Patient/{id}", null, ("If-Match", "W/\"2\"")))).StatusCode);
    }

    [Fact]
    public async Task Conditional_read_returns_304()
    {
        var r = await _c.PostAsync("/fhir/Patient", Fhir.Json(Fhir.Patient()));
        var id = (string)(await Fhir.Body(r))["id"]!;
        var nm = await _c.SendAsync(Fhir.Request(HttpMethod.Get, $"/fhir/Patient/{id}", null, ("If-None-Match", "W/\"1\"")));
        Assert.Equal(HttpStatusCode.NotModified, nm.StatusCode);
        var changed = await _c.SendAsync(Fhir.Request(HttpMethod.Get, $"/fhir/Patient/{id}", null, ("If-None-Match", "W/\"0\"")));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var future = DateTimeOffset.UtcNow.AddMinutes(5).ToString("R");
        var ims = await _c.SendAsync(Fhir.Request(HttpMethod.Get, $"/fhir/Patient/{id}", null, ("If-Modified-Since", future)));
        Assert.Equal(HttpStatusCode.NotModified, ims.StatusCode);
        var past = DateTimeOffset.UtcNow.AddDays(-1).ToString("R");
        Assert.Equal(HttpStatusCode.OK, (await _c.SendAsync(Fhir.Request(HttpMethod.Get, $"/fhir/Patient/{id}", null, ("If-Modified-Since", past)))).StatusCode);
    }
}
