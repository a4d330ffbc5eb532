namespace Fellesjournal.Services.Medication;

/// <summary>Systems, extension URLs and codes the medication chain writes.</summary>
public static class MedicationCodes
{
    public const string Atc = "http://www.whocc.no/atc";
    public const string Hpr = "urn:oid:2.16.578.1.12.4.1.4.4";
    public const string OrgNumber = "urn:oid:2.16.578.1.12.4.1.4.101";
    public const string PersonnelCategory = "urn:oid:2.16.578.1.12.4.1.1.9060";
    public const string ActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
    public const string ProvenanceActivity = "http://terminology.hl7.org/CodeSystem/v3-DataOperation";
    public const string Loinc = "http://loinc.org";

    /// <summary>How many more dispenses the prescription allows (1 + numberOfRepeatsAllowed at issue). Kept on the
    /// MedicationRequest so the check and the decrement are one versioned write (the version is the lock).</summary>
    public const string RemainingDispensesExtension = "http://fellesjournal.no/fhir/StructureDefinition/remaining-dispenses";

    /// <summary>The prescriber's reason for overriding a blocking safety issue, on the DetectedIssue's mitigation.</summary>
    public const string OverrideAction = "override";

    /// <summary>The PLL List's id for a patient: one list per patient, found without a search.</summary>
    public static string ListId(string patientId) => "pll-" + patientId;

    /// <summary>Medication resource id of a catalogue entry.</summary>
    public static string MedicationId(string atc) => "med-" + atc;
}
