using System.Text.Json.Nodes;
using Fellesjournal.Storage;

namespace Fellesjournal.Services.Summary;

/// <summary>A resource as read from the store, parsed once.</summary>
public sealed record SourceResource(string Type, string Id, JsonObject Json)
{
    public string Reference => Type + "/" + Id;

    public static SourceResource From(StoredResource r) =>
        new(r.ResourceType, r.Id, JsonNode.Parse(r.Json.Span) as JsonObject ?? throw new InvalidOperationException($"{r.ResourceType}/{r.Id} is not a JSON object."));
}

/// <summary>Everything the document is built from, read with a fixed, small number of queries.</summary>
public sealed record SummarySource(
    SourceResource Patient,
    IReadOnlyList<SourceResource> Compartment,
    IReadOnlyList<SourceResource> Visits,
    IReadOnlyList<SourceResource> Medications,
    IReadOnlyList<SourceResource> GeneralPractitioner,
    bool MedicationsFromList = true);

/// <summary>
/// Reads a patient's summary sources: the Patient, the patient's resources of the summary types and the medicines
/// (one statement, <see cref="PatientRows"/>), one search for hospital and emergency encounters of the last three
/// years, the medication list, and the GP's resources.
/// </summary>
public sealed class SummaryReader(IResourceStore store, ISummaryMedicationSource medications)
{
    /// <summary>Types read by patient reference (encounters and medicines have their own searches).</summary>
    public static readonly IReadOnlyList<string> CompartmentTypes =
        ["AllergyIntolerance", "Condition", "Flag", "Immunization", "Composition", "DocumentReference", "RelatedPerson"];

    /// <summary>Encounter classes (v3 ActCode) counted as hospital or emergency contacts.</summary>
    public static readonly IReadOnlyList<string> HospitalAndEmergencyClasses = ["IMP", "EMER", "ACUTE", "NONAC", "OBSENC", "SS", "PRENC"];

    /// <summary>Per type; the largest sections (conditions, vaccines) of long lives stay well below it.</summary>
    public const int MaxPerType = 500;
    public const int MaxVisits = 50;
    public const int VisitYears = 3;

    /// <summary>The compartment types and the medication types, read together.</summary>
    private static readonly IReadOnlyList<string> ReadTypes = [.. CompartmentTypes, .. StoreMedicationSource.Types];

    public async Task<SummarySource?> ReadAsync(string patientId, DateTimeOffset now, CancellationToken ct)
    {
        var patient = await store.GetAsync("Patient", patientId, ct);
        if (patient is null || patient.IsDeleted) return null;
        var p = SourceResource.From(patient);

        // One statement for the summary types and the medicines, driven by the compartment index (patient_id, res_type),
        // instead of one search per type; the result is what a search per type by the patient reference returns.
        var rows = await PatientRows.ReadAsync(store, patientId, ReadTypes, MaxPerType, ct);
        var visits = await store.SearchAsync(VisitsQuery(patientId, now), ct);
        var meds = await medications.GetCurrentAsync(patientId, rows, ct);
        var gp = await ReadGeneralPractitionerAsync(p, ct);

        return new SummarySource(p,
            CompartmentTypes.SelectMany(t => rows[t]).Where(r => !SummaryClassifier.NotCurrent(r.ResourceType, r.Json.Span)).Select(SourceResource.From).ToList(),
            visits.Resources.Where(r => !r.IsDeleted).Select(SourceResource.From).ToList(),
            meds.Items.Where(r => !r.IsDeleted).Select(SourceResource.From).ToList(),
            gp, meds.FromMedicationList);
    }

    /// <summary>Hospital and emergency encounters of the last <see cref="VisitYears"/> years, newest first.</summary>
    public static SearchQuery VisitsQuery(string patientId, DateTimeOffset now) =>
        new("Encounter",
            [new SearchCriterion("patient", null, ["Patient/" + patientId]), new SearchCriterion("class", null, HospitalAndEmergencyClasses),
             new SearchCriterion("date", null, ["ge" + now.UtcDateTime.AddYears(-VisitYears).ToString("yyyy-MM-dd")])],
            Count: MaxVisits, Sort: ["-date"]);

    /// <summary>Patient.generalPractitioner targets, and the Practitioner behind a PractitionerRole (the person's name).</summary>
    private async Task<IReadOnlyList<SourceResource>> ReadGeneralPractitionerAsync(SourceResource patient, CancellationToken ct)
    {
        var result = new List<SourceResource>();
        var seen = new HashSet<string>();
        async Task AddAsync(string? reference)
        {
            if (reference is null || reference.Split('/') is not [var type, var id] || !seen.Add(reference)) return;
            if (type is not ("Practitioner" or "PractitionerRole" or "Organization")) return;
            if (await store.GetAsync(type, id, ct) is { IsDeleted: false } r) result.Add(SourceResource.From(r));
        }
        foreach (var gp in Json.Array(patient.Json, "generalPractitioner"))
            await AddAsync(Json.Str(gp, "reference"));
        foreach (var role in result.Where(r => r.Type == "PractitionerRole").ToList())
            await AddAsync(Json.Str(role.Json["practitioner"], "reference"));
        return result;
    }
}
