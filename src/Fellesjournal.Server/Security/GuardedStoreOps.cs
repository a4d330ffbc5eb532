using Fellesjournal.Server.Http;
using Fellesjournal.Server.Store;
using Fellesjournal.Storage;
using Fellesjournal.Trust.Access;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Server.Security;

/// <summary>
/// The store as one caller may see it. Searches carry the caller's compartment access into the statement;
/// reads of a compartment resource go through the policy for that patient (403 with the reason for personnel,
/// 404 for citizens and for locked sections); writes need access to the compartment of the current version and
/// of the new one, so nothing can be moved into or out of a compartment the caller cannot reach.
/// </summary>
public sealed class GuardedStoreOps(IStoreOps inner, RequestAccess access, AccessGuard guard) : IStoreOps
{
    public RequestAccess Access => access;
    /// <summary>The unguarded operations underneath (a Bundle entry re-authorizes on them).</summary>
    public IStoreOps Inner => inner;
    public IResourceStore Store => inner.Store;
    private Principal P => access.Principal;

    public async Task<StoredResource?> GetAsync(string type, string id, CancellationToken ct)
    {
        var r = await inner.GetAsync(type, id, ct);
        if (r is null || P.Kind == PrincipalKind.System) return Touch(r);
        return await PermitsAsync(r, ct) ? Touch(r) : null;
    }

    /// <summary>A stored version the caller may see (its own compartment decides, as for history).</summary>
    public async Task<bool> PermitsAsync(StoredResource r, CancellationToken ct)
    {
        if (P.Kind == PrincipalKind.System) return true;
        if (r.IsDeleted)
            // A tombstone has no content to place it; only callers who could see the type's current rows learn of it.
            return r.ResourceType == "Patient" ? await PermitsCompartmentAsync(r.Id, r.ResourceType, [], ct) : !guard.IsCompartmentType(r.ResourceType);
        var patient = guard.CompartmentOf(r.ResourceType, r.Id, r.Json);
        return patient is null || await PermitsCompartmentAsync(patient, r.ResourceType, AccessGuard.Categories(r.Json), ct);
    }

    private async Task<bool> PermitsCompartmentAsync(string patient, string type, IReadOnlyList<string> categories, CancellationToken ct)
    {
        if (!access.Filter.AllPatients && !access.Filter.PatientIds.Contains(patient))
        {
            // Not in the request's reach: this read names the patient, so the policy decides for them (throws when denied).
            var decision = await guard.DecideAsync(P, patient, ct);
            access.Decision = decision;
            access.PatientId = patient;
            return CompartmentFilter.ForDecision(patient, decision).Permits(patient, type, categories);
        }
        return access.Filter.Permits(patient, type, categories);
    }

    public async Task<SearchPage> SearchAsync(SearchQuery query, CancellationToken ct)
    {
        var page = await inner.SearchAsync(query.Access is null ? query with { Access = access.Store } : query, ct);
        foreach (var r in page.Resources) Touch(r);
        foreach (var r in page.Included ?? []) Touch(r);
        return page;
    }

    public async Task<IReadOnlyList<StoredResource>> MergeAsync(IReadOnlyList<ResourceWrite> batch, CancellationToken ct)
    {
        if (P.Kind != PrincipalKind.System)
        {
            foreach (var w in batch)
            {
                var current = await inner.GetAsync(w.ResourceType, w.Id, ct);
                if (current is { IsDeleted: false } && !await PermitsAsync(current, ct))
                    throw FhirException.NotFound($"{w.ResourceType}/{w.Id} does not exist.");
                if (w.Json is { } json)
                {
                    var patient = guard.CompartmentOf(w.ResourceType, w.Id, json);
                    if (patient is not null && !await PermitsWriteAsync(patient, w.ResourceType, AccessGuard.Categories(json), ct))
                        throw new FhirException(403, "forbidden",
                            $"You may not write {w.ResourceType} into this patient's record (no access to the compartment or section).", w.ResourceType);
                }
            }
        }
        var stored = await inner.MergeAsync(batch, ct);
        foreach (var r in stored) Touch(r, write: true);
        return stored;
    }

    private async Task<bool> PermitsWriteAsync(string patient, string type, IReadOnlyList<string> categories, CancellationToken ct)
    {
        try
        {
            return await PermitsCompartmentAsync(patient, type, categories, ct);
        }
        catch (AccessDeniedException e) when (P.Kind == PrincipalKind.Citizen)
        {
            // A citizen writing into a compartment they cannot reach: refused, without confirming it exists.
            throw new AccessDeniedException(e.Decision, new FhirException(403, "forbidden", "You may only write to your own record.", type));
        }
    }

    private StoredResource? Touch(StoredResource? r, bool write = false)
    {
        if (r is null) return r;
        access.ResourcesTouched.Add($"{r.ResourceType}/{r.Id}");
        if (r.ResourceType == "Patient") access.PatientsTouched.Add(r.Id);
        else if (!r.IsDeleted && guard.IsCompartmentType(r.ResourceType) && (write || P.Kind != PrincipalKind.System || access.PatientId is null))
        {
            if (guard.CompartmentOf(r.ResourceType, r.Id, r.Json) is { } p) access.PatientsTouched.Add(p);
        }
        return r;
    }
}
