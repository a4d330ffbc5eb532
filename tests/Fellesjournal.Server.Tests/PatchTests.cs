using System.Net;
using System.Text.Json.Nodes;
using Fellesjournal.Server.Patch;

namespace Fellesjournal.Server.Tests;

public class PatchTests(ServerFixture server) : IClassFixture<ServerFixture>
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

    private static string Op(string type, string path, string extraParts) =>
        $$"""{"name":"operation","part":[{"name":"type","valueCode":"{{type}}"},{"name":"path","valueString":"{{path}}"}{{extraParts}}]}""";

    private static StringContent Parameters(params string[] ops) =>
        Fhir.Json($$"""{"resourceType":"Parameters","parameter":[{{string.Join(",", ops)}}]}""");

    [Fact]
    public async Task FhirPath_patch_add_insert_replace_move_delete()
    {
        var p = Fhir.Patient();
        p["name"]![0]!["given"] = new JsonArray("Kari", "Anne");
        p["telecom"] = new JsonArray(new JsonObject { ["system"] = "phone", ["value"] = "1" }, new JsonObject { ["system"] = "email", ["value"] = "k@x.no" });
        var id = (string)(await Fhir.Create(_c, p))["id"]!;
        var r = await _c.PatchAsync($"/fhir/Patient/{id}", Parameters(
            Op("add", "Patient", """,{"name":"name","valueString":"birthDate"},{"name":"value","valueDate":"1990-05-17"}"""),
            Op("replace", "Patient.gender", """,{"name":"value","valueCode":"other"}"""),
            Op("insert", "Patient.name[0].given", """,{"name":"index","valueInteger":0},{"name":"value","valueString":"Eva"}"""),
            Op("move", "Patient.telecom", """,{"name":"source","valueInteger":1},{"name":"destination","valueInteger":0}"""),
            Op("delete", "Patient.name[0].given[2]", ""),
            Op("add", "Patient", """,{"name":"name","valueString":"deceased"},{"name":"value","valueBoolean":false}""")));
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, text);
        var b = await Fhir.Body(await _c.GetAsync($"/fhir/Patient/{id}"));
        Assert.Equal("1990-05-17", (string?)b["birthDate"]);
        Assert.Equal("other", (string?)b["gender"]);
        Assert.Equal(["Eva", "Kari"], b["name"]![0]!["given"]!.AsArray().Select(g => (string)g!));
        Assert.Equal("email", (string?)b["telecom"]![0]!["system"]);
        Assert.False((bool)b["deceasedBoolean"]!);
    }

    [Fact]
    public async Task FhirPath_patch_errors_are_422()
    {
        var id = (string)(await Fhir.Create(_c, Fhir.Patient()))["id"]!;
        await Fhir.AssertOutcome(await _c.PatchAsync($"/fhir/Patient/{id}", Parameters(Op("replace", "Patient.birthDate", """,{"name":"value","valueDate":"2000-01-01"}"""))), 422);
        await Fhir.AssertOutcome(await _c.PatchAsync($"/fhir/Patient/{id}", Parameters(Op("explode", "Patient", ""))), 422);
        await Fhir.AssertOutcome(await _c.PatchAsync($"/fhir/Patient/{id}", Parameters(Op("delete", "Patient.name.where(", ""))), 422);
        await Fhir.AssertOutcome(await _c.PatchAsync($"/fhir/Patient/{id}", Fhir.Json(Fhir.Patient())), 400);
        Assert.Equal("W/\"1\"", Fhir.ETag(await _c.GetAsync($"/fhir/Patient/{id}")));
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
