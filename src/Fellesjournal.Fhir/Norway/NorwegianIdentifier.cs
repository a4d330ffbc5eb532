namespace Fellesjournal.Fhir.Norway;

/// <summary>
/// Checks an Identifier value against the rules of its Norwegian national system (FNR, D-number, FH-number, DUF,
/// HPR, organisation number). Other systems are not judged. Person numbers are accepted under the classic and the
/// 2032 check-digit rules; nothing (sex, birth date) is derived from them.
/// </summary>
public static class NorwegianIdentifier
{
    /// <summary>True when <paramref name="system"/> is one of the national systems checked here.</summary>
    public static bool IsCheckedSystem(string? system) => system is IdentifierSystems.Fnr or IdentifierSystems.DNumber
        or IdentifierSystems.Fhn or IdentifierSystems.Duf or IdentifierSystems.Hpr or IdentifierSystems.OrgNumber;

    /// <summary>Null when <paramref name="value"/> is valid for <paramref name="system"/> (or the system is not checked);
    /// otherwise why it is not.</summary>
    public static string? Problem(string? system, string value) => system switch
    {
        IdentifierSystems.Fnr => PersonNumberProblem(value, PersonNumberKind.Fnr, "fødselsnummer (FNR)"),
        IdentifierSystems.DNumber => PersonNumberProblem(value, PersonNumberKind.DNumber, "D-number"),
        IdentifierSystems.Fhn => FhNumber.IsValid(value) ? null
            : $"'{value}' is not a valid FH-number (felles hjelpenummer): 11 digits starting with 8 or 9, with valid check digits.",
        IdentifierSystems.Duf => DufNumber.IsValidFormat(value) ? null : $"'{value}' is not a DUF number: 12 digits.",
        IdentifierSystems.Hpr => HprNumber.IsValidFormat(value) ? null
            : $"'{value}' is not an HPR number: 4-9 digits without a leading zero.",
        IdentifierSystems.OrgNumber => OrganisationNumber.IsValid(value) ? null
            : $"'{value}' is not a valid organisation number: 9 digits with a modulus-11 check digit.",
        _ => null,
    };

    private static string? PersonNumberProblem(string value, PersonNumberKind expected, string name)
    {
        var kind = PersonNumber.Classify(value);
        if (kind == expected) return null;
        return kind switch
        {
            PersonNumberKind.Fnr => $"'{value}' is a fødselsnummer, not a {name}; use the system {IdentifierSystems.Fnr}.",
            PersonNumberKind.DNumber => $"'{value}' is a D-number, not a {name}; use the system {IdentifierSystems.DNumber}.",
            PersonNumberKind.HNumber => $"'{value}' is an H-number (an organisation's internal help number), not a {name}; it belongs under the organisation's own identifier system.",
            _ => $"'{value}' is not a valid {name}: 11 digits with a valid date part and check digits (current or 2032 rule).",
        };
    }
}
