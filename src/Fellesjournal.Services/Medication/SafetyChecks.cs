using System.Text.Json.Nodes;

namespace Fellesjournal.Services.Medication;

/// <summary>A finding of the safety checks, before it becomes a DetectedIssue.</summary>
/// <param name="Code">v3 ActCode: DUPTHPY (duplicate therapy), ALGY (allergy), DRG (drug interaction).</param>
/// <param name="Severity">DetectedIssue severity: high, moderate, low. High blocks unless overridden.</param>
public sealed record SafetyFinding(string Code, string Severity, string Detail, string Mitigation, IReadOnlyList<string> Implicated)
{
    public bool Blocks => Severity == "high";
}

/// <summary>
/// The checks run at prescribing and reconciliation: therapeutic duplication (same ATC level 4), documented
/// allergy to the substance or its class, and drug–drug interactions from the interaction table.
/// </summary>
public sealed class SafetyChecks(InteractionTable interactions)
{
    public static SafetyChecks Default { get; } = new(InteractionTable.Default);

    /// <summary>Findings for <paramref name="candidate"/> against what the patient already uses and their allergies.</summary>
    public IReadOnlyList<SafetyFinding> Check(MedicationItem candidate, IEnumerable<MedicationItem> inUse, IEnumerable<AllergyItem> allergies)
    {
        var findings = new List<SafetyFinding>();
        var others = inUse.Where(o => o.Reference != candidate.Reference || o.Reference is null).ToList();

        foreach (var o in others.Where(o => o.Group == candidate.Group))
        {
            var same = o.Atc == candidate.Atc;
            findings.Add(new SafetyFinding("DUPTHPY", "moderate",
                same
                    ? $"{candidate.Display} duplicates {o.Display} already in use (same substance, ATC {candidate.Atc})."
                    : $"{candidate.Display} (ATC {candidate.Atc}) and {o.Display} (ATC {o.Atc}) are in the same therapeutic group {candidate.Group}.",
                same ? "Change the existing prescription instead of adding a second one, or stop one of them."
                     : "Use one medicine from the group; stop or replace the other.",
                Implicated(candidate, o)));
        }

        foreach (var a in allergies.Where(a => candidate.Atc.StartsWith(a.Atc, StringComparison.Ordinal)))
        {
            var high = a.Criticality == "high";
            findings.Add(new SafetyFinding("ALGY", high ? "high" : "moderate",
                $"Documented allergy or intolerance: {a.Display} (ATC {a.Atc}{(a.Atc.Length < 7 ? ", a class" : "")}, criticality {a.Criticality}) covers {candidate.Display} (ATC {candidate.Atc}).",
                "Choose a medicine outside the substance class, or verify the allergy before prescribing.",
                [.. Implicated(candidate, null), a.Reference]));
        }

        foreach (var o in others.Where(o => o.Atc != candidate.Atc))
            foreach (var p in interactions.Find(candidate.Atc, o.Atc))
                findings.Add(new SafetyFinding("DRG", p.Severity,
                    $"Interaction {candidate.Display} (ATC {candidate.Atc}) + {o.Display} (ATC {o.Atc}): {p.Effect} Source: {p.Source}.",
                    p.Mitigation, Implicated(candidate, o)));
        return findings;
    }

    private static List<string> Implicated(MedicationItem a, MedicationItem? b)
    {
        var refs = new List<string>();
        if (a.Reference is not null) refs.Add(a.Reference);
        else refs.Add("Medication/" + MedicationCodes.MedicationId(a.Atc));
        if (b is not null) refs.Add(b.Reference ?? "Medication/" + MedicationCodes.MedicationId(b.Atc));
        return refs;
    }

    private static readonly Dictionary<string, string> Displays = new()
    {
        ["DUPTHPY"] = "Duplicate Therapy Alert",
        ["ALGY"] = "Allergy Alert",
        ["DRG"] = "Drug Interaction Alert",
    };

    /// <summary>The finding as a DetectedIssue; with an override reason, the override is recorded as a mitigation.</summary>
    public static JsonObject ToDetectedIssue(SafetyFinding f, string id, string patientId, DateTimeOffset now,
        Fellesjournal.Trust.Identity.Principal? by, string? overrideReason)
    {
        var implicated = new JsonArray();
        foreach (var r in f.Implicated.Distinct()) implicated.Add(FhirJson.Ref(r));
        var mitigation = new JsonArray(new JsonObject
        {
            ["action"] = new JsonObject { ["text"] = "Recommended: " + f.Mitigation },
        });
        if (overrideReason is not null && by is not null)
            mitigation.Add(new JsonObject
            {
                ["action"] = new JsonObject
                {
                    ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://fellesjournal.no/fhir/CodeSystem/detected-issue-mitigation", ["code"] = MedicationCodes.OverrideAction, ["display"] = "Overridden by the prescriber" }),
                    ["text"] = "Overridden by the prescriber: " + overrideReason,
                },
                ["date"] = FhirJson.Instant(now),
                ["author"] = FhirJson.PersonnelReference(by),
            });
        var issue = new JsonObject
        {
            ["resourceType"] = "DetectedIssue",
            ["id"] = id,
            ["status"] = "final",
            ["code"] = new JsonObject
            {
                ["coding"] = new JsonArray(new JsonObject { ["system"] = MedicationCodes.ActCode, ["code"] = f.Code, ["display"] = Displays[f.Code] }),
            },
            ["severity"] = f.Severity,
            ["patient"] = FhirJson.Ref("Patient/" + patientId),
            ["identifiedDateTime"] = FhirJson.Instant(now),
            ["implicated"] = implicated,
            ["detail"] = f.Detail,
            ["mitigation"] = mitigation,
        };
        return issue;
    }
}
