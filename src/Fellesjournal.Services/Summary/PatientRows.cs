using Fellesjournal.Storage;
using Fellesjournal.Storage.Search;

namespace Fellesjournal.Services.Summary;

/// <summary>
/// The current resources of given types in one patient's compartment, read with one statement per page (the store's
/// compartment index, <c>patient_id, res_type</c>) instead of one search per type. The result is what a search per type
/// by <c>patient=Patient/{id}</c> returns: grouped by type in the order asked, in the store's order within a type, and
/// only resources whose patient element refers to the patient (the compartment key can also come from an author or
/// asserter when the patient element is missing).
/// </summary>
public static class PatientRows
{
    /// <summary>The element behind each type's <c>patient</c> search parameter.</summary>
    private static readonly Dictionary<string, string> PatientElement = new(StringComparer.Ordinal)
    {
        ["AllergyIntolerance"] = "patient", ["Immunization"] = "patient", ["RelatedPerson"] = "patient",
        ["Condition"] = "subject", ["Flag"] = "subject", ["Composition"] = "subject", ["DocumentReference"] = "subject",
        ["MedicationStatement"] = "subject", ["MedicationRequest"] = "subject", ["Encounter"] = "subject",
    };

    public static bool Supports(string type) => type == "Patient" || PatientElement.ContainsKey(type);

    /// <returns>Per type (in <paramref name="types"/> order), at most <paramref name="maxPerType"/> resources.</returns>
    public static Task<Dictionary<string, List<StoredResource>>> ReadAsync(IResourceStore store, string patientId,
        IReadOnlyList<string> types, int maxPerType, CancellationToken ct) =>
        ReadAsync(store, patientId, types, _ => maxPerType, null, ct);

    /// <param name="keep">When given, only the rows it accepts are kept (and counted against the type's maximum).</param>
    /// <remarks><c>Patient</c> among the types reads the patient itself.</remarks>
    public static async Task<Dictionary<string, List<StoredResource>>> ReadAsync(IResourceStore store, string patientId,
        IReadOnlyList<string> types, Func<string, int> maxPerType, Func<StoredResource, bool>? keep, CancellationToken ct)
    {
        var byType = types.ToDictionary(t => t, _ => new List<StoredResource>(), StringComparer.Ordinal);
        var access = new CompartmentAccess(false, [patientId]) { IncludeShared = false };
        string? cursor = null;
        do
        {
            var page = await store.SearchAsync(new SearchQuery(null, [], Count: 1000, Cursor: cursor, Access: access, Types: types), ct);
            foreach (var r in page.Resources)
                if (!r.IsDeleted && byType.TryGetValue(r.ResourceType, out var list) && list.Count < maxPerType(r.ResourceType)
                    && (r.ResourceType == "Patient" ? r.Id == patientId : RefersTo(r, patientId)) && (keep is null || keep(r)))
                    list.Add(r);
            cursor = page.NextCursor;
        } while (cursor is not null);
        return byType;
    }

    /// <summary>The resource's patient element names <c>Patient/{id}</c> (relative, versioned or absolute).</summary>
    private static bool RefersTo(StoredResource r, string patientId) =>
        PatientElement.TryGetValue(r.ResourceType, out var element) && Json.TopReference(r.Json.Span, element) is { } reference && IsPatient(reference, patientId);

    private static bool IsPatient(string reference, string patientId)
    {
        var h = reference.IndexOf("/_history/", StringComparison.Ordinal);
        var r = h >= 0 ? reference.AsSpan(0, h) : reference.AsSpan();
        var tail = "Patient/" + patientId;
        return r.SequenceEqual(tail) || r.EndsWith("/" + tail, StringComparison.Ordinal);
    }
}
