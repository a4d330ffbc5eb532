namespace Fellesjournal.Services.Summary;

public enum SectionKind { Critical, Allergies, Medication, Immunizations, Problems, Visits, Documents, Contacts, CitizenEntries }

/// <summary>
/// One section of the summary: its code (LOINC from the International Patient Summary where one exists), its
/// bokmål title, and the resource types it draws from. A citizen's sperring locks a section when it names the
/// section code ("system|code") or every one of its source types.
/// </summary>
public sealed record SummarySection(SectionKind Kind, string System, string Code, string Display, string Title, IReadOnlyList<string> SourceTypes)
{
    public string Key => System + "|" + Code;

    public static readonly IReadOnlyList<SummarySection> All =
    [
        new(SectionKind.Critical, SummaryCodes.Loinc, "104605-1", "Alert", "Kritisk informasjon", ["AllergyIntolerance", "Condition", "Flag"]),
        new(SectionKind.Allergies, SummaryCodes.Loinc, "48765-2", "Allergies and adverse reactions Document", "Allergier og intoleranser", ["AllergyIntolerance"]),
        new(SectionKind.Medication, SummaryCodes.Loinc, "10160-0", "History of Medication use Narrative", "Legemidler (pasientens legemiddelliste)", ["MedicationStatement", "MedicationRequest"]),
        new(SectionKind.Immunizations, SummaryCodes.Loinc, "11369-6", "History of Immunization Narrative", "Vaksinasjoner", ["Immunization"]),
        new(SectionKind.Problems, SummaryCodes.Loinc, "11450-4", "Problem list - Reported", "Aktive problemer", ["Condition"]),
        new(SectionKind.Visits, SummaryCodes.Loinc, "46240-8", "History of Hospitalizations+Outpatient visits Narrative", "Kontakthistorikk (sykehus og legevakt, siste 3 år)", ["Encounter"]),
        new(SectionKind.Documents, SummaryCodes.SectionSystem, "documents", "Discharge summaries and other documents", "Epikriser og andre dokumenter", ["DocumentReference", "Composition"]),
        new(SectionKind.Contacts, SummaryCodes.SectionSystem, "contacts", "Next of kin and general practitioner", "Kontakter (pårørende og fastlege)", ["RelatedPerson"]),
        new(SectionKind.CitizenEntries, SummaryCodes.SectionSystem, "citizen-entries", "Entries made by the patient", "Pasientens egne opplysninger", ["AllergyIntolerance", "Condition", "Flag", "DocumentReference"]),
    ];

    public static SummarySection Of(SectionKind kind) => All[(int)kind];
}
