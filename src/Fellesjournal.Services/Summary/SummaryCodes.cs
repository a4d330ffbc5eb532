namespace Fellesjournal.Services.Summary;

/// <summary>Code systems and codes the summary document uses (docs/services/summary.md lists them).</summary>
public static class SummaryCodes
{
    public const string Loinc = "http://loinc.org";

    /// <summary>LOINC 60591-5 "Patient summary Document" (the IPS Composition.type).</summary>
    public const string PatientSummaryDocument = "60591-5";

    /// <summary>
    /// Critical information registered by personnel on Condition.category or Flag.category (besides
    /// AllergyIntolerance.criticality = high): the kjernejournal categories that have no standard code.
    /// </summary>
    public const string CriticalInformationSystem = "https://fellesjournal.no/fhir/CodeSystem/critical-information";

    public static readonly IReadOnlyDictionary<string, string> CriticalCategories = new Dictionary<string, string>
    {
        ["serious-condition"] = "Alvorlig sykdom",
        ["rare-condition"] = "Sjelden sykdom",
        ["implant"] = "Implantat",
        ["critical-treatment"] = "Pågående kritisk behandling",
        ["special-needs"] = "Særskilte behov",
    };

    /// <summary>Sections without a LOINC section code in the IPS (documents, contacts, the citizen's own entries).</summary>
    public const string SectionSystem = "https://fellesjournal.no/fhir/CodeSystem/summary-section";

    public const string EmptyReasonSystem = "http://terminology.hl7.org/CodeSystem/list-empty-reason";

    /// <summary>Identifier system of the document (Bundle.identifier, bdl-9).</summary>
    public const string DocumentIdentifierSystem = "urn:ietf:rfc:3986";
}
