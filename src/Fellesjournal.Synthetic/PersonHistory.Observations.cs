using Fellesjournal.Synthetic.Data;

namespace Fellesjournal.Synthetic;

internal sealed partial class PersonHistory
{
    private const string ObsCategory = "http://terminology.hl7.org/CodeSystem/observation-category";
    private const string Interpretation = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
    private static readonly Dictionary<string, LabTest> Labs = Clinical.Labs.ToDictionary(l => l.Key);

    // ---- Lab values shaped by sex, age and conditions ---------------------------------------------------------

    private double Hemoglobin() => _rng.Normal(_p.Male ? 15.0 : 13.6, 1.0) - (_p.Age >= 75 ? 0.5 : 0);

    private double Creatinine()
    {
        var v = _rng.Normal(_p.Male ? 85 : 68, _p.Male ? 14 : 12);
        if (_p.Age >= 67) v *= 1.15;
        if (Has("diabetes2") || Has("hypertension") || Has("heartfailure")) v *= 1.1;
        return Math.Max(30, v);
    }

    private void FollowUpLabs(string key, DateTime when, string enc, string org)
    {
        switch (key)
        {
            case "diabetes2":
                Lab("hba1c", when, enc, _rng.Normal(54, 9), org);
                Lab("creatinine", when, enc, Creatinine(), org);
                Lab("egfr", when, enc, Egfr(), org);
                Lab("ldl", when, enc, _rng.Normal(2.7, 0.7), org);
                break;
            case "hypertension":
                Lab("creatinine", when, enc, Creatinine(), org);
                Lab("egfr", when, enc, Egfr(), org);
                Lab("potassium", when, enc, _rng.Normal(4.2, 0.35), org);
                Lab("sodium", when, enc, _rng.Normal(140, 2.5), org);
                BloodPressure(when, enc, _rng.Normal(146, 14), _rng.Normal(88, 9), false);
                break;
            case "lipids" or "ihd":
                var chol = _rng.Normal(4.8, 0.9);
                Lab("cholesterol", when, enc, chol, org);
                Lab("ldl", when, enc, chol * 0.6 + _rng.Normal(0, 0.2), org);
                break;
            case "hypothyroid":
                Lab("tsh", when, enc, Math.Max(0.05, _rng.Normal(3.0, 1.8)), org);
                break;
            case "afib" or "heartfailure":
                Lab("hb", when, enc, Hemoglobin(), org);
                Lab("creatinine", when, enc, Creatinine(), org);
                Lab("potassium", when, enc, _rng.Normal(4.3, 0.4), org);
                break;
            case "copd" or "asthma":
                if (_rng.Chance(0.5)) Lab("hb", when, enc, Hemoglobin() + 0.4, org);
                break;
        }
    }

    private double Egfr() => Math.Clamp(125 - 0.9 * _p.Age + _rng.Normal(0, 12) - (Has("diabetes2") ? 8 : 0), 10, 130);

    private void Lab(string key, DateTime when, string? enc, double value, string performerOrg)
    {
        var t = Labs[key];
        value = Math.Max(0, Math.Round(value, t.Decimals));
        var (low, high) = _p.Male ? (t.LowM, t.HighM) : (t.LowF, t.HighF);
        var j = e.Begin("Observation", NextId("obs"));
        j.Str("status", "final");
        j.ConceptArray("category", ObsCategory, "laboratory", "Laboratory");
        j.Concept("code", JsonOut.Loinc, t.Loinc, t.Display);
        j.Ref("subject", PatientRef);
        if (enc is not null) j.Ref("encounter", "Encounter/" + enc);
        j.DateTime("effectiveDateTime", when);
        j.DateTime("issued", when.AddHours(_rng.Between(2, 30)));
        j.RefArray("performer", performerOrg);
        j.Quantity("valueQuantity", value, t.Unit, t.Decimals);
        var flag = value > high ? "H" : value < low ? "L" : "N";
        j.ConceptArray("interpretation", Interpretation, flag, flag == "H" ? "High" : flag == "L" ? "Low" : "Normal");
        j.W.WriteStartArray("referenceRange");
        j.W.WriteStartObject();
        if (low > 0) j.Quantity("low", low, t.Unit, t.Decimals);
        j.Quantity("high", high, t.Unit, t.Decimals);
        j.W.WriteEndObject();
        j.W.WriteEndArray();
        e.End();
    }

    private void BloodPressure(DateTime when, string? enc, double systolic, double diastolic, bool home)
    {
        var j = e.Begin("Observation", NextId("obs"));
        j.Str("status", "final");
        j.ConceptArray("category", ObsCategory, "vital-signs", "Vital Signs");
        j.Concept("code", JsonOut.Loinc, "85354-9", "Blood pressure panel with all children optional", "Blodtrykk");
        j.Ref("subject", PatientRef);
        if (enc is not null) j.Ref("encounter", "Encounter/" + enc);
        j.DateTime("effectiveDateTime", when);
        j.RefArray("performer", home ? PatientRef : "Practitioner/" + _p.Gp.PractitionerId);
        if (home) { j.W.WriteStartObject("method"); j.Str("text", "Egenmåling, medisinsk avstandsoppfølging"); j.W.WriteEndObject(); }
        j.W.WriteStartArray("component");
        Component(j, "8480-6", "Systolic blood pressure", Math.Round(systolic), "mm[Hg]");
        Component(j, "8462-4", "Diastolic blood pressure", Math.Round(Math.Min(diastolic, systolic - 20)), "mm[Hg]");
        j.W.WriteEndArray();
        e.End();
    }

    private static void Component(JsonOut j, string code, string display, double value, string unit)
    {
        j.W.WriteStartObject();
        j.Concept("code", JsonOut.Loinc, code, display);
        j.Quantity("valueQuantity", value, unit, 0);
        j.W.WriteEndObject();
    }

    private void HomeMeasurement(string category, string loinc, string display, string text, DateTime when, double value, string unit, int decimals)
    {
        var j = e.Begin("Observation", NextId("obs"));
        j.Str("status", "final");
        j.ConceptArray("category", ObsCategory, category, category == "vital-signs" ? "Vital Signs" : "Laboratory");
        j.Concept("code", JsonOut.Loinc, loinc, display, text);
        j.Ref("subject", PatientRef);
        j.DateTime("effectiveDateTime", when);
        j.RefArray("performer", PatientRef);
        j.Quantity("valueQuantity", value, unit, decimals);
        j.W.WriteStartObject("method"); j.Str("text", "Egenmåling, medisinsk avstandsoppfølging"); j.W.WriteEndObject();
        e.End();
    }

    // ---- Remote follow-up (medisinsk avstandsoppfølging) ---------------------------------------------------------

    /// <summary>
    /// A share of adults with hypertension, COPD, diabetes or heart failure measure at home for the last year and
    /// are followed by a care team (GP, hospital doctor, nurse).
    /// </summary>
    private void WriteRemoteMonitoring()
    {
        if (_p.Age < 18) return;
        var kits = _chronic.Where(c => c.C.Monitoring is not null && c.Onset < Today.AddDays(-60)).ToList();
        var enrolled = kits.Count > 0 && _rng.Chance(0.35);
        if (!enrolled && _chronic.Count < 3) return;
        var start = Today.AddYears(-1);
        if (enrolled)
        {
            var weight = _rng.Normal(_p.Male ? 84 : 71, 12);
            foreach (var (c, _, _) in kits)
            {
                var perWeek = c.Monitoring == "glucose" ? 3 : c.Monitoring == "bp" ? 2 : 1;
                for (var d = start; d <= Today; d = d.AddDays(7))
                {
                    for (var k = 0; k < perWeek; k++)
                    {
                        var when = d.AddDays(k * 2).ToDateTime(new TimeOnly(_rng.Between(6, 21), _rng.Next(60)));
                        switch (c.Monitoring)
                        {
                            case "bp":
                                BloodPressure(when, null, _rng.Normal(141, 11), _rng.Normal(86, 7), true);
                                break;
                            case "spo2":
                                HomeMeasurement("vital-signs", "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "Oksygenmetning", when, Math.Min(100, _rng.Normal(93, 2)), "%", 0);
                                break;
                            case "glucose":
                                HomeMeasurement("laboratory", "15074-8", "Glucose [Moles/volume] in Blood", "Blodsukker", when, Math.Max(2.5, _rng.Normal(8.2, 2.0)), "mmol/L", 1);
                                break;
                            case "weight":
                                weight += _rng.Normal(0, 0.4);
                                HomeMeasurement("vital-signs", "29463-7", "Body weight", "Vekt", when, weight, "kg", 1);
                                break;
                        }
                    }
                }
            }
        }
        WriteCareTeam(start, enrolled);
    }

    private void WriteCareTeam(DateOnly start, bool remote)
    {
        var trust = infra.Hospitals[_p.Municipality.Hospital];
        var dept = trust.Departments[Has("copd") ? "lunge" : "med"];
        var doctor = dept.Doctors[_rng.Next(dept.Doctors.Count)];
        var nurse = dept.Nurses[_rng.Next(dept.Nurses.Count)];
        var j = e.Begin("CareTeam", $"ct-{_p.Index:D6}");
        j.Str("status", "active");
        j.ConceptArray("category", JsonOut.Loinc, "LA27976-2", "Condition-focused care team");
        j.Str("name", remote ? "Medisinsk avstandsoppfølging" : "Tverrfaglig oppfølging");
        j.Ref("subject", PatientRef);
        j.W.WriteStartObject("period"); j.Date("start", start); j.W.WriteEndObject();
        j.W.WriteStartArray("participant");
        Participant(j, "Fastlege", "PractitionerRole/" + _p.Gp.RoleId);
        Participant(j, "Sykehuslege", "PractitionerRole/" + doctor.RoleId);
        Participant(j, "Sykepleier", "PractitionerRole/" + nurse.RoleId);
        Participant(j, "Pasient", PatientRef);
        j.W.WriteEndArray();
        j.W.WriteStartArray("reasonReference");
        foreach (var c in _chronic)
        {
            if (!remote || c.C.Monitoring is not null) { j.W.WriteStartObject(); j.Str("reference", "Condition/" + c.ConditionId); j.W.WriteEndObject(); }
        }
        j.W.WriteEndArray();
        j.RefArray("managingOrganization", "Organization/" + _p.Gp.OrganizationId);
        e.End();
    }

    private static void Participant(JsonOut j, string role, string member)
    {
        j.W.WriteStartObject();
        j.TextConceptArray("role", role);
        j.Ref("member", member);
        j.W.WriteEndObject();
    }
}
