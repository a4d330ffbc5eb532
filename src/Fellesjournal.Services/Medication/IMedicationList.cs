using Fellesjournal.Storage;

namespace Fellesjournal.Services.Medication;

/// <summary>
/// The patient's medication list (<i>pasientens legemiddelliste</i>, PLL): one <c>List</c> of
/// MedicationStatements per patient, versioned by the store; every version names who changed it and why
/// (a Provenance targeting that version).
/// </summary>
public interface IMedicationList
{
    /// <summary>The current list and the statement versions it references, or null when the patient has no list yet.</summary>
    Task<MedicationListSnapshot?> GetCurrentAsync(string patientId, CancellationToken ct = default);

    /// <summary>Every version of the list, newest first, each with the Provenance of that change.</summary>
    Task<IReadOnlyList<MedicationListVersion>> GetHistoryAsync(string patientId, CancellationToken ct = default);
}

/// <summary>A list version and the MedicationStatement versions its entries reference (in entry order).</summary>
public sealed record MedicationListSnapshot(StoredResource List, IReadOnlyList<StoredResource> Statements);

/// <summary>One list version with the Provenance recorded for it (null for a version written outside the service).</summary>
public sealed record MedicationListVersion(StoredResource List, StoredResource? Provenance);
