using System.Text.Json.Nodes;

namespace Fellesjournal.Services.Medication;

/// <summary>A medicine in use or proposed: its ATC code, how it reads, its dosage and the resource it stands for.</summary>
public sealed record MedicationItem(string Atc, string Display, string? Dosage, string? Reference)
{
    /// <summary>ATC level 4 (chemical/therapeutic/pharmacological subgroup), the first five characters: C09AA.</summary>
    public string Group => Atc.Length >= 5 ? Atc[..5] : Atc;

    /// <summary>The medicine of a MedicationRequest/MedicationStatement/MedicationDispense: a catalogue reference
    /// (<c>Medication/med-ATC</c>) or a <c>medicationCodeableConcept</c> with an ATC coding; null when neither.</summary>
    public static MedicationItem? Of(JsonObject resource, MedicationCatalogue catalogue, string? reference = null)
    {
        var dosage = FhirJson.Str(resource, "dosage", "text") ?? FhirJson.Str(resource, "dosageInstruction", "text");
        if (resource["medicationReference"] is JsonObject mr)
        {
            var r = FhirJson.Str(mr, "reference");
            if (catalogue.FindByReference(r) is { } e) return new(e.Atc, FhirJson.Str(mr, "display") ?? e.Name, dosage, reference);
            return null;
        }
        if (resource["medicationCodeableConcept"] is JsonObject cc)
        {
            foreach (var c in (cc["coding"] as JsonArray ?? []).OfType<JsonObject>())
                if (FhirJson.Str(c, "system") == MedicationCodes.Atc && FhirJson.Str(c, "code") is { Length: > 0 } atc)
                    return new(atc, FhirJson.Str(cc, "text") ?? FhirJson.Str(c, "display") ?? catalogue.Find(atc)?.Name ?? atc, dosage, reference);
        }
        return null;
    }
}

/// <summary>A documented allergy or intolerance coded with an ATC substance or class.</summary>
public sealed record AllergyItem(string Atc, string Display, string Criticality, string Reference);
