namespace Fellesjournal.Storage.Search;

/// <summary>
/// The caller's reach, as the store sees it (the server maps Trust's <c>CompartmentFilter</c> onto it):
/// all patients or an explicit set of compartment keys, minus locked sections (<see cref="Hidden"/>), plus shared
/// resources (no compartment key) unless <see cref="IncludeShared"/> is off. The store puts this condition inside
/// the SQL of every path (search root, count, chains, _has, includes, reads, vread, history), so nothing hidden
/// reaches a count, a page or a join. <see cref="Permits(string?, string, IEnumerable{string}?)"/> is the
/// reference semantics the SQL is tested against.
/// </summary>
public sealed record CompartmentAccess(bool All, IReadOnlyList<string> PatientIds)
{
    /// <summary>Every compartment and every shared resource, nothing hidden.</summary>
    public static readonly CompartmentAccess Everyone = new(true, []);

    /// <summary>No compartment: shared resources only.</summary>
    public static readonly CompartmentAccess Nobody = new(false, []);

    /// <summary>Locked sections (sperring) that stay closed even inside a permitted compartment.</summary>
    public IReadOnlyList<HiddenSection> Hidden { get; init; } = [];

    /// <summary>Rows without a compartment key (Organization, Practitioner, Medication, ...) are visible.</summary>
    public bool IncludeShared { get; init; } = true;

    /// <summary>The one compartment of an explicit reach (a citizen's own record, a summary's read), or null when
    /// the reach is everyone, nobody or several patients. The stores write it as a plain equality.</summary>
    public string? SinglePatient => !All && PatientIds.Count > 0 && PatientIds.All(p => p == PatientIds[0]) ? PatientIds[0] : null;

    /// <summary>True when the access restricts nothing (the store then adds no condition at all).</summary>
    public bool IsUnrestricted => All && IncludeShared && Hidden.Count == 0;

    /// <summary>The compartment part only: is a row with this compartment key inside the reach (locks not considered).</summary>
    public bool Permits(string? patientId) => patientId is null ? IncludeShared : All || PatientIds.Contains(patientId);

    /// <summary>
    /// Reference semantics of the store's filter for one stored version: its compartment key, its type and the
    /// <c>system|code</c> keys of its token index values. <paramref name="tokenKeys"/> null means the version has
    /// no index rows (a superseded version or a delete tombstone): its codes are unknown, so any coding lock of its
    /// patient hides it (fail closed).
    /// </summary>
    public bool Permits(string? patientId, string resourceType, IEnumerable<string>? tokenKeys)
    {
        if (!Permits(patientId)) return false;
        if (patientId is null || Hidden.Count == 0) return true;
        HashSet<string>? keys = null;
        foreach (var h in Hidden)
        {
            if (h.PatientId != patientId) continue;
            if (!h.IsCoding)
            {
                if (h.Key == resourceType) return false;
                continue;
            }
            if (tokenKeys is null) return false;
            keys ??= new HashSet<string>(tokenKeys, StringComparer.Ordinal);
            if (keys.Contains(h.Key)) return false;
        }
        return true;
    }
}

/// <summary>
/// A locked section of one patient's compartment. <paramref name="Key"/> is a resource type (<c>Condition</c>) or a
/// coding key <c>system|code</c> that locks every resource of the patient carrying a token index value with that
/// system and code (category, code, ...). An empty system (<c>|code</c>) means a code without a system.
/// </summary>
public sealed record HiddenSection(string PatientId, string Key)
{
    public bool IsCoding => Key.Contains('|');
}
