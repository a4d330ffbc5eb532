using Fellesjournal.Fhir.Norway;
using Fellesjournal.Synthetic.Data;

namespace Fellesjournal.Synthetic;

/// <summary>Writes the organisations, practitioners, roles and the medicine catalogue.</summary>
internal static class InfrastructureResources
{
    private const string OrgType = "http://terminology.hl7.org/CodeSystem/organization-type";
    private const string RoleCodes = "http://terminology.hl7.org/CodeSystem/practitioner-role";

    public static void Emit(Infrastructure infra, Emitter e)
    {
        foreach (var m in Clinical.Medicines)
        {
            var j = e.Begin("Medication", MedicationId(m.Atc));
            j.Concept("code", IdentifierSystems.Atc, m.Atc, null, m.Name);
            j.Str("status", "active");
            j.W.WriteStartObject("form"); j.Str("text", m.Form); j.W.WriteEndObject();
            j.W.WriteStartArray("ingredient");
            foreach (var (substance, value, unit) in m.Ingredients)
            {
                j.W.WriteStartObject();
                j.W.WriteStartObject("itemCodeableConcept"); j.Str("text", substance); j.W.WriteEndObject();
                j.W.WriteBoolean("isActive", true);
                j.W.WriteStartObject("strength");
                Ucum(j, "numerator", value, unit);
                Ucum(j, "denominator", 1, m.Per);
                j.W.WriteEndObject();
                j.W.WriteEndObject();
            }
            j.W.WriteEndArray();
            e.End();
        }
        foreach (var h in infra.Hospitals.Values)
        {
            Organization(e, h.OrgId, h.OrgNumber, IdentifierSystems.OrgNumber, h.Name, "prov", "Healthcare Provider", h.Municipality, null);
            foreach (var d in h.Departments.Values)
            {
                Organization(e, d.OrgId, d.Resh, IdentifierSystems.Resh, $"{d.Name}, {h.Name}", "dept", "Hospital Department", h.Municipality, h.OrgId);
                foreach (var s in d.Doctors) Staff(e, s, "doctor", "Doctor", d.Key == "barn" ? "Pediatri" : d.Key == "kvinne" ? "Fødselshjelp og kvinnesykdommer" : "Indremedisin");
                foreach (var s in d.Nurses) Staff(e, s, "nurse", "Nurse", null);
            }
        }
        foreach (var p in infra.Practices)
        {
            Organization(e, p.OrgId, p.OrgNumber, IdentifierSystems.OrgNumber, p.Name, "prov", "Healthcare Provider", p.Municipality, null);
            foreach (var gp in p.Gps) Staff(e, gp, "doctor", "Doctor", "Allmennmedisin (fastlege)");
        }
        foreach (var l in infra.Local.Values)
        {
            var m = l.Municipality;
            Organization(e, l.LegevaktOrgId, l.LegevaktOrgNumber, IdentifierSystems.OrgNumber, $"{m.Name} legevakt", "prov", "Healthcare Provider", m, null);
            Organization(e, l.PharmacyOrgId, l.PharmacyOrgNumber, IdentifierSystems.OrgNumber, $"{m.Name} apotek", "prov", "Healthcare Provider", m, null);
            Staff(e, l.LegevaktDoctor!, "doctor", "Doctor", "Legevakt");
            Staff(e, l.Pharmacist!, "pharmacist", "Pharmacist", null);
        }
        // The GP list (fastlegeliste): one CareTeam per GP would be too coarse; each patient's fastlege is on the Patient.
    }

    public static string MedicationId(string atc) => "med-" + atc;

    private static void Ucum(JsonOut j, string name, decimal value, string unit)
    {
        j.W.WriteStartObject(name);
        j.W.WriteNumber("value", value);
        j.Str("unit", unit);
        j.Str("system", "http://unitsofmeasure.org");
        j.Str("code", unit);
        j.W.WriteEndObject();
    }

    private static void Organization(Emitter e, string id, string identifier, string system, string name, string type, string typeDisplay, Municipality m, string? partOf)
    {
        var j = e.Begin("Organization", id);
        j.Identifier(system, identifier);
        j.W.WriteBoolean("active", true);
        j.ConceptArray("type", OrgType, type, typeDisplay);
        j.Str("name", name);
        j.W.WriteStartArray("address");
        j.W.WriteStartObject();
        j.Str("use", "work");
        j.Str("city", m.Postcodes[0].Place);
        j.Str("district", m.Number);
        j.Str("postalCode", m.Postcodes[0].Code);
        j.Str("country", "NO");
        j.W.WriteEndObject();
        j.W.WriteEndArray();
        if (partOf is not null) j.Ref("partOf", "Organization/" + partOf);
        e.End();
    }

    private static void Staff(Emitter e, StaffMember s, string roleCode, string roleDisplay, string? specialty)
    {
        var j = e.Begin("Practitioner", s.PractitionerId);
        j.Identifier(IdentifierSystems.Hpr, s.Hpr);
        j.W.WriteBoolean("active", true);
        Name(j, s.Family, s.Given);
        j.Str("gender", s.Male ? "male" : "female");
        j.W.WriteStartArray("qualification");
        j.W.WriteStartObject();
        j.Concept("code", IdentifierSystems.HealthPersonnelCategory, s.Category, CategoryName(s.Category));
        j.W.WriteEndObject();
        j.W.WriteEndArray();
        e.End();

        j = e.Begin("PractitionerRole", s.RoleId);
        j.W.WriteBoolean("active", true);
        j.Ref("practitioner", "Practitioner/" + s.PractitionerId, $"{s.Given} {s.Family}");
        j.Ref("organization", "Organization/" + s.OrganizationId);
        j.ConceptArray("code", RoleCodes, roleCode, roleDisplay);
        if (specialty is not null) j.TextConceptArray("specialty", specialty);
        e.End();
    }

    public static string CategoryName(string c) => c switch { "LE" => "Lege", "SP" => "Sykepleier", "FA1" => "Provisorfarmasøyt", _ => c };

    public static void Name(JsonOut j, string family, string given, string? given2 = null)
    {
        j.W.WriteStartArray("name");
        j.W.WriteStartObject();
        j.Str("use", "official");
        j.Str("family", family);
        j.W.WriteStartArray("given");
        j.W.WriteStringValue(given);
        if (given2 is not null) j.W.WriteStringValue(given2);
        j.W.WriteEndArray();
        j.W.WriteEndObject();
        j.W.WriteEndArray();
    }
}
