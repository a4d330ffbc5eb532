using System.Text.Json.Nodes;
using static Fellesjournal.Server.Tests.Authorization.MatrixWorld;

namespace Fellesjournal.Server.Tests.Authorization;

/// <summary>
/// The write side of the authorization matrix, on a world of its own: transaction and batch Bundles with reachable
/// and unreachable patients, conditional create/update/delete/patch, PATCH, PUT, POST and DELETE. Each row asserts
/// the status, the entry statuses, and afterwards what the write did (or that it did nothing).
/// </summary>
public sealed class WriteMatrix(MatrixServer world) : WriteMatrixRows<MatrixServer>(world);

/// <summary>The write rows over the world of <typeparamref name="TWorld"/> (generic so that a run on another store
/// builds only its own world).</summary>
public abstract class WriteMatrixRows<TWorld>(TWorld world) : IClassFixture<TWorld> where TWorld : MatrixServer
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in WriteCases.All) data.Add(c.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Case(string name) => MatrixRunner.RunAsync(world.Client, WriteCases.ByName[name]);
}

public static class WriteCases
{
    private const string Loinc = "http://loinc.org|";

    public static readonly IReadOnlyList<MatrixCase> All = Build();
    public static readonly IReadOnlyDictionary<string, MatrixCase> ByName = All.ToDictionary(c => c.Name);

    private static string ObsJson(string? id, string patient, string code) => Observation(id ?? "", patient, code) is var o && id is null
        ? Without(o, "id") : o.ToJsonString();

    private static string Without(JsonObject o, string key) { o.Remove(key); return o.ToJsonString(); }

    private static JsonObject Entry(string method, string url, string? resource = null) => new()
    {
        ["resource"] = resource is null ? null : JsonNode.Parse(resource),
        ["request"] = new JsonObject { ["method"] = method, ["url"] = url },
    };

    private static string Bundle(string type, params JsonObject[] entries)
    {
        var b = new JsonObject { ["resourceType"] = "Bundle", ["type"] = type, ["entry"] = new JsonArray(entries) };
        foreach (var e in entries) if (e["resource"] is null) e.Remove("resource");
        return b.ToJsonString();
    }

    private static MatrixCase Send(string persona, string method, string url, int status, string body, string label) =>
        new(persona, method, "/fhir/" + url, status) { Body = body, Label = label };

    private static string Patch(string path, string value) =>
        new JsonArray(new JsonObject { ["op"] = "replace", ["path"] = path, ["value"] = value }).ToJsonString();

    private static List<MatrixCase> Build()
    {
        var l = new List<MatrixCase>();
        const string gp = "gp", ci = "citizen", cw = "citizen-writer", nu = "nurse", rg = "registry", ad = "admin";

        // Transactions are all or nothing: one unreachable entry refuses the whole Bundle.
        l.Add(Send(gp, "POST", "", 403, Bundle("transaction",
            Entry("PUT", "Observation/mx-listed-t1", ObsJson("mx-listed-t1", "mx-listed", "t-1")),
            Entry("PUT", "Observation/mx-other-t1", ObsJson("mx-other-t1", "mx-other", "t-1"))), "transaction listed+other")
            with { Ids = [], Then = (ad, "Observation?code=" + Loinc + "t-1", []) });
        l.Add(Send(nu, "POST", "", 403, Bundle("transaction",
            Entry("POST", "Observation", ObsJson(null, "mx-inpt", "t-2")),
            Entry("POST", "Observation", ObsJson(null, "mx-listed", "t-2"))), "transaction inpt+listed")
            with { Ids = [], Then = (ad, "Observation?code=" + Loinc + "t-2", []) });
        l.Add(Send(gp, "POST", "", 403, Bundle("transaction",
            Entry("PUT", "Observation/mx-listed-t3", ObsJson("mx-listed-t3", "mx-listed", "t-3")),
            Entry("PUT", "Observation/mx-locked-t3", ObsJson("mx-locked-t3", "mx-locked", "t-3"))), "transaction listed+locked section")
            with { Ids = [], Then = (ad, "Observation?code=" + Loinc + "t-3", []) });
        l.Add(Send(gp, "POST", "", 403, Bundle("transaction",
            Entry("PUT", "Observation/mx-listed-t4", ObsJson("mx-listed-t4", "mx-listed", "t-4")),
            Entry("DELETE", "Observation/mx-other-obs2")), "transaction listed+delete other")
            with { Ids = [], Then = (ad, "Observation?code=" + Loinc + "t-4", []) });
        l.Add(Send(nu, "POST", "", 200, Bundle("transaction",
            Entry("PUT", "Observation/mx-inpt-t5", ObsJson("mx-inpt-t5", "mx-inpt", "t-5"))), "transaction inpt")
            with { EntryStatuses = [201], Visible = ["inpt"], Then = (ad, "Observation?code=" + Loinc + "t-5", ["mx-inpt-t5"]) });
        l.Add(Send(rg, "POST", "", 403, Bundle("transaction",
            Entry("PUT", "Observation/mx-kari-t6", ObsJson("mx-kari-t6", "mx-kari", "t-6"))), "transaction without c/u scope")
            with { Ids = [], Then = (ad, "Observation?code=" + Loinc + "t-6", []) });
        l.Add(Send(ci, "POST", "", 403, Bundle("transaction",
            Entry("PUT", "Observation/mx-kari-t7", ObsJson("mx-kari-t7", "mx-kari", "t-7"))), "transaction citizen read-only scopes")
            with { Ids = [], Then = (ad, "Observation?code=" + Loinc + "t-7", []) });
        l.Add(Send("none", "POST", "", 401, Bundle("transaction",
            Entry("PUT", "Observation/mx-kari-t8", ObsJson("mx-kari-t8", "mx-kari", "t-8"))), "transaction no token")
            with { Ids = [], Then = (ad, "Observation?code=" + Loinc + "t-8", []) });

        // Batches: each entry on its own.
        l.Add(Send(gp, "POST", "", 200, Bundle("batch",
            Entry("PUT", "Observation/mx-listed-b1", ObsJson("mx-listed-b1", "mx-listed", "b-1")),
            Entry("PUT", "Observation/mx-other-b1", ObsJson("mx-other-b1", "mx-other", "b-1"))), "batch write listed+other")
            with { EntryStatuses = [201, 403], Visible = ["listed"], Then = (ad, "Observation?code=" + Loinc + "b-1", ["mx-listed-b1"]) });
        l.Add(Send(gp, "POST", "", 200, Bundle("batch",
            Entry("GET", "Observation?patient=mx-listed&_count=1"),
            Entry("GET", "Observation?patient=mx-other"),
            Entry("GET", "Observation/mx-locked-obs"),
            Entry("GET", "Observation/mx-never-existed"),
            Entry("GET", "Patient/mx-other/$everything"),
            Entry("GET", "Patient/mx-listed")), "batch reads gp")
            with { EntryStatuses = [200, 403, 404, 404, 403, 200], Visible = ["listed"] });
        l.Add(Send(ci, "POST", "", 200, Bundle("batch",
            Entry("GET", "Observation/mx-kari-obs"),
            Entry("GET", "Observation/mx-other-obs"),
            Entry("GET", "Observation?patient=mx-other"),
            Entry("GET", "Patient/mx-teen"),
            Entry("GET", "Observation?_summary=count")), "batch reads citizen")
            with { EntryStatuses = [200, 404, 404, 404, 200], Visible = ["kari"] });
        l.Add(Send("registry", "POST", "", 200, Bundle("batch",
            Entry("GET", "Observation/mx-locked-obs"),
            Entry("GET", "Observation?patient=mx-locked"),
            Entry("GET", "Patient/mx-locked")), "batch reads system locked")
            with { EntryStatuses = [404, 200, 200], Visible = ["locked"] });

        // Conditional create: the match runs with the caller's access, so a hidden match is no match.
        l.Add(Send(gp, "POST", "Observation", 201, ObsJson(null, "mx-listed", "cc-1"), "cond create new")
            with { Headers = [("If-None-Exist", "patient=mx-listed&code=" + Loinc + "cc-1")], Visible = ["listed"], Then = (gp, "Observation?patient=mx-listed&code=" + Loinc + "cc-1", ["*"]) });
        l.Add(Send(gp, "POST", "Observation", 200, ObsJson(null, "mx-listed", "cc-2"), "cond create existing")
            with { Headers = [("If-None-Exist", "patient=mx-listed&_id=mx-listed-obs")], Ids = ["mx-listed-obs"] });
        l.Add(Send(gp, "POST", "Observation", 403, ObsJson(null, "mx-listed", "cc-3"), "cond create query names other")
            with { Headers = [("If-None-Exist", "patient=mx-other&code=" + Loinc + "mx-1")], Ids = [] });
        l.Add(Send(gp, "POST", "Observation", 403, ObsJson(null, "mx-other", "cc-4"), "cond create for other")
            with { Headers = [("If-None-Exist", "patient=mx-other&code=" + Loinc + "cc-4")], Ids = [], Then = (ad, "Observation?code=" + Loinc + "cc-4", []) });
        l.Add(Send(gp, "POST", "Condition", 201, new JsonObject
            {
                ["resourceType"] = "Condition", ["subject"] = new JsonObject { ["reference"] = "Patient/mx-locked" },
                ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = "mx-secret" }) },
            }.ToJsonString(), "cond create beside a hidden match")
            with { Headers = [("If-None-Exist", "patient=mx-locked&code=" + Loinc + "mx-secret")], Visible = ["locked"] });
        // A citizen's criteria run within her reach: another record is simply no match, and is not named.
        l.Add(Send(cw, "POST", "Observation", 201, ObsJson(null, "mx-kari", "cc-6"), "citizen cond create naming other")
            with { Headers = [("If-None-Exist", "patient=mx-other&code=" + Loinc + "mx-1")], Visible = ["kari"], Then = (ad, "Observation?code=" + Loinc + "cc-6", ["*"]) });
        l.Add(Send(rg, "POST", "Observation", 403, ObsJson(null, "mx-kari", "cc-5"), "cond create system read-only")
            with { Headers = [("If-None-Exist", "patient=mx-kari&code=" + Loinc + "cc-5")], Ids = [] });

        // Conditional update.
        l.Add(Send(gp, "PUT", "Observation?patient=mx-listed&code=" + Loinc + "cu-1", 201, ObsJson(null, "mx-listed", "cu-1"), "cond update creates")
            with { Visible = ["listed"], Then = (gp, "Observation?patient=mx-listed&code=" + Loinc + "cu-1", ["*"]) });
        l.Add(Send(nu, "PUT", "Observation?patient=mx-inpt&_id=mx-inpt-obs", 200, ObsJson("mx-inpt-obs", "mx-inpt", "mx-1"), "cond update one match")
            with { Ids = ["mx-inpt-obs"] });
        l.Add(Send(gp, "PUT", "Observation?patient=mx-other&code=" + Loinc + "mx-1", 403, ObsJson(null, "mx-other", "mx-1"), "cond update other")
            with { Ids = [] });
        l.Add(Send(gp, "PUT", "Observation?patient=mx-locked&code=" + Loinc + "mx-secret", 403, ObsJson(null, "mx-locked", "mx-secret"), "cond update into locked section")
            with { Ids = [], Says = "locked", Then = ("gp-etreat", "Observation?patient=mx-locked", ["mx-locked-obs"]) });
        l.Add(Send(gp, "PUT", "Observation?patient=mx-listed&_id=mx-listed-obs3", 403, ObsJson("mx-listed-obs3", "mx-other", "mx-1"), "cond update moves to other")
            with { Ids = [], Then = (gp, "Observation?patient=mx-listed&_id=mx-listed-obs3", ["mx-listed-obs3"]) });

        // Conditional delete.
        l.Add(new MatrixCase(gp, "DELETE", "/fhir/Observation?patient=mx-other&code=" + Loinc + "mx-1", 403) { Ids = [], Says = "care relationship", Then = (ad, "Observation?patient=mx-other&_id=mx-other-obs", ["mx-other-obs"]) });
        l.Add(new MatrixCase(ad, "DELETE", "/fhir/Observation?patient=mx-locked&code=" + Loinc + "mx-secret", 204) { Then = ("gp-etreat", "Observation?patient=mx-locked", ["mx-locked-obs"]) });
        l.Add(new MatrixCase(rg, "DELETE", "/fhir/Observation?patient=mx-kari", 403) { Ids = [], Then = (ad, "Observation?patient=mx-kari&_id=mx-kari-obs", ["mx-kari-obs"]) });
        l.Add(new MatrixCase(gp, "DELETE", "/fhir/Observation?patient=mx-listed&_id=mx-listed-obs2", 204) { Then = (gp, "Observation?patient=mx-listed&_id=mx-listed-obs2", []) });
        l.Add(new MatrixCase(gp, "DELETE", "/fhir/Observation?code=" + Loinc + "mx-1", 403) { Ids = [], Says = "Name the patient" });

        // PATCH and conditional PATCH.
        l.Add(Send(gp, "PATCH", "Observation/mx-listed-obs", 200, Patch("/status", "amended"), "patch listed") with { Ids = ["mx-listed-obs"] });
        l.Add(Send(gp, "PATCH", "Observation/mx-other-obs", 403, Patch("/status", "amended"), "patch other") with { Ids = [] });
        l.Add(Send(gp, "PATCH", "Observation/mx-locked-obs", 404, Patch("/status", "amended"), "patch locked section") with { Ids = [], HiddenId = "mx-locked-obs" });
        l.Add(Send(gp, "PATCH", "Observation/mx-listed-obs3", 403, Patch("/subject/reference", "Patient/mx-other"), "patch moves to other")
            with { Ids = [], Then = (gp, "Observation?patient=mx-listed&_id=mx-listed-obs3", ["mx-listed-obs3"]) });
        l.Add(Send(ci, "PATCH", "Observation/mx-kari-obs", 403, Patch("/status", "amended"), "patch read-only scopes") with { Ids = [] });
        l.Add(Send(gp, "PATCH", "Observation?patient=mx-other&_id=mx-other-obs", 403, Patch("/status", "amended"), "cond patch other") with { Ids = [], Says = "care relationship" });
        l.Add(Send(gp, "PATCH", "Observation?patient=mx-locked&_id=mx-locked-obs", 404, Patch("/status", "amended"), "cond patch hidden match") with { Ids = [] });

        // Plain writes.
        l.Add(Send(gp, "PUT", "Observation/mx-listed-obs", 403, ObsJson("mx-listed-obs", "mx-other", "mx-1"), "put moves to other")
            with { Ids = [], Then = (gp, "Observation?patient=mx-listed&_id=mx-listed-obs", ["mx-listed-obs"]) });
        l.Add(Send(gp, "PUT", "Observation/mx-other-planted", 403, ObsJson("mx-other-planted", "mx-other", "mx-1"), "put into other") with { Ids = [] });
        l.Add(Send(gp, "POST", "Observation", 403, ObsJson(null, "mx-other", "p-1"), "post for other") with { Ids = [], Says = "care relationship" });
        l.Add(Send(gp, "POST", "Observation", 403, ObsJson(null, "mx-locked", "p-2"), "post into locked section") with { Ids = [], Says = "locked" });
        l.Add(Send(gp, "POST", "Observation", 403, ObsJson(null, "mx-blocked", "p-3"), "post for blocking patient") with { Ids = [] });
        l.Add(Send("gp-etreat", "POST", "Observation", 201, ObsJson(null, "mx-other", "p-4"), "post for other under ETREAT") with { Visible = ["other"] });
        l.Add(Send(nu, "POST", "Observation", 201, ObsJson(null, "mx-inpt", "p-5"), "nurse post inpt") with { Visible = ["inpt"] });
        l.Add(Send(nu, "POST", "Condition", 403, new JsonObject { ["resourceType"] = "Condition", ["subject"] = new JsonObject { ["reference"] = "Patient/mx-inpt" } }.ToJsonString(), "nurse without c on Condition") with { Ids = [] });
        l.Add(Send("pharmacist", "POST", "Observation", 403, ObsJson(null, "mx-listed", "p-6"), "pharmacist") with { Ids = [] });
        l.Add(new MatrixCase(gp, "DELETE", "/fhir/Observation/mx-other-obs", 403) { Ids = [], Then = (ad, "Observation?_id=mx-other-obs", ["mx-other-obs"]) });
        // Deleting a hidden resource answers as for a missing one (204, nothing to do) and deletes nothing.
        l.Add(new MatrixCase(gp, "DELETE", "/fhir/Observation/mx-locked-obs", 204) { HiddenId = "mx-locked-obs", Then = ("gp-etreat", "Observation?patient=mx-locked", ["mx-locked-obs"]) });
        l.Add(Send(cw, "POST", "Observation", 201, ObsJson(null, "mx-kari", "p-7"), "citizen writes own") with { Visible = ["kari"] });
        // A citizen learns nothing about another record from a refused write: an existing patient and a missing one read alike.
        l.Add(Send(cw, "POST", "Observation", 403, ObsJson(null, "mx-other", "p-8"), "citizen writes other")
            with { Ids = [], Says = "own record", HiddenId = "mx-other" });
        l.Add(Send(cw, "PUT", "Observation/mx-other-obs", 403, ObsJson("mx-other-obs", "mx-kari", "p-9"), "citizen takes over other's")
            with { Ids = [], Says = "own record", Then = (ad, "Observation?patient=mx-other&_id=mx-other-obs", ["mx-other-obs"]) });
        l.Add(Send("none", "POST", "Observation", 401, ObsJson(null, "mx-kari", "p-10"), "no token") with { Ids = [] });
        return l;
    }
}
