using Fellesjournal.Storage;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Trust.Access;

/// <summary>
/// Turns a principal into a <see cref="CompartmentFilter"/>: for one named patient (read, patient-scoped search,
/// <c>$everything</c>), or for a citizen's whole reach (own record, children under 12). Reads facts with
/// <see cref="CareFactsReader"/> on every request, so changed Consents take effect on the next request.
/// </summary>
public sealed class CompartmentResolver(IResourceStore store, CareFactsReader reader, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The decision and filter for one patient compartment.</summary>
    public async Task<(Decision Decision, CompartmentFilter Filter, CareFacts Facts)> ForPatientAsync(
        Principal principal, string patientId, string? resourceType = null, Interaction interaction = Interaction.None,
        bool summaryRecord = false, bool consentInTheMoment = false, CancellationToken ct = default)
    {
        var (facts, controls) = await reader.ReadAsync(patientId, ct);
        var decision = AccessPolicy.Decide(new AccessRequest
        {
            Principal = principal, Facts = facts, Controls = controls, ResourceType = resourceType, Interaction = interaction,
            SummaryRecord = summaryRecord, ConsentInTheMoment = consentInTheMoment, Now = _time.GetUtcNow(),
        });
        return (decision, CompartmentFilter.ForDecision(patientId, decision), facts);
    }

    /// <summary>
    /// Every compartment a citizen may see without naming a patient: the Patient(s) carrying their pid and the
    /// children whose RelatedPerson names them as parent (each checked by the policy, so only under 12).
    /// Proxy grants need the patient to be named (their grantee identifiers are not searchable yet).
    /// </summary>
    public async Task<CompartmentFilter> ForCitizenAsync(Principal citizen, CancellationToken ct = default)
    {
        if (citizen.Kind != PrincipalKind.Citizen || citizen.Pid is null) return CompartmentFilter.Nothing;
        var candidates = new HashSet<string>();
        foreach (var system in new[] { NorwegianSystems.Fnr, NorwegianSystems.Dnr })
        {
            var self = await store.SearchAsync(new SearchQuery("Patient", [new SearchCriterion("identifier", null, [$"{system}|{citizen.Pid}"])], Count: 10), ct);
            foreach (var p in self.Resources) candidates.Add(p.Id);
            var rel = await store.SearchAsync(new SearchQuery("RelatedPerson", [new SearchCriterion("identifier", null, [$"{system}|{citizen.Pid}"])], Count: 100), ct);
            foreach (var r in rel.Resources)
                if (PatientOf(r) is { } pid) candidates.Add(pid);
        }
        var filters = new List<CompartmentFilter>();
        foreach (var id in candidates)
            filters.Add((await ForPatientAsync(citizen, id, ct: ct)).Filter);
        return CompartmentFilter.Union(filters);
    }

    /// <summary>System clients see every compartment; locked sections are resolved per row by the store.</summary>
    public static CompartmentFilter ForSystem(Principal system) =>
        system.Kind == PrincipalKind.System ? new CompartmentFilter { AllPatients = true } : CompartmentFilter.Nothing;

    private static string? PatientOf(StoredResource r)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(r.Json);
        return doc.RootElement.TryGetProperty("patient", out var p) && p.TryGetProperty("reference", out var rf)
            && rf.GetString() is { } s && s.StartsWith("Patient/", StringComparison.Ordinal) ? s["Patient/".Length..] : null;
    }
}
