using Fellesjournal.Fhir.Norway;
using Fellesjournal.Synthetic.Data;

namespace Fellesjournal.Synthetic;

internal sealed partial class PersonHistory
{
    private static readonly WeightedTable[] AcuteByBand = Enumerable.Range(0, 4).Select(b => new WeightedTable(Clinical.Acute.Select(a => a.Weight[b]))).ToArray();

    // ---- Chronic conditions and their medicines -----------------------------------------------------------------

    private void WriteChronicConditions()
    {
        var age = _p.Age;
        foreach (var c in Clinical.Chronic)
        {
            var prevalence = (_p.Male ? c.Male : c.Female)[Band];
            if (!_rng.Chance(prevalence)) continue;
            var earliestAge = c.Key is "asthma" or "eczema" ? 1 : c.Key is "adhd" or "migraine" ? 6 : 18;
            if (age < earliestAge) continue;
            var from = _p.Birth.AddYears(earliestAge);
            var fifteenYearsAgo = Today.AddYears(-15);
            var onset = RandomDate(from > fifteenYearsAgo ? from : fifteenYearsAgo, Today.AddDays(-30));
            string? encounterId = null;
            if (onset >= _windowStart)
                encounterId = GpEncounter(OfficeTime(onset), c.Icpc2, c.Display, null);
            var id = NextId("cond");
            Condition(id, IdentifierSystems.Icpc2, c.Icpc2, c.Display, "problem-list-item", onset, null, encounterId, _p.Gp.PractitionerId);
            _chronic.Add((c, onset, id));
            if (_rng.Chance(0.85)) WriteLongTermMedicine(Clinical.MedicineFor(c.Atc), onset, id);
        }
    }

    /// <summary>An e-prescription renewed yearly (one year's validity) and dispensed about every three months.</summary>
    private void WriteLongTermMedicine(Medicine m, DateOnly onset, string conditionId)
    {
        var asNeeded = m.Form == "Krem" || m.Atc is "N02CC01" or "N02BE01";
        var interval = asNeeded ? 150 : 90;
        var authored = onset > _windowStart ? onset : _windowStart.AddDays(_rng.Next(60));
        while (authored <= Today)
        {
            var end = authored.AddYears(1);
            var requestId = NextId("mreq");
            MedicationRequest(requestId, m, OfficeTime(authored), end, end > Today ? "active" : "completed", conditionId, null, 3);
            for (var d = authored.AddDays(_rng.Next(5)); d < end && d <= Today; d = d.AddDays(interval + _rng.Between(-10, 20)))
                MedicationDispense(m, requestId, d, asNeeded ? 60 : 90);
            authored = end.AddDays(_rng.Between(-20, 5));
        }
    }

    // ---- GP, out-of-hours and hospital contacts ----------------------------------------------------------------

    private double GpVisitsPerYear()
    {
        var age = _p.Age;
        var rate = age < 6 ? 2.5 : age < 18 ? 1.3 : age < 45 ? (_p.Male ? 1.6 : 2.9) : age < 67 ? 3.0 : age < 80 ? 5.0 : 7.0;
        return rate + 0.8 * _chronic.Count;
    }

    private void WriteGpVisits()
    {
        var visits = _rng.Poisson(GpVisitsPerYear() * Years);
        for (var v = 0; v < visits; v++)
        {
            var date = RandomDate(_windowStart, Today);
            var when = OfficeTime(date);
            if (_chronic.Count > 0 && _rng.Chance(0.55) && _chronic[_rng.Next(_chronic.Count)] is var c && c.Onset <= date)
            {
                var enc = GpEncounter(when, c.C.Icpc2, c.C.Display, c.ConditionId);
                FollowUpLabs(c.C.Key, when, enc, "Organization/" + _p.Gp.OrganizationId);
            }
            else
            {
                AcuteContact(when, GpEncounter, _p.Gp, 0.4);
            }
        }
    }

    private void WriteOutOfHours()
    {
        var age = _p.Age;
        var rate = age < 6 ? 0.35 : age < 18 ? 0.15 : age < 67 ? 0.12 : age < 80 ? 0.18 : 0.3;
        var visits = _rng.Poisson(rate * Years);
        var local = infra.Local[_p.Municipality.Number];
        for (var v = 0; v < visits; v++)
        {
            var date = RandomDate(_windowStart, Today);
            var when = date.ToDateTime(new TimeOnly(_rng.Between(16, 23), _rng.Next(60)));
            AcuteContact(when, (w, code, display, cond) => Encounter(w, w.AddMinutes(_rng.Between(20, 90)), "EMER", "emergency", "Legevakt",
                local.LegevaktDoctor!, local.LegevaktOrgId, IdentifierSystems.Icpc2, code, display, cond, null), local.LegevaktDoctor!, 0.6);
        }
    }

    private delegate string EncounterWriter(DateTime when, string code, string display, string? conditionId);

    /// <summary>An acute reason for contact: the encounter, often a (resolved) diagnosis, sometimes an antibiotic and labs.</summary>
    private void AcuteContact(DateTime when, EncounterWriter writeEncounter, StaffMember doctor, double labChance)
    {
        AcuteReason r;
        do r = Clinical.Acute[AcuteByBand[Band].Pick(ref _rng)]; while (r.FemaleOnly && _p.Male);
        string? conditionId = null;
        if (r.Icpc2 != "A97" && _rng.Chance(0.7)) conditionId = NextId("cond");
        var enc = writeEncounter(when, r.Icpc2, r.Display, conditionId);
        if (conditionId is not null)
        {
            var onset = DateOnly.FromDateTime(when).AddDays(-_rng.Between(0, 5));
            var abated = DateOnly.FromDateTime(when).AddDays(_rng.Between(5, 21));
            Condition(conditionId, IdentifierSystems.Icpc2, r.Icpc2, r.Display, "encounter-diagnosis", onset, abated <= Today ? abated : null, enc, doctor.PractitionerId);
        }
        if (r.Atc is not null && _rng.Chance(0.6))
        {
            var m = Clinical.MedicineFor(r.Atc);
            var requestId = NextId("mreq");
            var d = DateOnly.FromDateTime(when);
            MedicationRequest(requestId, m, when, d.AddMonths(1), "completed", conditionId, enc, 0, doctor.PractitionerId);
            MedicationDispense(m, requestId, d, 7);
        }
        if (_rng.Chance(labChance))
        {
            var org = "Organization/" + doctor.OrganizationId;
            Lab("crp", when, enc, r.Icpc2 == "R81" ? Math.Exp(_rng.Normal(4.2, 0.6)) : Math.Exp(_rng.Normal(2.5, 1.1)), org);
            if (_rng.Chance(0.5)) Lab("hb", when, enc, Hemoglobin(), org);
        }
    }

    private static readonly double[] HospitalRate = [0.03, 0.04, 0.07, 0.2];

    private void WriteHospitalStays()
    {
        var rate = HospitalRate[Band] * (_p.Age >= 80 ? 1.6 : 1.0);
        var stays = _rng.Poisson(rate * Years);
        if (stays == 0) return;
        var trust = infra.Hospitals[_p.Municipality.Hospital];
        Span<double> weights = stackalloc double[Clinical.Hospital.Length];
        for (var s = 0; s < stays; s++)
        {
            var admitted = RandomDate(_windowStart, Today.AddDays(-3));
            var ageThen = _p.AgeAt(admitted);
            var sum = 0.0;
            for (var i = 0; i < weights.Length; i++)
            {
                var h = Clinical.Hospital[i];
                var ok = !(h.FemaleOnly && _p.Male) && (h.RequiresChronic is null || Has(h.RequiresChronic)) && !(h.Icd10 == "O80" && ageThen is < 18 or > 46);
                weights[i] = ok ? h.Weight[Clinical.Band(ageThen)] : 0;
                sum += weights[i];
            }
            if (sum <= 0) continue;
            var u = _rng.NextDouble() * sum;
            var pick = 0;
            while (pick < weights.Length - 1 && (u -= weights[pick]) > 0) pick++;
            HospitalStay(trust, Clinical.Hospital[pick], admitted, ageThen);
        }
    }

    private void HospitalStay(HospitalTrust trust, HospitalDiagnosis dx, DateOnly admittedDate, int ageThen)
    {
        var deptKey = ageThen < 18 && dx.Department is not "kir" ? "barn" : dx.Department;
        var dept = trust.Departments[deptKey];
        var doctor = dept.Doctors[_rng.Next(dept.Doctors.Count)];
        var nurse = dept.Nurses[_rng.Next(dept.Nurses.Count)];
        var admitted = admittedDate.ToDateTime(new TimeOnly(_rng.Between(0, 23), _rng.Next(60)));
        var days = _rng.Between(1, dx.MaxStay);
        var discharged = admittedDate.AddDays(days).ToDateTime(new TimeOnly(_rng.Between(10, 15), _rng.Next(60)));
        if (DateOnly.FromDateTime(discharged) > Today) discharged = Today.ToDateTime(new TimeOnly(12, 0));
        var conditionId = NextId("cond");
        var enc = Encounter(admitted, discharged, "IMP", "inpatient encounter", "Innleggelse, " + dept.Name, doctor, dept.OrgId,
            IdentifierSystems.Icd10, dx.Icd10, dx.Display, conditionId, nurse);
        var chronicExacerbation = dx.RequiresChronic is not null;
        Condition(conditionId, IdentifierSystems.Icd10, dx.Icd10, dx.Display, "encounter-diagnosis", admittedDate,
            chronicExacerbation ? null : DateOnly.FromDateTime(discharged), enc, doctor.PractitionerId);
        var org = "Organization/" + dept.OrgId;
        Lab("hb", admitted, enc, Hemoglobin() - 0.6, org);
        Lab("crp", admitted, enc, dx.Icd10 is "J18.9" or "J44.1" or "N39.0" or "K35.8" ? Math.Exp(_rng.Normal(4.3, 0.6)) : Math.Exp(_rng.Normal(1.5, 1.0)), org);
        Lab("creatinine", admitted, enc, Creatinine(), org);
        Lab("sodium", admitted, enc, _rng.Normal(139, 3), org);
        Lab("potassium", admitted, enc, _rng.Normal(4.1, 0.4), org);
        DischargeSummary(trust, dept, doctor, dx, enc, conditionId, admitted, discharged, days);
    }

    private void DischargeSummary(HospitalTrust trust, Department dept, StaffMember doctor, HospitalDiagnosis dx, string enc,
        string conditionId, DateTime admitted, DateTime discharged, int days)
    {
        var compositionId = NextId("comp");
        var via = dx.Icd10 == "O80" ? "for fødsel" : "via akuttmottak";
        var course = $"Innlagt {admitted:dd.MM.yyyy} {via}. Behandlet ved {dept.Name}. Utskrevet {discharged:dd.MM.yyyy} til hjemmet i stabil tilstand etter {days} døgn.";
        const string followUp = "Kontroll hos fastlege om 2-4 uker. Epikrise sendt fastlege.";
        var j = e.Begin("Composition", compositionId);
        j.Str("status", "final");
        j.Concept("type", JsonOut.Loinc, "18842-5", "Discharge summary", "Epikrise");
        j.Ref("subject", PatientRef);
        j.Ref("encounter", "Encounter/" + enc);
        j.DateTime("date", discharged);
        j.RefArray("author", "Practitioner/" + doctor.PractitionerId);
        j.Str("title", "Epikrise");
        j.Ref("custodian", "Organization/" + trust.OrgId);
        j.W.WriteStartArray("section");
        Section(j, "Diagnoser", $"{dx.Icd10} {dx.Display}", "Condition/" + conditionId);
        Section(j, "Forløp", course, null);
        Section(j, "Videre oppfølging", followUp, null);
        j.W.WriteEndArray();
        e.End();

        var text = $"Epikrise\n\nDiagnose: {dx.Icd10} {dx.Display}\n\n{course}\n\n{followUp}\n\n{doctor.Given} {doctor.Family}, {dept.Name}, {trust.Name}";
        j = e.Begin("DocumentReference", NextId("doc"));
        j.Str("status", "current");
        j.Str("docStatus", "final");
        j.Concept("type", JsonOut.Loinc, "18842-5", "Discharge summary", "Epikrise");
        j.Ref("subject", PatientRef);
        j.DateTime("date", discharged);
        j.RefArray("author", "Practitioner/" + doctor.PractitionerId);
        j.Ref("custodian", "Organization/" + trust.OrgId);
        j.Str("description", "Epikrise " + dx.Display);
        j.W.WriteStartArray("content");
        j.W.WriteStartObject();
        j.W.WriteStartObject("attachment");
        j.Str("contentType", "text/plain; charset=utf-8");
        j.Str("language", "nb");
        j.W.WriteBase64String("data", System.Text.Encoding.UTF8.GetBytes(text));
        j.Str("title", "Epikrise");
        j.DateTime("creation", discharged);
        j.W.WriteEndObject();
        j.W.WriteEndObject();
        j.W.WriteEndArray();
        j.W.WriteStartObject("context");
        j.RefArray("encounter", "Encounter/" + enc);
        j.Period("period", admitted, discharged);
        j.RefArray("related", "Composition/" + compositionId);
        j.W.WriteEndObject();
        e.End();
    }

    private static void Section(JsonOut j, string title, string text, string? entry)
    {
        j.W.WriteStartObject();
        j.Str("title", title);
        j.W.WriteStartObject("text");
        j.Str("status", "generated");
        j.Str("div", "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>" + System.Net.WebUtility.HtmlEncode(text) + "</p></div>");
        j.W.WriteEndObject();
        if (entry is not null) j.RefArray("entry", entry);
        j.W.WriteEndObject();
    }

    // ---- Resource writers ---------------------------------------------------------------------------------------

    private string GpEncounter(DateTime when, string code, string display, string? conditionId) =>
        Encounter(when, when.AddMinutes(_rng.Chance(0.2) ? 30 : 15), "AMB", "ambulatory", "Konsultasjon hos fastlege", _p.Gp, _p.Gp.OrganizationId,
            IdentifierSystems.Icpc2, code, display, conditionId, null);

    private string Encounter(DateTime start, DateTime end, string cls, string clsDisplay, string type, StaffMember doctor, string orgId,
        string reasonSystem, string reasonCode, string reasonDisplay, string? conditionId, StaffMember? nurse)
    {
        var id = NextId("enc");
        var j = e.Begin("Encounter", id);
        j.Str("status", "finished");
        j.W.WriteStartObject("class");
        j.Str("system", V3ActCode); j.Str("code", cls); j.Str("display", clsDisplay);
        j.W.WriteEndObject();
        j.TextConceptArray("type", type);
        j.Ref("subject", PatientRef);
        j.W.WriteStartArray("participant");
        j.W.WriteStartObject(); j.Ref("individual", "Practitioner/" + doctor.PractitionerId); j.W.WriteEndObject();
        if (nurse is not null) { j.W.WriteStartObject(); j.Ref("individual", "Practitioner/" + nurse.PractitionerId); j.W.WriteEndObject(); }
        j.W.WriteEndArray();
        j.Period("period", start, end);
        j.ConceptArray("reasonCode", reasonSystem, reasonCode, reasonDisplay);
        if (conditionId is not null)
        {
            j.W.WriteStartArray("diagnosis");
            j.W.WriteStartObject(); j.Ref("condition", "Condition/" + conditionId); j.W.WriteEndObject();
            j.W.WriteEndArray();
        }
        if (cls == "IMP")
        {
            j.W.WriteStartObject("hospitalization");
            j.Concept("admitSource", "http://terminology.hl7.org/CodeSystem/admit-source", "emd", "From accident/emergency department");
            j.Concept("dischargeDisposition", "http://terminology.hl7.org/CodeSystem/discharge-disposition", "home", "Home");
            j.W.WriteEndObject();
        }
        j.Ref("serviceProvider", "Organization/" + orgId);
        e.End();
        return id;
    }

    private void Condition(string id, string system, string code, string display, string category, DateOnly onset, DateOnly? abated,
        string? encounterId, string recorder)
    {
        var j = e.Begin("Condition", id);
        j.Concept("clinicalStatus", "http://terminology.hl7.org/CodeSystem/condition-clinical", abated is null ? "active" : "resolved");
        j.Concept("verificationStatus", "http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed");
        j.ConceptArray("category", "http://terminology.hl7.org/CodeSystem/condition-category", category);
        j.Concept("code", system, code, display, display);
        j.Ref("subject", PatientRef);
        if (encounterId is not null) j.Ref("encounter", "Encounter/" + encounterId);
        j.Date("onsetDateTime", onset);
        if (abated is { } a) j.Date("abatementDateTime", a);
        j.Date("recordedDate", onset);
        j.Ref("recorder", "Practitioner/" + recorder);
        e.End();
    }

    private void MedicationRequest(string id, Medicine m, DateTime authored, DateOnly validTo, string status, string? conditionId,
        string? encounterId, int repeats, string? requester = null)
    {
        var j = e.Begin("MedicationRequest", id);
        j.Str("status", status);
        j.Str("intent", "order");
        j.Ref("medicationReference", "Medication/" + InfrastructureResources.MedicationId(m.Atc), m.Name);
        j.Ref("subject", PatientRef);
        if (encounterId is not null) j.Ref("encounter", "Encounter/" + encounterId);
        j.DateTime("authoredOn", authored);
        j.Ref("requester", "Practitioner/" + (requester ?? _p.Gp.PractitionerId));
        if (conditionId is not null) j.RefArray("reasonReference", "Condition/" + conditionId);
        j.W.WriteStartArray("dosageInstruction");
        j.W.WriteStartObject(); j.Str("text", m.Dosage); j.W.WriteEndObject();
        j.W.WriteEndArray();
        j.W.WriteStartObject("dispenseRequest");
        j.W.WriteStartObject("validityPeriod");
        j.Date("start", DateOnly.FromDateTime(authored));
        j.Date("end", validTo);
        j.W.WriteEndObject();
        j.W.WriteNumber("numberOfRepeatsAllowed", repeats);
        j.W.WriteStartObject("quantity"); j.W.WriteNumber("value", m.PackSize); j.Str("unit", m.Form == "Krem" ? "tube" : "stk"); j.W.WriteEndObject();
        j.W.WriteEndObject();
        e.End();
    }

    private void MedicationDispense(Medicine m, string requestId, DateOnly date, int daysSupply)
    {
        var local = infra.Local[_p.Municipality.Number];
        var j = e.Begin("MedicationDispense", NextId("mdisp"));
        j.Str("status", "completed");
        j.Ref("medicationReference", "Medication/" + InfrastructureResources.MedicationId(m.Atc), m.Name);
        j.Ref("subject", PatientRef);
        j.W.WriteStartArray("performer");
        j.W.WriteStartObject(); j.Ref("actor", "Practitioner/" + local.Pharmacist!.PractitionerId); j.W.WriteEndObject();
        j.W.WriteEndArray();
        j.RefArray("authorizingPrescription", "MedicationRequest/" + requestId);
        j.W.WriteStartObject("quantity"); j.W.WriteNumber("value", m.PackSize); j.Str("unit", m.Form == "Krem" ? "tube" : "stk"); j.W.WriteEndObject();
        j.Quantity("daysSupply", daysSupply, "d", 0);
        var when = date.ToDateTime(new TimeOnly(_rng.Between(9, 19), _rng.Next(60)));
        j.DateTime("whenPrepared", when);
        j.DateTime("whenHandedOver", when.AddMinutes(_rng.Between(2, 15)));
        j.W.WriteStartArray("dosageInstruction");
        j.W.WriteStartObject(); j.Str("text", m.Dosage); j.W.WriteEndObject();
        j.W.WriteEndArray();
        e.End();
    }
}
