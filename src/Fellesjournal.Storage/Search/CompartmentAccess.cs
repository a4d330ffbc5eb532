namespace Fellesjournal.Storage.Search;

/// <summary>
/// The caller's reach, as the store sees it (the server maps Trust's <c>CompartmentFilter</c> onto it):
/// all patients, or an explicit set of compartment keys. Shared resources (no compartment key) stay visible.
/// The store puts this condition inside the search statement (root, chains, _has, includes, count).
/// </summary>
public sealed record CompartmentAccess(bool All, IReadOnlyList<string> PatientIds)
{
    public static readonly CompartmentAccess Everyone = new(true, []);

    /// <summary>Reference semantics, for tests of the SQL translation.</summary>
    public bool Permits(string? patientId) => All || patientId is null || PatientIds.Contains(patientId);
}
