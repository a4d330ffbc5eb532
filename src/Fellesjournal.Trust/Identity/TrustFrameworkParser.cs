using System.Text.Json;

namespace Fellesjournal.Trust.Identity;

/// <summary>
/// Reads the <c>nhn:tillitsrammeverk:parameters</c> entry of <c>authorization_details</c>. Codes and ids may be
/// objects (<c>{"code": "LE", "system": ...}</c>, <c>{"id": "983...", "system": ...}</c>) or bare strings.
/// The emergency reason is <c>care_relationship.purpose_of_use_details</c> (its text, display or code).
/// </summary>
internal static class TrustFrameworkParser
{
    public const string Type = "nhn:tillitsrammeverk:parameters";

    /// <summary>Finds the entry; null when the claim or the typed entry is absent.</summary>
    public static JsonElement? Find(JsonElement payload)
    {
        if (!payload.TryGetProperty("authorization_details", out var ad)) return null;
        if (ad.ValueKind == JsonValueKind.String)
        {
            // Some issuers serialise the claim as a JSON string.
            try { ad = JsonDocument.Parse(ad.GetString()!).RootElement; } catch (JsonException) { return null; }
        }
        if (ad.ValueKind == JsonValueKind.Object) return JwtParts.Str(ad, "type") == Type ? ad : null;
        if (ad.ValueKind == JsonValueKind.Array)
            foreach (var e in ad.EnumerateArray())
                if (JwtParts.Str(e, "type") == Type) return e;
        return null;
    }

    /// <summary>Parses the entry; returns an error message when it is unusable.</summary>
    public static (TrustFrameworkDetails? Details, string? Error) Parse(JsonElement e, INorwegianIdChecks checks)
    {
        var practitioner = JwtParts.Obj(e, "practitioner");
        var care = JwtParts.Obj(e, "care_relationship");
        if (practitioner is null) return (null, "authorization_details: 'practitioner' is missing");
        if (care is null) return (null, "authorization_details: 'care_relationship' is missing");
        var p = practitioner.Value;
        var c = care.Value;

        var legal = Id(p, "legal_entity");
        if (string.IsNullOrEmpty(legal)) return (null, "authorization_details: 'practitioner.legal_entity' is missing");
        if (!checks.IsValidOrganisationNumber(legal))
            return (null, $"authorization_details: 'practitioner.legal_entity' {legal} is not a valid organisation number");
        var poc = Id(p, "point_of_care");
        if (poc is not null && poc.Length == 9 && poc.All(char.IsAsciiDigit) && !checks.IsValidOrganisationNumber(poc))
            return (null, $"authorization_details: 'practitioner.point_of_care' {poc} is not a valid organisation number");

        var purposeCode = Code(c, "purpose_of_use");
        PurposeOfUse purpose = purposeCode switch
        {
            "TREAT" => PurposeOfUse.Treat,
            "ETREAT" => PurposeOfUse.EmergencyTreat,
            "COC" => PurposeOfUse.CoordinationOfCare,
            null or "" => PurposeOfUse.None,
            _ => (PurposeOfUse)(-1),
        };
        if (purpose == PurposeOfUse.None) return (null, "authorization_details: 'care_relationship.purpose_of_use' is missing");
        if ((int)purpose < 0) return (null, $"authorization_details: purpose_of_use '{purposeCode}' is not one of TREAT, ETREAT, COC");

        var patients = new List<string>();
        if (e.TryGetProperty("patients", out var pats) && pats.ValueKind == JsonValueKind.Array)
        {
            foreach (var pat in pats.EnumerateArray())
            {
                var pid = pat.ValueKind == JsonValueKind.String ? pat.GetString() : Id(pat, "identifier");
                if (string.IsNullOrEmpty(pid)) continue;
                if (!checks.IsValidPersonNumber(pid))
                    return (null, "authorization_details: a patient identifier is not a valid fødselsnummer or D-number");
                patients.Add(pid);
            }
        }

        var decision = JwtParts.Obj(c, "decision_ref");
        bool? userSelected = decision is { } d && d.TryGetProperty("user_selected", out var us) && us.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? us.GetBoolean() : null;
        return (new TrustFrameworkDetails
        {
            AuthorizationCode = Code(p, "authorization"),
            LegalEntity = legal,
            LegalEntityName = Name(p, "legal_entity"),
            PointOfCare = poc,
            PointOfCareName = Name(p, "point_of_care"),
            Department = Id(p, "department"),
            HealthcareService = Code(c, "healthcare_service"),
            PurposeOfUse = purpose,
            PurposeDetails = Text(c, "purpose_of_use_details"),
            DecisionRefId = decision is { } d2 ? JwtParts.Str(d2, "id") : null,
            DecisionRefUserSelected = userSelected,
            Patients = patients,
        }, null);
    }

    private static string? Id(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Object => JwtParts.Str(v, "id") ?? JwtParts.Str(v, "value"),
            _ => null,
        } : null;

    private static string? Code(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Object => JwtParts.Str(v, "code"),
            _ => null,
        } : null;

    private static string? Name(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? JwtParts.Str(v, "name") : null;

    private static string? Text(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Object => JwtParts.Str(v, "text") ?? JwtParts.Str(v, "display") ?? JwtParts.Str(v, "code"),
            _ => null,
        } : null;
}
