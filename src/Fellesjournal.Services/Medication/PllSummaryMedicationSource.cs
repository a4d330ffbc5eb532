using Fellesjournal.Services.Summary;
using Fellesjournal.Storage;

namespace Fellesjournal.Services.Medication;

/// <summary>
/// The summary record's medication section from the PLL: the statement versions of the current list. A patient
/// without a PLL yet (data imported from elsewhere) falls back to the store's active statements and orders.
/// </summary>
public sealed class PllSummaryMedicationSource(IMedicationList lists, ISummaryMedicationSource fallback) : ISummaryMedicationSource
{
    public async Task<IReadOnlyList<StoredResource>> GetCurrentAsync(string patientId, CancellationToken ct = default)
    {
        if (await lists.GetCurrentAsync(patientId, ct) is { } current) return current.Statements;
        return await fallback.GetCurrentAsync(patientId, ct);
    }
}
