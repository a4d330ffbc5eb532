using System.Net;
using System.Text.Json.Nodes;

namespace Fellesjournal.Server.Tests;

/// <summary>Conditional create/update/delete. Criteria use _id so they run on every store.</summary>
public class ConditionalTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private readonly HttpClient _c = server.CreateClient();

    private async Task<string> Put(string id)
    {
        var r = await _c.PutAsync($"/fhir/Patient/{id}", Fhir.Json(Fhir.Patient(id)));
        Assert.True(r.IsSuccessStatusCode);
        return id;
    }

    private static string NewId() => "c" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Conditional_create_zero_one_many()
    {
        var a = await Put(NewId());
        var b = await Put(NewId());
        var none = await _c.SendAsync(Fhir.Request(HttpMethod.Post, "/fhir/Patient", Fhir.Json(Fhir.Patient()), ("If-None-Exist", "_id=" + NewId())));
        Assert.Equal(HttpStatusCode.Created, none.StatusCode);
        var one = await _c.SendAsync(Fhir.Request(HttpMethod.Post, "/fhir/Patient", Fhir.Json(Fhir.Patient()), ("If-None-Exist", "Patient?_id=" + a)));
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal("W/\"1\"", Fhir.ETag(one));
        Assert.Contains($"/Patient/{a}/_history/1", one.Headers.Location!.ToString());
        var many = await _c.SendAsync(Fhir.Request(HttpMethod.Post, "/fhir/Patient", Fhir.Json(Fhir.Patient()), ("If-None-Exist", $"_id={a},{b}")));
        await Fhir.AssertOutcome(many, 412);
        var bad = await _c.SendAsync(Fhir.Request(HttpMethod.Post, "/fhir/Patient", Fhir.Json(Fhir.Patient()), ("If-None-Exist", "nonsense-param=1")));
        await Fhir.AssertOutcome(bad, 400);
    }

    [Fact]
    public async Task Conditional_update_zero_one_many()
    {
        var a = await Put(NewId());
        var b = await Put(NewId());
        var one = await _c.PutAsync($"/fhir/Patient?_id={a}", Fhir.Json(Fhir.Patient(null, "Updated")));
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal("W/\"2\"", Fhir.ETag(one));
        Assert.Equal(a, (string?)(await Fhir.Body(one))["id"]);
        await Fhir.AssertOutcome(await _c.PutAsync($"/fhir/Patient?_id={a},{b}", Fhir.Json(Fhir.Patient())), 412);
        await Fhir.AssertOutcome(await _c.PutAsync($"/fhir/Patient?_id={a}", Fhir.Json(Fhir.Patient(b))), 400);
        var none = await _c.PutAsync($"/fhir/Patient?_id={NewId()}", Fhir.Json(Fhir.Patient()));
        Assert.Equal(HttpStatusCode.Created, none.StatusCode);
        var withId = NewId();
        var noneWithId = await _c.PutAsync($"/fhir/Patient?_id={withId}", Fhir.Json(Fhir.Patient(withId)));
        Assert.Equal(HttpStatusCode.Created, noneWithId.StatusCode);
        Assert.Equal(withId, (string?)(await Fhir.Body(noneWithId))["id"]);
    }

    [Fact]
    public async Task Conditional_delete_zero_one_many()
    {
        var a = await Put(NewId());
        var b = await Put(NewId());
        await Fhir.AssertOutcome(await _c.DeleteAsync($"/fhir/Patient?_id={a},{b}"), 412);
        Assert.Equal(HttpStatusCode.OK, (await _c.GetAsync($"/fhir/Patient/{a}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _c.DeleteAsync($"/fhir/Patient?_id={a}")).StatusCode);
        await Fhir.AssertOutcome(await _c.GetAsync($"/fhir/Patient/{a}"), 410);
        Assert.Equal(HttpStatusCode.NoContent, (await _c.DeleteAsync($"/fhir/Patient?_id={NewId()}")).StatusCode);
        await Fhir.AssertOutcome(await _c.DeleteAsync("/fhir/Patient"), 405);
    }
}
