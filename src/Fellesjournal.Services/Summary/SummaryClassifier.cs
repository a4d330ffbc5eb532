using System.Text.Json;
using Fellesjournal.Trust.Access;

namespace Fellesjournal.Services.Summary;

/// <summary>One section's content after classification and the citizen's locks.</summary>
public sealed class SectionContent(SummarySection section)
{
    public SummarySection Section { get; } = section;
    public List<SourceResource> Entries { get; } = [];
    /// <summary>The whole section is locked (sperring) and stays closed.</summary>
    public bool Locked { get; set; }
    /// <summary>The section is locked by the citizen but was opened (consent in the moment or emergency).</summary>
    public bool OpenedLock { get; set; }
    /// <summary>Entries left out because a lock covers them (their type or category).</summary>
    public int Withheld { get; set; }
    /// <summary>A note shown above the entries (e.g. where the medication section's data comes from).</summary>
    public string? Note { get; set; }
}

/// <summary>
/// Sorts the sources into the summary's sections (pure; the rules are listed in docs/services/summary.md) and
/// applies the citizen's locks: a locked section is kept as a section with no entries, locked single entries are
/// left out and counted.
/// </summary>
public static class SummaryClassifier
{
    private static readonly HashSet<string> NotValid = ["entered-in-error", "refuted"];
    private static readonly HashSet<string> InactiveClinical = ["inactive", "resolved", "remission"];

    /// <param name="hidden">The decision's hidden (still locked) sections.</param>
    /// <param name="openedLocks">Locks of the citizen that this decision opened (empty when none or unknown).</param>
    public static IReadOnlyList<SectionContent> Classify(SummarySource src, IReadOnlyList<LockedSection> hidden, IReadOnlyList<LockedSection> openedLocks)
    {
        var sections = SummarySection.All.Select(s => new SectionContent(s)).ToArray();
        var patientRef = src.Patient.Reference;
        var hiddenKeys = hidden.Select(h => h.Key).ToHashSet();
        var openedKeys = openedLocks.Select(h => h.Key).ToHashSet();

        foreach (var s in sections)
        {
            s.Locked = IsSectionLocked(s.Section, hiddenKeys);
            s.OpenedLock = !s.Locked && IsSectionLocked(s.Section, openedKeys);
        }

        void Add(SectionKind kind, SourceResource r)
        {
            var s = sections[(int)kind];
            if (s.Locked) return;
            if (hiddenKeys.Count > 0 && IsEntryLocked(r, hiddenKeys)) { s.Withheld++; return; }
            s.Entries.Add(r);
        }

        var documented = src.Compartment.Where(r => r.Type == "DocumentReference")
            .SelectMany(d => Json.Array(d.Json.Get("context"), "related")).Select(x => Json.Str(x, "reference")).ToHashSet();

        foreach (var r in src.Compartment)
        {
            var j = r.Json;
            switch (r.Type)
            {
                case "AllergyIntolerance":
                    if (NotCurrent(j)) break;
                    if (ByPatient(j, patientRef, "recorder", "asserter")) { Add(SectionKind.CitizenEntries, r); break; }
                    if (Json.Str(j, "criticality") == "high") Add(SectionKind.Critical, r);
                    Add(SectionKind.Allergies, r);
                    break;
                case "Condition":
                    if (NotCurrent(j)) break;
                    if (ByPatient(j, patientRef, "recorder", "asserter")) { Add(SectionKind.CitizenEntries, r); break; }
                    if (CriticalCategory(j) is not null) Add(SectionKind.Critical, r);
                    else if (Json.Code(j.Get("clinicalStatus")) is "active" or "recurrence" or "relapse") Add(SectionKind.Problems, r);
                    break;
                case "Flag":
                    if (Json.Str(j, "status") != "active") break;
                    if (ByPatient(j, patientRef, "author")) Add(SectionKind.CitizenEntries, r);
                    else Add(SectionKind.Critical, r);
                    break;
                case "Immunization":
                    if (Json.Str(j, "status") == "completed") Add(SectionKind.Immunizations, r);
                    break;
                case "DocumentReference":
                    if (Json.Str(j, "status") != "current") break;
                    if (Json.Array(j, "author").Any(a => Json.Str(a, "reference") == patientRef)) Add(SectionKind.CitizenEntries, r);
                    else Add(SectionKind.Documents, r);
                    break;
                case "Composition":
                    // A Composition that a DocumentReference already points to is listed once, through the DocumentReference.
                    if (Json.Str(j, "status") is "final" or "amended" && !documented.Contains(r.Reference)) Add(SectionKind.Documents, r);
                    break;
                case "RelatedPerson":
                    if (j.Get("active").ValueKind != JsonValueKind.False) Add(SectionKind.Contacts, r);
                    break;
            }
        }
        foreach (var r in src.Medications) Add(SectionKind.Medication, r);
        if (!src.MedicationsFromList)
            sections[(int)SectionKind.Medication].Note = "Pasienten har ingen legemiddelliste (PLL) ennå. Viser aktive resepter og legemiddelopplysninger.";
        foreach (var r in src.Visits) Add(SectionKind.Visits, r);
        // Entries in each section: newest first where a date says so.
        foreach (var s in sections) NewestFirst(s.Entries);
        foreach (var r in src.GeneralPractitioner)
            if (!sections[(int)SectionKind.Contacts].Locked) sections[(int)SectionKind.Contacts].Entries.Add(r);
        return sections;
    }

    /// <summary>An AllergyIntolerance or Condition that no section shows: entered in error or refuted, or no longer
    /// clinically active (inactive, resolved, in remission).</summary>
    public static bool NotCurrent(JsonElement j) =>
        NotValid.Contains(Json.Code(j.Get("verificationStatus")) ?? "") || InactiveClinical.Contains(Json.Code(j.Get("clinicalStatus")) ?? "");

    /// <summary><see cref="NotCurrent(JsonElement)"/> read from the stored JSON, for the types it
    /// applies to (false for others): most of a long life's conditions are resolved, and a summary need not parse
    /// what it will not show.</summary>
    public static bool NotCurrent(string type, ReadOnlySpan<byte> json) =>
        type is "AllergyIntolerance" or "Condition" &&
        (Json.TopConceptCode(json, "verificationStatus") is { } v && NotValid.Contains(v) ||
         Json.TopConceptCode(json, "clinicalStatus") is { } c && InactiveClinical.Contains(c));

    /// <summary>Sorts by <see cref="SortDate"/>, newest first, equal dates in their read order; each date is read once,
    /// not once per comparison.</summary>
    private static void NewestFirst(List<SourceResource> entries)
    {
        if (entries.Count < 2) return;
        var keyed = new (string Date, int Index, SourceResource Resource)[entries.Count];
        for (var i = 0; i < keyed.Length; i++) keyed[i] = (SortDate(entries[i]), i, entries[i]);
        System.Array.Sort(keyed, static (a, b) => string.CompareOrdinal(b.Date, a.Date) is var c && c != 0 ? c : a.Index.CompareTo(b.Index));
        for (var i = 0; i < keyed.Length; i++) entries[i] = keyed[i].Resource;
    }

    /// <summary>The kjernejournal category of a critical Condition/Flag, if any.</summary>
    public static string? CriticalCategory(JsonElement j)
    {
        foreach (var category in Json.Items(j.Get("category")))
            foreach (var coding in Json.Array(category, "coding"))
                if (Json.Str(coding, "system") == SummaryCodes.CriticalInformationSystem && Json.Str(coding, "code") is { } code) return code;
        return null;
    }

    private static bool IsSectionLocked(SummarySection s, HashSet<string> keys) =>
        keys.Count > 0 && (keys.Contains(s.Key) || s.SourceTypes.All(keys.Contains));

    /// <summary>The reference semantics of <see cref="CompartmentFilter.Permits"/>: a lock names the type or a coding of the resource.</summary>
    private static bool IsEntryLocked(SourceResource r, HashSet<string> keys)
    {
        if (keys.Contains(r.Type)) return true;
        foreach (var name in new[] { "category", "type", "code", "vaccineCode" })
            foreach (var (system, code, _) in Json.Codings(r.Json.Get(name)))
                if (code is not null && keys.Contains(system + "|" + code)) return true;
        return false;
    }

    private static bool ByPatient(JsonElement j, string patientRef, params string[] fields) =>
        fields.Any(f => Json.Reference(j, f) == patientRef);

    public static string SortDate(SourceResource r)
    {
        var j = r.Json;
        return r.Type switch
        {
            "AllergyIntolerance" => Json.Str(j, "recordedDate") ?? Json.Str(j, "onsetDateTime"),
            "Condition" => Json.Str(j, "recordedDate") ?? Json.Str(j, "onsetDateTime"),
            "Immunization" => Json.Str(j, "occurrenceDateTime"),
            "Encounter" => Json.Str(j.Get("period"), "start"),
            "DocumentReference" or "Composition" => Json.Str(j, "date"),
            "MedicationRequest" => Json.Str(j, "authoredOn"),
            "MedicationStatement" => Json.Str(j, "dateAsserted") ?? Json.Str(j.Get("effectivePeriod"), "start") ?? Json.Str(j, "effectiveDateTime"),
            "Flag" => Json.Str(j.Get("period"), "start"),
            _ => null,
        } ?? "";
    }
}
