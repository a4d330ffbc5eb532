using System.Text;
using System.Text.Json;
using Fellesjournal.Services.Summary;
using Fellesjournal.Storage;
using Fellesjournal.Storage.Sqlite;
using Fellesjournal.Trust.Access;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Services.Tests.Summary;

/// <summary>A clock tests can set.</summary>
public sealed class ManualTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>A real SQLite store in a temp directory, the personas of the summary scenarios, and a seeded patient.</summary>
public sealed class SummaryTestStore : IAsyncDisposable
{
    public const string Fnr = "urn:oid:2.16.578.1.12.4.1.4.1";
    public const string Hpr = "urn:oid:2.16.578.1.12.4.1.4.4";
    public const string Org = "urn:oid:2.16.578.1.12.4.1.4.101";
    public const string Ctl = CitizenControlCodes.System;
    public const string Base = "https://fellesjournal.example/fhir";
    public const string KariPid = "15038500047";
    public const string GpHpr = "565501872";
    public const string ErDoctorHpr = "334455667";
    public const string BlockedHpr = "412345678";
    public static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "fj-summary-" + Guid.NewGuid().ToString("N"));
    public SqliteResourceStore Store { get; }
    public DocumentSigner Signer { get; } = DocumentSigner.Generate();
    public ManualTime Time { get; } = new(Now);

    public SummaryTestStore() => Store = SqliteResourceStore.Open(Dir);

    public SummaryRecord Service(Func<Guid>? ids = null, ISummaryMedicationSource? meds = null) => new(Store, Signer, meds, time: Time, newId: ids);

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        Signer.Dispose();
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }

    public static ResourceWrite Put(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return new ResourceWrite(doc.RootElement.GetProperty("resourceType").GetString()!, doc.RootElement.GetProperty("id").GetString()!, Encoding.UTF8.GetBytes(json));
    }

    public Task Add(params string[] json) => Store.MergeAsync(json.Select(Put).ToList());

    // ---- personas ---------------------------------------------------------------------------------------------

    public static Principal Gp() => Pro(GpHpr, "912500004", PurposeOfUse.Treat);

    public static Principal ErDoctor(string? reason = "Bevisstløs pasient i akuttmottaket") =>
        Pro(ErDoctorHpr, "983710018", PurposeOfUse.EmergencyTreat, reason);

    public static Principal ErDoctorWithoutEmergency() => Pro(ErDoctorHpr, "983710018", PurposeOfUse.Treat);

    public static Principal BlockedDoctor() => Pro(BlockedHpr, "983710018", PurposeOfUse.EmergencyTreat, "Hjertestans");

    public static Principal Citizen(string pid = KariPid) =>
        new() { Kind = PrincipalKind.Citizen, Pid = pid, Scopes = ScopeSet.Parse("patient/*.rs") };

    public static Principal Registry() =>
        new() { Kind = PrincipalKind.System, ClientId = "registry", Scopes = ScopeSet.Parse("system/*.rs") };

    private static Principal Pro(string hpr, string org, PurposeOfUse purpose, string? reason = null) => new()
    {
        Kind = PrincipalKind.Personnel, Pid = "02029000002", Name = "Lege " + hpr, HprNumber = hpr, OrgNumberParent = org,
        Scopes = ScopeSet.Parse("user/*.rs"),
        TrustFramework = new TrustFrameworkDetails { AuthorizationCode = "LE", LegalEntity = org, PurposeOfUse = purpose, PurposeDetails = reason },
    };

    // ---- the patient of the scenarios --------------------------------------------------------------------------

    /// <summary>Kari: a GP, two allergies (one critical), critical and ordinary conditions, a flag, vaccines, medicines,
    /// hospital/emergency/GP encounters inside and outside three years, an epikrise, next of kin and her own entry.</summary>
    public Task SeedKari() => Add(
        $$"""{"resourceType":"Organization","id":"kommune","name":"Storbyen legesenter","identifier":[{"system":"{{Org}}","value":"912500004"}]}""",
        $$"""{"resourceType":"Organization","id":"hosp","name":"Storbyen universitetssykehus","identifier":[{"system":"{{Org}}","value":"983710018"}]}""",
        $$"""{"resourceType":"Practitioner","id":"gp","identifier":[{"system":"{{Hpr}}","value":"{{GpHpr}}"}],"name":[{"family":"Lege","given":["Gunnar"]}],"telecom":[{"system":"phone","value":"22334455"}]}""",
        $$"""{"resourceType":"Practitioner","id":"blocked","identifier":[{"system":"{{Hpr}}","value":"{{BlockedHpr}}"}]}""",
        """{"resourceType":"PractitionerRole","id":"gp-role","practitioner":{"reference":"Practitioner/gp","display":"Gunnar Lege"},"organization":{"reference":"Organization/kommune"}}""",
        $$"""{"resourceType":"Patient","id":"kari","identifier":[{"system":"{{Fnr}}","value":"{{KariPid}}"}],"name":[{"family":"Nordmann","given":["Kari"]}],"birthDate":"1985-03-15","generalPractitioner":[{"reference":"PractitionerRole/gp-role"},{"reference":"Organization/kommune"}]}""",
        """{"resourceType":"AllergyIntolerance","id":"alg-pen","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"active"}]},"verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-verification","code":"confirmed"}]},"type":"allergy","category":["medication"],"criticality":"high","code":{"coding":[{"system":"http://snomed.info/sct","code":"91936005"}],"text":"Penicillinallergi"},"patient":{"reference":"Patient/kari"},"recordedDate":"2019-05-02","recorder":{"reference":"Practitioner/gp","display":"Gunnar Lege"},"reaction":[{"manifestation":[{"text":"Anafylaksi"}],"severity":"severe"}]}""",
        """{"resourceType":"AllergyIntolerance","id":"alg-pollen","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"active"}]},"type":"allergy","category":["environment"],"criticality":"low","code":{"text":"Pollenallergi"},"patient":{"reference":"Patient/kari"},"recordedDate":"2015-04-01"}""",
        """{"resourceType":"AllergyIntolerance","id":"alg-error","verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-verification","code":"entered-in-error"}]},"criticality":"high","code":{"text":"Feilregistrert"},"patient":{"reference":"Patient/kari"}}""",
        """{"resourceType":"AllergyIntolerance","id":"alg-own","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"active"}]},"code":{"text":"Jeg tåler ikke nøtter"},"patient":{"reference":"Patient/kari"},"recorder":{"reference":"Patient/kari"},"recordedDate":"2026-01-10"}""",
        $$"""{"resourceType":"Condition","id":"cond-implant","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},"verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"confirmed"}]},"category":[{"coding":[{"system":"{{SummaryCodes.CriticalInformationSystem}}","code":"implant"}]}],"code":{"text":"Pacemaker"},"subject":{"reference":"Patient/kari"},"recordedDate":"2022-08-15"}""",
        """{"resourceType":"Condition","id":"cond-diabetes","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-category","code":"problem-list-item"}]}],"code":{"coding":[{"system":"urn:oid:2.16.578.1.12.4.1.1.7110","code":"E11","display":"Diabetes mellitus type 2"}]},"subject":{"reference":"Patient/kari"},"onsetDateTime":"2018-02-01","recordedDate":"2018-02-01"}""",
        """{"resourceType":"Condition","id":"cond-old","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"resolved"}]},"code":{"text":"Lungebetennelse"},"subject":{"reference":"Patient/kari"},"recordedDate":"2020-01-01"}""",
        $$$$"""{"resourceType":"Flag","id":"flag-needs","status":"active","category":[{"coding":[{"system":"{{{{SummaryCodes.CriticalInformationSystem}}}}","code":"special-needs"}],"text":"Særskilte behov"}],"code":{"text":"Trenger tolk (arabisk)"},"subject":{"reference":"Patient/kari"},"period":{"start":"2024-01-01"}}""",
        """{"resourceType":"Immunization","id":"imm-flu","status":"completed","vaccineCode":{"coding":[{"system":"http://www.whocc.no/atc","code":"J07BB02"}],"text":"Influensavaksine"},"patient":{"reference":"Patient/kari"},"occurrenceDateTime":"2025-10-15","protocolApplied":[{"series":"Sesonginfluensa 2025/26","doseNumberPositiveInt":1}]}""",
        """{"resourceType":"MedicationStatement","id":"ms-metformin","status":"active","medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"A10BA02"}],"text":"Metformin 500 mg tablett"},"subject":{"reference":"Patient/kari"},"dateAsserted":"2026-06-01","dosage":[{"text":"1 tablett 2 ganger daglig"}]}""",
        """{"resourceType":"MedicationStatement","id":"ms-stopped","status":"stopped","medicationCodeableConcept":{"text":"Ibuprofen 400 mg"},"subject":{"reference":"Patient/kari"}}""",
        """{"resourceType":"MedicationRequest","id":"mr-active","status":"active","intent":"order","medicationCodeableConcept":{"text":"Warfarin 2,5 mg tablett"},"subject":{"reference":"Patient/kari"},"authoredOn":"2026-09-01","dosageInstruction":[{"text":"Etter INR"}]}""",
        """{"resourceType":"MedicationRequest","id":"mr-done","status":"completed","intent":"order","medicationCodeableConcept":{"text":"Amoksicillin"},"subject":{"reference":"Patient/kari"},"authoredOn":"2021-01-01"}""",
        """{"resourceType":"Encounter","id":"enc-imp","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},"type":[{"text":"Innleggelse, kardiologisk avdeling"}],"subject":{"reference":"Patient/kari"},"period":{"start":"2025-11-02T10:00:00Z","end":"2025-11-06T12:00:00Z"},"reasonCode":[{"text":"Brystsmerter"}],"serviceProvider":{"reference":"Organization/hosp"}}""",
        """{"resourceType":"Encounter","id":"enc-emer","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"EMER"},"type":[{"text":"Legevakt"}],"subject":{"reference":"Patient/kari"},"period":{"start":"2026-03-01T22:00:00Z","end":"2026-03-01T23:00:00Z"}}""",
        """{"resourceType":"Encounter","id":"enc-old","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},"subject":{"reference":"Patient/kari"},"period":{"start":"2021-05-01T10:00:00Z","end":"2021-05-03T10:00:00Z"}}""",
        """{"resourceType":"Encounter","id":"enc-gp","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"subject":{"reference":"Patient/kari"},"period":{"start":"2026-10-01T09:00:00Z","end":"2026-10-01T09:15:00Z"}}""",
        """{"resourceType":"Composition","id":"comp-epi","status":"final","type":{"coding":[{"system":"http://loinc.org","code":"18842-5"}],"text":"Epikrise"},"subject":{"reference":"Patient/kari"},"date":"2025-11-06T12:00:00Z","author":[{"reference":"Practitioner/gp"}],"title":"Epikrise"}""",
        """{"resourceType":"DocumentReference","id":"doc-epi","status":"current","type":{"coding":[{"system":"http://loinc.org","code":"18842-5"}],"text":"Epikrise"},"subject":{"reference":"Patient/kari"},"date":"2025-11-06T12:00:00Z","description":"Epikrise kardiologisk avdeling","content":[{"attachment":{"contentType":"text/plain","title":"Epikrise"}}],"context":{"related":[{"reference":"Composition/comp-epi"}]}}""",
        """{"resourceType":"Composition","id":"comp-other","status":"final","type":{"text":"Poliklinisk notat"},"subject":{"reference":"Patient/kari"},"date":"2024-02-01T12:00:00Z","author":[{"reference":"Practitioner/gp"}],"title":"Poliklinisk notat"}""",
        """{"resourceType":"RelatedPerson","id":"rp-ola","patient":{"reference":"Patient/kari"},"relationship":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-RoleCode","code":"HUSB"}],"text":"Ektefelle"}],"name":[{"family":"Nordmann","given":["Ola"]}],"telecom":[{"system":"phone","value":"99887766"}]}""");

    public Task Consent(string id, string code, string provision = """{"type":"deny"}""") => Add(
        $$"""{"resourceType":"Consent","id":"{{id}}","status":"active","scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"patient-privacy"}]},"category":[{"coding":[{"system":"{{Ctl}}","code":"{{code}}"}]}],"patient":{"reference":"Patient/kari"},"provision":{{provision}}}""");

    public Task Reserve() => Consent("c-reserve", "reservasjon");

    public Task Block() => Consent("c-block", "blokkering", """{"type":"deny","actor":[{"role":{"text":"blocked"},"reference":{"reference":"Practitioner/blocked"}}]}""");

    /// <summary>Locks the problem list (by section code) and immunizations (by type).</summary>
    public Task Lock() => Consent("c-lock", "sperring",
        """{"type":"deny","class":[{"system":"http://hl7.org/fhir/resource-types","code":"Immunization"}],"code":[{"coding":[{"system":"http://loinc.org","code":"11450-4"}]}]}""");
}
