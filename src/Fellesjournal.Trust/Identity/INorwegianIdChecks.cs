namespace Fellesjournal.Trust.Identity;

/// <summary>
/// The Norwegian identifier checks the trust layer needs. <see cref="NorwegianIdChecks"/> is the shared
/// <c>Fellesjournal.Fhir.Norway</c> implementation; the seam lets tests and deployments narrow it.
/// </summary>
public interface INorwegianIdChecks
{
    /// <summary>True for a valid fødselsnummer or D-number.</summary>
    bool IsValidPersonNumber(string value);

    /// <summary>True for a valid organisasjonsnummer (9 digits, mod-11 check digit).</summary>
    bool IsValidOrganisationNumber(string value);
}
