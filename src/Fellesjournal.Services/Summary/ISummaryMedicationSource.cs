using Fellesjournal.Services.Medication;
using Fellesjournal.Storage;

namespace Fellesjournal.Services.Summary;

/// <summary>The medication section's sources, and whether they are the patient's medication list (PLL).</summary>
public sealed record SummaryMedications(IReadOnlyList<StoredResource> Items, bool FromMedicationList);

/// <summary>The patient's current medicines for the medication section (MedicationStatement and/or MedicationRequest).</summary>
public interface ISummaryMedicationSource
{
    Task<SummaryMedications> GetCurrentAsync(string patientId, CancellationToken ct = default);

    /// <summary>The same, given the patient's MedicationStatement and MedicationRequest rows that the summary has
    /// already read with its other types (<see cref="PatientRows"/>), so that a source that needs them searches no more.</summary>
    Task<SummaryMedications> GetCurrentAsync(string patientId, IReadOnlyDictionary<string, List<StoredResource>> compartment, CancellationToken ct = default) =>
        GetCurrentAsync(patientId, ct);
}

/// <summary>
/// The shared medication list (<i>pasientens legemiddelliste</i>): the statements of the current list version that are
/// still in use. A patient without a list yet gets <paramref name="fallback"/> (active prescriptions and statements),
/// and the section says so.
/// </summary>
public sealed class PllMedicationSource(IMedicationList list, ISummaryMedicationSource fallback) : ISummaryMedicationSource
{
    private static readonly HashSet<string> NotCurrent = ["stopped", "completed", "entered-in-error", "not-taken"];

    public Task<SummaryMedications> GetCurrentAsync(string patientId, CancellationToken ct = default) => GetAsync(patientId, null, ct);

    public Task<SummaryMedications> GetCurrentAsync(string patientId, IReadOnlyDictionary<string, List<StoredResource>> compartment, CancellationToken ct = default) =>
        GetAsync(patientId, compartment, ct);

    private async Task<SummaryMedications> GetAsync(string patientId, IReadOnlyDictionary<string, List<StoredResource>>? compartment, CancellationToken ct)
    {
        var snapshot = await list.GetCurrentAsync(patientId, ct);
        if (snapshot is null)
            return compartment is null ? await fallback.GetCurrentAsync(patientId, ct) : await fallback.GetCurrentAsync(patientId, compartment, ct);
        var current = snapshot.Statements.Where(s => !s.IsDeleted && !NotCurrent.Contains(Status(s) ?? "")).ToList();
        return new SummaryMedications(current, true);
    }

    private static string? Status(StoredResource r) => Json.TopString(r.Json.Span, "status");
}

/// <summary>Without a medication list: active MedicationStatements and active MedicationRequest orders of the patient
/// (at most <see cref="MaxPerType"/> of each), taken from the patient's rows of the two types.</summary>
public sealed class StoreMedicationSource(IResourceStore store) : ISummaryMedicationSource
{
    public const int MaxPerType = 100;

    /// <summary>The types this source reads from the patient's compartment.</summary>
    public static readonly IReadOnlyList<string> Types = ["MedicationStatement", "MedicationRequest"];

    public async Task<SummaryMedications> GetCurrentAsync(string patientId, CancellationToken ct = default) =>
        Select(await PatientRows.ReadAsync(store, patientId, Types, int.MaxValue, ct));

    public Task<SummaryMedications> GetCurrentAsync(string patientId, IReadOnlyDictionary<string, List<StoredResource>> compartment, CancellationToken ct = default) =>
        Task.FromResult(Select(compartment));

    /// <summary>What the searches <c>MedicationStatement?status=active,intended</c> and
    /// <c>MedicationRequest?status=active&amp;intent=order</c> by the patient return, in the store's order.</summary>
    private static SummaryMedications Select(IReadOnlyDictionary<string, List<StoredResource>> rows)
    {
        IEnumerable<StoredResource> Of(string type) => rows.TryGetValue(type, out var l) ? l : [];
        var statements = Of("MedicationStatement").Where(r => Code(r, "status") is "active" or "intended").Take(MaxPerType);
        var orders = Of("MedicationRequest").Where(r => Code(r, "status") == "active" && Code(r, "intent") == "order").Take(MaxPerType);
        return new SummaryMedications([.. statements, .. orders], false);
    }

    private static string? Code(StoredResource r, string name) => Json.TopString(r.Json.Span, name);
}
