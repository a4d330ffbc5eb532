using System.Text;
using System.Text.Json.Nodes;
using Fellesjournal.Server.Audit;
using Fellesjournal.Services.Summary;
using Fellesjournal.Storage;
using Fellesjournal.Trust.Access;
using Fellesjournal.Trust.Audit;
using Fellesjournal.Trust.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Fellesjournal.Server.Tests.Summary;

/// <summary>
/// <c>GET Patient/{id}/$summary</c> over HTTP with dev-issuer tokens and the server's real access log: the acceptance
/// journeys of issue 8 for the summary care record. Each request leaves exactly one audit record, carrying the
/// summary's decision and the resources the document disclosed.
/// </summary>
public class SummaryOperationTests : IAsyncLifetime
{
    private const string Fnr = "urn:oid:2.16.578.1.12.4.1.4.1";
    private const string Hpr = "urn:oid:2.16.578.1.12.4.1.4.4";
    private const string NurseHpr = "723456789";
    private readonly ServerFixture _server;

    public SummaryOperationTests() : this("sqlite") { }

    /// <summary>On another store (the PostgreSQL run derives from this class).</summary>
    /// (Without varsling: its notice's write would add an entry to the log these tests count, asynchronously.)
    protected SummaryOperationTests(string store) => _server = new() { Store = store, Varsling = false };

    public async Task InitializeAsync()
    {
        var citizen = DemoPersonas.Get("citizen");
        string[] seed =
        [
            $$"""{"resourceType":"Practitioner","id":"nurse","identifier":[{"system":"{{Hpr}}","value":"{{NurseHpr}}"}]}""",
            $$"""{"resourceType":"Patient","id":"kari","identifier":[{"system":"{{Fnr}}","value":"{{citizen.Pid}}"}],"name":[{"family":"Nordmann","given":["Kari"]}],"birthDate":"1985-03-15"}""",
            """{"resourceType":"AllergyIntolerance","id":"alg","criticality":"high","code":{"text":"Penicillinallergi"},"patient":{"reference":"Patient/kari"}}""",
            $$$"""{"resourceType":"Consent","id":"block","status":"active","scope":{"coding":[{"code":"patient-privacy"}]},"category":[{"coding":[{"system":"{{{CitizenControlCodes.System}}}","code":"blokkering"}]}],"patient":{"reference":"Patient/kari"},"provision":{"type":"deny","actor":[{"role":{"text":"blocked"},"reference":{"reference":"Practitioner/nurse"}}]}}""",
            $$"""{"resourceType":"Patient","id":"per","identifier":[{"system":"{{Fnr}}","value":"05041500079"}],"name":[{"family":"Hansen","given":["Per"]}]}""",
            $$$"""{"resourceType":"Consent","id":"reserve","status":"active","scope":{"coding":[{"code":"patient-privacy"}]},"category":[{"coding":[{"system":"{{{CitizenControlCodes.System}}}","code":"reservasjon"}]}],"patient":{"reference":"Patient/per"},"provision":{"type":"deny"}}""",
        ];
        await _server.Services.GetRequiredService<IResourceStore>().MergeAsync(seed.Select(j =>
        {
            var o = JsonNode.Parse(j)!;
            return new ResourceWrite((string)o["resourceType"]!, (string)o["id"]!, Encoding.UTF8.GetBytes(j));
        }).ToList());
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static MintOptions Emergency(string reason) => new() { Purpose = PurposeOfUse.EmergencyTreat, PurposeDetails = reason };

    private Task<IReadOnlyList<AuditRecord>> LogOf(string patient) =>
        _server.Services.GetRequiredService<AccessAuditor>().Log.QueryByPatientAsync(patient);

    [Fact]
    public async Task Emergency_doctor_without_relation_opens_it_with_a_reason_and_the_citizens_log_shows_it_first()
    {
        var doctor = _server.ClientFor("hospital-doctor", Emergency("Bevisstløs i akuttmottaket"));
        var r = await doctor.GetAsync("/fhir/Patient/kari/$summary");
        var body = await r.Content.ReadAsByteArrayAsync();
        Assert.True((int)r.StatusCode == 200, Encoding.UTF8.GetString(body));
        Assert.Equal("application/fhir+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Equal("document", (string?)JsonNode.Parse(body)!["type"]);
        Assert.True(DocumentSigner.Verify(body, _server.Services.GetRequiredService<DocumentSigner>().PublicJwkJson));

        // A system client reads it afterwards: the log puts the emergency first all the same.
        Assert.Equal(200, (int)(await _server.CreateClient().GetAsync("/fhir/Patient/kari/$summary")).StatusCode);
        var log = await LogOf("kari");
        var rec = Assert.Single(log, x => x.Emergency);
        Assert.Equal("Bevisstløs i akuttmottaket", rec.EmergencyReason);
        Assert.Equal(AuditOutcome.Success, rec.Outcome);
        Assert.Equal(DemoPersonas.Get("hospital-doctor").HprNumber, rec.HprNumber);
        Assert.Contains("AllergyIntolerance/alg", rec.Resources);
        var lines = AuditSummaries.Build(log, DemoPersonas.Get("citizen").Pid);
        Assert.Equal(2, lines.Count);
        Assert.Equal(1, lines[0].EmergencyAccesses);
        Assert.Equal(["Bevisstløs i akuttmottaket"], lines[0].EmergencyReasons);
    }

    [Fact]
    public async Task Blocked_practitioner_is_refused_even_in_emergency_and_the_denial_is_logged()
    {
        var r = await _server.ClientFor("nurse", Emergency("Hjertestans")).GetAsync("/fhir/Patient/kari/$summary");
        var oo = await Fhir.AssertOutcome(r, 403);
        Assert.Contains("blokkering", (string?)oo["issue"]![0]!["diagnostics"]);
        Assert.False(string.IsNullOrEmpty((string?)oo["issue"]![0]!["location"]![0]));
        var rec = Assert.Single(await LogOf("kari"));
        Assert.Equal(AuditOutcome.Denied, rec.Outcome);
        Assert.Equal(NurseHpr, rec.HprNumber);
        Assert.Empty(rec.Resources);
    }

    [Fact]
    public async Task Reserved_patient_has_no_summary()
    {
        var r = await _server.ClientFor("hospital-doctor", Emergency("Bevisstløs")).GetAsync("/fhir/Patient/per/$summary");
        var oo = await Fhir.AssertOutcome(r, 404);
        Assert.Contains("reservasjon", (string?)oo["issue"]![0]!["diagnostics"]);
        Assert.Equal(AuditOutcome.Denied, Assert.Single(await LogOf("per")).Outcome);
    }

    [Fact]
    public async Task Without_care_relationship_or_emergency_the_doctor_is_told_why()
    {
        var r = await _server.ClientFor("hospital-doctor").GetAsync("/fhir/Patient/kari/$summary");
        var oo = await Fhir.AssertOutcome(r, 403);
        Assert.Contains("care relationship", (string?)oo["issue"]![0]!["diagnostics"]);
    }

    [Fact]
    public async Task Bad_consent_parameter_is_400_naming_it()
    {
        var r = await _server.ClientFor("hospital-doctor", Emergency("x")).GetAsync("/fhir/Patient/kari/$summary?consent-in-the-moment=maybe");
        var oo = await Fhir.AssertOutcome(r, 400);
        Assert.Equal("consent-in-the-moment", (string?)oo["issue"]![0]!["location"]![0]);
    }

    [Fact]
    public async Task Without_a_token_there_is_no_summary()
    {
        var client = _server.CreateClient();
        client.DefaultRequestHeaders.Authorization = null;
        await Fhir.AssertOutcome(await client.GetAsync("/fhir/Patient/kari/$summary"), 401);
    }
}
