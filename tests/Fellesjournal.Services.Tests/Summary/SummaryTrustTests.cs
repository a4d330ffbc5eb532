using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Validation;
using Fellesjournal.Services.Summary;
using Fellesjournal.Trust.Access;
using static Fellesjournal.Services.Tests.Summary.SummaryDocumentTests;

namespace Fellesjournal.Services.Tests.Summary;

/// <summary>The trust rules, section by section: reservasjon, blokkering, sperring, emergency and consent.</summary>
public sealed class SummaryTrustTests : IAsyncLifetime
{
    private readonly SummaryTestStore _t = new();

    public Task InitializeAsync() => _t.SeedKari();
    public async Task DisposeAsync() => await _t.DisposeAsync();

    private Task<SummaryResult> Open(Trust.Identity.Principal caller, bool consent = false) =>
        _t.Service().BuildAsync("kari", new SummaryRequest { Caller = caller, ConsentInTheMoment = consent, BaseUrl = SummaryTestStore.Base });

    private static JsonObject Doc(SummaryResult r)
    {
        Assert.True(r.Success, r.Outcome?.ToJson());
        return (JsonObject)JsonNode.Parse(r.Document)!;
    }

    [Fact]
    public async Task Reserved_patient_has_no_summary_for_anyone()
    {
        await _t.Reserve();
        foreach (var caller in new[] { SummaryTestStore.Gp(), SummaryTestStore.ErDoctor(), SummaryTestStore.Citizen() })
        {
            var r = await Open(caller);
            Assert.Equal(404, r.Status);
            Assert.Null(r.Document);
            Assert.Equal(DenyReason.NoSummaryRecord, r.Decision!.DenyReason);
            Assert.Contains("reservasjon", r.Outcome!.Issues[0].Diagnostics);
            Assert.Equal("not-found", r.Outcome.Issues[0].Code);
        }
    }

    [Fact]
    public async Task Blocked_practitioner_is_refused_even_in_an_emergency()
    {
        Assert.True((await Open(SummaryTestStore.BlockedDoctor())).Success);   // before the block
        await _t.Block();
        var r = await Open(SummaryTestStore.BlockedDoctor());
        Assert.Equal(403, r.Status);
        Assert.Equal(DenyReason.Blocked, r.Decision!.DenyReason);
        Assert.Contains("blokkering", r.Outcome!.Issues[0].Diagnostics);
        Assert.True((await Open(SummaryTestStore.ErDoctor())).Success);         // others are not affected
    }

    [Fact]
    public async Task Without_a_care_relationship_only_emergency_access_with_a_reason_opens_it()
    {
        var treat = await Open(SummaryTestStore.ErDoctorWithoutEmergency());
        Assert.Equal(403, treat.Status);
        Assert.Equal(DenyReason.NoCareRelationship, treat.Decision!.DenyReason);

        var noReason = await Open(SummaryTestStore.ErDoctor(reason: null));
        Assert.Equal(403, noReason.Status);
        Assert.Equal(DenyReason.EmergencyWithoutReason, noReason.Decision!.DenyReason);

        var emergency = await Open(SummaryTestStore.ErDoctor());
        var doc = Doc(emergency);
        Assert.Equal(AccessBasis.Emergency, emergency.Decision!.Basis);
        Assert.True(emergency.Decision.Flags.HasFlag(AccessFlags.Emergency | AccessFlags.NotifyCitizen));
        Assert.Contains("nødrett", doc["entry"]![0]!["resource"]!["text"]!["div"]!.GetValue<string>());
        Assert.Contains("Patient/kari", emergency.Disclosed);
    }

    [Fact]
    public async Task Locked_sections_appear_locked_to_the_gp_without_consent()
    {
        await _t.Lock();
        var r = await Open(SummaryTestStore.Gp());
        var doc = Doc(r);
        foreach (var code in new[] { "11450-4", "11369-6" })
        {
            var s = Section(doc, code);
            Assert.Null(s["entry"]);
            Assert.Equal("withheld", s["emptyReason"]!["coding"]![0]!["code"]!.GetValue<string>());
            Assert.Contains("sperret av pasienten", s["text"]!["div"]!.GetValue<string>());
        }
        var json = doc.ToJsonString();
        Assert.DoesNotContain("cond-diabetes", json);
        Assert.DoesNotContain("imm-flu", json);
        Assert.Contains("cond-implant", json);   // critical information is not locked by the problem-list lock
        Assert.NotEmpty(r.Decision!.HiddenSections);
        Assert.True(FhirValidator.Default.Validate(r.Document!).Success);
    }

    [Fact]
    public async Task Locks_on_single_entries_withhold_them_and_say_how_many()
    {
        await _t.Consent("c-lock-cat", "sperring", """{"type":"deny","code":[{"coding":[{"system":"http://loinc.org","code":"18842-5"}]}]}""");
        var doc = Doc(await Open(SummaryTestStore.Gp()));
        var s = Section(doc, "documents");
        Assert.Equal(["Composition/comp-other"], Entries(s));
        Assert.Contains("1 opplysning er sperret", s["text"]!["div"]!.GetValue<string>());
    }

    [Fact]
    public async Task Consent_in_the_moment_opens_locked_sections_and_is_flagged()
    {
        await _t.Lock();
        var r = await Open(SummaryTestStore.Gp(), consent: true);
        var doc = Doc(r);
        Assert.True(r.Decision!.Flags.HasFlag(AccessFlags.LockedOpenedByConsent));
        var s = Section(doc, "11450-4");
        Assert.Equal(["Condition/cond-diabetes"], Entries(s));
        Assert.Contains("åpnet med pasientens samtykke", s["text"]!["div"]!.GetValue<string>());
    }

    [Fact]
    public async Task Emergency_opens_locked_sections_and_says_so()
    {
        await _t.Lock();
        var r = await Open(SummaryTestStore.ErDoctor());
        var doc = Doc(r);
        Assert.True(r.Decision!.Flags.HasFlag(AccessFlags.LockedOpenedByEmergency));
        var s = Section(doc, "11369-6");
        Assert.Equal(["Immunization/imm-flu"], Entries(s));
        Assert.Contains("åpnet ved nødrett", s["text"]!["div"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_citizen_sees_their_own_locked_sections_without_an_opening_note()
    {
        await _t.Lock();
        var doc = Doc(await Open(SummaryTestStore.Citizen()));
        var s = Section(doc, "11450-4");
        Assert.Equal(["Condition/cond-diabetes"], Entries(s));
        Assert.DoesNotContain("åpnet", s["text"]!["div"]!.GetValue<string>());
    }

    [Fact]
    public async Task System_clients_never_open_locks()
    {
        await _t.Lock();
        var doc = Doc(await Open(SummaryTestStore.Registry()));
        Assert.Null(Section(doc, "11450-4")["entry"]);
    }

    [Fact]
    public async Task Citizens_see_their_own_summary_and_nobody_elses()
    {
        Assert.True((await Open(SummaryTestStore.Citizen())).Success);
        var other = await Open(SummaryTestStore.Citizen("05041500079"));
        Assert.Equal(404, other.Status);
        Assert.Equal(DenyReason.NotOwnRecord, other.Decision!.DenyReason);
    }

    [Fact]
    public async Task A_changed_consent_applies_on_the_next_request()
    {
        Assert.True((await Open(SummaryTestStore.Gp())).Success);
        await _t.Reserve();
        Assert.Equal(404, (await Open(SummaryTestStore.Gp())).Status);
    }
}
