using System.Text;
using System.Text.Json;

namespace Fellesjournal.Services.Summary;

/// <summary>The bokmål narrative (xhtml div) of each section and of the Composition.</summary>
public static class SummaryNarrative
{
    private const string DivOpen = "<div xmlns=\"http://www.w3.org/1999/xhtml\">";

    public const string LockedText = "Denne delen er sperret av pasienten (sperring). Den kan åpnes med pasientens samtykke eller ved nødrett.";
    public const string EmptyText = "Ingen registrerte opplysninger.";

    public static string Section(SectionContent s, bool emergency)
    {
        var b = new StringBuilder(DivOpen);
        if (s.Locked)
        {
            P(b, LockedText);
            return b.Append("</div>").ToString();
        }
        if (s.OpenedLock)
            P(b, emergency ? "Delen er sperret av pasienten og er åpnet ved nødrett." : "Delen er sperret av pasienten og er åpnet med pasientens samtykke.");
        if (s.Note is not null) P(b, s.Note);
        if (s.Section.Kind == SectionKind.CitizenEntries && s.Entries.Count > 0)
            P(b, "Opplysningene under er registrert av pasienten selv og er ikke kontrollert av helsepersonell.");
        if (s.Entries.Count == 0) P(b, EmptyText);
        else
        {
            b.Append("<ul>");
            foreach (var r in s.Entries) b.Append("<li>").Append(Escape(Line(r))).Append("</li>");
            b.Append("</ul>");
        }
        if (s.Withheld > 0)
            P(b, s.Withheld == 1 ? "1 opplysning er sperret av pasienten og vises ikke." : $"{s.Withheld} opplysninger er sperret av pasienten og vises ikke.");
        return b.Append("</div>").ToString();
    }

    public static string Composition(string patientName, string generated, string basis) =>
        $"{DivOpen}<p>Kjernejournal for {Escape(patientName)}, generert {Escape(generated)}.</p><p>{Escape(basis)}</p></div>";

    /// <summary>One line per entry: what, the essentials, and when/by whom it was recorded.</summary>
    public static string Line(SourceResource r)
    {
        var j = r.Json;
        string What(string field) => Json.Text(j.Get(field)) ?? "Uten beskrivelse";
        string? Recorded() =>
            Join(Json.Date(Json.Str(j, "recordedDate")) is { } d ? "registrert " + d : null,
                Json.Str(j.Get("recorder"), "display") is { } who ? "av " + who : null);
        return r.Type switch
        {
            "AllergyIntolerance" => Join(What("code"),
                Json.Str(j, "criticality") switch { "high" => "høy kritikalitet", "low" => "lav kritikalitet", _ => null },
                Json.Array(j, "reaction").SelectMany(x => Json.Array(x, "manifestation")).Select(m => Json.Text(m)).FirstOrDefault(t => t is not null) is { } re ? "reaksjon: " + re : null,
                Verification(j),
                Recorded()),
            "Condition" => Join(What("code"),
                SummaryClassifier.CriticalCategory(j) is { } cat && SummaryCodes.CriticalCategories.TryGetValue(cat, out var catText) ? catText.ToLowerInvariant() : null,
                Json.Date(Json.Str(j, "onsetDateTime")) is { } on ? "debut " + on : null,
                Verification(j),
                Recorded()),
            "Flag" => Join(What("code"), Json.Text(j.Get("category")), Json.Date(Json.Str(j.Get("period"), "start")) is { } fs ? "fra " + fs : null),
            "Immunization" => Join(What("vaccineCode"), Json.Date(Json.Str(j, "occurrenceDateTime")),
                Json.Array(j, "protocolApplied").Select(p => Json.Str(p, "series")).FirstOrDefault(x => x is not null)),
            "MedicationStatement" => Join(Medicine(j), Dosage(j, "dosage"), Json.Str(j, "status") switch { "active" => "i bruk", "intended" => "planlagt", var st => st }),
            "MedicationRequest" => Join(Medicine(j), Dosage(j, "dosageInstruction"), Json.Date(Json.Str(j, "authoredOn")) is { } ao ? "forskrevet " + ao : null),
            "Encounter" => Join(Json.Str(j.Get("class"), "code") switch { "IMP" => "Innleggelse", "EMER" => "Legevakt/akuttmottak", _ => "Kontakt" },
                Json.Text(j.Get("type")), Period(j.Get("period")), Json.Text(j.Get("reasonCode")) is { } reason ? "årsak: " + reason : null),
            "DocumentReference" => Join(Json.Str(j, "description") ?? What("type"), Json.Date(Json.Str(j, "date"))),
            "Composition" => Join(Json.Str(j, "title") ?? What("type"), Json.Date(Json.Str(j, "date"))),
            "RelatedPerson" => Join("Pårørende: " + Name(j), Json.Text(j.Get("relationship")), Telecom(j)),
            "PractitionerRole" => Join("Fastlege", Json.Str(j.Get("practitioner"), "display"), Telecom(j)),
            "Practitioner" => Join("Fastlege: " + Name(j), Telecom(j)),
            "Organization" => Join("Fastlegekontor: " + (Json.Str(j, "name") ?? "uten navn"), Telecom(j)),
            _ => r.Reference,
        };
    }

    private static string? Verification(JsonElement j) => Json.Code(j.Get("verificationStatus")) switch
    {
        "unconfirmed" or "provisional" or "differential" => "ikke bekreftet",
        "confirmed" => "bekreftet",
        _ => null,
    };

    private static string Medicine(JsonElement j) =>
        Json.Text(j.Get("medicationCodeableConcept")) ?? Json.Str(j.Get("medicationReference"), "display") ?? Json.Str(j.Get("medicationReference"), "reference") ?? "Legemiddel uten navn";

    private static string? Dosage(JsonElement j, string field) =>
        Json.Array(j, field).Select(d => Json.Str(d, "text")).FirstOrDefault(t => t is not null);

    private static string? Period(JsonElement p)
    {
        var start = Json.Date(Json.Str(p, "start"));
        var end = Json.Date(Json.Str(p, "end"));
        return start is null ? null : end is null || end == start ? start : start + "–" + end;
    }

    public static string Name(JsonElement j)
    {
        var n = Json.Array(j, "name").FirstOrDefault();
        if (n.ValueKind != JsonValueKind.Object) return "uten navn";
        if (Json.Str(n, "text") is { } t) return t;
        var given = Json.Array(n, "given").Select(g => g.ValueKind == JsonValueKind.String ? g.GetString()! : "");
        return string.Join(' ', given.Append(Json.Str(n, "family") ?? "")).Trim();
    }

    private static string? Telecom(JsonElement j) =>
        Json.Array(j, "telecom").Select(t => Json.Str(t, "value")).FirstOrDefault(v => v is not null) is { } v ? "tlf. " + v : null;

    private static string Join(params string?[] parts) => string.Join(", ", parts.Where(p => !string.IsNullOrWhiteSpace(p)));

    private static void P(StringBuilder b, string text) => b.Append("<p>").Append(Escape(text)).Append("</p>");

    /// <summary>XML text escaping (no named entities: the narrative must be plain XHTML).</summary>
    public static string Escape(string s)
    {
        if (s.AsSpan().IndexOfAny("&<>\"") < 0) return s;
        return s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");
    }
}
