using System.Net;
using System.Text.Json.Nodes;
using Fellesjournal.Server.Patch;

namespace Fellesjournal.Server.Tests;

public sealed class PatchTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private readonly HttpClient _c = server.CreateClient();

    private static StringContent JsonPatchBody(string ops) => Fhir.Json(ops, "application/json-patch+json");

    [Fact]
    public async Task Json_patch_updates_the_resource()
    {
        var id = (string)(await Fhir.Create(_c, Fhir.Patient()))["id"]!;
        var r = await _c.PatchAsync($"/fhir/Patient/{id}", JsonPatchBody("""
            [{"op":"test","path":"/gender","value":"female"},
             {"op":"replace","path":"/gender","value":"male"},
             {"op":"add","path":"/birthDate","value":"1970-01-01"},
             {"op":"add","path":"/name/0/given/-","value":"Marie"},
             {"op":"copy","from":"/name/0","path":"/name/-"},
             {"op":"move","from":"/name/1/family","path":"/name/1/text"},
             {"op":"remove","path":"/name/1/given"}]
            """));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("W/\"2\"", Fhir.ETag(r));
        var b = await Fhir.Body(await _c.GetAsync($"/fhir/Patient/{id}"));
        Assert.Equal("male", (string?)b["gender"]);
        Assert.Equal("1970-01-01", (string?)b["birthDate"]);
        Assert.Equal("Marie", (string?)b["name"]![0]!["given"]![1]);
        Assert.Equal("Nordmann", (string?)b["name"]![1]!["text"]);
        Assert.Null(b["name"]![1]!["given"]);
    }

    [Fact]
    public async Task Json_patch_errors()
    {
        var id = (string)(await Fhir.Create(_c, Fhir.Patient()))["id"]!;
        await Fhir.AssertOutcome(await _c.PatchAsync($"/fhir/Patient/{id}", JsonPatchBody("""[{"op":"test","path":"/gender","value":"male"}]""")), 422);
        await Fhir.AssertOutcome(await _c.PatchAsync($"/fhir/Patient/{id}", JsonPatchBody("""[{"op":"replace","path":"/id","value":"other"}]""")), 422);
        await Fhir.AssertOutcome(await _c.PatchAsync($"/fhir/Patient/{id}", JsonPatchBody("""[{"op":"remove","path":"/nothing"}]""")), 400);
        await Fhir.AssertOutcome(await _c.PatchAsync($"/fhir/Patient/{id}", JsonPatchBody("""[{"op":"jump","path":"/gender"}]""")), 400);
        await Fhir.AssertOutcome(await _c.PatchAsync($"/fhir/Patient/{id}", JsonPatchBody("""{"op":"remove"}""")), 400);
        await Fhir.AssertOutcome(await _c.PatchAsync($"/fhir/Patient/{id}", JsonPatchBody("""[{"op":"add","path":"/bogus","value":1}]""")), 400);
        await Fhir.AssertOutcome(await _c.PatchAsync($"/fhir/Patient/{id}", Fhir.Json("x", "text/plain")), 415);
        await Fhir.AssertOutcome(await _c.PatchAsync("/fhir/Patient/missing-one", JsonPatchBody("[]")), 404);
        var stale = Fhir.Request(HttpMethod.Patch, $"/fhir/Patient/{id}", JsonPatchBody("[]"), ("If-Match", "W/\"9\""));
        await Fhir.AssertOutcome(await _c.SendAsync(stale), 412);
        // The resource is unchanged by the failed patches.
        Assert.Equal("W/\"1\"", Fhir.ETag(await _c.GetAsync($"/fhir/Patient/{id}")));
    }

    [Fact]
    public async Task FhirPath_patch_is_reported_as_not_implemented()
    {
        var id = (string)(await Fhir.Create(_c, Fhir.Patient()))["id"]!;
        var parameters = """{"resourceType":"Parameters","parameter":[{"name":"operation","part":[{"name":"type","valueCode":"delete"},{"name":"path","valueString":"Patient.gender"}]}]}""";
        await Fhir.AssertOutcome(await _c.PatchAsync($"/fhir/Patient/{id}", Fhir.Json(parameters)), 501);
    }

    [Fact]
    public void Json_patch_rfc6902_examples()
    {
        JsonNode Run(string doc, string ops) => JsonPatch.Apply(JsonNode.Parse(doc)!, JsonNode.Parse(ops)!.AsArray());
        Assert.Equal("""{"foo":"bar","baz":"qux"}""", Run("""{"foo":"bar"}""", """[{"op":"add","path":"/baz","value":"qux"}]""").ToJsonString());
        Assert.Equal("""{"foo":["bar","qux","baz"]}""", Run("""{"foo":["bar","baz"]}""", """[{"op":"add","path":"/foo/1","value":"qux"}]""").ToJsonString());
        Assert.Equal("""{"a/b":1,"m~n":2}""", Run("""{"a/b":0,"m~n":2}""", """[{"op":"replace","path":"/a~1b","value":1}]""").ToJsonString());
        Assert.Equal("[1]", Run("{}", """[{"op":"add","path":"","value":[1]}]""").ToJsonString());
        Assert.Throws<JsonPatchException>(() => Run("""{"a":[1]}""", """[{"op":"add","path":"/a/5","value":2}]"""));
        Assert.Throws<JsonPatchException>(() => Run("""{"a":[1]}""", """[{"op":"add","path":"/a/01","value":2}]"""));
        Assert.Throws<JsonPatchException>(() => Run("""{"a":{"b":1}}""", """[{"op":"move","from":"/a","path":"/a/c"}]"""));
        Assert.Throws<JsonPatchException>(() => Run("""{"a":1}""", """[{"op":"test","path":"/a","value":"1"}]"""));
        Run("""{"a":{"x":[1,{"y":2}]}}""", """[{"op":"test","path":"/a","value":{"x":[1,{"y":2}]}}]""");
    }
}
