using System.Text.Json;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Storage;

namespace Fellesjournal.Services.Summary;

/// <summary>A resource as read from the store, parsed once: a <see cref="JsonDocument"/> over the stored bytes, which
/// the document embeds as they are. Disposed with its <see cref="SummarySource"/> (the parse's buffers are pooled).</summary>
public sealed class SourceResource : IDisposable
{
    private readonly JsonDocument _document;

    private SourceResource(string type, string id, ReadOnlyMemory<byte> stored, JsonDocument document) =>
        (Type, Id, Stored, _document) = (type, id, stored, document);

    public string Type { get; }
    public string Id { get; }
    /// <summary>The stored JSON (compact, exactly as a read serves it).</summary>
    public ReadOnlyMemory<byte> Stored { get; }
    public JsonElement Json => _document.RootElement;
    public string Reference => Type + "/" + Id;

    public static SourceResource From(StoredResource r)
    {
        var document = JsonDocument.Parse(r.Json);
        if (document.RootElement.ValueKind == JsonValueKind.Object) return new(r.ResourceType, r.Id, r.Json, document);
        document.Dispose();
        throw new InvalidOperationException($"{r.ResourceType}/{r.Id} is not a JSON object.");
    }

    public void Dispose() => _document.Dispose();
}

/// <summary>Everything the document is built from, read with a fixed, small number of queries.</summary>
public sealed record SummarySource(
    SourceResource Patient,
    IReadOnlyList<SourceResource> Compartment,
    IReadOnlyList<SourceResource> Visits,
    IReadOnlyList<SourceResource> Medications,
    IReadOnlyList<SourceResource> GeneralPractitioner,
    bool MedicationsFromList = true) : IDisposable
{
    public void Dispose()
    {
        foreach (var r in Compartment.Concat(Visits).Concat(Medications).Concat(GeneralPractitioner).Prepend(Patient)) r.Dispose();
    }
}

/// <summary>
/// Reads a patient's summary sources: the Patient, the patient's resources of the summary types, the medicines and the
/// encounters (one statement, <see cref="PatientRows"/>; hospital and emergency encounters of the last three years are
/// picked from the encounters as <see cref="VisitsQuery"/> would find them), the medication list, and the GP's resources.
/// </summary>
public sealed class SummaryReader(IResourceStore store, ISummaryMedicationSource medications)
{
    /// <summary>Types read by patient reference (encounters and medicines have their own selection).</summary>
    public static readonly IReadOnlyList<string> CompartmentTypes =
        ["AllergyIntolerance", "Condition", "Flag", "Immunization", "Composition", "DocumentReference", "RelatedPerson"];

    /// <summary>Encounter classes (v3 ActCode) counted as hospital or emergency contacts.</summary>
    public static readonly IReadOnlyList<string> HospitalAndEmergencyClasses = ["IMP", "EMER", "ACUTE", "NONAC", "OBSENC", "SS", "PRENC"];
    private static readonly HashSet<string> VisitClasses = [.. HospitalAndEmergencyClasses];

    /// <summary>Per type; the largest sections (conditions, vaccines) of long lives stay well below it.</summary>
    public const int MaxPerType = 500;
    public const int MaxVisits = 50;
    public const int VisitYears = 3;

    /// <summary>Everything the summary reads by the patient's compartment, in one statement.</summary>
    private static readonly IReadOnlyList<string> ReadTypes = ["Patient", .. CompartmentTypes, .. StoreMedicationSource.Types, "Encounter"];

    public async Task<SummarySource?> ReadAsync(string patientId, DateTimeOffset now, CancellationToken ct)
    {
        // One statement for the patient, the summary types, the medicines and the encounters, driven by the compartment
        // index (patient_id, res_type), instead of one read and a search per type: a patient's rows of these types are
        // tens, and the statement (planned once per connection) costs less than the searches it replaces.
        var from = VisitsFrom(now);
        var rows = await PatientRows.ReadAsync(store, patientId, ReadTypes, t => t == "Encounter" ? int.MaxValue : MaxPerType,
            r => r.ResourceType != "Encounter" || VisitEnd(r.Json.Span, from) is not null, ct);
        if (rows["Patient"] is not [var patient]) return null;
        var p = SourceResource.From(patient);
        var meds = await medications.GetCurrentAsync(patientId, rows, ct);
        var gp = await ReadGeneralPractitionerAsync(p, ct);

        return new SummarySource(p,
            CompartmentTypes.SelectMany(t => rows[t]).Where(r => !SummaryClassifier.NotCurrent(r.ResourceType, r.Json.Span)).Select(SourceResource.From).ToList(),
            // Newest first by the period's end (open periods first), equal ends in the store's order: the search's sort.
            rows["Encounter"].OrderByDescending(r => VisitEnd(r.Json.Span, from)).Take(MaxVisits).Select(SourceResource.From).ToList(),
            meds.Items.Where(r => !r.IsDeleted).Select(SourceResource.From).ToList(),
            gp, meds.FromMedicationList);
    }

    /// <summary>Hospital and emergency encounters of the last <see cref="VisitYears"/> years, newest first: the search
    /// the summary's selection of encounters answers like (a test holds them to the same result).</summary>
    public static SearchQuery VisitsQuery(string patientId, DateTimeOffset now) =>
        new("Encounter",
            [new SearchCriterion("patient", null, ["Patient/" + patientId]), new SearchCriterion("class", null, HospitalAndEmergencyClasses),
             new SearchCriterion("date", null, ["ge" + VisitsFromDate(now)])],
            Count: MaxVisits, Sort: ["-date"]);

    private static string VisitsFromDate(DateTimeOffset now) => now.UtcDateTime.AddYears(-VisitYears).ToString("yyyy-MM-dd");

    private static DateTimeOffset VisitsFrom(DateTimeOffset now) =>
        PartialDateTime.TryParse(VisitsFromDate(now), out var d) ? d.LowerBound : throw new InvalidOperationException("date");

    /// <summary>For an encounter of a hospital or emergency class whose period (the <c>date</c> parameter's range:
    /// start's lower bound to end's exclusive upper bound, an open end unbounded) reaches past <paramref name="from"/>,
    /// the range's end (the search's sort key); null for any other encounter.</summary>
    internal static DateTimeOffset? VisitEnd(ReadOnlySpan<byte> encounter, DateTimeOffset from)
    {
        if (Json.TopCodingCode(encounter, "class") is not { } code || !VisitClasses.Contains(code)) return null;
        var (start, end) = Json.TopPeriod(encounter, "period");
        var hasStart = PartialDateTime.TryParse(start, out _);
        var hasEnd = PartialDateTime.TryParse(end, out var e);
        if (!hasStart && !hasEnd) return null;
        var high = hasEnd ? e.UpperBoundExclusive : DateTimeOffset.MaxValue;
        return high > from ? high : null;
    }

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
            await AddAsync(Json.Str(role.Json.Get("practitioner"), "reference"));
        return result;
    }
}
