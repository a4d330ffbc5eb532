namespace Fellesjournal.Trust.Access;

/// <summary>Identifier systems (HL7 Norway no-basis NamingSystems) the trust layer reads.</summary>
public static class NorwegianSystems
{
    public const string Fnr = Fellesjournal.Fhir.Norway.IdentifierSystems.Fnr;
    public const string Dnr = Fellesjournal.Fhir.Norway.IdentifierSystems.DNumber;
    public const string Hpr = Fellesjournal.Fhir.Norway.IdentifierSystems.Hpr;
    public const string OrgNr = Fellesjournal.Fhir.Norway.IdentifierSystems.OrgNumber;
    public const string Resh = Fellesjournal.Fhir.Norway.IdentifierSystems.Resh;
}

/// <summary>
/// How citizen controls are stored: a <c>Consent</c> with <c>patient</c> = the citizen, <c>status</c> = active,
/// <c>scope</c> = patient-privacy, and one <c>category</c> coding from <see cref="System"/> saying which control it is.
/// <list type="bullet">
/// <item><c>sperring</c>: <c>provision.type</c> deny; locked sections as <c>provision.class</c> (resource types) and
/// <c>provision.code</c> (category codings, keyed "system|code").</item>
/// <item><c>blokkering</c>: <c>provision.type</c> deny; <c>provision.actor.reference</c> the blocked Practitioner
/// (by id or by an HPR identifier).</item>
/// <item><c>reservasjon</c>: <c>provision.type</c> deny; no summary record.</item>
/// <item><c>fullmakt</c>: <c>provision.type</c> permit; <c>provision.actor.reference</c> the grantee (RelatedPerson/Patient
/// id or an FNR/D-number identifier); <c>provision.period</c> its validity.</item>
/// </list>
/// </summary>
public static class CitizenControlCodes
{
    public const string System = "https://fellesjournal.no/fhir/CodeSystem/citizen-control";
    public const string Sperring = "sperring";
    public const string Blokkering = "blokkering";
    public const string Reservasjon = "reservasjon";
    public const string Fullmakt = "fullmakt";
}
