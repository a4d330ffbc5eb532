using Fellesjournal.Trust.Access;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Trust.Tests;

/// <summary>The policy over personas × situations; each case states the exact decision.</summary>
public class PolicyMatrixTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    // People (pids) and organisations
    private const string Kari = "15038500047";      // adult citizen
    private const string Ola = "02029000002";       // parent
    private const string Child = "05041500079";
    private const string Other = "03121100095";
    private const string DNumber = "44068000006";
    private const string Hospital = DemoPersonas.HospitalOrg;
    private const string HospitalPoc = DemoPersonas.HospitalPointOfCare;
    private const string GpOffice = DemoPersonas.GpOfficeOrg;
    private const string Pharmacy = DemoPersonas.PharmacyOrg;
    private const string Municipality = DemoPersonas.MunicipalityOrg;
    private const string GpHpr = "565501872";
    private const string DoctorHpr = "412345678";
    private const string NurseHpr = "723456789";

    private static Principal Citizen(string pid, string scopes = "patient/*.rs") =>
        new() { Kind = PrincipalKind.Citizen, Pid = pid, Scopes = ScopeSet.Parse(scopes) };

    private static Principal Pro(string personaId, PurposeOfUse purpose = PurposeOfUse.Treat, string? reason = null,
        IReadOnlyList<string>? patients = null, bool noTrustFramework = false, string? hprOverride = null)
    {
        var d = DemoPersonas.Get(personaId);
        return new Principal
        {
            Kind = PrincipalKind.Personnel, Pid = d.Pid, Name = d.Name, HprNumber = hprOverride ?? d.HprNumber,
            OrgNumberParent = d.LegalEntity, Scopes = ScopeSet.Parse(d.Scopes), ClientId = d.ClientId,
            TrustFramework = noTrustFramework ? null : new TrustFrameworkDetails
            {
                AuthorizationCode = d.AuthorizationCode, LegalEntity = d.LegalEntity, PointOfCare = d.PointOfCare,
                PurposeOfUse = purpose, PurposeDetails = reason, Patients = patients ?? [],
            },
        };
    }

    private static Principal Registry(string scopes = "system/*.rs") =>
        new() { Kind = PrincipalKind.System, ClientId = "demo-registry", OrgNumberParent = DemoPersonas.RegistryOrg, Scopes = ScopeSet.Parse(scopes) };

    private static CareFacts Patient(string pid, DateOnly? born, params CareRelation[] relations) =>
        new() { PatientId = "p-" + pid, PatientPid = pid, BirthDate = born, Relations = relations };

    private static readonly DateOnly Adult = new(1985, 3, 15);
    private static CareFacts KariFacts(params CareRelation[] r) => Patient(Kari, Adult, r);

    private static CareRelation Rel(CareRelationKind kind, string? org = null, string? hpr = null, bool active = true,
        DateTimeOffset? start = null, DateTimeOffset? end = null) => new(kind, org, hpr, active, start, end, kind + "/x");

    private static CareFacts ChildOf(string parentPid, DateOnly? born) =>
        Patient(Child, born) with { Parents = [new ParentRelation(parentPid, "RelatedPerson/r1")] };

    private static readonly LockedSection[] Locks = [new("Condition", "Consent/s1"), new("http://loinc.org|11450-4", "Consent/s1")];
    private static CitizenControls Locked => new() { Locks = Locks };
    private static CitizenControls Blocking(string hpr) => new() { BlockedHpr = new HashSet<string> { hpr } };
    private static CitizenControls Reserved => new() { ReservedAgainstSummaryRecord = true };

    public sealed record Case(AccessRequest Request, DecisionKind Kind, AccessBasis Basis, DenyReason Deny, AccessFlags Flags, int Hidden);

    private static AccessRequest Req(Principal p, CareFacts f, CitizenControls? c = null, string? type = null,
        Interaction i = Interaction.None, bool summary = false, bool consent = false) =>
        new() { Principal = p, Facts = f, Controls = c ?? CitizenControls.None, ResourceType = type, Interaction = i, SummaryRecord = summary, ConsentInTheMoment = consent, Now = Now };

    private static Case Permit(AccessRequest r, AccessBasis b, AccessFlags flags = AccessFlags.None, int hidden = 0) =>
        new(r, flags == AccessFlags.None ? DecisionKind.Permit : DecisionKind.PermitWithFlags, b, DenyReason.None, flags, hidden);

    private static Case Deny(AccessRequest r, DenyReason why) => new(r, DecisionKind.Deny, AccessBasis.None, why, AccessFlags.None, 0);

    private const AccessFlags Emergency = AccessFlags.Emergency | AccessFlags.NotifyCitizen;

    public static readonly Dictionary<string, Case> Cases = new()
    {
        // ---- citizens ----
        ["citizen reads own record"] = Permit(Req(Citizen(Kari), KariFacts()), AccessBasis.Self),
        ["citizen with D-number reads own record"] = Permit(Req(Citizen(DNumber), Patient(DNumber, Adult)), AccessBasis.Self),
        ["citizen reads another adult"] = Deny(Req(Citizen(Kari), Patient(Other, Adult)), DenyReason.NotOwnRecord),
        ["citizen reads a patient without recorded pid"] = Deny(Req(Citizen(Kari), Patient(Kari, Adult) with { PatientPid = null }), DenyReason.NotOwnRecord),
        ["parent reads child aged 11"] = Permit(Req(Citizen(Ola), ChildOf(Ola, new(2015, 4, 5))), AccessBasis.ParentOfChild),
        ["parent reads child one day before 12th birthday"] = Permit(Req(Citizen(Ola), ChildOf(Ola, new(2014, 11, 23))), AccessBasis.ParentOfChild),
        ["parent reads child on 12th birthday"] = Deny(Req(Citizen(Ola), ChildOf(Ola, new(2014, 11, 22))), DenyReason.ChildTooOldForParent),
        ["parent reads child aged 14"] = Deny(Req(Citizen(Ola), ChildOf(Ola, new(2012, 6, 17))), DenyReason.ChildTooOldForParent),
        ["parent reads child aged 15"] = Deny(Req(Citizen(Ola), ChildOf(Ola, new(2011, 1, 1))), DenyReason.ChildTooOldForParent),
        ["parent reads child aged 16"] = Deny(Req(Citizen(Ola), ChildOf(Ola, new(2010, 1, 1))), DenyReason.ChildTooOldForParent),
        ["parent reads adult child"] = Deny(Req(Citizen(Ola), ChildOf(Ola, Adult)), DenyReason.ChildTooOldForParent),
        ["parent reads child with unknown birth date"] = Deny(Req(Citizen(Ola), ChildOf(Ola, null)), DenyReason.ChildBirthDateUnknown),
        ["non-parent reads child aged 5"] = Deny(Req(Citizen(Kari), ChildOf(Ola, new(2021, 1, 1))), DenyReason.NotOwnRecord),
        ["parent reads newborn"] = Permit(Req(Citizen(Ola), ChildOf(Ola, new(2026, 11, 1))), AccessBasis.ParentOfChild),
        ["proxy reads grantor's record"] = Permit(Req(Citizen(Other), KariFacts() with { Proxies = [new ProxyGrant(Other, Now.AddDays(-10), null, "Consent/f")] }), AccessBasis.Proxy),
        ["proxy with expired grant"] = Deny(Req(Citizen(Other), KariFacts() with { Proxies = [new ProxyGrant(Other, Now.AddDays(-10), Now.AddDays(-1), "Consent/f")] }), DenyReason.NotOwnRecord),
        ["proxy with future grant"] = Deny(Req(Citizen(Other), KariFacts() with { Proxies = [new ProxyGrant(Other, Now.AddDays(1), null, "Consent/f")] }), DenyReason.NotOwnRecord),
        ["proxy granted to someone else"] = Deny(Req(Citizen(Ola), KariFacts() with { Proxies = [new ProxyGrant(Other, null, null, "Consent/f")] }), DenyReason.NotOwnRecord),
        ["citizen reads own locked sections"] = Permit(Req(Citizen(Kari), KariFacts(), Locked), AccessBasis.Self),
        ["citizen reads own summary after reservation"] = Deny(Req(Citizen(Kari), KariFacts(), Reserved, summary: true), DenyReason.NoSummaryRecord),
        ["citizen reads own record (not summary) after reservation"] = Permit(Req(Citizen(Kari), KariFacts(), Reserved), AccessBasis.Self),
        ["citizen reads own Observation with patient/*.rs"] = Permit(Req(Citizen(Kari), KariFacts(), type: "Observation", i: Interaction.Read), AccessBasis.Self),
        ["citizen creates Observation with patient/*.rs"] = Deny(Req(Citizen(Kari), KariFacts(), type: "Observation", i: Interaction.Create), DenyReason.ScopeNotGranted),
        ["citizen with only user/ scopes"] = Deny(Req(Citizen(Kari, "user/*.rs"), KariFacts(), type: "Observation", i: Interaction.Read), DenyReason.ScopeNotGranted),
        ["citizen with Observation-only scope reads Condition"] = Deny(Req(Citizen(Kari, "patient/Observation.rs"), KariFacts(), type: "Condition", i: Interaction.Search), DenyReason.ScopeNotGranted),
        ["blocked HPR list does not affect citizens"] = Permit(Req(Citizen(Kari), KariFacts(), Blocking(DoctorHpr)), AccessBasis.Self),

        // ---- health personnel: care relationships ----
        ["GP on fastlege list"] = Permit(Req(Pro("gp"), KariFacts(Rel(CareRelationKind.GeneralPractitioner, GpOffice, GpHpr))), AccessBasis.GeneralPractitioner),
        ["GP of another patient"] = Deny(Req(Pro("gp"), KariFacts(Rel(CareRelationKind.GeneralPractitioner, GpOffice, "999999"))), DenyReason.NoCareRelationship),
        ["colleague at GP office is not the fastlege"] = Deny(Req(Pro("gp", hprOverride: "111111"), KariFacts(Rel(CareRelationKind.GeneralPractitioner, GpOffice, GpHpr))), DenyReason.NoCareRelationship),
        ["GP office colleague with active encounter at the office"] = Permit(Req(Pro("gp", hprOverride: "111111"), KariFacts(Rel(CareRelationKind.Encounter, GpOffice))), AccessBasis.CareRelationship),
        ["GP without any relation"] = Deny(Req(Pro("gp"), KariFacts()), DenyReason.NoCareRelationship),
        ["doctor with active encounter at legal entity"] = Permit(Req(Pro("hospital-doctor"), KariFacts(Rel(CareRelationKind.Encounter, Hospital))), AccessBasis.CareRelationship),
        ["doctor with active encounter at point of care"] = Permit(Req(Pro("hospital-doctor"), KariFacts(Rel(CareRelationKind.Encounter, HospitalPoc))), AccessBasis.CareRelationship),
        ["doctor with finished encounter"] = Deny(Req(Pro("hospital-doctor"), KariFacts(Rel(CareRelationKind.Encounter, Hospital, active: false))), DenyReason.NoCareRelationship),
        ["doctor with encounter that ended yesterday"] = Deny(Req(Pro("hospital-doctor"), KariFacts(Rel(CareRelationKind.Encounter, Hospital, end: Now.AddDays(-1)))), DenyReason.NoCareRelationship),
        ["doctor with encounter starting tomorrow"] = Deny(Req(Pro("hospital-doctor"), KariFacts(Rel(CareRelationKind.Encounter, Hospital, start: Now.AddDays(1)))), DenyReason.NoCareRelationship),
        ["doctor with encounter at another organisation"] = Deny(Req(Pro("hospital-doctor"), KariFacts(Rel(CareRelationKind.Encounter, Municipality))), DenyReason.NoCareRelationship),
        ["doctor as encounter participant at other org"] = Permit(Req(Pro("hospital-doctor"), KariFacts(Rel(CareRelationKind.Encounter, null, DoctorHpr))), AccessBasis.CareRelationship),
        ["nurse with active episode of care"] = Permit(Req(Pro("nurse"), KariFacts(Rel(CareRelationKind.EpisodeOfCare, Hospital))), AccessBasis.CareRelationship),
        ["nurse with inactive episode of care"] = Deny(Req(Pro("nurse"), KariFacts(Rel(CareRelationKind.EpisodeOfCare, Hospital, active: false))), DenyReason.NoCareRelationship),
        ["nurse as care team member"] = Permit(Req(Pro("nurse"), KariFacts(Rel(CareRelationKind.CareTeam, Municipality, NurseHpr))), AccessBasis.CareRelationship),
        ["nurse with inactive care team"] = Deny(Req(Pro("nurse"), KariFacts(Rel(CareRelationKind.CareTeam, Hospital, NurseHpr, active: false))), DenyReason.NoCareRelationship),
        ["doctor with referral to hospital"] = Permit(Req(Pro("hospital-doctor"), KariFacts(Rel(CareRelationKind.Referral, Hospital))), AccessBasis.Referral),
        ["doctor with referral addressed to them"] = Permit(Req(Pro("hospital-doctor"), KariFacts(Rel(CareRelationKind.Referral, null, DoctorHpr))), AccessBasis.Referral),
        ["doctor with referral to another organisation"] = Deny(Req(Pro("hospital-doctor"), KariFacts(Rel(CareRelationKind.Referral, Municipality))), DenyReason.NoCareRelationship),
        ["doctor with completed referral"] = Deny(Req(Pro("hospital-doctor"), KariFacts(Rel(CareRelationKind.Referral, Hospital, active: false))), DenyReason.NoCareRelationship),
        ["doctor with COC and relation"] = Permit(Req(Pro("hospital-doctor", PurposeOfUse.CoordinationOfCare), KariFacts(Rel(CareRelationKind.Encounter, Hospital))), AccessBasis.CareRelationship),
        ["doctor without trust framework"] = Deny(Req(Pro("hospital-doctor", noTrustFramework: true), KariFacts(Rel(CareRelationKind.Encounter, Hospital))), DenyReason.NoPurposeOfUse),
        ["doctor reads child with encounter"] = Permit(Req(Pro("hospital-doctor"), ChildOf(Ola, new(2015, 4, 5)) with { Relations = [Rel(CareRelationKind.Encounter, Hospital)] }), AccessBasis.CareRelationship),
        ["pharmacist with encounter at pharmacy"] = Permit(Req(Pro("pharmacist", PurposeOfUse.CoordinationOfCare), KariFacts(Rel(CareRelationKind.Encounter, Pharmacy))), AccessBasis.CareRelationship),
        ["pharmacist without relation"] = Deny(Req(Pro("pharmacist"), KariFacts()), DenyReason.NoCareRelationship),
        ["relation of the hospital does not open for the pharmacist"] = Deny(Req(Pro("pharmacist"), KariFacts(Rel(CareRelationKind.Encounter, Hospital))), DenyReason.NoCareRelationship),

        // ---- emergency ----
        ["ETREAT without relation, with reason"] = Permit(Req(Pro("hospital-doctor", PurposeOfUse.EmergencyTreat, "Unconscious in ER"), KariFacts()), AccessBasis.Emergency, Emergency),
        ["ETREAT with relation, with reason"] = Permit(Req(Pro("hospital-doctor", PurposeOfUse.EmergencyTreat, "Cardiac arrest"), KariFacts(Rel(CareRelationKind.Encounter, Hospital))), AccessBasis.Emergency, Emergency),
        ["ETREAT without reason"] = Deny(Req(Pro("hospital-doctor", PurposeOfUse.EmergencyTreat), KariFacts()), DenyReason.EmergencyWithoutReason),
        ["ETREAT with blank reason"] = Deny(Req(Pro("hospital-doctor", PurposeOfUse.EmergencyTreat, "   "), KariFacts()), DenyReason.EmergencyWithoutReason),
        ["nurse ETREAT with reason"] = Permit(Req(Pro("nurse", PurposeOfUse.EmergencyTreat, "Anaphylaxis"), KariFacts()), AccessBasis.Emergency, Emergency),
        ["ETREAT opens locked sections, flagged"] = Permit(Req(Pro("hospital-doctor", PurposeOfUse.EmergencyTreat, "Trauma"), KariFacts(), Locked), AccessBasis.Emergency, Emergency | AccessFlags.LockedOpenedByEmergency),

        // ---- blokkering ----
        ["blocked doctor with relation"] = Deny(Req(Pro("hospital-doctor"), KariFacts(Rel(CareRelationKind.Encounter, Hospital)), Blocking(DoctorHpr)), DenyReason.Blocked),
        ["blocked doctor in emergency"] = Deny(Req(Pro("hospital-doctor", PurposeOfUse.EmergencyTreat, "Unconscious"), KariFacts(), Blocking(DoctorHpr)), DenyReason.Blocked),
        ["blocked GP on fastlege list"] = Deny(Req(Pro("gp"), KariFacts(Rel(CareRelationKind.GeneralPractitioner, GpOffice, GpHpr)), Blocking(GpHpr)), DenyReason.Blocked),
        ["colleague of blocked doctor with relation"] = Permit(Req(Pro("nurse"), KariFacts(Rel(CareRelationKind.Encounter, Hospital)), Blocking(DoctorHpr)), AccessBasis.CareRelationship),

        // ---- sperring ----
        ["doctor with relation, locked sections stay hidden"] = Permit(Req(Pro("hospital-doctor"), KariFacts(Rel(CareRelationKind.Encounter, Hospital)), Locked), AccessBasis.CareRelationship, hidden: 2),
        ["doctor with relation opens locks with consent"] = Permit(Req(Pro("hospital-doctor"), KariFacts(Rel(CareRelationKind.Encounter, Hospital)), Locked, consent: true), AccessBasis.CareRelationship, AccessFlags.LockedOpenedByConsent | AccessFlags.NotifyCitizen),
        ["consent without locks changes nothing"] = Permit(Req(Pro("hospital-doctor"), KariFacts(Rel(CareRelationKind.Encounter, Hospital)), consent: true), AccessBasis.CareRelationship),
        ["consent does not replace a care relationship"] = Deny(Req(Pro("hospital-doctor"), KariFacts(), Locked, consent: true), DenyReason.NoCareRelationship),

        // ---- reservasjon ----
        ["doctor reads summary after reservation"] = Deny(Req(Pro("hospital-doctor"), KariFacts(Rel(CareRelationKind.Encounter, Hospital)), Reserved, summary: true), DenyReason.NoSummaryRecord),
        ["emergency summary after reservation"] = Deny(Req(Pro("hospital-doctor", PurposeOfUse.EmergencyTreat, "Unconscious"), KariFacts(), Reserved, summary: true), DenyReason.NoSummaryRecord),
        ["doctor reads non-summary data after reservation"] = Permit(Req(Pro("hospital-doctor"), KariFacts(Rel(CareRelationKind.Encounter, Hospital)), Reserved), AccessBasis.CareRelationship),
        ["doctor reads summary without reservation"] = Permit(Req(Pro("hospital-doctor"), KariFacts(Rel(CareRelationKind.Encounter, Hospital)), summary: true), AccessBasis.CareRelationship),

        // ---- trust-framework patient list ----
        ["attestation names this patient"] = Permit(Req(Pro("hospital-doctor", patients: [Kari]), KariFacts(Rel(CareRelationKind.Encounter, Hospital))), AccessBasis.CareRelationship),
        ["attestation names another patient"] = Deny(Req(Pro("hospital-doctor", patients: [Other]), KariFacts(Rel(CareRelationKind.Encounter, Hospital))), DenyReason.PatientNotInAttestation),
        ["emergency with attestation for another patient"] = Deny(Req(Pro("hospital-doctor", PurposeOfUse.EmergencyTreat, "x", patients: [Other]), KariFacts()), DenyReason.PatientNotInAttestation),

        // ---- scopes for personnel ----
        ["doctor updates Condition with user/*.cruds"] = Permit(Req(Pro("hospital-doctor"), KariFacts(Rel(CareRelationKind.Encounter, Hospital)), type: "Condition", i: Interaction.Update), AccessBasis.CareRelationship),
        ["nurse creates Observation"] = Permit(Req(Pro("nurse"), KariFacts(Rel(CareRelationKind.Encounter, Hospital)), type: "Observation", i: Interaction.Create), AccessBasis.CareRelationship),
        ["nurse creates Condition"] = Deny(Req(Pro("nurse"), KariFacts(Rel(CareRelationKind.Encounter, Hospital)), type: "Condition", i: Interaction.Create), DenyReason.ScopeNotGranted),
        ["pharmacist reads Observation"] = Deny(Req(Pro("pharmacist"), KariFacts(Rel(CareRelationKind.Encounter, Pharmacy)), type: "Observation", i: Interaction.Read), DenyReason.ScopeNotGranted),
        ["pharmacist searches MedicationRequest"] = Permit(Req(Pro("pharmacist"), KariFacts(Rel(CareRelationKind.Encounter, Pharmacy)), type: "MedicationRequest", i: Interaction.Search), AccessBasis.CareRelationship),
        ["scope is checked before emergency"] = Deny(Req(Pro("pharmacist", PurposeOfUse.EmergencyTreat, "x"), KariFacts(), type: "Condition", i: Interaction.Read), DenyReason.ScopeNotGranted),

        // ---- system clients ----
        ["registry searches with system/*.rs"] = Permit(Req(Registry(), KariFacts(), type: "Observation", i: Interaction.Search), AccessBasis.SystemClient),
        ["registry writes with read scopes"] = Deny(Req(Registry(), KariFacts(), type: "Observation", i: Interaction.Create), DenyReason.ScopeNotGranted),
        ["registry with patient/ scopes only"] = Deny(Req(Registry("patient/*.rs"), KariFacts(), type: "Observation", i: Interaction.Read), DenyReason.ScopeNotGranted),
        ["registry does not see locked sections"] = Permit(Req(Registry(), KariFacts(), Locked), AccessBasis.SystemClient, hidden: 2),
        ["registry reads summary after reservation"] = Deny(Req(Registry(), KariFacts(), Reserved, summary: true), DenyReason.NoSummaryRecord),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Decides(string name)
    {
        var c = Cases[name];
        var d = AccessPolicy.Decide(c.Request);
        Assert.Equal(c.Kind, d.Kind);
        Assert.Equal(c.Basis, d.Basis);
        Assert.Equal(c.Deny, d.DenyReason);
        Assert.Equal(c.Flags, d.Flags);
        Assert.Equal(c.Hidden, d.HiddenSections.Count);
        Assert.False(string.IsNullOrWhiteSpace(d.Reason));
    }

    [Fact]
    public void Matrix_has_at_least_sixty_cases() => Assert.True(Cases.Count >= 60, $"{Cases.Count} cases");

    [Fact]
    public void Emergency_reason_is_in_the_decision()
    {
        var d = AccessPolicy.Decide(Cases["ETREAT without relation, with reason"].Request);
        Assert.Contains("Unconscious in ER", d.Reason);
    }

    [Theory]
    [InlineData("2015-04-05", 11)]
    [InlineData("2014-11-22", 12)]
    [InlineData("2014-11-23", 11)]
    [InlineData("2008-02-29", 18)]
    public void Age_is_computed_from_recorded_birth_date(string born, int age) =>
        Assert.Equal(age, AccessPolicy.AgeAt(DateOnly.Parse(born), Now));
}
