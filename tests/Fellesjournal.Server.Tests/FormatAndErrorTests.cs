using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Fellesjournal.Server.Tests;

public class FormatAndErrorTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private readonly HttpClient _c = server.CreateClient();

    [Fact]
    public async Task Prefer_return_controls_the_write_response_body()
    {
        var minimal = await _c.SendAsync(Fhir.Request(HttpMethod.Post, "/fhir/Patient", Fhir.Json(Fhir.Patient()), ("Prefer", "return=minimal")));
        Assert.Equal(HttpStatusCode.Created, minimal.StatusCode);
        Assert.Equal("", await minimal.Content.ReadAsStringAsync());
        Assert.NotNull(minimal.Headers.Location);
        Assert.Equal("W/\"1\"", Fhir.ETag(minimal));
        var oo = await _c.SendAsync(Fhir.Request(HttpMethod.Post, "/fhir/Patient", Fhir.Json(Fhir.Patient()), ("Prefer", "return=OperationOutcome")));
        Assert.Equal(HttpStatusCode.Created, oo.StatusCode);
        Assert.Equal("OperationOutcome", (string?)(await Fhir.Body(oo))["resourceType"]);
        var rep = await _c.SendAsync(Fhir.Request(HttpMethod.Post, "/fhir/Patient", Fhir.Json(Fhir.Patient()), ("Prefer", "return=representation")));
        Assert.Equal("Patient", (string?)(await Fhir.Body(rep))["resourceType"]);
    }

    [Fact]
    public async Task Format_pretty_summary_and_elements()
    {
        var p = Fhir.Patient();
        p["text"] = new JsonObject { ["status"] = "generated", ["div"] = "<div xmlns=\"http://www.w3.org/1999/xhtml\">Kari</div>" };
        p["maritalStatus"] = new JsonObject { ["text"] = "Gift" };
        p["birthDate"] = "1980-01-01";
        var id = (string)(await Fhir.Create(_c, p))["id"]!;

        var pretty = await (await _c.GetAsync($"/fhir/Patient/{id}?_pretty=true")).Content.ReadAsStringAsync();
        Assert.Contains("\n  \"resourceType\"", pretty);
        var compact = await (await _c.GetAsync($"/fhir/Patient/{id}?_format=json")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("\n", compact);
        Assert.Equal(HttpStatusCode.OK, (await _c.GetAsync($"/fhir/Patient/{id}?_format=application/fhir%2Bjson")).StatusCode);

        var summary = await Fhir.Body(await _c.GetAsync($"/fhir/Patient/{id}?_summary=true"));
        Assert.NotNull(summary["name"]);
        Assert.NotNull(summary["birthDate"]);
        Assert.Null(summary["maritalStatus"]);
        Assert.Null(summary["text"]);
        Assert.Contains(summary["meta"]!["tag"]!.AsArray(), t => (string?)t!["code"] == "SUBSETTED");
        var text = await Fhir.Body(await _c.GetAsync($"/fhir/Patient/{id}?_summary=text"));
        Assert.NotNull(text["text"]);
        Assert.Null(text["name"]);
        var data = await Fhir.Body(await _c.GetAsync($"/fhir/Patient/{id}?_summary=data"));
        Assert.Null(data["text"]);
        Assert.NotNull(data["maritalStatus"]);
        var elements = await Fhir.Body(await _c.GetAsync($"/fhir/Patient/{id}?_elements=gender,Patient.birthDate"));
        Assert.Equal("female", (string?)elements["gender"]);
        Assert.NotNull(elements["birthDate"]);
        Assert.Null(elements["name"]);
        Assert.Equal(id, (string?)elements["id"]);
        var nested = await Fhir.Body(await _c.GetAsync($"/fhir/Patient/{id}?_elements=name.family"));
        Assert.NotNull(nested["name"]);
        Assert.Null(nested["gender"]);
        await Fhir.AssertOutcome(await _c.GetAsync($"/fhir/Patient/{id}?_summary=maybe"), 400);
    }

    [Fact]
    public async Task Unsupported_formats_and_media_types()
    {
        await Fhir.AssertOutcome(await _c.GetAsync("/fhir/metadata?_format=text/csv"), 406);
        var acceptCsv = Fhir.Request(HttpMethod.Get, "/fhir/metadata", null, ("Accept", "text/csv"));
        await Fhir.AssertOutcome(await _c.SendAsync(acceptCsv), 406);
        await Fhir.AssertOutcome(await _c.PostAsync("/fhir/Patient", new StringContent("hello", Encoding.UTF8, "text/plain")), 415);
    }

    [Fact]
    public async Task Xml_in_and_out()
    {
        const string xml = """
            <Patient xmlns="http://hl7.org/fhir"><active value="true"/><name><family value="Ås"/><given value="Kari"/></name><gender value="female"/></Patient>
            """;
        var created = await _c.PostAsync("/fhir/Patient", new StringContent(xml, Encoding.UTF8, "application/fhir+xml"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var json = await Fhir.Body(created);
        var id = (string)json["id"]!;
        Assert.Equal("Ås", (string?)json["name"]![0]!["family"]);
        Assert.True((bool)json["active"]!);

        var asXml = await _c.GetAsync($"/fhir/Patient/{id}?_format=xml");
        Assert.Equal(HttpStatusCode.OK, asXml.StatusCode);
        Assert.Equal("application/fhir+xml", asXml.Content.Headers.ContentType?.MediaType);
        var text = await asXml.Content.ReadAsStringAsync();
        Assert.Contains("<Patient xmlns=\"http://hl7.org/fhir\"", text);
        Assert.Contains($"<id value=\"{id}\"", text);
        var accept = await _c.SendAsync(Fhir.Request(HttpMethod.Get, $"/fhir/Patient/{id}", null, ("Accept", "application/fhir+xml")));
        Assert.Equal("application/fhir+xml", accept.Content.Headers.ContentType?.MediaType);

        var notFound = await _c.GetAsync("/fhir/Patient/nobody?_format=xml");
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Contains("<OperationOutcome", await notFound.Content.ReadAsStringAsync());
        await Fhir.AssertOutcome(await _c.PostAsync("/fhir/Patient", new StringContent("<Patient xmlns=\"http://hl7.org/fhir\"><oops", Encoding.UTF8, "application/fhir+xml")), 400);
        var cs = await _c.GetAsync("/fhir/metadata?_format=application/fhir%2Bxml");
        Assert.Contains("<CapabilityStatement", await cs.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Validate_operation_returns_the_outcome()
    {
        var ok = await _c.PostAsync("/fhir/Patient/$validate", Fhir.Json(Fhir.Patient()));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var oo = await Fhir.Body(ok);
        Assert.DoesNotContain(oo["issue"]!.AsArray(), i => (string?)i!["severity"] == "error");
        var bad = await Fhir.Body(await _c.PostAsync("/fhir/Patient/$validate", Fhir.Json("""{"resourceType":"Patient","gender":"sometimes"}""")));
        Assert.Contains(bad["issue"]!.AsArray(), i => (string?)i!["severity"] == "error");
        var wrapped = await Fhir.Body(await _c.PostAsync("/fhir/Patient/$validate", Fhir.Json("""{"resourceType":"Parameters","parameter":[{"name":"resource","resource":{"resourceType":"Patient","bogus":1}}]}""")));
        Assert.Contains(wrapped["issue"]!.AsArray(), i => (string?)i!["severity"] == "error");
        // Nothing was stored.
        Assert.Equal(0, (int?)(await Fhir.Body(await _c.GetAsync("/fhir/Patient?gender=sometimes&_summary=count")))["total"] ?? 0);
    }

    [Fact]
    public async Task Method_not_allowed_unknown_paths_and_operations()
    {
        var r = await _c.DeleteAsync("/fhir/metadata");
        await Fhir.AssertOutcome(r, 405);
        Assert.Contains("GET", r.Content.Headers.Allow);
        await Fhir.AssertOutcome(await _c.PostAsync("/fhir/Patient/x", Fhir.Json(Fhir.Patient())), 405);
        await Fhir.AssertOutcome(await _c.GetAsync("/fhir/Patient/x/y/z/w/v"), 404);
        await Fhir.AssertOutcome(await _c.GetAsync("/nowhere"), 404);
        await Fhir.AssertOutcome(await _c.GetAsync("/fhir/Patient/$everything"), 501);
        await Fhir.AssertOutcome(await _c.GetAsync("/fhir/NotAType"), 404);
        await Fhir.AssertOutcome(await _c.GetAsync("/fhir/Resource/1"), 404);
    }
}

public sealed class BodyLimitTests : IAsyncLifetime
{
    private readonly ServerFixture _server = new() { MaxBodyBytes = 1000 };

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Body_over_the_limit_is_413()
    {
        var c = _server.CreateClient();
        var p = Fhir.Patient();
        p["name"]![0]!["text"] = new string('x', 2000);
        await Fhir.AssertOutcome(await c.PostAsync("/fhir/Patient", Fhir.Json(p)), 413);
        Assert.Equal(HttpStatusCode.Created, (await c.PostAsync("/fhir/Patient", Fhir.Json(Fhir.Patient()))).StatusCode);
    }
}
