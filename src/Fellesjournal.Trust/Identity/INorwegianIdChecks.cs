namespace Fellesjournal.Trust.Identity;

/// <summary>
/// The Norwegian identifier checks the trust layer needs. The implementation is the shared one in
/// <c>Fellesjournal.Fhir.Norway</c> (check digits, both the current and the 2032 rules); this seam keeps the
/// trust layer from growing its own copy.
/// </summary>
public interface INorwegianIdChecks
{
    /// <summary>True for a valid fødselsnummer or D-number.</summary>
    bool IsValidPersonNumber(string value);

    /// <summary>True for a valid organisasjonsnummer (9 digits, mod-11 check digit).</summary>
    bool IsValidOrganisationNumber(string value);
}
