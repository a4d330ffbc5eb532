using Fellesjournal.Server.Http;
using Fellesjournal.Server.Store;
using Fellesjournal.Storage;
using Fellesjournal.Storage.Search;
using Fellesjournal.Trust.Access;
using Fellesjournal.Trust.Audit;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Server.Security;

/// <summary>
/// The store as one caller may see it. Searches carry the caller's compartment access into the statement; a read
/// of a compartment resource names its patient, so the policy decides for that patient (403 with the reason for
/// personnel, 404 for citizens) and the store filters the row (locked sections: 404); writes need access to the
/// compartment of the current version and of the new one, so nothing moves into or out of a compartment the caller
/// cannot reach.
/// </summary>
public sealed class GuardedStoreOps(IStoreOps inner, RequestAccess access, AccessGuard guard, IAccessAudit audit) : IStoreOps
{
    public RequestAccess Access => access;
    /// <summary>The unguarded operations underneath (a Bundle entry re-authorizes on them).</summary>
    public IStoreOps Inner => inner;
    public IResourceStore Store => inner.Store;
    private Principal P => access.Principal;

    public Task<StoredResource?> GetAsync(string type, string id, CancellationToken ct) => GetAsync(type, id, null, ct);

    public async Task<StoredResource?> GetAsync(string type, string id, CompartmentAccess? _, CancellationToken ct) =>
        Touch(await RestrictAsync(await GetPermittedAsync(type, id, ct), Interaction.Read, current: true, ct));

    private async Task<StoredResource?> GetPermittedAsync(string type, string id, CancellationToken ct)
    {
        // First with the server's authority, only to learn the compartment; nothing of it leaves unless permitted.
        var raw = await inner.GetAsync(type, id, null, ct);
        if (raw?.PatientId is not { } patient) return raw;
        var scope = await AccessForReadAsync(patient, type, id, ct);
        // Nothing locked in this compartment: the filtered read would return the same row.
        if (scope.Permits(patient) && !scope.Hidden.Any(h => h.PatientId == patient)) return raw;
        return await inner.GetAsync(type, id, scope, ct);
    }

    /// <summary>A version (vread), judged on that version's own compartment and content.</summary>
    public async Task<StoredResource?> GetVersionAsync(string type, string id, long version, CancellationToken ct)
    {
        var raw = await Store.GetVersionAsync(type, id, version, null, ct);
        if (raw?.PatientId is { } patient)
        {
            CompartmentAccess scope;
            try
            {
                scope = await AccessForReadAsync(patient, type, id, ct);
            }
            catch (AccessDeniedException) when (P.Kind == PrincipalKind.Citizen)
            {
                // As if the version did not exist: the caller then answers from what the current version shows.
                return null;
            }
            raw = await Store.GetVersionAsync(type, id, version, scope, ct);
        }
        return Touch(await RestrictAsync(raw, Interaction.Read, current: false, ct));
    }

    /// <summary>History: of one resource under its compartment's decision; of a type or the system under the request's reach.</summary>
    public async Task<HistoryPage> HistoryAsync(HistoryQuery query, CancellationToken ct)
    {
        var scope = access.Store;
        if (query is { ResourceType: { } type, Id: { } id } && (await inner.GetAsync(type, id, null, ct))?.PatientId is { } patient)
            scope = await AccessForReadAsync(patient, type, id, ct);
        var page = await Store.HistoryAsync(query with { Access = scope }, ct);
        var interaction = query.Id is null ? Interaction.Search : Interaction.Read;
        if (page.Entries.Any(r => ScopeCheck.Restrictions(P, r.ResourceType, interaction) is not null))
        {
            // Each version is judged on its own content: a version outside the restriction is left out.
            var kept = new List<StoredResource>(page.Entries.Count);
            foreach (var r in page.Entries)
                if (await RestrictAsync(r, interaction, current: false, ct) is { } k) kept.Add(k);
            if (kept.Count == 0 && query.Id is not null && page.Entries.Count > 0)
                throw FhirException.NotFound($"{query.ResourceType}/{query.Id} does not exist.");
            // Restricted versions are left out of a page, so the unrestricted count would reveal them.
            page = page with { Entries = kept, Total = null };
        }
        foreach (var r in page.Entries) Touch(r);
        return page;
    }

    /// <summary>The store access for one compartment: from the request's reach when it covers the patient, else the
    /// policy's decision for that patient (throws the 403/404 when denied). Cached for the request.</summary>
    public async Task<CompartmentAccess> AccessForAsync(string patientId, CancellationToken ct)
    {
        if (access.PerPatient.TryGetValue(patientId, out var known)) return known;
        CompartmentAccess result;
        // The request's reach covers the patient: a citizen's own compartments, the named patient, or a system
        // client's every compartment (whose locked sections its reach already carries).
        if (access.Filter.AllPatients || access.Filter.PatientIds.Contains(patientId)) result = access.Store;
        else
        {
            var decision = await guard.DecideAsync(P, patientId, ct);
            access.Decision ??= decision;
            access.PatientId ??= patientId;
            access.Decisions[patientId] = decision;
            result = RequestAccess.ToStore(CompartmentFilter.ForDecision(patientId, decision));
        }
        access.PerPatient[patientId] = result;
        return result;
    }

    /// <summary><see cref="AccessForAsync"/> for a read of <paramref name="type"/>/<paramref name="id"/>: a citizen's
    /// denial names the resource asked for, never the patient it belongs to, exactly as for an id that does not exist.</summary>
    private async Task<CompartmentAccess> AccessForReadAsync(string patientId, string type, string id, CancellationToken ct)
    {
        try
        {
            return await AccessForAsync(patientId, ct);
        }
        catch (AccessDeniedException e) when (P.Kind == PrincipalKind.Citizen)
        {
            throw new AccessDeniedException(e.Decision, FhirException.NotFound($"{type}/{id} does not exist."));
        }
    }

    public async Task<SearchPage> SearchAsync(SearchQuery query, CancellationToken ct)
    {
        if (query.Access is null) query = query with { Access = access.Store };
        query = RestrictQuery(query);
        var page = await inner.SearchAsync(query, ct);
        if (page.Included is { Count: > 0 } included && included.Any(r => ScopeCheck.Restrictions(P, r.ResourceType, Interaction.Search) is not null))
        {
            // Included resources are not counted in totals; those outside the restriction are dropped from the page.
            var kept = new List<StoredResource>(included.Count);
            foreach (var r in included)
                if (await RestrictAsync(r, Interaction.Search, current: true, ct, query.Access) is { } k) kept.Add(k);
            page = page with { Included = kept };
        }
        foreach (var r in page.Resources) Touch(r);
        foreach (var r in page.Included ?? []) Touch(r);
        return page;
    }

    /// <summary>The caller's scope restrictions as criteria of the statement, so matches, pages and totals only
    /// count what the scope reaches; a restriction the query cannot carry is refused (403), never left out.</summary>
    private SearchQuery RestrictQuery(SearchQuery query)
    {
        // A search in contained resources reads their containers: only containers of types the caller may search
        // without a scope restriction take part.
        if (query.Contained != ContainedScope.False && query.ContainerTypes is null)
        {
            var all = guard.Definitions.ResourceTypes.ToList();
            var open = all.Where(t => ScopeCheck.Allows(P, t, Interaction.Search) && ScopeCheck.Restrictions(P, t, Interaction.Search) is null).ToList();
            if (open.Count < all.Count) query = query with { ContainerTypes = open };
        }
        foreach (var c in query.Criteria)
        {
            // _has:Type:... reaches into Type: refused when the caller's view of Type is restricted.
            if (c.Code.StartsWith("_has", StringComparison.Ordinal) && (c.Code + ":" + c.Modifier).Split(':') is [_, var hasType, ..]
                && hasType.Length > 0 && ScopeCheck.Restrictions(P, hasType, Interaction.Search) is not null)
                throw ScopeRestriction.Unsupported(hasType, "_has into a restricted type");
            // A chain filters on the linked resources' content: refused when it reaches a restricted type.
            if (query.ResourceType is { } root && c.Key.Contains('.') && !c.Code.StartsWith("_has", StringComparison.Ordinal)
                && guard.Restriction.ChainTargets(root, c.Key).FirstOrDefault(x => ScopeCheck.Restrictions(P, x, Interaction.Search) is not null) is { } chained)
                throw ScopeRestriction.Unsupported(chained, "a chained parameter into a restricted type");
        }
        var types = query.ResourceType is { } t ? [t] : query.Types ?? [];
        var restricted = types.Where(x => ScopeCheck.Restrictions(P, x, Interaction.Search) is not null).ToList();
        if (restricted.Count == 0)
        {
            if (query.ResourceType is null && query.Types is null
                && P.Scopes.Clinical.Any(s => s.Restrictions.Count > 0 && ScopeCheck.Restrictions(P, s.ResourceType, Interaction.Search) is not null))
                throw ScopeRestriction.Unsupported("*", "a search across all types");
            return query;
        }
        if (types.Count > 1) throw ScopeRestriction.Unsupported(restricted[0], "a search across several types");
        var criteria = ScopeRestriction.AsCriteria(ScopeCheck.Restrictions(P, restricted[0], Interaction.Search)!)
            ?? throw ScopeRestriction.Unsupported(restricted[0], "several restricted scopes on different parameters cannot be combined in one query");
        return query with { Criteria = [.. query.Criteria, .. criteria] };
    }

    /// <summary>The resource when the caller's scope restriction for its type (if any) admits it, else null.</summary>
    private async Task<StoredResource?> RestrictAsync(StoredResource? r, Interaction interaction, bool current, CancellationToken ct, CompartmentAccess? scope = null)
    {
        if (r is null || ScopeCheck.Restrictions(P, r.ResourceType, interaction) is not { } alternatives) return r;
        if (r.IsDeleted) return null;
        ScopeRestriction.StoreMatch? storeMatch = null;
        if (current)
            storeMatch = async (type, id, criteria, c) =>
            {
                var found = await inner.SearchAsync(new SearchQuery(type, [new SearchCriterion("_id", null, [id]), .. criteria],
                    Count: 1, Access: scope ?? (r.PatientId is { } pid ? await AccessForAsync(pid, c) : access.Store)), c);
                return found.Resources.Count > 0;
            };
        return await guard.Restriction.MatchesAsync(r.ResourceType, r.Id, r.Json, alternatives, storeMatch, ct) ? r : null;
    }

    /// <summary>Authorizes each write, appends its audit record (durably, before the store commits, so no write
    /// exists without its record), writes, and appends a Failed record when the write does not happen.</summary>
    public async Task<IReadOnlyList<StoredResource>> MergeAsync(IReadOnlyList<ResourceWrite> batch, CancellationToken ct)
    {
        var records = new List<AuditRecord>(batch.Count);
        foreach (var w in batch) records.Add(await AuthorizeWriteAsync(w, ct));
        await Task.WhenAll(records.Select(r => audit.RecordAsync(r, ct)));
        access.WritesRecorded += records.Count;
        try
        {
            var stored = await inner.MergeAsync(batch, ct);
            foreach (var r in stored) Touch(r);
            return stored;
        }
        catch (Exception e)
        {
            await Task.WhenAll(records.Select(r => audit.RecordAsync(r with
            {
                Time = DateTimeOffset.UtcNow, Outcome = AuditOutcome.Failed, OutcomeDetail = "The write did not happen: " + e.Message,
            }, CancellationToken.None)));
            throw;
        }
    }

    private async Task<AuditRecord> AuthorizeWriteAsync(ResourceWrite w, CancellationToken ct)
    {
        var current = await inner.GetAsync(w.ResourceType, w.Id, null, ct);
        var action = w.IsDelete ? AuditAction.Delete : current is null or { IsDeleted: true } ? AuditAction.Create : AuditAction.Update;
        var reference = $"{w.ResourceType}/{w.Id}";
        AuditRecord Record(string? patient) =>
            AuditRecord.For(P, patient is null ? null : access.DecisionFor(patient), action, patient, [reference], access.Query);
        await RequireWithinRestrictionAsync(w, current, action, ct);
        if (P.Kind == PrincipalKind.System)
            // Every compartment: only the audit record needs the compartment.
            return Record(w.Json is { } sj ? guard.CompartmentAndKeysOf(w.ResourceType, w.Id, sj).PatientId : current?.PatientId);

        CompartmentAccess? before = null;
        if (current?.PatientId is { } was)
        {
            try
            {
                before = await AccessForAsync(was, ct);
            }
            catch (AccessDeniedException e) when (P.Kind == PrincipalKind.Citizen)
            {
                // The resource lies in a record the citizen cannot reach: say so without naming that record.
                throw new AccessDeniedException(e.Decision, OwnRecordOnly(w.ResourceType));
            }
        }
        if (current?.PatientId is not null && await inner.GetAsync(w.ResourceType, w.Id, before, ct) is null)
            throw FhirException.NotFound($"{w.ResourceType}/{w.Id} does not exist.");
        if (w.Json is not { } json) return Record(current?.PatientId);
        var (patient, tokenKeys) = guard.CompartmentAndKeysOf(w.ResourceType, w.Id, json);
        if (patient is null) return Record(current?.PatientId);
        CompartmentAccess target;
        try
        {
            target = await AccessForAsync(patient, ct);
        }
        catch (AccessDeniedException e) when (P.Kind == PrincipalKind.Citizen)
        {
            // Refused without confirming whether that record exists.
            throw new AccessDeniedException(e.Decision, OwnRecordOnly(w.ResourceType));
        }
        if (!target.Permits(patient, w.ResourceType, tokenKeys))
            throw new FhirException(403, "forbidden", $"This {w.ResourceType} would fall in a section of the record that is locked for you.", w.ResourceType);
        return Record(patient);
    }

    private static FhirException OwnRecordOnly(string type) =>
        new(403, "forbidden", "You may only write to your own record (or your child's).", type);

    /// <summary>
    /// The access for conditional criteria, which are a search: a patient they name is decided by the policy
    /// (403 when denied, as for a search naming them), and personnel must name one for compartment data.
    /// </summary>
    public async Task<CompartmentAccess> ConditionalAccessAsync(string type, IReadOnlyList<KeyValuePair<string, string>> query, CancellationToken ct)
    {
        // Citizens' criteria run within their reach: a patient outside it is no match, and nothing names that record.
        if (P.Kind == PrincipalKind.Citizen) return access.Store;
        if (await guard.NamedPatientAsync(type, query, ct) is { } patient) return await AccessForAsync(patient, ct);
        if (P.Kind == PrincipalKind.Personnel && guard.IsCompartmentType(type))
            throw new FhirException(403, "forbidden",
                "Name the patient in the conditional criteria (e.g. patient=Patient/<id>): health personnel reach a patient's data only through a care relationship with that patient.", type);
        return access.Store;
    }

    /// <summary>A write under a restricted scope: the current version and the new one must both lie within it (403).</summary>
    private async Task RequireWithinRestrictionAsync(ResourceWrite w, StoredResource? current, AuditAction action, CancellationToken ct)
    {
        var interaction = action switch { AuditAction.Delete => Interaction.Delete, AuditAction.Create => Interaction.Create, _ => Interaction.Update };
        if (ScopeCheck.Restrictions(P, w.ResourceType, interaction) is not { } alternatives) return;
        var restriction = guard.Restriction;
        var within = (current is null or { IsDeleted: true } || await restriction.MatchesAsync(w.ResourceType, w.Id, current.Json, alternatives, null, ct))
            && (w.Json is not { } json || await restriction.MatchesAsync(w.ResourceType, w.Id, json, alternatives, null, ct));
        if (!within)
            throw new FhirException(403, "forbidden",
                $"The token's scope allows '{ScopeCheck.Letters(interaction)}' on {w.ResourceType} only where it matches its restriction, and this {w.ResourceType} does not.", w.ResourceType);
    }

    private StoredResource? Touch(StoredResource? r)
    {
        if (r is not null) access.Touched(r.Container is { } container ? $"{container}#{r.Id}" : $"{r.ResourceType}/{r.Id}", r.PatientId);
        return r;
    }
}
