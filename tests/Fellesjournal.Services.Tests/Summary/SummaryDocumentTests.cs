using System.Text.Json;
using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Validation;
using Fellesjournal.Services.Summary;
using Fellesjournal.Trust.Access;

namespace Fellesjournal.Services.Tests.Summary;

public sealed class SummaryDocumentTests : IAsyncLifetime
{
    private readonly SummaryTestStore _t = new();

    public Task InitializeAsync() => _t.SeedKari();
    public async Task DisposeAsync() => await _t.DisposeAsync();

    private async Task<(SummaryResult Result, JsonObject Bundle)> Build(SummaryRequest? request = null)
    {
        var result = await _t.Service().BuildAsync("kari", request ?? new SummaryRequest { Caller = SummaryTestStore.Gp(), BaseUrl = SummaryTestStore.Base });
        Assert.True(result.Success, result.Outcome?.ToJson());
        return (result, (JsonObject)JsonNode.Parse(result.Document)!);
    }

    internal static JsonObject Section(JsonObject bundle, string code) =>
        ((JsonArray)bundle["entry"]![0]!["resource"]!["section"]!).OfType<JsonObject>()
            .Single(s => s["code"]!["coding"]![0]!["code"]!.GetValue<string>() == code);

    internal static List<string> Entries(JsonObject section) =>
        section["entry"] is JsonArray a ? a.Select(e => e!["reference"]!.GetValue<string>().Replace(SummaryTestStore.Base + "/", "")).ToList() : [];

    [Fact]
    public async Task Document_is_a_signed_ips_shaped_bundle_that_the_engine_validates()
    {
        var (result, bundle) = await Build();
        Assert.Equal("document", bundle["type"]!.GetValue<string>());
        Assert.Equal("2026-11-22T12:00:00Z", bundle["timestamp"]!.GetValue<string>());
        var composition = bundle["entry"]![0]!["resource"]!;
        Assert.Equal("Composition", composition["resourceType"]!.GetValue<string>());
        Assert.Equal("60591-5", composition["type"]!["coding"]![0]!["code"]!.GetValue<string>());
        Assert.Equal(SummaryTestStore.Base + "/Patient/kari", composition["subject"]!["reference"]!.GetValue<string>());
        var codes = ((JsonArray)composition["section"]!).Select(s => s!["code"]!["coding"]![0]!["code"]!.GetValue<string>()).ToList();
        Assert.Equal(SummarySection.All.Select(s => s.Code), codes);

        var outcome = FhirValidator.Default.Validate(result.Document!);
        Assert.True(outcome.Success, outcome.ToJson(true));

        // Every section reference resolves inside the document, except other documents' Compositions.
        var fullUrls = ((JsonArray)bundle["entry"]!).Select(e => e!["fullUrl"]!.GetValue<string>()).ToHashSet();
        foreach (var s in ((JsonArray)composition["section"]!).OfType<JsonObject>())
            foreach (var r in Entries(s).Where(r => !r.StartsWith("Composition/")))
                Assert.Contains(SummaryTestStore.Base + "/" + r, fullUrls);

        Assert.True(DocumentSigner.Verify(result.Document, _t.Signer.PublicJwkJson));
    }

    [Fact]
    public async Task Signature_breaks_when_the_document_is_altered_or_checked_with_another_key()
    {
        var (result, bundle) = await Build();
        var tampered = (JsonObject)bundle.DeepClone();
        tampered["entry"]![1]!["resource"]!["birthDate"] = "1990-01-01";
        Assert.False(DocumentSigner.Verify(JsonSerializer.SerializeToUtf8Bytes(tampered), _t.Signer.PublicJwkJson));
        using var other = DocumentSigner.Generate();
        Assert.False(DocumentSigner.Verify(result.Document, other.PublicJwkJson));
        // Re-serialising (whitespace, member order) keeps it valid: the signature is over the canonical form.
        var reordered = new JsonObject(bundle.Reverse().Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone())));
        Assert.True(DocumentSigner.Verify(JsonSerializer.SerializeToUtf8Bytes(reordered, new JsonSerializerOptions { WriteIndented = true }), _t.Signer.PublicJwkJson));
    }

    [Fact]
    public async Task Stored_resources_with_escapes_are_embedded_unchanged_and_signed()
    {
        // Escapes and whitespace as a client may send them: the document carries the same content and still verifies.
        await _t.Add("""
            { "resourceType": "AllergyIntolerance", "id": "a-escaped",
              "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": "active"}]},
              "criticality": "high",
              "code": {"text": "N\u00f8tter \"peanøtt\" \/ \t"},
              "patient": {"reference": "Patient/kari"} }
            """);
        var (result, bundle) = await Build();
        var stored = (await _t.Store.GetAsync("AllergyIntolerance", "a-escaped"))!;
        var embedded = ((JsonArray)bundle["entry"]!).Single(e => e!["fullUrl"]!.GetValue<string>().EndsWith("/AllergyIntolerance/a-escaped"))!["resource"]!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(stored.Json.Span), embedded));
        Assert.Equal("Nøtter \"peanøtt\" / \t", embedded["code"]!["text"]!.GetValue<string>());
        Assert.True(DocumentSigner.Verify(result.Document, _t.Signer.PublicJwkJson));
        // Changing the embedded resource breaks the signature.
        var tampered = (JsonObject)bundle.DeepClone();
        var entry = ((JsonArray)tampered["entry"]!).Single(e => e!["fullUrl"]!.GetValue<string>().EndsWith("/AllergyIntolerance/a-escaped"))!;
        entry["resource"]!["code"]!["text"] = "Nøtter";
        Assert.False(DocumentSigner.Verify(JsonSerializer.SerializeToUtf8Bytes(tampered), _t.Signer.PublicJwkJson));
    }

    [Fact]
    public async Task Sections_hold_what_the_rules_say()
    {
        var (_, bundle) = await Build();
        Assert.Equal(["Flag/flag-needs", "Condition/cond-implant", "AllergyIntolerance/alg-pen"], Entries(Section(bundle, "104605-1")));
        Assert.Equal(["AllergyIntolerance/alg-pen", "AllergyIntolerance/alg-pollen"], Entries(Section(bundle, "48765-2")));
        Assert.Equal(["MedicationRequest/mr-active", "MedicationStatement/ms-metformin"], Entries(Section(bundle, "10160-0")));
        Assert.Equal(["Immunization/imm-flu"], Entries(Section(bundle, "11369-6")));
        Assert.Equal(["Condition/cond-diabetes"], Entries(Section(bundle, "11450-4")));
        Assert.Equal(["Encounter/enc-emer", "Encounter/enc-imp"], Entries(Section(bundle, "46240-8")));
        Assert.Equal(["DocumentReference/doc-epi", "Composition/comp-other"], Entries(Section(bundle, "documents")));
        Assert.Equal(["RelatedPerson/rp-ola", "PractitionerRole/gp-role", "Organization/kommune", "Practitioner/gp"], Entries(Section(bundle, "contacts")));
        Assert.Equal(["AllergyIntolerance/alg-own"], Entries(Section(bundle, "citizen-entries")));

        var critical = Section(bundle, "104605-1")["text"]!["div"]!.GetValue<string>();
        Assert.Contains("Penicillinallergi, høy kritikalitet, reaksjon: Anafylaksi, bekreftet, registrert 2019-05-02, av Gunnar Lege", critical);
        Assert.Contains("Pacemaker, implantat", critical);
        Assert.Contains("registrert av pasienten selv", Section(bundle, "citizen-entries")["text"]!["div"]!.GetValue<string>());
        Assert.DoesNotContain("alg-error", bundle.ToJsonString());
        Assert.DoesNotContain("enc-old", bundle.ToJsonString());
    }

    [Fact]
    public async Task Empty_sections_say_so_with_an_empty_reason()
    {
        await _t.Store.MergeAsync([new Storage.ResourceWrite("Immunization", "imm-flu", null)]);
        var (result, bundle) = await Build();
        var s = Section(bundle, "11369-6");
        Assert.Null(s["entry"]);
        Assert.Equal("unavailable", s["emptyReason"]!["coding"]![0]!["code"]!.GetValue<string>());
        Assert.Contains(SummaryNarrative.EmptyText, s["text"]!["div"]!.GetValue<string>());
        Assert.True(FhirValidator.Default.Validate(result.Document!).Success);
    }

    [Fact]
    public async Task A_patient_that_does_not_exist_is_404()
    {
        var result = await _t.Service().BuildAsync("nobody", new SummaryRequest { Caller = SummaryTestStore.ErDoctor() });
        Assert.Equal(404, result.Status);
        Assert.Equal("Patient.id", result.Outcome!.Issues[0].Location);
    }

    [Fact]
    public async Task The_callers_decision_is_used_when_the_access_layer_has_decided()
    {
        var deny = Decision.Deny(DenyReason.NoCareRelationship, "No care relationship.");
        var result = await _t.Service().BuildAsync("kari", new SummaryRequest { Caller = SummaryTestStore.Gp(), Decision = deny });
        Assert.Equal(403, result.Status);
        Assert.Same(deny, result.Decision);
    }
}
