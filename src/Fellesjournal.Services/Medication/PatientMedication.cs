using System.Text.Json.Nodes;
using Fellesjournal.Storage;

namespace Fellesjournal.Services.Medication;

/// <summary>One entry of the current list: the statement's id, version and JSON.</summary>
internal sealed record ListEntry(string Id, long Version, JsonObject Json);

/// <summary>What the patient uses right now, read inside a transaction: the PLL entries, open prescriptions and
/// documented allergies — the input of the safety checks.</summary>
internal sealed class PatientMedication
{
    public required string PatientId { get; init; }
    public long? ListVersion { get; init; }
    public required List<ListEntry> Entries { get; init; }
    public required List<StoredResource> OpenPrescriptions { get; init; }
    public required List<AllergyItem> Allergies { get; init; }

    public static async Task<PatientMedication> LoadAsync(IStoreTransaction tx, string patientId, CancellationToken ct)
    {
        var (version, entries) = await LoadListAsync(tx, patientId, ct);
        var open = await OpenPrescriptionsAsync(tx, patientId, ct);
        var allergies = new List<AllergyItem>();
        var page = await tx.SearchAsync(new SearchQuery("AllergyIntolerance", [new SearchCriterion("patient", null, ["Patient/" + patientId])], Count: 1000), ct);
        foreach (var r in page.Resources)
        {
            var a = FhirJson.Parse(r);
            var clinical = FhirJson.Str(a, "clinicalStatus", "coding", "code");
            var verification = FhirJson.Str(a, "verificationStatus", "coding", "code");
            if (clinical is "inactive" or "resolved" || verification is "refuted" or "entered-in-error") continue;
            var criticality = FhirJson.Str(a, "criticality") ?? "unable-to-assess";
            var text = FhirJson.Str(a, "code", "text");
            var codings = (a["code"]?["coding"] as JsonArray ?? []).OfType<JsonObject>()
                .Concat((a["reaction"] as JsonArray ?? []).OfType<JsonObject>().SelectMany(x => (x["substance"]?["coding"] as JsonArray ?? []).OfType<JsonObject>()));
            foreach (var c in codings)
                if (FhirJson.Str(c, "system") == MedicationCodes.Atc && FhirJson.Str(c, "code") is { Length: > 0 } atc)
                    allergies.Add(new AllergyItem(atc, text ?? FhirJson.Str(c, "display") ?? atc, criticality, "AllergyIntolerance/" + r.Id));
        }
        return new PatientMedication { PatientId = patientId, ListVersion = version, Entries = entries, OpenPrescriptions = open, Allergies = allergies };
    }

    public static async Task<(long? Version, List<ListEntry> Entries)> LoadListAsync(IStoreTransaction tx, string patientId, CancellationToken ct)
    {
        var list = await tx.GetAsync("List", MedicationCodes.ListId(patientId), ct);
        var entries = new List<ListEntry>();
        if (list is null || list.IsDeleted) return (list?.VersionId, entries);
        foreach (var id in StatementIds(FhirJson.Parse(list)))
        {
            var s = await tx.GetAsync("MedicationStatement", id.Id, ct);
            if (s is not null && !s.IsDeleted) entries.Add(new ListEntry(s.Id, s.VersionId, FhirJson.Parse(s)));
        }
        return (list.VersionId, entries);
    }

    public static async Task<List<StoredResource>> OpenPrescriptionsAsync(IStoreTransaction tx, string patientId, CancellationToken ct)
    {
        var page = await tx.SearchAsync(new SearchQuery("MedicationRequest",
            [new SearchCriterion("subject", null, ["Patient/" + patientId]), new SearchCriterion("status", null, ["active"])], Count: 1000), ct);
        return page.Resources.ToList();
    }

    /// <summary>The statement ids and versions a PLL List version references (<c>MedicationStatement/{id}/_history/{v}</c>).</summary>
    public static IEnumerable<(string Id, long? Version)> StatementIds(JsonObject list)
    {
        foreach (var e in (list["entry"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var r = FhirJson.Str(e, "item", "reference");
            if (r is null || !r.StartsWith("MedicationStatement/", StringComparison.Ordinal)) continue;
            var parts = r.Split('/');
            yield return parts.Length >= 4 && parts[2] == "_history" && long.TryParse(parts[3], out var v) ? (parts[1], v) : (parts[1], null);
        }
    }

    /// <summary>Everything in use: the list's active statements and the open prescriptions.</summary>
    /// <summary>A list entry and its prescription are one medicine, so each ATC code appears once.</summary>
    public List<MedicationItem> InUse(MedicationCatalogue catalogue)
    {
        // Open prescriptions first: an issue then implicates the prescription, which is what a prescriber acts on.
        var items = new List<MedicationItem>();
        foreach (var p in OpenPrescriptions)
            if (MedicationItem.Of(FhirJson.Parse(p), catalogue, "MedicationRequest/" + p.Id) is { } m) items.Add(m);
        foreach (var e in Entries)
            if (FhirJson.Str(e.Json, "status") == "active" && MedicationItem.Of(e.Json, catalogue, "MedicationStatement/" + e.Id) is { } m) items.Add(m);
        return items.DistinctBy(i => i.Atc).ToList();
    }
}
