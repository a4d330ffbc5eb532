using Fellesjournal.Fhir.Norway;

namespace Fellesjournal.Trust.Identity;

/// <summary>The shared <c>Fellesjournal.Fhir.Norway</c> checks (current and 2032 check-digit rules).</summary>
public sealed class NorwegianIdChecks : INorwegianIdChecks
{
    public static readonly NorwegianIdChecks Instance = new();

    /// <summary>FNR or D-number; an H-number is a local help number and never identifies a person in a token.</summary>
    public bool IsValidPersonNumber(string value) =>
        PersonNumber.Classify(value) is PersonNumberKind.Fnr or PersonNumberKind.DNumber;

    public bool IsValidOrganisationNumber(string value) => OrganisationNumber.IsValid(value);
}
