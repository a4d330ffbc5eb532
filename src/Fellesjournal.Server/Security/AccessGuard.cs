using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Search;
using Fellesjournal.Server.Http;
using Fellesjournal.Storage;
using Fellesjournal.Trust.Access;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Server.Security;

/// <summary>
/// Decides which patient compartments a request may reach (docs/security.md): system clients every compartment;
/// citizens their own and their children's (<see cref="CompartmentResolver.ForCitizenAsync"/>); a request that
/// names a patient one decision for that patient (denied: 403 with the reason for personnel, 404 for citizens);
/// personnel without a named patient only shared resources (no worklists yet).
/// </summary>
public sealed class AccessGuard(CompartmentResolver resolver, IResourceStore store, FhirDefinitions defs)
{
    private readonly SearchIndexer _indexer = new(defs);

    /// <summary>Applies SMART scope restrictions to queries and resources.</summary>
    public ScopeRestriction Restriction { get; } = new(defs);

    public FhirDefinitions Definitions => defs;

    /// <summary>Access for a request that names no patient.</summary>
    public async Task<RequestAccess> ForUnnamedAsync(Principal p, CancellationToken ct) => p.Kind switch
    {
        PrincipalKind.System => new RequestAccess(p, await ForSystemAsync(p, ct)),
        PrincipalKind.Citizen => new RequestAccess(p, await resolver.ForCitizenAsync(p, ct)),
        _ => new RequestAccess(p, CompartmentFilter.Nothing),
    };

    /// <summary>
    /// Every compartment, minus every patient's locked sections: the patients with an active sperring Consent are
    /// found with one search, and the policy decides what stays hidden for each (the same rules as a named patient).
    /// For a system client the policy hides exactly the patient's locks, which come from Consents alone, so the map
    /// is kept until any Consent is written on the database (<see cref="IChangeMarkers.TypeMarkerAsync"/>: one index
    /// seek per request, read before the search so a write in between only makes the next request rebuild it).
    /// </summary>
    private async Task<CompartmentFilter> ForSystemAsync(Principal p, CancellationToken ct)
    {
        var marker = store is IChangeMarkers markers ? await markers.TypeMarkerAsync("Consent", ct) : (long?)null;
        if (marker is not null && _systemLocks is { } known && known.ConsentMarker == marker)
            return new CompartmentFilter { AllPatients = true, Hidden = known.Hidden };
        var locked = new HashSet<string>();
        string? cursor = null;
        do
        {
            var page = await store.SearchAsync(new SearchQuery("Consent",
            [
                new SearchCriterion("category", null, [$"{CitizenControlCodes.System}|{CitizenControlCodes.Sperring}"]),
                new SearchCriterion("status", null, ["active"]),
            ], Count: 500, Cursor: cursor), ct);
            foreach (var c in page.Resources)
                if (c.PatientId is { } pid) locked.Add(pid);
            cursor = page.NextCursor;
        } while (cursor is not null);
        var hidden = new Dictionary<string, IReadOnlyList<LockedSection>>();
        foreach (var pid in locked)
        {
            var (decision, _, _) = await resolver.ForPatientAsync(p, pid, ct: ct);
            if (decision.HiddenSections.Count > 0) hidden[pid] = decision.HiddenSections;
        }
        if (marker is { } m) _systemLocks = new SystemLocks(m, hidden);
        return new CompartmentFilter { AllPatients = true, Hidden = hidden };
    }

    private sealed record SystemLocks(long ConsentMarker, IReadOnlyDictionary<string, IReadOnlyList<LockedSection>> Hidden);
    private volatile SystemLocks? _systemLocks;

    /// <summary>Access for a request about one named patient; throws 403 (personnel, system) or 404 (citizens) when denied.</summary>
    public async Task<RequestAccess> ForPatientAsync(Principal p, string patientId, CancellationToken ct)
    {
        // System clients reach every compartment; their reach already hides every locked section.
        if (p.Kind == PrincipalKind.System) return await ForUnnamedAsync(p, ct);
        var decision = await DecideAsync(p, patientId, ct);
        return new RequestAccess(p, CompartmentFilter.ForDecision(patientId, decision), decision, patientId);
    }

    /// <summary>The policy's decision for one compartment, or the 403/404 that answers a denial.</summary>
    public async Task<Decision> DecideAsync(Principal p, string patientId, CancellationToken ct)
    {
        var (decision, _, _) = await resolver.ForPatientAsync(p, patientId, ct: ct);
        if (!decision.IsPermitted) throw new AccessDeniedException(decision, Denied(p, decision, patientId));
        return decision;
    }

    /// <summary>Personnel learn why (so the client can offer emergency access); citizens get the answer for a
    /// record that does not exist, so ids cannot be probed.</summary>
    public static FhirException Denied(Principal p, Decision d, string patientId) => p.Kind == PrincipalKind.Citizen
        ? FhirException.NotFound($"Patient/{patientId} does not exist.")
        : new FhirException(403, "forbidden", d.Reason, "Patient.id");

    /// <summary>The compartment a resource about to be written will have (the store derives the same key with the
    /// same indexer), and its token keys ("system|code", what coding locks match). Null patient: a shared resource.</summary>
    public (string? PatientId, IReadOnlyList<string> TokenKeys) CompartmentAndKeysOf(string type, string id, ReadOnlyMemory<byte> json)
    {
        if (type != "Patient" && !IsCompartmentType(type)) return (null, []);
        var index = _indexer.Extract(ElementNode.Parse(json, defs), id);
        var keys = index.Values.OfType<TokenIndexValue>().Where(t => t.Code is not null).Select(t => $"{t.System}|{t.Code}").ToList();
        return (type == "Patient" ? id : index.PatientId, keys);
    }

    /// <summary>The patient a search names (<c>?patient=</c>, <c>?subject=Patient/x</c>, <c>Patient?_id=x</c>,
    /// <c>Patient?identifier=system|value</c> when it matches exactly one), or null.</summary>
    public async Task<string?> NamedPatientAsync(string? type, IReadOnlyList<KeyValuePair<string, string>> query, CancellationToken ct)
    {
        string? Single(string key)
        {
            var values = query.Where(kv => kv.Key == key).Select(kv => kv.Value).ToList();
            return values.Count == 1 && !values[0].Contains(',') && values[0].Length > 0 ? values[0] : null;
        }
        static string? PatientRef(string v, bool bareIdIsPatient)
        {
            var s = v;
            var h = s.IndexOf("/Patient/", StringComparison.Ordinal);
            if (h >= 0) s = s[(h + 1)..];
            if (s.StartsWith("Patient/", StringComparison.Ordinal)) return s["Patient/".Length..] is { Length: > 0 } id && !id.Contains('/') ? id : null;
            return bareIdIsPatient && !s.Contains('/') ? s : null;
        }
        if (Single("patient") is { } pv) return PatientRef(pv, true);
        if (Single("subject:Patient") is { } sp) return PatientRef(sp, true);
        if (Single("subject") is { } sv && PatientRef(sv, false) is { } sid) return sid;
        if (type == "Patient")
        {
            if (Single("_id") is { } id) return id;
            if (Single("identifier") is { } ident && ident.Contains('|'))
                return await PatientByIdentifierAsync(ident, ct);
        }
        return null;
    }

    /// <summary>
    /// Finding the patient by FNR is how a professional names one: resolved with the server's authority, the result
    /// then goes through the policy like any named patient. The answer is kept with the store's marker read before
    /// the search (<see cref="IChangeMarkers.StoreMarkerAsync"/>) and reused while nothing at all has been written
    /// since: the search cost as much as the rest of the policy's work for such a request.
    /// </summary>
    private async Task<string?> PatientByIdentifierAsync(string identifier, CancellationToken ct)
    {
        var markers = store as IChangeMarkers;
        var before = markers is null ? 0 : await markers.StoreMarkerAsync(ct);
        if (markers is not null && _byIdentifier.TryGetValue(identifier, out var known) && known.Store == before) return known.PatientId;
        var page = await store.SearchAsync(new SearchQuery("Patient", [new SearchCriterion("identifier", null, [identifier])], Count: 2), ct);
        var id = page.Resources.Count == 1 ? page.Resources[0].Id : null;
        if (markers is null) return id;
        if (_byIdentifier.Count >= MaxIdentifiers) _byIdentifier.Clear();
        _byIdentifier[identifier] = (before, id);
        return id;
    }

    private const int MaxIdentifiers = 20_000;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long Store, string? PatientId)> _byIdentifier = new(StringComparer.Ordinal);

    /// <summary>Whether a type holds patient data (is the Patient or in its compartment).</summary>
    public bool IsCompartmentType(string type) => type == "Patient" || defs.PatientCompartment.TryGetValue(type, out var p) && p.Count > 0;
}

/// <summary>A policy denial, carrying the decision (for the audit record) and the HTTP answer.</summary>
public sealed class AccessDeniedException(Decision decision, FhirException answer) : Exception(decision.Reason)
{
    public Decision Decision { get; } = decision;
    public FhirException Answer { get; } = answer;
}
