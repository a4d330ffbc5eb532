namespace Fellesjournal.Trust.Access;

/// <summary>
/// What a principal may see, as a condition on the compartment key (<c>patient_id</c>) that every resource row and
/// every index row carries. The store turns it into SQL (docs/security.md, "Enforcement in the store");
/// <see cref="Permits"/> is the reference semantics that SQL must match row for row (use it as the test oracle).
/// </summary>
public sealed record CompartmentFilter
{
    /// <summary>Nothing from any patient compartment.</summary>
    public static readonly CompartmentFilter Nothing = new();

    /// <summary>Every compartment (system clients with system/ scopes). Locked sections still apply per patient.</summary>
    public bool AllPatients { get; init; }

    /// <summary>The permitted compartments (Patient ids) when not <see cref="AllPatients"/>.</summary>
    public IReadOnlySet<string> PatientIds { get; init; } = new HashSet<string>();

    /// <summary>Locked sections that stay hidden, per patient (sperring not opened).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<LockedSection>> Hidden { get; init; } = new Dictionary<string, IReadOnlyList<LockedSection>>();

    /// <summary>Resources outside every patient compartment (Organization, Practitioner, Medication, ...) are
    /// visible to any authenticated principal with a scope for the type.</summary>
    public bool IncludeSharedResources { get; init; } = true;

    /// <param name="patientId">The row's compartment key (null for shared resources).</param>
    /// <param name="categoryKeys">The row's category codings as "system|code" (for locked sections keyed by category).</param>
    public bool Permits(string? patientId, string resourceType, IEnumerable<string>? categoryKeys = null)
    {
        if (patientId is null) return IncludeSharedResources;
        if (!AllPatients && !PatientIds.Contains(patientId)) return false;
        if (!Hidden.TryGetValue(patientId, out var locks) || locks.Count == 0) return true;
        var cats = categoryKeys as ICollection<string> ?? categoryKeys?.ToList() ?? [];
        return !locks.Any(l => l.Key == resourceType || cats.Contains(l.Key));
    }

    /// <summary>A filter for one patient from the policy's decision for that patient.</summary>
    public static CompartmentFilter ForDecision(string patientId, Decision d) =>
        !d.IsPermitted ? Nothing : new CompartmentFilter
        {
            PatientIds = new HashSet<string> { patientId },
            Hidden = d.HiddenSections.Count == 0
                ? new Dictionary<string, IReadOnlyList<LockedSection>>()
                : new Dictionary<string, IReadOnlyList<LockedSection>> { [patientId] = d.HiddenSections },
        };

    /// <summary>The union of per-patient filters (a parent with two children under 12 plus themself).</summary>
    public static CompartmentFilter Union(IEnumerable<CompartmentFilter> filters)
    {
        var ids = new HashSet<string>();
        var hidden = new Dictionary<string, IReadOnlyList<LockedSection>>();
        var all = false;
        foreach (var f in filters)
        {
            all |= f.AllPatients;
            ids.UnionWith(f.PatientIds);
            foreach (var (k, v) in f.Hidden) hidden[k] = v;
        }
        return new CompartmentFilter { AllPatients = all, PatientIds = ids, Hidden = hidden };
    }
}
