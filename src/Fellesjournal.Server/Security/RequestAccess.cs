using Fellesjournal.Storage.Search;
using Fellesjournal.Trust.Access;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Server.Security;

/// <summary>
/// What one request (or one Bundle entry) may reach: the policy's filter, its store form, and — when the request
/// names a patient — the decision for that patient (for audit: basis, emergency flag, locked sections opened).
/// </summary>
public sealed class RequestAccess(Principal principal, CompartmentFilter filter, Decision? decision = null, string? patientId = null)
{
    public Principal Principal { get; } = principal;
    public CompartmentFilter Filter { get; } = filter;
    public CompartmentAccess Store { get; } = ToStore(filter);
    /// <summary>The decision for the named patient, or for the compartment last touched by a read or write.</summary>
    public Decision? Decision { get; set; } = decision;
    public string? PatientId { get; set; } = patientId;
    /// <summary>Compartments (Patient ids) whose data this request returned or wrote, for the audit record.</summary>
    public HashSet<string> PatientsTouched { get; } = [];
    /// <summary>Resources returned or written ("Type/id").</summary>
    public List<string> ResourcesTouched { get; } = [];
    /// <summary>The same, per compartment (for one audit record per patient).</summary>
    private readonly Dictionary<string, List<string>> _byPatient = [];
    /// <summary>Write records already appended (before the store commit) for this request.</summary>
    public int WritesRecorded { get; set; }

    public void Touched(string reference, string? patientId)
    {
        ResourcesTouched.Add(reference);
        if (patientId is null) return;
        PatientsTouched.Add(patientId);
        if (!_byPatient.TryGetValue(patientId, out var list)) _byPatient[patientId] = list = [];
        list.Add(reference);
    }

    public IReadOnlyList<string> ResourcesFor(string patientId) =>
        _byPatient.TryGetValue(patientId, out var list) ? list.Distinct().ToList() : [];

    /// <summary>The request as the audit records it (path and query).</summary>
    public string? Query { get; set; }
    /// <summary>Policy decisions made during this request, per compartment.</summary>
    public Dictionary<string, Decision> Decisions { get; } = [];

    /// <summary>The decision that let this request into a compartment (null: the request's general reach).</summary>
    public Decision? DecisionFor(string patientId) =>
        Decisions.TryGetValue(patientId, out var d) ? d : patientId == PatientId ? Decision : null;

    /// <summary>Store access per compartment decided during this request (reads and writes naming a patient).</summary>
    public Dictionary<string, CompartmentAccess> PerPatient { get; } = [];

    /// <summary>Trust's filter in the store's neutral form (Storage cannot reference Trust), locked sections included.</summary>
    public static CompartmentAccess ToStore(CompartmentFilter f) =>
        new(f.AllPatients, f.AllPatients ? [] : f.PatientIds.ToList())
        {
            Hidden = f.Hidden.SelectMany(kv => kv.Value.Select(l => new HiddenSection(kv.Key, l.Key))).ToList(),
            IncludeShared = f.IncludeSharedResources,
        };
}
