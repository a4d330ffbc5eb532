using System.Text;
using System.Text.Json;
using Fellesjournal.Storage;
using Fellesjournal.Storage.Sqlite;
using Fellesjournal.Trust.Access;
using Fellesjournal.Trust.Identity;

using static Fellesjournal.Trust.Tests.StoreWrites;

namespace Fellesjournal.Trust.Tests;

public sealed class CareFactsReaderTests : IAsyncDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fj-trust-" + Guid.NewGuid().ToString("N"));
    private readonly SqliteResourceStore _store;
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    public CareFactsReaderTests() => _store = SqliteResourceStore.Open(_dir);

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private const string Fnr = "urn:oid:2.16.578.1.12.4.1.4.1";
    private const string Hpr = "urn:oid:2.16.578.1.12.4.1.4.4";
    private const string Org = "urn:oid:2.16.578.1.12.4.1.4.101";
    private const string Ctl = CitizenControlCodes.System;

    private Task Seed() => _store.MergeAsync([
        Put($$$"""{"resourceType":"Organization","id":"hosp","identifier":[{"system":"{{{Org}}}","value":"983710018"}]}"""),
        Put($$$"""{"resourceType":"Organization","id":"kommune","identifier":[{"system":"{{{Org}}}","value":"912500004"}]}"""),
        Put($$$"""{"resourceType":"Practitioner","id":"gp","identifier":[{"system":"{{{Hpr}}}","value":"565501872"}]}"""),
        Put($$$"""{"resourceType":"Practitioner","id":"nurse","identifier":[{"system":"{{{Hpr}}}","value":"723456789"}]}"""),
        Put($$$"""{"resourceType":"Patient","id":"kari","identifier":[{"system":"{{{Fnr}}}","value":"15038500047"}],"birthDate":"1985-03-15","generalPractitioner":[{"reference":"Practitioner/gp"}]}"""),
        Put($$$"""{"resourceType":"Patient","id":"emma","identifier":[{"system":"{{{Fnr}}}","value":"05041500079"}],"birthDate":"2015-04-05"}"""),
        Put("""{"resourceType":"Encounter","id":"e1","status":"in-progress","class":{"code":"IMP"},"subject":{"reference":"Patient/kari"},"serviceProvider":{"reference":"Organization/hosp"},"period":{"start":"2026-11-20"}}"""),
        Put("""{"resourceType":"Encounter","id":"e2","status":"finished","class":{"code":"AMB"},"subject":{"reference":"Patient/kari"},"serviceProvider":{"reference":"Organization/kommune"}}"""),
        Put("""{"resourceType":"CareTeam","id":"ct1","status":"active","subject":{"reference":"Patient/kari"},"participant":[{"member":{"reference":"Practitioner/nurse"}}]}"""),
        Put($$$"""{"resourceType":"ServiceRequest","id":"sr1","status":"active","intent":"order","code":{"text":"Henvisning"},"subject":{"reference":"Patient/kari"},"performer":[{"identifier":{"system":"{{{Org}}}","value":"874230006"}}]}"""),
        Put($$$"""{"resourceType":"RelatedPerson","id":"rp1","patient":{"reference":"Patient/emma"},"relationship":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-RoleCode","code":"FTH"}]}],"identifier":[{"system":"{{{Fnr}}}","value":"02029000002"}]}"""),
        Put($$$"""{"resourceType":"Consent","id":"c-lock","status":"active","scope":{"coding":[{"code":"patient-privacy"}]},"category":[{"coding":[{"system":"{{{Ctl}}}","code":"sperring"}]}],"patient":{"reference":"Patient/kari"},"provision":{"type":"deny","class":[{"system":"http://hl7.org/fhir/resource-types","code":"Condition"}],"code":[{"coding":[{"system":"http://loinc.org","code":"11450-4"}]}]}}"""),
        Put($$$$"""{"resourceType":"Consent","id":"c-block","status":"active","scope":{"coding":[{"code":"patient-privacy"}]},"category":[{"coding":[{"system":"{{{{Ctl}}}}","code":"blokkering"}]}],"patient":{"reference":"Patient/kari"},"provision":{"type":"deny","actor":[{"role":{"text":"blocked"},"reference":{"identifier":{"system":"{{{{Hpr}}}}","value":"412345678"}}}]}}"""),
        Put($$$$"""{"resourceType":"Consent","id":"c-proxy","status":"active","scope":{"coding":[{"code":"patient-privacy"}]},"category":[{"coding":[{"system":"{{{{Ctl}}}}","code":"fullmakt"}]}],"patient":{"reference":"Patient/kari"},"provision":{"type":"permit","period":{"start":"2026-01-01","end":"2027-01-01"},"actor":[{"role":{"text":"proxy"},"reference":{"identifier":{"system":"{{{{Fnr}}}}","value":"03121100095"}}}]}}"""),
        Put($$$"""{"resourceType":"Consent","id":"c-old","status":"inactive","scope":{"coding":[{"code":"patient-privacy"}]},"category":[{"coding":[{"system":"{{{Ctl}}}","code":"reservasjon"}]}],"patient":{"reference":"Patient/kari"}}"""),
    ]);

    [Fact]
    public async Task Derives_facts_and_controls_from_the_store()
    {
        await Seed();
        var (facts, controls) = await new CareFactsReader(_store).ReadAsync("kari");
        Assert.Equal("15038500047", facts.PatientPid);
        Assert.Equal(new DateOnly(1985, 3, 15), facts.BirthDate);

        var gp = Assert.Single(facts.Relations, r => r.Kind == CareRelationKind.GeneralPractitioner);
        Assert.Equal("565501872", gp.PractitionerHpr);
        // Only ongoing encounters are read: a finished one never grants access.
        var encounter = Assert.Single(facts.Relations, r => r.Kind == CareRelationKind.Encounter);
        Assert.Equal(("983710018", true), (encounter.OrganisationNumber, encounter.Active));
        Assert.Equal("723456789", Assert.Single(facts.Relations, r => r.Kind == CareRelationKind.CareTeam).PractitionerHpr);
        Assert.Equal("874230006", Assert.Single(facts.Relations, r => r.Kind == CareRelationKind.Referral).OrganisationNumber);

        Assert.Equal(["Condition", "http://loinc.org|11450-4"], controls.Locks.Select(l => l.Key));
        Assert.Equal(["412345678"], controls.BlockedHpr);
        Assert.False(controls.ReservedAgainstSummaryRecord); // that Consent is inactive
        var proxy = Assert.Single(facts.Proxies);
        Assert.Equal("03121100095", proxy.GranteePid);
        Assert.True(proxy.IsActiveAt(Now));
    }

    [Fact]
    public async Task Reads_parent_relation_of_a_child()
    {
        await Seed();
        var (facts, _) = await new CareFactsReader(_store).ReadAsync("emma");
        Assert.Equal("02029000002", Assert.Single(facts.Parents).ParentPid);
        Assert.Equal(new DateOnly(2015, 4, 5), facts.BirthDate);
    }

    [Fact]
    public async Task Facts_from_the_store_drive_the_policy()
    {
        await Seed();
        var reader = new CareFactsReader(_store);
        var (kari, controls) = await reader.ReadAsync("kari");
        var (emma, emmaControls) = await reader.ReadAsync("emma");
        using var issuer = new DevelopmentIssuer();
        var validator = new TokenValidator(issuer.TrustedIssuers());

        async Task<Decision> Decide(string persona, CareFacts f, CitizenControls c, MintOptions? o = null)
        {
            var auth = await validator.ValidateAsync(issuer.Mint(DemoPersonas.Get(persona), o));
            Assert.True(auth.Succeeded, auth.Message);
            return AccessPolicy.Decide(new AccessRequest { Principal = auth.Principal!, Facts = f, Controls = c, Now = Now });
        }

        Assert.Equal(AccessBasis.Self, (await Decide("citizen", kari, controls)).Basis);
        Assert.Equal(AccessBasis.ParentOfChild, (await Decide("parent", emma, emmaControls)).Basis);
        Assert.Equal(DenyReason.NotOwnRecord, (await Decide("parent", kari, controls)).DenyReason);
        Assert.Equal(AccessBasis.GeneralPractitioner, (await Decide("gp", kari, controls)).Basis);
        var nurse = await Decide("nurse", kari, controls);
        Assert.Equal(AccessBasis.CareRelationship, nurse.Basis);
        Assert.Equal(2, nurse.HiddenSections.Count);
        Assert.Equal(AccessBasis.Referral, (await Decide("pharmacist", kari, controls)).Basis);
        Assert.Equal(DenyReason.Blocked, (await Decide("hospital-doctor", kari, controls,
            new MintOptions { Purpose = PurposeOfUse.EmergencyTreat, PurposeDetails = "Unconscious" })).DenyReason);
        Assert.Equal(DenyReason.NoCareRelationship, (await Decide("gp", emma, emmaControls)).DenyReason);
        var emergency = await Decide("hospital-doctor", emma, emmaControls, new MintOptions { Purpose = PurposeOfUse.EmergencyTreat, PurposeDetails = "Seizure" });
        Assert.Equal(DecisionKind.PermitWithFlags, emergency.Kind);
    }

    [Fact]
    public async Task Withdrawn_consent_takes_effect_on_next_read()
    {
        await Seed();
        var reader = new CareFactsReader(_store);
        Assert.Single((await reader.ReadAsync("kari")).Controls.BlockedHpr);
        var current = await _store.GetAsync("Consent", "c-block");
        var json = Encoding.UTF8.GetString(current!.Json.Span).Replace("\"status\":\"active\"", "\"status\":\"inactive\"");
        await _store.MergeAsync([new ResourceWrite("Consent", "c-block", Encoding.UTF8.GetBytes(json))]);
        Assert.Empty((await reader.ReadAsync("kari")).Controls.BlockedHpr);
    }

    [Fact]
    public async Task Unknown_patient_has_no_facts()
    {
        await Seed();
        var (facts, controls) = await new CareFactsReader(_store).ReadAsync("nobody");
        Assert.Null(facts.PatientPid);
        Assert.Empty(facts.Relations);
        Assert.Empty(controls.Locks);
    }

    [Fact]
    public async Task Citizen_reach_is_own_record_and_children_under_12()
    {
        await Seed();
        await _store.MergeAsync([
            Put($$$"""{"resourceType":"Patient","id":"teen","identifier":[{"system":"{{{Fnr}}}","value":"17061200045"}],"birthDate":"2012-06-17"}"""),
            Put($$$"""{"resourceType":"RelatedPerson","id":"rp2","patient":{"reference":"Patient/teen"},"relationship":[{"coding":[{"code":"FTH"}]}],"identifier":[{"system":"{{{Fnr}}}","value":"02029000002"}]}"""),
            Put($$$"""{"resourceType":"Patient","id":"ola","identifier":[{"system":"{{{Fnr}}}","value":"02029000002"}],"birthDate":"1990-02-02"}"""),
        ]);
        var resolver = new CompartmentResolver(_store, new CareFactsReader(_store), new ManualTime(Now));
        using var issuer = new DevelopmentIssuer();
        var ola = (await new TokenValidator(issuer.TrustedIssuers()).ValidateAsync(issuer.Mint(DemoPersonas.Get("parent")))).Principal!;
        var filter = await resolver.ForCitizenAsync(ola);
        Assert.False(filter.AllPatients);
        Assert.Equal(["emma", "ola"], filter.PatientIds.Order());
        Assert.True(filter.Permits("emma", "Observation"));
        Assert.False(filter.Permits("teen", "Observation"));
        Assert.False(filter.Permits("kari", "Observation"));
        Assert.True(filter.Permits(null, "Organization"));
    }

    [Fact]
    public async Task Locked_sections_are_hidden_by_the_filter_for_personnel()
    {
        await Seed();
        var resolver = new CompartmentResolver(_store, new CareFactsReader(_store), new ManualTime(Now));
        using var issuer = new DevelopmentIssuer();
        var nurse = (await new TokenValidator(issuer.TrustedIssuers()).ValidateAsync(issuer.Mint(DemoPersonas.Get("nurse")))).Principal!;
        var (decision, filter, _) = await resolver.ForPatientAsync(nurse, "kari");
        Assert.Equal(AccessBasis.CareRelationship, decision.Basis);
        Assert.True(filter.Permits("kari", "Observation", ["http://loinc.org|1234-5"]));
        Assert.False(filter.Permits("kari", "Observation", ["http://loinc.org|11450-4"]));
        Assert.False(filter.Permits("kari", "Condition"));
        Assert.False(filter.Permits("emma", "Observation"));
        var (_, opened, _) = await resolver.ForPatientAsync(nurse, "kari", consentInTheMoment: true);
        Assert.True(opened.Permits("kari", "Condition"));
    }
}
