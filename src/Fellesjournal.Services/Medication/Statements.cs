using System.Text.Json.Nodes;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Services.Medication;

/// <summary>Builds and changes the MedicationStatements of the PLL.</summary>
internal static class Statements
{
    public static JsonObject New(string patientId, MedicationItem item, JsonNode medication, string? dosage, string? basedOn,
        Principal who, DateTimeOffset now)
    {
        var s = new JsonObject
        {
            ["resourceType"] = "MedicationStatement",
            ["id"] = FhirJson.NewId(),
            ["status"] = "active",
        };
        if (basedOn is not null) s["basedOn"] = new JsonArray(FhirJson.Ref(basedOn));
        SetMedication(s, medication);
        s["subject"] = FhirJson.Ref("Patient/" + patientId);
        s["effectivePeriod"] = new JsonObject { ["start"] = FhirJson.Date(now) };
        s["dateAsserted"] = FhirJson.Instant(now);
        s["informationSource"] = FhirJson.PersonnelReference(who);
        if (dosage is not null) s["dosage"] = new JsonArray(FhirJson.Text(dosage));
        return s;
    }

    /// <summary>The medication[x] element of a request or statement (reference or concept), copied.</summary>
    public static (string Name, JsonNode Value) MedicationOf(JsonObject resource) =>
        resource["medicationReference"] is JsonObject r ? ("medicationReference", r.DeepClone())
        : ("medicationCodeableConcept", resource["medicationCodeableConcept"]!.DeepClone());

    public static void SetMedication(JsonObject target, JsonNode medication)
    {
        target.Remove("medicationReference");
        target.Remove("medicationCodeableConcept");
        var name = medication is JsonObject o && o.ContainsKey("reference") ? "medicationReference" : "medicationCodeableConcept";
        target[name] = medication.DeepClone();
    }

    /// <summary>The same statement (same id) with a new dosage and/or medicine, as a new version.</summary>
    public static JsonObject Change(JsonObject current, JsonNode? medication, string? dosage, string? addBasedOn, Principal who, DateTimeOffset now)
    {
        var s = (JsonObject)current.DeepClone();
        if (medication is not null) SetMedication(s, medication);
        if (dosage is not null) s["dosage"] = new JsonArray(FhirJson.Text(dosage));
        if (addBasedOn is not null)
        {
            var basedOn = s["basedOn"] as JsonArray ?? new JsonArray();
            if (!basedOn.OfType<JsonObject>().Any(b => FhirJson.Str(b, "reference") == addBasedOn)) basedOn.Add(FhirJson.Ref(addBasedOn));
            s["basedOn"] = basedOn;
        }
        s["dateAsserted"] = FhirJson.Instant(now);
        s["informationSource"] = FhirJson.PersonnelReference(who);
        return s;
    }

    public static JsonObject Stop(JsonObject current, string reason, Principal who, DateTimeOffset now)
    {
        var s = (JsonObject)current.DeepClone();
        s["status"] = "stopped";
        s["statusReason"] = new JsonArray(FhirJson.Text(reason));
        var period = s["effectivePeriod"] as JsonObject ?? new JsonObject();
        period["end"] = FhirJson.Date(now);
        s["effectivePeriod"] = period;
        s["dateAsserted"] = FhirJson.Instant(now);
        s["informationSource"] = FhirJson.PersonnelReference(who);
        return s;
    }
}
