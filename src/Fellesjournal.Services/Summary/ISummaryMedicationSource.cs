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

/// <summary>Active MedicationStatements and active MedicationRequest orders of the compartment (two searches).</summary>
public sealed class StoreMedicationSource(IResourceStore store) : ISummaryMedicationSource
{
    public const int MaxPerType = 100;

    public async Task<IReadOnlyList<StoredResource>> GetCurrentAsync(string patientId, CancellationToken ct = default)
    {
        var statements = await store.SearchAsync(new SearchQuery("MedicationStatement",
            [new SearchCriterion("status", null, ["active", "intended"])], Count: MaxPerType, Compartment: patientId), ct);
        var orders = await store.SearchAsync(new SearchQuery("MedicationRequest",
            [new SearchCriterion("status", null, ["active"]), new SearchCriterion("intent", null, ["order"])], Count: MaxPerType, Compartment: patientId), ct);
        return [.. statements.Resources, .. orders.Resources];
    }
}
