using Fellesjournal.Services.Medication;
using Fellesjournal.Storage;

namespace Fellesjournal.Services.Summary;

/// <summary>The medication section's sources, and whether they are the patient's medication list (PLL).</summary>
public sealed record SummaryMedications(IReadOnlyList<StoredResource> Items, bool FromMedicationList);

/// <summary>The patient's current medicines for the medication section (MedicationStatement and/or MedicationRequest).</summary>
public interface ISummaryMedicationSource
{
    Task<SummaryMedications> GetCurrentAsync(string patientId, CancellationToken ct = default);
}

/// <summary>
/// The shared medication list (<i>pasientens legemiddelliste</i>): the statements of the current list version that are
/// still in use. A patient without a list yet gets <paramref name="fallback"/> (active prescriptions and statements),
/// and the section says so.
/// </summary>
public sealed class PllMedicationSource(IMedicationList list, ISummaryMedicationSource fallback) : ISummaryMedicationSource
{
    private static readonly HashSet<string> NotCurrent = ["stopped", "completed", "entered-in-error", "not-taken"];

    public async Task<SummaryMedications> GetCurrentAsync(string patientId, CancellationToken ct = default)
    {
        var snapshot = await list.GetCurrentAsync(patientId, ct);
        if (snapshot is null) return await fallback.GetCurrentAsync(patientId, ct);
        var current = snapshot.Statements.Where(s => !s.IsDeleted && !NotCurrent.Contains(Status(s) ?? "")).ToList();
        return new SummaryMedications(current, true);
    }

    private static string? Status(StoredResource r)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(r.Json);
        return doc.RootElement.TryGetProperty("status", out var s) && s.ValueKind == System.Text.Json.JsonValueKind.String ? s.GetString() : null;
    }
}

/// <summary>Without a medication list: active MedicationStatements and active MedicationRequest orders of the patient
/// (two searches by patient reference).</summary>
public sealed class StoreMedicationSource(IResourceStore store) : ISummaryMedicationSource
{
    public const int MaxPerType = 100;

    public async Task<SummaryMedications> GetCurrentAsync(string patientId, CancellationToken ct = default)
    {
        var patient = new SearchCriterion("patient", null, ["Patient/" + patientId]);
        var statements = await store.SearchAsync(new SearchQuery("MedicationStatement",
            [patient, new SearchCriterion("status", null, ["active", "intended"])], Count: MaxPerType), ct);
        var orders = await store.SearchAsync(new SearchQuery("MedicationRequest",
            [patient, new SearchCriterion("status", null, ["active"]), new SearchCriterion("intent", null, ["order"])], Count: MaxPerType), ct);
        return new SummaryMedications([.. statements.Resources, .. orders.Resources], false);
    }
}
