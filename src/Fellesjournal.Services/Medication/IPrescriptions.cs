using System.Text.Json.Nodes;
using Fellesjournal.Storage;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Services.Medication;

/// <summary>
/// The e-prescription lifecycle on MedicationRequest: prescribe (with the safety checks), dispense against it,
/// revoke with a reason, renew. Failures are <see cref="MedicationException"/>s carrying the OperationOutcome.
/// </summary>
public interface IPrescriptions
{
    /// <param name="prescription">The MedicationRequest as the prescriber sends it (subject, medication, dosage,
    /// quantity, repeats, optional validity); the service sets id, status, requester, dates and remaining count.</param>
    /// <param name="overrideReason">Required to prescribe despite a high-severity issue; recorded on the DetectedIssue.</param>
    Task<PrescriptionResult> PrescribeAsync(Principal? caller, JsonObject prescription, string? overrideReason = null, CancellationToken ct = default);

    /// <param name="quantity">Amount handed out; defaults to the prescription's dispenseRequest.quantity.</param>
    Task<DispenseResult> DispenseAsync(Principal? caller, string prescriptionId, decimal? quantity = null, CancellationToken ct = default);

    Task<StoredResource> RevokeAsync(Principal? caller, string prescriptionId, string reason, CancellationToken ct = default);

    /// <summary>A new prescription of the same medicine, dosage, quantity and repeats, valid from now; the old one is
    /// stopped if it was still active.</summary>
    Task<PrescriptionResult> RenewAsync(Principal? caller, string prescriptionId, string? overrideReason = null, CancellationToken ct = default);
}

/// <param name="Issues">The DetectedIssues stored with the prescription (moderate ones, and overridden high ones).</param>
public sealed record PrescriptionResult(StoredResource Prescription, IReadOnlyList<StoredResource> Issues, StoredResource List);

public sealed record DispenseResult(StoredResource Dispense, StoredResource Prescription, int Remaining);
