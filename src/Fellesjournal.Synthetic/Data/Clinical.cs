namespace Fellesjournal.Synthetic.Data;

/// <summary>A chronic condition: ICPC-2 (primary care) and ICD-10 codes, prevalence by age band and sex, its usual medicine.</summary>
/// <param name="Male">Prevalence at ages 0-17, 18-44, 45-66, 67+.</param>
/// <param name="Monitoring">Home measurement kit for remote follow-up, if any: "bp", "spo2", "glucose", "weight".</param>
internal sealed record ChronicCondition(string Key, string Icpc2, string Icd10, string Display, double[] Male, double[] Female, string Atc, string? Monitoring = null);

/// <summary>A reason for a GP or out-of-hours visit (ICPC-2) with its usual antibiotic, if any.</summary>
internal sealed record AcuteReason(string Icpc2, string Display, double[] Weight, string? Atc = null, bool FemaleOnly = false);

/// <summary>A hospital diagnosis (ICD-10) with weight by age band and the department that admits it.</summary>
internal sealed record HospitalDiagnosis(string Icd10, string Display, double[] Weight, string Department, string? RequiresChronic = null, bool FemaleOnly = false, int MaxStay = 7);

/// <summary>A medicine (ATC code, Norwegian name, strength and dosage text) with its active ingredients and their
/// strength per <paramref name="Per"/> (a UCUM unit, e.g. <c>{tbl}</c>, <c>g</c>).</summary>
internal sealed record Medicine(string Atc, string Name, string Form, string Dosage, int PackSize,
    IReadOnlyList<(string Substance, decimal Value, string Unit)> Ingredients, string Per);

/// <summary>A laboratory test: LOINC, UCUM unit, reference range (female, male) and the spread of normal values.</summary>
internal sealed record LabTest(string Key, string Loinc, string Display, string Unit, double LowF, double HighF, double LowM, double HighM, int Decimals);

/// <summary>
/// Clinical tables. Prevalences are rounded figures in line with the Norwegian Institute of Public Health's
/// "Folkehelserapporten" and the municipal patient register (KPR) statistics on GP diagnoses; codes are ICPC-2 and
/// ICD-10 as published by the Directorate of e-health (FinnKode), ATC from the WHO Collaborating Centre (WHOCC),
/// LOINC from loinc.org, reference ranges from Norwegian hospital laboratory user manuals (e.g. Oslo universitetssykehus).
/// </summary>
internal static class Clinical
{
    public static readonly ChronicCondition[] Chronic =
    [
        new("hypertension", "K86", "I10", "Hypertensjon ukomplisert", [0, 0.04, 0.22, 0.50], [0, 0.03, 0.18, 0.50], "C09CA01", "bp"),
        new("diabetes2", "T90", "E11", "Diabetes type 2", [0, 0.01, 0.07, 0.14], [0, 0.01, 0.05, 0.10], "A10BA02", "glucose"),
        new("lipids", "T93", "E78", "Lipidforstyrrelse", [0, 0.02, 0.15, 0.30], [0, 0.01, 0.10, 0.28], "C10AA05"),
        new("copd", "R95", "J44", "Kronisk obstruktiv lungesykdom", [0, 0.002, 0.04, 0.10], [0, 0.002, 0.04, 0.09], "R03BB04", "spo2"),
        new("asthma", "R96", "J45", "Astma", [0.07, 0.05, 0.05, 0.05], [0.05, 0.07, 0.07, 0.07], "R03AK07"),
        new("hypothyroid", "T86", "E03", "Hypotyreose/myksødem", [0, 0.005, 0.02, 0.04], [0.002, 0.03, 0.08, 0.12], "H03AA01"),
        new("depression", "P76", "F32", "Depresjon", [0.01, 0.04, 0.04, 0.03], [0.02, 0.07, 0.06, 0.04], "N06AB10"),
        new("afib", "K78", "I48", "Atrieflimmer/flutter", [0, 0.002, 0.03, 0.12], [0, 0.001, 0.015, 0.09], "B01AF02"),
        new("heartfailure", "K77", "I50", "Hjertesvikt", [0, 0, 0.01, 0.06], [0, 0, 0.005, 0.05], "C03CA01", "weight"),
        new("ihd", "K74", "I20", "Angina pectoris", [0, 0.002, 0.03, 0.10], [0, 0.001, 0.015, 0.06], "B01AC06"),
        new("kneeoa", "L90", "M17", "Kneartrose", [0, 0.01, 0.06, 0.15], [0, 0.01, 0.08, 0.20], "N02BE01"),
        new("migraine", "N89", "G43", "Migrene", [0.01, 0.04, 0.03, 0.01], [0.03, 0.12, 0.08, 0.03], "N02CC01"),
        new("psoriasis", "S91", "L40", "Psoriasis", [0.01, 0.025, 0.03, 0.03], [0.01, 0.025, 0.03, 0.03], "D07AC01"),
        new("adhd", "P81", "F90", "Hyperkinetisk forstyrrelse", [0.05, 0.03, 0.005, 0], [0.02, 0.02, 0.005, 0], "N06BA04"),
        new("eczema", "S87", "L20", "Atopisk eksem", [0.10, 0.03, 0.02, 0.01], [0.10, 0.03, 0.02, 0.01], "D07AA02"),
        new("dementia", "P70", "F03", "Demens", [0, 0, 0.003, 0.08], [0, 0, 0.003, 0.09], "N06DA02"),
        new("osteoporosis", "L95", "M81", "Osteoporose", [0, 0, 0.01, 0.04], [0, 0, 0.03, 0.15], "M05BA04"),
    ];

    /// <summary>Weights by age band 0-17, 18-44, 45-66, 67+.</summary>
    public static readonly AcuteReason[] Acute =
    [
        new("R74", "Akutt øvre luftveisinfeksjon", [30, 15, 10, 6]),
        new("R78", "Akutt bronkitt/bronkiolitt", [6, 4, 5, 7]),
        new("R81", "Lungebetennelse", [2, 1, 2, 6], "J01CE02"),
        new("R76", "Akutt tonsillitt/peritonsillær abscess", [8, 4, 1, 0.5], "J01CE02"),
        new("H71", "Akutt mellomørebetennelse", [14, 1, 0.5, 0.3], "J01CE02"),
        new("U71", "Cystitt/urinveisinfeksjon IKA", [2, 8, 7, 9], "J01CA08", FemaleOnly: true),
        new("L03", "Korsryggsymptomer/plager", [1, 8, 9, 6]),
        new("L84", "Ryggsyndrom uten smerteutstråling", [0.5, 5, 7, 5]),
        new("D73", "Gastroenteritt antatt infeksiøs", [8, 4, 3, 3]),
        new("A04", "Slapphet/tretthet", [1, 5, 4, 4]),
        new("P74", "Angstlidelse", [1, 5, 3, 1]),
        new("S18", "Kutt/rift", [5, 3, 2, 2]),
        new("L77", "Forstuing/forstrekking ankel", [4, 3, 1.5, 0.5]),
        new("A97", "Ingen sykdom", [6, 6, 6, 4]),
        new("S74", "Dermatofytose", [1, 2, 2, 2]),
    ];

    /// <summary>Weights by age band 0-17, 18-44, 45-66, 67+. Department keys match <see cref="Departments"/>.</summary>
    public static readonly HospitalDiagnosis[] Hospital =
    [
        new("J18.9", "Pneumoni, uspesifisert", [6, 2, 4, 12], "lunge"),
        new("I21.9", "Akutt hjerteinfarkt, uspesifisert", [0, 0.5, 4, 7], "med", MaxStay: 6),
        new("I63.9", "Hjerneinfarkt, uspesifisert", [0, 0.3, 2.5, 7], "med", MaxStay: 10),
        new("S72.0", "Brudd på lårhals", [0, 0.1, 0.8, 6], "kir", MaxStay: 9),
        new("K35.8", "Akutt appendisitt, uspesifisert", [6, 4, 1.5, 0.5], "kir", MaxStay: 3),
        new("J44.1", "KOLS med akutt forverring, uspesifisert", [0, 0, 10, 14], "lunge", RequiresChronic: "copd"),
        new("I50.9", "Hjertesvikt, uspesifisert", [0, 0, 8, 12], "med", RequiresChronic: "heartfailure"),
        new("N39.0", "Urinveisinfeksjon med uspesifisert lokalisasjon", [1, 1, 1.5, 6], "med", MaxStay: 4),
        new("O80", "Spontan fødsel av ett barn", [0, 14, 0.2, 0], "kvinne", FemaleOnly: true, MaxStay: 3),
        new("A09", "Diaré og gastroenteritt av antatt infeksiøs årsak", [6, 1, 1, 2], "med", MaxStay: 3),
        new("K80.2", "Galleblærestein uten kolecystitt", [0.2, 2, 3, 2], "kir", MaxStay: 4),
        new("S52.5", "Brudd i distale ende av radius", [3, 1, 1.5, 2], "kir", MaxStay: 2),
    ];

    /// <summary>Hospital departments: key, name.</summary>
    public static readonly (string Key, string Name)[] Departments =
    [
        ("akutt", "Akuttmottak"), ("med", "Medisinsk avdeling"), ("kir", "Kirurgisk avdeling"),
        ("lunge", "Lungeavdeling"), ("barn", "Barne- og ungdomsklinikken"), ("kvinne", "Kvinneklinikken"),
    ];

    /// <summary>Health trusts (helseforetak): key, name, municipality of the main hospital.</summary>
    public static readonly (string Key, string Name, string Municipality)[] Hospitals =
    [
        ("ous", "Oslo universitetssykehus HF", "0301"), ("ahus", "Akershus universitetssykehus HF", "3205"),
        ("helse-bergen", "Helse Bergen HF", "4601"), ("st-olavs", "St. Olavs hospital HF", "5001"),
        ("helse-stavanger", "Helse Stavanger HF", "1103"), ("unn", "Universitetssykehuset Nord-Norge HF", "5501"),
        ("sorlandet", "Sørlandet sykehus HF", "4204"), ("nordland", "Nordlandssykehuset HF", "1804"),
        ("vestre-viken", "Vestre Viken HF", "3301"), ("ostfold", "Sykehuset Østfold HF", "3105"),
        ("innlandet", "Sykehuset Innlandet HF", "3403"), ("helse-more", "Helse Møre og Romsdal HF", "1508"),
        ("telemark", "Sykehuset Telemark HF", "4003"), ("vestfold", "Sykehuset i Vestfold HF", "3905"),
        ("fonna", "Helse Fonna HF", "1106"),
    ];

    /// <summary>The medication catalogue shared with the medication service (Services/Medication/catalogue.json, linked
    /// in as an embedded resource). The generator prescribes by ATC code (<see cref="MedicineFor"/>) and emits every entry
    /// as a Medication resource.</summary>
    public static readonly Medicine[] Medicines = MedicineCatalogue.Load();

    public static readonly LabTest[] Labs =
    [
        new("hb", "718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 11.7, 15.3, 13.4, 17.0, 1),
        new("crp", "1988-5", "C reactive protein [Mass/volume] in Serum or Plasma", "mg/L", 0, 5, 0, 5, 0),
        new("creatinine", "14682-9", "Creatinine [Moles/volume] in Serum or Plasma", "umol/L", 45, 90, 60, 105, 0),
        new("hba1c", "59261-8", "Hemoglobin A1c/Hemoglobin.total in Blood by IFCC protocol", "mmol/mol", 20, 42, 20, 42, 0),
        new("cholesterol", "14647-2", "Cholesterol [Moles/volume] in Serum or Plasma", "mmol/L", 3.3, 6.9, 3.3, 6.9, 1),
        new("ldl", "22748-8", "Cholesterol in LDL [Moles/volume] in Serum or Plasma", "mmol/L", 1.2, 4.3, 1.2, 4.3, 1),
        new("egfr", "62238-1", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI)", "mL/min/{1.73_m2}", 60, 120, 60, 120, 0),
        new("potassium", "6298-4", "Potassium [Moles/volume] in Blood", "mmol/L", 3.5, 5.0, 3.5, 5.0, 1),
        new("sodium", "2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L", 137, 145, 137, 145, 0),
        new("tsh", "3016-3", "Thyrotropin [Units/volume] in Serum or Plasma", "m[IU]/L", 0.5, 3.6, 0.5, 3.6, 2),
    ];

    /// <summary>An allergy or intolerance: SNOMED CT code (or null), Norwegian text, category, share with high criticality.</summary>
    public static readonly (string? Snomed, string Text, string Category, double HighCriticality, double Weight, string Reaction)[] Allergies =
    [
        ("91936005", "Penicillinallergi", "medication", 0.25, 30, "Urtikaria"),
        ("91935009", "Peanøttallergi", "food", 0.6, 10, "Anafylaksi"),
        ("21719001", "Pollenallergi", "environment", 0.0, 35, "Rennende nese og kløe i øynene"),
        ("232347008", "Dyrehårallergi", "environment", 0.0, 15, "Astmatiske plager"),
        ("300913006", "Skalldyrallergi", "food", 0.4, 6, "Hevelse i munn og svelg"),
        ("300916003", "Lateksallergi", "environment", 0.3, 3, "Kontakteksem"),
        (null, "Intoleranse for NSAID", "medication", 0.1, 8, "Magesmerter"),
        (null, "Nikkelallergi", "environment", 0.0, 12, "Kontakteksem"),
    ];

    /// <summary>
    /// The childhood immunisation programme (barnevaksinasjonsprogrammet, Norwegian Institute of Public Health, 2024):
    /// age in months at the dose, ATC code and vaccine name.
    /// </summary>
    public static readonly (int Months, string Atc, string Name)[] ChildhoodProgramme =
    [
        (3, "J07CA09", "Difteri, stivkrampe, kikhoste, polio, Hib og hepatitt B (DTP-IPV-Hib-HepB)"),
        (3, "J07AL02", "Pneumokokkvaksine, konjugert"),
        (3, "J07BH01", "Rotavirusvaksine"),
        (5, "J07CA09", "Difteri, stivkrampe, kikhoste, polio, Hib og hepatitt B (DTP-IPV-Hib-HepB)"),
        (5, "J07AL02", "Pneumokokkvaksine, konjugert"),
        (5, "J07BH01", "Rotavirusvaksine"),
        (12, "J07CA09", "Difteri, stivkrampe, kikhoste, polio, Hib og hepatitt B (DTP-IPV-Hib-HepB)"),
        (12, "J07AL02", "Pneumokokkvaksine, konjugert"),
        (15, "J07BD52", "Meslinger, kusma og røde hunder (MMR)"),
        (84, "J07CA02", "Difteri, stivkrampe, kikhoste og polio (DTP-IPV)"),
        (132, "J07BD52", "Meslinger, kusma og røde hunder (MMR)"),
        (144, "J07BM03", "HPV-vaksine"),
        (150, "J07BM03", "HPV-vaksine"),
        (192, "J07CA02", "Difteri, stivkrampe, kikhoste og polio (dTp-IPV)"),
    ];

    public static int Band(int age) => age < 18 ? 0 : age < 45 ? 1 : age < 67 ? 2 : 3;

    public static Medicine MedicineFor(string atc) => Medicines.First(m => m.Atc == atc);
}
