using System.Text.Json.Nodes;
using Fellesjournal.Services.Medication;
using Fellesjournal.Services.Summary;
using static Fellesjournal.Services.Tests.Summary.SummaryDocumentTests;

namespace Fellesjournal.Services.Tests.Summary;

/// <summary>The medication section reads the shared medication list (PLL), and says when there is none yet.</summary>
public sealed class SummaryMedicationTests : IAsyncLifetime
{
    private readonly SummaryTestStore _t = new();

    public Task InitializeAsync() => _t.SeedKari();
    public async Task DisposeAsync() => await _t.DisposeAsync();

    private sealed class StubList(Func<Task<MedicationListSnapshot?>> current) : IMedicationList
    {
        public Task<MedicationListSnapshot?> GetCurrentAsync(string patientId, CancellationToken ct = default) => current();
        public Task<IReadOnlyList<MedicationListVersion>> GetHistoryAsync(string patientId, CancellationToken ct = default) => throw new NotSupportedException();
    }

    private async Task<JsonObject> Medication(IMedicationList list)
    {
        var meds = new PllMedicationSource(list, new StoreMedicationSource(_t.Store));
        var r = await _t.Service(meds: meds).BuildAsync("kari", new SummaryRequest { Caller = SummaryTestStore.Gp(), BaseUrl = SummaryTestStore.Base });
        Assert.True(r.Success, r.Outcome?.ToJson());
        return Section((JsonObject)JsonNode.Parse(r.Document)!, "10160-0");
    }

    [Fact]
    public async Task The_current_list_versions_statements_in_use_are_the_section()
    {
        var list = await _t.Store.MergeAsync([SummaryTestStore.Put("""{"resourceType":"List","id":"pll-kari","status":"current","mode":"working","subject":{"reference":"Patient/kari"}}""")]);
        var statements = new[] { await _t.Store.GetAsync("MedicationStatement", "ms-metformin"), await _t.Store.GetAsync("MedicationStatement", "ms-stopped") };
        var s = await Medication(new StubList(() => Task.FromResult<MedicationListSnapshot?>(new MedicationListSnapshot(list[0], statements!))));
        Assert.Equal(["MedicationStatement/ms-metformin"], Entries(s));   // the stopped one is not current; prescriptions are not the list
        Assert.DoesNotContain("ingen legemiddelliste", s["text"]!["div"]!.GetValue<string>());
    }

    [Fact]
    public async Task Without_a_list_active_prescriptions_are_shown_and_the_section_says_so()
    {
        var s = await Medication(new StubList(() => Task.FromResult<MedicationListSnapshot?>(null)));
        Assert.Equal(["MedicationRequest/mr-active", "MedicationStatement/ms-metformin"], Entries(s));
        Assert.Contains("ingen legemiddelliste (PLL)", s["text"]!["div"]!.GetValue<string>());
    }
}
