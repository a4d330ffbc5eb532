namespace Fellesjournal.Fhir.Norway;

/// <summary>Identifier.system values of the HL7 Norway no-basis NamingSystems.</summary>
public static class IdentifierSystems
{
    public const string Fnr = "urn:oid:2.16.578.1.12.4.1.4.1";
    public const string DNumber = "urn:oid:2.16.578.1.12.4.1.4.2";
    public const string Fhn = "urn:oid:2.16.578.1.12.4.1.4.3";
    public const string Hpr = "urn:oid:2.16.578.1.12.4.1.4.4";
    public const string Duf = "urn:oid:2.16.578.1.12.4.1.4.5";
    public const string OrgNumber = "urn:oid:2.16.578.1.12.4.1.4.101";
    public const string Resh = "urn:oid:2.16.578.1.12.4.1.4.102";
    public const string HerId = "urn:oid:2.16.578.1.12.4.1.2";
    /// <summary>Health-personnel category (kodeverk 9060, e.g. LE = lege).</summary>
    public const string HealthPersonnelCategory = "urn:oid:2.16.578.1.12.4.1.1.9060";
    /// <summary>Municipality numbers (kodeverk 3402, kommunenummer).</summary>
    public const string Municipality = "urn:oid:2.16.578.1.12.4.1.1.3402";
    public const string Icpc2 = "urn:oid:2.16.578.1.12.4.1.1.7170";
    public const string Icd10 = "urn:oid:2.16.578.1.12.4.1.1.7110";
    public const string Atc = "http://www.whocc.no/atc";
}
