using Fellesjournal.Storage;

namespace Fellesjournal.Services.Summary;

/// <summary>
/// The patient's current medicines for the medication section: MedicationStatement and/or MedicationRequest
/// resources. Meant to be the shared medication list (PLL); <see cref="StoreMedicationSource"/> stands in until the
/// medication service provides it.
/// </summary>
public interface ISummaryMedicationSource
{
    Task<IReadOnlyList<StoredResource>> GetCurrentAsync(string patientId, CancellationToken ct = default);
}

/// <summary>Active MedicationStatements and active MedicationRequest orders of the patient (two searches by patient reference).</summary>
public sealed class StoreMedicationSource(IResourceStore store) : ISummaryMedicationSource
{
    public const int MaxPerType = 100;

    public async Task<IReadOnlyList<StoredResource>> GetCurrentAsync(string patientId, CancellationToken ct = default)
    {
        var patient = new SearchCriterion("patient", null, ["Patient/" + patientId]);
        var statements = await store.SearchAsync(new SearchQuery("MedicationStatement",
            [patient, new SearchCriterion("status", null, ["active", "intended"])], Count: MaxPerType), ct);
        var orders = await store.SearchAsync(new SearchQuery("MedicationRequest",
            [patient, new SearchCriterion("status", null, ["active"]), new SearchCriterion("intent", null, ["order"])], Count: MaxPerType), ct);
        return [.. statements.Resources, .. orders.Resources];
    }
}
