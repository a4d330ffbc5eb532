using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Validation;
using Fellesjournal.Services.Summary;
using Fellesjournal.Storage;
using Fellesjournal.Synthetic;

namespace Fellesjournal.Services.Tests.Summary;

/// <summary>Summaries of a generated population: every one validates and verifies, and the sections are filled.</summary>
public sealed class SummaryPopulationTests : IAsyncLifetime
{
    private readonly SummaryTestStore _t = new();
    private readonly List<string> _patients = [];

    public async Task InitializeAsync()
    {
        _t.Time.Now = new DateTimeOffset(PopulationGenerator.Today.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
        await new PopulationGenerator(seed: 8, patients: 60).WriteBatchesAsync(async batch =>
        {
            _patients.AddRange(batch.Where(r => r.Type == "Patient").Select(r => r.Id));
            await _t.Store.MergeAsync(batch.Select(r => new ResourceWrite(r.Type, r.Id, r.Json)).ToList());
        });
    }

    public async Task DisposeAsync() => await _t.DisposeAsync();

    [Fact]
    public async Task Every_generated_patient_gets_a_valid_signed_summary()
    {
        var service = _t.Service();
        var filled = new Dictionary<string, int>();
        foreach (var id in _patients)
        {
            var r = await service.BuildAsync(id, new SummaryRequest { Caller = SummaryTestStore.Registry(), BaseUrl = SummaryTestStore.Base });
            Assert.True(r.Success, r.Outcome?.ToJson());
            var outcome = FhirValidator.Default.Validate(r.Document!);
            Assert.True(outcome.Success, $"Patient/{id}: {outcome.ToJson(true)}");
            Assert.True(DocumentSigner.Verify(r.Document, _t.Signer.PublicJwkJson));
            var sections = (JsonArray)JsonNode.Parse(r.Document)!["entry"]![0]!["resource"]!["section"]!;
            foreach (var s in sections.OfType<JsonObject>().Where(s => s["entry"] is not null))
            {
                var code = s["code"]!["coding"]![0]!["code"]!.GetValue<string>();
                filled[code] = filled.GetValueOrDefault(code) + 1;
            }
        }
        // A realistic population fills every section the generator has data for.
        foreach (var code in new[] { "48765-2", "11369-6", "11450-4", "46240-8", "documents", "contacts", "10160-0" })
            Assert.True(filled.GetValueOrDefault(code) > 0, $"no patient has section {code}");
    }
}
