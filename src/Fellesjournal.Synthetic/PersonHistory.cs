using Fellesjournal.Fhir.Norway;
using Fellesjournal.Synthetic.Data;

namespace Fellesjournal.Synthetic;

/// <summary>
/// Writes one person: the Patient, links to parents, allergies, immunisations and a clinical history over the last
/// ten years shaped by age and sex. Each person draws from their own PRNG stream (seed, person index), so a
/// person's history does not depend on anyone else's.
/// </summary>
internal sealed partial class PersonHistory(Infrastructure infra, Emitter e, ulong seed)
{
    public const int HistoryYears = 10;
    private const string V3ActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

    private Person _p = null!;
    private Prng _rng;
    private int _n;
    private DateOnly _windowStart;
    private readonly List<(ChronicCondition C, DateOnly Onset, string ConditionId)> _chronic = [];

    private static readonly DateOnly Today = PopulationGenerator.Today;

    private string NextId(string prefix) => $"{prefix}-{_p.Index:D6}-{++_n}";

    public void Write(Person p)
    {
        _p = p;
        _rng = new Prng(seed ^ 0xC1_1C_A1UL, (ulong)p.Index);
        _n = 0;
        _chronic.Clear();
        var tenYearsAgo = Today.AddYears(-HistoryYears);
        _windowStart = p.Birth > tenYearsAgo ? p.Birth : tenYearsAgo;

        WritePatient();
        if (p.Age < 18)
        {
            if (p.Mother is not null) WriteParent(p.Mother, "MTH", "mother");
            if (p.Father is not null) WriteParent(p.Father, "FTH", "father");
        }
        WriteAllergies();
        WriteImmunizations();
        WriteChronicConditions();
        WriteGpVisits();
        WriteOutOfHours();
        WriteHospitalStays();
        WriteRemoteMonitoring();
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private DateOnly RandomDate(DateOnly from, DateOnly to)
    {
        var days = to.DayNumber - from.DayNumber;
        return days <= 0 ? from : from.AddDays(_rng.Next(days + 1));
    }

    private DateTime OfficeTime(DateOnly d) => d.ToDateTime(new TimeOnly(_rng.Between(8, 15), _rng.Next(4) * 15));

    private double Years => (Today.DayNumber - _windowStart.DayNumber) / 365.25;

    private string PatientRef => "Patient/" + _p.Id;

    private int Band => Clinical.Band(_p.Age);

    private bool Has(string key) => _chronic.Exists(c => c.C.Key == key);

    // ---- Patient and family ------------------------------------------------------------------------------------

    private void WritePatient()
    {
        var p = _p;
        var j = e.Begin("Patient", p.Id);
        j.Identifier(p.IsDNumber ? IdentifierSystems.DNumber : IdentifierSystems.Fnr, p.Pid);
        j.W.WriteBoolean("active", true);
        InfrastructureResources.Name(j, p.Family, p.Given, p.Given2);
        if (p.Phone is not null) Phone(j, p.Phone);
        j.Str("gender", p.Male ? "male" : "female");
        j.Date("birthDate", p.Birth);
        Address(j, p);
        j.W.WriteStartArray("generalPractitioner");
        j.W.WriteStartObject(); j.Str("reference", "PractitionerRole/" + p.Gp.RoleId); j.Str("display", $"Fastlege {p.Gp.Given} {p.Gp.Family}"); j.W.WriteEndObject();
        j.W.WriteStartObject(); j.Str("reference", "Organization/" + p.Gp.OrganizationId); j.W.WriteEndObject();
        j.W.WriteEndArray();
        e.End();
    }

    private static void Phone(JsonOut j, string phone)
    {
        j.W.WriteStartArray("telecom");
        j.W.WriteStartObject();
        j.Str("system", "phone");
        j.Str("value", phone);
        j.Str("use", "mobile");
        j.W.WriteEndObject();
        j.W.WriteEndArray();
    }

    private static void Address(JsonOut j, Person p)
    {
        j.W.WriteStartArray("address");
        j.W.WriteStartObject();
        j.Str("use", "home");
        j.Str("type", "physical");
        j.W.WriteStartArray("line"); j.W.WriteStringValue(p.Line); j.W.WriteEndArray();
        j.Str("city", p.Post.Place);
        j.Str("district", p.Municipality.Number);   // kommunenummer
        j.Str("postalCode", p.Post.Code);
        j.Str("country", "NO");
        j.W.WriteEndObject();
        j.W.WriteEndArray();
    }

    /// <summary>The parent as a RelatedPerson of the child, identified by the parent's FNR (the key the proxy rule matches on).</summary>
    private void WriteParent(Person parent, string code, string display)
    {
        var j = e.Begin("RelatedPerson", $"rp-{_p.Index:D6}-{code.ToLowerInvariant()}");
        j.Identifier(parent.IsDNumber ? IdentifierSystems.DNumber : IdentifierSystems.Fnr, parent.Pid);
        j.W.WriteBoolean("active", true);
        j.Ref("patient", PatientRef);
        j.W.WriteStartArray("relationship");
        j.W.WriteStartObject();
        j.W.WriteStartArray("coding");
        j.Coding("http://terminology.hl7.org/CodeSystem/v3-RoleCode", code, display);
        j.Coding("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "PRN", "parent");
        j.W.WriteEndArray();
        j.W.WriteEndObject();
        j.W.WriteEndArray();
        InfrastructureResources.Name(j, parent.Family, parent.Given, parent.Given2);
        if (parent.Phone is not null) Phone(j, parent.Phone);
        j.Str("gender", parent.Male ? "male" : "female");
        j.Date("birthDate", parent.Birth);
        Address(j, parent);
        e.End();
    }

    // ---- Allergies -------------------------------------------------------------------------------------------

    private static readonly WeightedTable AllergyTable = new(Clinical.Allergies.Select(a => a.Weight));

    private void WriteAllergies()
    {
        if (_p.Age < 1 || !_rng.Chance(_p.Age < 18 ? 0.12 : 0.22)) return;
        var count = _rng.Chance(0.2) ? 2 : 1;
        var first = -1;
        for (var k = 0; k < count; k++)
        {
            var i = AllergyTable.Pick(ref _rng);
            if (i == first) continue;
            first = i;
            var a = Clinical.Allergies[i];
            var high = _rng.Chance(a.HighCriticality);
            var recorded = RandomDate(_p.Birth.AddYears(1) > Today.AddYears(-15) ? _p.Birth.AddYears(1) : Today.AddYears(-15), Today);
            var j = e.Begin("AllergyIntolerance", NextId("alg"));
            j.Concept("clinicalStatus", "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active");
            j.Concept("verificationStatus", "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed");
            j.Str("type", a.Text.StartsWith("Intoleranse", StringComparison.Ordinal) ? "intolerance" : "allergy");
            j.W.WriteStartArray("category"); j.W.WriteStringValue(a.Category); j.W.WriteEndArray();
            j.Str("criticality", high ? "high" : "low");
            if (a.Snomed is not null) j.Concept("code", "http://snomed.info/sct", a.Snomed, null, a.Text);
            else { j.W.WriteStartObject("code"); j.Str("text", a.Text); j.W.WriteEndObject(); }
            j.Ref("patient", PatientRef);
            j.Date("recordedDate", recorded);
            j.Ref("recorder", "Practitioner/" + _p.Gp.PractitionerId);
            j.W.WriteStartArray("reaction");
            j.W.WriteStartObject();
            j.TextConceptArray("manifestation", a.Reaction);
            j.Str("severity", high ? "severe" : _rng.Chance(0.5) ? "moderate" : "mild");
            j.W.WriteEndObject();
            j.W.WriteEndArray();
            e.End();
        }
    }

    // ---- Immunisations ---------------------------------------------------------------------------------------

    private static readonly DateOnly SysvakStart = new(1995, 1, 1);   // the national immunisation register (SYSVAK) from 1995

    private void WriteImmunizations()
    {
        Span<int> doses = stackalloc int[Clinical.ChildhoodProgramme.Length];
        for (var i = 0; i < Clinical.ChildhoodProgramme.Length; i++)
        {
            var (months, atc, name) = Clinical.ChildhoodProgramme[i];
            var date = _p.Birth.AddMonths(months).AddDays(_rng.Next(21));
            if (date < SysvakStart || date > Today) continue;
            if (atc == "J07BM03" && (_p.Male ? _p.Birth.Year < 2006 : _p.Birth.Year < 1997)) continue;   // HPV: girls from 2009, boys from 2018
            if (!_rng.Chance(0.96)) continue;
            var dose = 1;
            for (var k = 0; k < i; k++) if (Clinical.ChildhoodProgramme[k].Atc == atc) dose++;
            Immunization(atc, name, OfficeTime(date), "Barnevaksinasjonsprogrammet", dose, null);
        }
        // Seasonal vaccines recommended for everyone 65 and older (influenza each autumn, covid-19 boosters).
        var turned65 = _p.Birth.AddYears(65);
        if (turned65 > Today) return;
        for (var year = Math.Max(_windowStart.Year, turned65.Year); year <= 2024; year++)
        {
            var date = new DateOnly(year, 10, 10).AddDays(_rng.Next(50));
            if (date >= turned65 && _rng.Chance(0.65))
                Immunization("J07BB02", "Influensavaksine", OfficeTime(date), "Sesonginfluensa " + year + "/" + (year + 1) % 100, 1, _p.Gp.PractitionerId);
        }
        (DateOnly Date, double P, int Dose)[] covid = [(new(2021, 1, 20), 0.95, 1), (new(2021, 2, 15), 0.95, 2), (new(2021, 10, 1), 0.9, 3), (new(2022, 10, 1), 0.75, 4), (new(2023, 10, 1), 0.55, 5), (new(2024, 10, 1), 0.45, 6)];
        var taken = 0;
        foreach (var (d, p, _) in covid)
        {
            if (d < turned65 || !_rng.Chance(p)) continue;
            Immunization("J07BN01", "Koronavaksine (mRNA)", OfficeTime(d.AddDays(_rng.Next(40))), "Koronavaksinasjonsprogrammet", ++taken, _p.Gp.PractitionerId);
        }
        if (_rng.Chance(0.3))
            Immunization("J07AL01", "Pneumokokkvaksine, polysakkarid", OfficeTime(RandomDate(turned65 > _windowStart ? turned65 : _windowStart, Today)), "Risikogrupper", 1, _p.Gp.PractitionerId);
    }

    private void Immunization(string atc, string name, DateTime when, string series, int dose, string? performer)
    {
        var j = e.Begin("Immunization", NextId("imm"));
        j.Str("status", "completed");
        j.Concept("vaccineCode", IdentifierSystems.Atc, atc, null, name);
        j.Ref("patient", PatientRef);
        j.DateTime("occurrenceDateTime", when);
        j.W.WriteBoolean("primarySource", true);
        j.Str("lotNumber", $"{(char)('A' + _rng.Next(26))}{(char)('A' + _rng.Next(26))}{_rng.Between(1000, 9999)}");
        if (performer is not null)
        {
            j.W.WriteStartArray("performer");
            j.W.WriteStartObject(); j.Ref("actor", "Practitioner/" + performer); j.W.WriteEndObject();
            j.W.WriteEndArray();
        }
        j.W.WriteStartArray("protocolApplied");
        j.W.WriteStartObject();
        j.Str("series", series);
        j.W.WriteNumber("doseNumberPositiveInt", dose);
        j.W.WriteEndObject();
        j.W.WriteEndArray();
        e.End();
    }
}
