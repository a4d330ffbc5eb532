using System.Text;
using System.Text.Json.Nodes;
using Fellesjournal.Server.Http;
using Fellesjournal.Server.Interactions;
using Fellesjournal.Services.Summary;
using Fellesjournal.Storage;
using Fellesjournal.Trust.Access;
using Fellesjournal.Trust.Audit;
using Fellesjournal.Trust.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Fellesjournal.Server.Tests.Summary;

/// <summary>
/// <c>Patient/{id}/$summary</c> through the server's router, with the caller set as the HTTP layer sets it, and the
/// access log recorded through <see cref="IAccessAudit"/>.
/// </summary>
public sealed class SummaryOperationTests : IAsyncLifetime
{
    private const string Fnr = "urn:oid:2.16.578.1.12.4.1.4.1";
    private const string Hpr = "urn:oid:2.16.578.1.12.4.1.4.4";
    private readonly ServerFixture _server = new();
    private readonly RecordingAudit _audit = new();
    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> _app = null!;

    public async Task InitializeAsync()
    {
        _app = _server.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IAccessAudit>(_audit)));
        var store = _app.Services.GetRequiredService<IResourceStore>();
        string[] seed =
        [
            $$"""{"resourceType":"Practitioner","id":"blocked","identifier":[{"system":"{{Hpr}}","value":"412345678"}]}""",
            $$"""{"resourceType":"Patient","id":"kari","identifier":[{"system":"{{Fnr}}","value":"15038500047"}],"name":[{"family":"Nordmann","given":["Kari"]}],"birthDate":"1985-03-15"}""",
            """{"resourceType":"AllergyIntolerance","id":"alg","criticality":"high","code":{"text":"Penicillinallergi"},"patient":{"reference":"Patient/kari"}}""",
            $$$"""{"resourceType":"Consent","id":"block","status":"active","scope":{"coding":[{"code":"patient-privacy"}]},"category":[{"coding":[{"system":"{{{CitizenControlCodes.System}}}","code":"blokkering"}]}],"patient":{"reference":"Patient/kari"},"provision":{"type":"deny","actor":[{"role":{"text":"blocked"},"reference":{"reference":"Practitioner/blocked"}}]}}""",
            $$"""{"resourceType":"Patient","id":"per","identifier":[{"system":"{{Fnr}}","value":"05041500079"}],"name":[{"family":"Hansen","given":["Per"]}]}""",
            $$$"""{"resourceType":"Consent","id":"reserve","status":"active","scope":{"coding":[{"code":"patient-privacy"}]},"category":[{"coding":[{"system":"{{{CitizenControlCodes.System}}}","code":"reservasjon"}]}],"patient":{"reference":"Patient/per"},"provision":{"type":"deny"}}""",
        ];
        await store.MergeAsync(seed.Select(j =>
        {
            var o = JsonNode.Parse(j)!;
            return new ResourceWrite((string)o["resourceType"]!, (string)o["id"]!, Encoding.UTF8.GetBytes(j));
        }).ToList());
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _server.DisposeAsync();
    }

    private static Principal Doctor(string hpr, PurposeOfUse purpose, string? reason) => new()
    {
        Kind = PrincipalKind.Personnel, Pid = "02029000002", HprNumber = hpr, OrgNumberParent = "983710018", Scopes = ScopeSet.Parse("user/*.rs"),
        TrustFramework = new TrustFrameworkDetails { AuthorizationCode = "LE", LegalEntity = "983710018", PurposeOfUse = purpose, PurposeDetails = reason },
    };

    private Task<FhirResponse> Summary(string patient, Principal? caller, string? query = null) =>
        _app.Services.GetRequiredService<FhirService>().HandleAsync(new FhirRequest
        {
            Method = "GET", Path = $"Patient/{patient}/$summary", BaseUrl = "http://localhost/fhir", Caller = caller,
            Query = query is null ? [] : [KeyValuePair.Create(query.Split('=')[0], query.Split('=')[1])],
        }, CancellationToken.None);

    [Fact]
    public async Task Emergency_doctor_without_relation_opens_it_with_a_reason_and_the_opening_is_audited_as_emergency()
    {
        var r = await Summary("kari", Doctor("334455667", PurposeOfUse.EmergencyTreat, "Bevisstløs i akuttmottaket"));
        Assert.Equal(200, r.Status);
        var doc = JsonNode.Parse(r.Resource!.Value.Span)!;
        Assert.Equal("document", (string?)doc["type"]);
        Assert.True(DocumentSigner.Verify(r.Resource.Value.Span, _app.Services.GetRequiredService<DocumentSigner>().PublicJwkJson));

        var rec = Assert.Single(_audit.Records);
        Assert.True(rec.Emergency);
        Assert.Equal("Bevisstløs i akuttmottaket", rec.EmergencyReason);
        Assert.Equal(AuditOutcome.Success, rec.Outcome);
        Assert.Equal("kari", rec.PatientId);
        Assert.Contains("AllergyIntolerance/alg", rec.Resources);
        Assert.Equal("334455667", rec.HprNumber);
    }

    [Fact]
    public async Task Blocked_practitioner_is_refused_even_in_emergency_and_the_denial_is_audited()
    {
        var r = await Summary("kari", Doctor("412345678", PurposeOfUse.EmergencyTreat, "Hjertestans"));
        Assert.Equal(403, r.Status);
        Assert.Equal("Patient.id", r.Outcome!.Issues[0].Location);
        var rec = Assert.Single(_audit.Records);
        Assert.Equal(AuditOutcome.Denied, rec.Outcome);
        Assert.Empty(rec.Resources);
    }

    [Fact]
    public async Task Reserved_patient_has_no_summary()
    {
        var r = await Summary("per", Doctor("334455667", PurposeOfUse.EmergencyTreat, "Bevisstløs"));
        Assert.Equal(404, r.Status);
        Assert.Contains("reservasjon", r.Outcome!.Issues[0].Diagnostics);
        Assert.Equal(AuditOutcome.Denied, Assert.Single(_audit.Records).Outcome);
    }

    [Fact]
    public async Task Bad_consent_parameter_is_400_naming_it()
    {
        var r = await Summary("kari", Doctor("334455667", PurposeOfUse.EmergencyTreat, "x"), "consent-in-the-moment=maybe");
        Assert.Equal(400, r.Status);
        Assert.Equal("consent-in-the-moment", r.Outcome!.Issues[0].Location);
    }

    [Fact]
    public async Task Without_an_authenticated_caller_there_is_no_summary()
    {
        var r = await _app.CreateClient().GetAsync("/fhir/Patient/kari/$summary");
        var oo = await Fhir.AssertOutcome(r, 401);
        Assert.Equal("login", (string?)oo["issue"]![0]!["code"]);
        Assert.Empty(_audit.Records);
    }

    private sealed class RecordingAudit : IAccessAudit
    {
        public List<AuditRecord> Records { get; } = [];
        public Task RecordAsync(AuditRecord record, CancellationToken ct) { lock (Records) Records.Add(record); return Task.CompletedTask; }
        public Task<FhirResponse> SearchAuditEventsAsync(FhirRequest req, IReadOnlyCollection<string> patientIds, CancellationToken ct) =>
            throw new NotSupportedException();
    }
}
