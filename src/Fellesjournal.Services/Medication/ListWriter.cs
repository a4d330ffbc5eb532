using System.Text.Json.Nodes;
using Fellesjournal.Storage;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Services.Medication;

/// <summary>A change of the PLL: the statement versions to write, the statements on the list afterwards (in order),
/// and who made it and why.</summary>
internal sealed record ListChange(
    IReadOnlyList<JsonObject> StatementWrites,
    IReadOnlyList<string> ActiveStatementIds,
    Principal Who,
    string Reason,
    IReadOnlyList<string> OtherTargets);

/// <summary>
/// Writes a new PLL version inside the caller's transaction: the changed statements, the List (versioned
/// references to exactly the statement versions it holds; the list's current version is the precondition)
/// and a Provenance with the deterministic id <c>pll-{patient}-v{n}</c>, so each version's who/when/why is found
/// without a search.
/// </summary>
internal static class ListWriter
{
    public static string ProvenanceId(string patientId, long version) => $"{MedicationCodes.ListId(patientId)}-v{version}";

    public static async Task<StoredResource> WriteAsync(IStoreTransaction tx, PatientMedication current, ListChange change,
        DateTimeOffset now, CancellationToken ct)
    {
        var versions = current.Entries.ToDictionary(e => e.Id, e => (e.Version, e.Json));
        var changedTargets = new List<string>();
        if (change.StatementWrites.Count > 0)
        {
            var stored = await tx.MergeAsync(change.StatementWrites.Select(s => FhirJson.Write(s)).ToList(), ct);
            foreach (var (s, json) in stored.Zip(change.StatementWrites))
            {
                versions[s.Id] = (s.VersionId, json);
                changedTargets.Add($"MedicationStatement/{s.Id}/_history/{s.VersionId}");
            }
        }

        var entries = new JsonArray();
        foreach (var id in change.ActiveStatementIds)
        {
            var (v, json) = versions[id];
            var display = FhirJson.Str(json, "medicationReference", "display") ?? FhirJson.Str(json, "medicationCodeableConcept", "text");
            entries.Add(new JsonObject { ["date"] = FhirJson.Instant(now), ["item"] = FhirJson.Ref($"MedicationStatement/{id}/_history/{v}", display) });
        }
        var listId = MedicationCodes.ListId(current.PatientId);
        var list = new JsonObject
        {
            ["resourceType"] = "List",
            ["id"] = listId,
            ["status"] = "current",
            ["mode"] = "working",
            ["title"] = "Pasientens legemiddelliste",
            ["code"] = new JsonObject
            {
                ["coding"] = new JsonArray(new JsonObject { ["system"] = MedicationCodes.Loinc, ["code"] = "10160-0", ["display"] = "History of Medication use Narrative" }),
            },
            ["subject"] = FhirJson.Ref("Patient/" + current.PatientId),
            ["date"] = FhirJson.Instant(now),
            ["source"] = FhirJson.PersonnelReference(change.Who),
            ["orderedBy"] = new JsonObject { ["text"] = "Entry order" },
        };
        if (entries.Count > 0) list["entry"] = entries;
        else list["emptyReason"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/list-empty-reason", ["code"] = "nilknown", ["display"] = "Nil Known" }) };
        var written = (await tx.MergeAsync([FhirJson.Write(list, current.ListVersion, current.ListVersion is null)], ct))[0];

        var targets = new JsonArray(FhirJson.Ref($"List/{listId}/_history/{written.VersionId}"));
        foreach (var t in changedTargets.Concat(change.OtherTargets)) targets.Add(FhirJson.Ref(t));
        var provenance = Provenance(ProvenanceId(current.PatientId, written.VersionId), targets, change.Who, change.Reason,
            current.ListVersion is null ? "CREATE" : "UPDATE", now);
        await tx.MergeAsync([FhirJson.Write(provenance)], ct);
        return written;
    }

    public static JsonObject Provenance(string id, JsonArray targets, Principal who, string reason, string activity, DateTimeOffset now)
    {
        var agent = new JsonObject
        {
            ["type"] = new JsonObject
            {
                ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/provenance-participant-type", ["code"] = "author", ["display"] = "Author" }),
            },
            ["who"] = FhirJson.PersonnelReference(who),
        };
        if (FhirJson.OrganisationReference(who) is { } org) agent["onBehalfOf"] = org;
        return new JsonObject
        {
            ["resourceType"] = "Provenance",
            ["id"] = id,
            ["target"] = targets,
            ["recorded"] = FhirJson.Instant(now),
            ["reason"] = new JsonArray(FhirJson.Text(reason)),
            ["activity"] = new JsonObject
            {
                ["coding"] = new JsonArray(new JsonObject { ["system"] = MedicationCodes.ProvenanceActivity, ["code"] = activity }),
            },
            ["agent"] = new JsonArray(agent),
        };
    }
}
