using static Fellesjournal.Server.Tests.Authorization.MatrixWorld;

namespace Fellesjournal.Server.Tests.Authorization;

/// <summary>
/// The read side of the authorization matrix (docs/security.md, "Authorization matrix"): personas × reads,
/// searches with every result parameter, history, compartments, operations and error messages. Each row asserts
/// the status, the exact ids (all pages) and totals, and that nothing of another compartment appears.
/// </summary>
public sealed class ReadMatrix(MatrixServer world) : ReadMatrixRows<MatrixServer>(world);

/// <summary>The read rows over the world of <typeparamref name="TWorld"/> (generic so that a run on another store
/// builds only its own world).</summary>
public abstract class ReadMatrixRows<TWorld>(TWorld world) : IClassFixture<TWorld> where TWorld : MatrixServer
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in ReadCases.All) data.Add(c.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Case(string name) => MatrixRunner.RunAsync(world.Client, ReadCases.ByName[name]);
}

public static class ReadCases
{
    private const string Loinc = "http://loinc.org|";

    private static MatrixCase Get(string persona, string url, int status = 200, string[]? ids = null, int? total = null) =>
        new(persona, "GET", "/fhir/" + url, status) { Ids = ids ?? (status == 200 ? null : []), Total = total };

    private static MatrixCase Hidden(string persona, string url, string id, int status = 404) =>
        new(persona, "GET", "/fhir/" + url, status) { Ids = [], HiddenId = id };

    private static MatrixCase Denied(string persona, string url, string? says = null) =>
        new(persona, "GET", "/fhir/" + url, 403) { Ids = [], Says = says };

    private static string[] Obs(params string[] g) => Ids("Observation", g);
    private static string[] Pat(params string[] g) => Ids("Patient", g);
    private static string[] Join(params string[][] sets) => sets.SelectMany(s => s).Order(StringComparer.Ordinal).ToArray();
    private static string[] One(string id) => [id];

    public static readonly IReadOnlyList<MatrixCase> All = Build();
    public static readonly IReadOnlyDictionary<string, MatrixCase> ByName = All.ToDictionary(c => c.Name);

    private static List<MatrixCase> Build()
    {
        var l = new List<MatrixCase>();

        // Citizen Kari: her own compartment only; everyone else's is 404, like an id that does not exist.
        const string ci = "citizen";
        l.Add(Get(ci, "Observation", ids: Obs("kari")));
        l.Add(Get(ci, "Observation?patient=mx-kari", ids: Obs("kari")));
        l.Add(Get(ci, "Observation?code=" + Loinc + "mx-1", ids: Obs("kari")));
        l.Add(Get(ci, "Observation?_id=mx-other-obs,mx-kari-obs", ids: One("mx-kari-obs")));
        l.Add(Hidden(ci, "Observation?patient=mx-other", "mx-other"));
        l.Add(Get(ci, "Patient", ids: Pat("kari")));
        l.Add(Get(ci, "Patient/mx-kari", ids: One("mx-kari")));
        l.Add(Hidden(ci, "Patient/mx-other", "mx-other"));
        l.Add(Hidden(ci, "Observation/mx-other-obs", "mx-other-obs"));
        l.Add(Hidden(ci, "Observation/mx-other-obs/_history/1", "mx-other-obs"));
        l.Add(Hidden(ci, "Observation/mx-other-obs/_history", "mx-other-obs"));
        l.Add(Get(ci, "Observation/mx-kari-obs/_history", ids: ["mx-kari-obs", "mx-kari-obs"]));
        l.Add(Get(ci, "Observation/mx-kari-moved/_history", ids: One("mx-kari-moved")));
        // Version 1 lay in another record: it reads like a version that never existed.
        l.Add(Hidden(ci, "Observation/mx-kari-moved/_history/1", "1") with { Missing = "9" });
        l.Add(Get(ci, "Observation/mx-kari-moved/_history/2", ids: One("mx-kari-moved")));
        l.Add(Get(ci, "Observation/_history", ids: Versions("Observation", "kari")));
        l.Add(Get(ci, "_history", ids: Versions(null, "kari", Shared)));
        l.Add(Get(ci, "Observation?_include=Observation:subject", ids: Join(Obs("kari"), Pat("kari"))));
        l.Add(Get(ci, "Patient?_revinclude=Observation:subject", ids: Join(Obs("kari"), Pat("kari"))));
        l.Add(Get(ci, "Observation?subject:Patient.family=MxOther", ids: []));
        l.Add(Get(ci, "Observation?subject:Patient.family=MxKari", ids: Obs("kari")));
        l.Add(Get(ci, "Patient?_has:Observation:subject:code=" + Loinc + "mx-1", ids: Pat("kari")));
        l.Add(Get(ci, "Observation?_total=accurate", ids: Obs("kari"), total: 2));
        l.Add(Get(ci, "Observation?_summary=count", ids: [], total: 2));
        l.Add(Get(ci, "Observation?_elements=status", ids: Obs("kari")));
        l.Add(Get(ci, "Observation?_count=1&_total=accurate", ids: Obs("kari"), total: 2));
        l.Add(Get(ci, "Patient/mx-kari/Observation", ids: Obs("kari")));
        l.Add(Hidden(ci, "Patient/mx-other/Observation", "mx-other"));
        l.Add(Get(ci, "Patient/mx-kari/$everything", ids: All("kari")));
        l.Add(Hidden(ci, "Patient/mx-other/$everything", "mx-other"));
        l.Add(Get(ci, "Condition?_id=mx-other-cond,mx-kari-cond", ids: One("mx-kari-cond")));
        l.Add(new MatrixCase(ci, "GET", "/fhir?_type=Observation,Condition&_count=2", 200) { Ids = Join(Obs("kari"), Ids("Condition", "kari")) });

        // Parent Ola: his own record and his child under 12; not the 13-year-old.
        const string pa = "parent";
        l.Add(Get(pa, "Observation", ids: Obs("ola", "child")));
        l.Add(Get(pa, "Observation?patient=mx-child", ids: Obs("child")));
        l.Add(Get(pa, "Observation?subject=Patient/mx-child&_total=accurate", ids: Obs("child"), total: 1));
        l.Add(Hidden(pa, "Observation?patient=mx-teen", "mx-teen"));
        l.Add(Get(pa, "Patient", ids: Pat("ola", "child")));
        l.Add(Get(pa, "Patient/mx-child", ids: One("mx-child")));
        l.Add(Hidden(pa, "Patient/mx-teen", "mx-teen"));
        l.Add(Hidden(pa, "Observation/mx-teen-obs", "mx-teen-obs"));
        l.Add(Get(pa, "Patient/mx-child/$everything", ids: All("child")));
        l.Add(Hidden(pa, "Patient/mx-teen/$everything", "mx-teen"));
        l.Add(Hidden(pa, "Patient/mx-teen/Observation", "mx-teen"));
        l.Add(Get(pa, "Patient?_has:Observation:subject:code=" + Loinc + "mx-1", ids: Pat("ola", "child")));
        l.Add(Get(pa, "Observation?_summary=count", ids: [], total: 2));
        l.Add(Get(pa, "RelatedPerson", ids: One("mx-child-rp")));
        l.Add(Get(pa, "Observation?subject:Patient.family=MxTeen", ids: []));
        l.Add(Get(pa, "Patient?_revinclude=RelatedPerson:patient", ids: Join(Pat("ola", "child"), One("mx-child-rp"))));
        l.Add(Get(pa, "Observation?_count=1", ids: Obs("ola", "child")));

        // Proxy holder (fullmakt for mx-granter): the granter when named; no record of his own.
        const string px = "proxy";
        l.Add(Get(px, "Observation?patient=mx-granter", ids: Obs("granter")));
        l.Add(Get(px, "Patient/mx-granter", ids: One("mx-granter")));
        l.Add(Get(px, "Observation/mx-granter-obs", ids: One("mx-granter-obs")));
        l.Add(Get(px, "Patient/mx-granter/$everything", ids: All("granter")));
        l.Add(Get(px, "Patient/mx-granter/Condition", ids: Ids("Condition", "granter")));
        l.Add(Hidden(px, "Observation?patient=mx-kari", "mx-kari"));
        l.Add(Hidden(px, "Patient/mx-kari", "mx-kari"));
        l.Add(Get(px, "Observation", ids: []));
        l.Add(Get(px, "Patient", ids: []));

        // GP with fastlege relations (listed, locked, blocked, reserved); none with mx-other.
        const string gp = "gp";
        l.Add(Get(gp, "Observation?patient=mx-listed", ids: Obs("listed")));
        l.Add(Get(gp, "Observation?patient=mx-listed&_count=1", ids: Obs("listed")));
        l.Add(Get(gp, "Observation?patient=mx-listed&_total=accurate&_count=2", ids: Obs("listed"), total: 3));
        l.Add(Get(gp, "Observation?patient=mx-listed&_summary=count", ids: [], total: 3));
        l.Add(Get(gp, "Observation?patient=mx-listed&_elements=status", ids: Obs("listed")));
        l.Add(Get(gp, "Observation?patient=mx-listed&_summary=true", ids: Obs("listed")));
        l.Add(Get(gp, "Observation?patient=mx-listed&_include=Observation:has-member", ids: Obs("listed")));
        l.Add(Get(gp, "Observation?patient=mx-listed&_include=Observation:subject", ids: Join(Obs("listed"), Pat("listed"))));
        l.Add(Get(gp, "Observation?patient=mx-listed&_revinclude=Observation:has-member", ids: Obs("listed")));
        l.Add(Get(gp, "Observation?patient=mx-listed&subject:Patient.family=MxListed", ids: Obs("listed")));
        l.Add(Get(gp, "Observation?patient=mx-listed&subject:Patient.family=MxOther", ids: []));
        l.Add(Get(gp, "Patient/mx-listed", ids: One("mx-listed")));
        l.Add(Get(gp, "Patient/mx-listed/Observation", ids: Obs("listed")));
        l.Add(Get(gp, "Patient/mx-listed/$everything", ids: All("listed")));
        l.Add(Get(gp, "Patient/mx-listed/_history", ids: One("mx-listed")));
        l.Add(Get(gp, "Observation/mx-listed-obs", ids: One("mx-listed-obs")));
        l.Add(Get(gp, "Observation/mx-listed-obs/_history", ids: One("mx-listed-obs")));
        l.Add(Get(gp, "Observation/mx-listed-obs/_history/1", ids: One("mx-listed-obs")));
        l.Add(Get(gp, "Observation?patient=mx-reserved", ids: Obs("reserved")));
        l.Add(Get(gp, "Organization", ids: One("mx-org-hospital")));
        l.Add(Get(gp, "Practitioner?identifier=" + Hpr + "|" + GpHpr, ids: One("mx-prac-gp")));
        // Locked section (sperring on Observation): hidden, and a hidden id reads like a missing one.
        l.Add(Get(gp, "Observation?patient=mx-locked", ids: [], total: null));
        l.Add(Get(gp, "Observation?patient=mx-locked&_summary=count", ids: [], total: 0));
        l.Add(Get(gp, "Condition?patient=mx-locked", ids: Ids("Condition", "locked")));
        l.Add(Get(gp, "Patient/mx-locked/$everything", ids: All("locked")));
        l.Add(Get(gp, "Patient/mx-locked/Observation", ids: []));
        l.Add(Hidden(gp, "Observation/mx-locked-obs", "mx-locked-obs"));
        l.Add(Hidden(gp, "Observation/mx-locked-obs/_history/1", "mx-locked-obs"));
        l.Add(Get(gp, "Patient?_id=mx-locked&_revinclude=Observation:subject", ids: One("mx-locked")));
        // GP without a relation (mx-other) and blocked by the patient (mx-blocked): 403 with the reason.
        l.Add(Denied(gp, "Observation?patient=mx-other", "care relationship"));
        l.Add(Denied(gp, "Patient/mx-other"));
        l.Add(Denied(gp, "Observation/mx-other-obs"));
        l.Add(Denied(gp, "Observation/mx-other-obs/_history"));
        l.Add(Denied(gp, "Patient/mx-other/Observation"));
        l.Add(Denied(gp, "Patient/mx-other/$everything"));
        l.Add(Denied(gp, "Patient?identifier=" + Fnr + "|15038500047"));
        l.Add(Denied(gp, "Observation?patient=mx-blocked", "block"));
        l.Add(Denied(gp, "Patient/mx-blocked"));
        l.Add(Denied(gp, "Patient/mx-blocked/$everything"));
        // No worklists yet: compartment data without a named patient is refused.
        l.Add(Denied(gp, "Observation", "Name the patient"));
        l.Add(Denied(gp, "Observation?code=" + Loinc + "mx-1", "Name the patient"));
        l.Add(Denied(gp, "Patient?_has:Observation:subject:code=" + Loinc + "mx-1", "Name the patient"));
        l.Add(Denied(gp, "Observation?subject:Patient.family=MxOther", "Name the patient"));

        // Emergency access with a reason: opens any record and locked sections; never a blocking.
        const string et = "gp-etreat";
        l.Add(Get(et, "Observation?patient=mx-other", ids: Obs("other")));
        l.Add(Get(et, "Observation?patient=mx-other&_total=accurate", ids: Obs("other"), total: 2));
        l.Add(Get(et, "Observation?patient=mx-other&_include=Observation:has-member", ids: Obs("other")));
        l.Add(Get(et, "Observation?patient=mx-other&_revinclude=Observation:has-member", ids: Obs("other")));
        l.Add(Get(et, "Patient/mx-other/$everything", ids: All("other")));
        l.Add(Get(et, "Observation/mx-other-obs", ids: One("mx-other-obs")));
        l.Add(Get(et, "Observation/mx-other-obs/_history", ids: One("mx-other-obs")));
        l.Add(Get(et, "Observation?patient=mx-locked", ids: Obs(LockedSection)));
        l.Add(Get(et, "Observation/mx-locked-obs", ids: One("mx-locked-obs")));
        l.Add(Get(et, "Patient/mx-locked/$everything", ids: All("locked", LockedSection)));
        l.Add(Get(et, "Patient?_has:Observation:subject:code=" + Loinc + "mx-secret&_id=mx-locked", ids: One("mx-locked")));
        l.Add(Denied(et, "Observation?patient=mx-blocked", "block"));
        l.Add(Denied(et, "Patient/mx-blocked"));
        l.Add(Denied(et, "Observation/mx-blocked-obs"));
        l.Add(Denied(et, "Patient/mx-blocked/$everything"));
        l.Add(Denied(et, "Observation", "Name the patient"));

        // ETREAT without a reason: refused.
        const string en = "gp-etreat-noreason";
        l.Add(Denied(en, "Observation?patient=mx-other", "reason"));
        l.Add(Denied(en, "Observation/mx-other-obs"));
        l.Add(Denied(en, "Patient/mx-other/$everything"));
        l.Add(Denied(en, "Observation?patient=mx-locked"));

        // Hospital doctor and nurse: the inpatient with an active Encounter at their legal entity.
        foreach (var h in new[] { "hospital-doctor", "nurse" })
        {
            l.Add(Get(h, "Observation?patient=mx-inpt", ids: Obs("inpt")));
            l.Add(Get(h, "Encounter?patient=mx-inpt", ids: One("mx-inpt-enc")));
            l.Add(Get(h, "Patient/mx-inpt/$everything", ids: All("inpt")));
            l.Add(Get(h, "Observation/mx-inpt-obs", ids: One("mx-inpt-obs")));
            l.Add(Denied(h, "Observation?patient=mx-listed", "care relationship"));
            l.Add(Denied(h, "Patient/mx-listed"));
            l.Add(Denied(h, "Observation/mx-listed-obs"));
            l.Add(Hidden(h, "Observation/mx-never-existed-either", "mx-never-existed-either"));
        }

        // Pharmacist: narrow scopes and no relation.
        const string ph = "pharmacist";
        l.Add(Denied(ph, "Observation?patient=mx-listed"));
        l.Add(Denied(ph, "Patient/mx-listed"));
        l.Add(Denied(ph, "MedicationRequest?patient=mx-listed"));
        l.Add(Denied(ph, "Condition/mx-listed-cond"));

        // System client with system/*.rs: every compartment, locked sections excluded.
        const string rg = "registry";
        var allObs = Obs(AllButLocked);
        l.Add(Get(rg, "Observation", ids: allObs));
        l.Add(Get(rg, "Observation?_total=accurate", ids: allObs, total: allObs.Length));
        l.Add(Get(rg, "Observation?_summary=count", ids: [], total: allObs.Length));
        l.Add(Get(rg, "Observation?_count=3&_total=accurate", ids: allObs, total: allObs.Length));
        l.Add(Get(rg, "Observation?_elements=subject&_count=4", ids: allObs));
        l.Add(Get(rg, "Patient", ids: Pat(AllButLocked)));
        l.Add(Get(rg, "Consent", ids: Ids("Consent", AllButLocked)));
        l.Add(Hidden(rg, "Observation/mx-locked-obs", "mx-locked-obs"));
        l.Add(Hidden(rg, "Observation/mx-locked-obs/_history", "mx-locked-obs"));
        l.Add(Get(rg, "Observation?patient=mx-locked", ids: []));
        l.Add(Get(rg, "Observation?code=" + Loinc + "mx-secret&_total=accurate", ids: [], total: 0));
        l.Add(Get(rg, "Patient?_has:Observation:subject:code=" + Loinc + "mx-secret", ids: []));
        l.Add(Get(rg, "Observation?subject:Patient.family=MxLocked", ids: []));
        l.Add(Get(rg, "Patient?_id=mx-locked&_revinclude=Observation:subject", ids: One("mx-locked")));
        l.Add(Get(rg, "Patient/mx-locked/$everything", ids: All("locked")));
        l.Add(Get(rg, "Patient/mx-locked/Observation", ids: []));
        l.Add(Get(rg, "Observation/_history", ids: Versions("Observation", AllButLocked)));
        l.Add(Get(rg, "_history?_count=7", ids: Versions(null, AllButLocked)));
        l.Add(Get(rg, "Observation?_include=Observation:has-member&_id=mx-listed-obs3", ids: ["mx-listed-obs3", "mx-other-obs"]));
        l.Add(Get(rg, "Observation?_revinclude=Observation:has-member&_id=mx-listed-obs", ids: ["mx-listed-obs", "mx-other-obs2"]));
        l.Add(Denied(rg, "AuditEvent?patient=mx-kari"));

        // System client with only system/Patient.rs.
        const string nr = "registry-narrow";
        l.Add(Get(nr, "Patient", ids: Pat(AllButLocked)));
        l.Add(Get(nr, "Patient/mx-kari", ids: One("mx-kari")));
        l.Add(Denied(nr, "Observation"));
        l.Add(Denied(nr, "Observation/mx-kari-obs"));
        l.Add(Denied(nr, "Patient/mx-kari/Observation"));
        l.Add(Get(nr, "Patient/mx-kari/$everything", ids: One("mx-kari")));

        // The summary record ($summary): the policy decides; under reservasjon there is none, for anyone (404).
        l.Add(new MatrixCase(gp, "GET", "/fhir/Patient/mx-listed/$summary", 200) { Visible = ["listed"] });
        l.Add(new MatrixCase(gp, "GET", "/fhir/Patient/mx-reserved/$summary", 404) { Ids = [], Says = "reservasjon" });
        l.Add(new MatrixCase(et, "GET", "/fhir/Patient/mx-reserved/$summary", 404) { Ids = [], Says = "reservasjon" });
        l.Add(new MatrixCase(rg, "GET", "/fhir/Patient/mx-reserved/$summary", 404) { Ids = [], Says = "reservasjon" });
        l.Add(Denied(gp, "Patient/mx-other/$summary"));
        l.Add(Denied(gp, "Patient/mx-blocked/$summary"));
        l.Add(new MatrixCase(ci, "GET", "/fhir/Patient/mx-kari/$summary", 200) { Visible = ["kari"] });
        l.Add(Hidden(ci, "Patient/mx-other/$summary", "mx-other"));

        // No token: 401 everywhere, whatever exists.
        foreach (var url in new[] { "Observation", "Patient/mx-kari", "Patient/mx-never-existed", "Patient/mx-kari/$everything", "_history", "Observation?_summary=count" })
            l.Add(new MatrixCase("none", "GET", "/fhir/" + url, 401) { Ids = [] });

        return l;
    }
}
