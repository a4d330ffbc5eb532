using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Fellesjournal.Services.Summary;

/// <summary>
/// Writes the FHIR document: Bundle type <c>document</c> with the Composition first (IPS shape), the Patient,
/// the authoring Device, then every entry the sections reference; stamped with the generation time and signed.
/// The resources go in as their stored JSON, and no tree of the document is built.
/// </summary>
public static class SummaryDocumentBuilder
{
    /// <summary>The summary service as the document's author (and signer).</summary>
    public static readonly string DeviceUuid = "6f1c1c2e-0b4e-4c5e-9a57-5e7a1d0c0f01";

    // Served as application/fhir+json, never inside HTML: only what JSON itself requires is escaped.
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes the document without its signature to <paramref name="output"/>.</summary>
    public static void Build(IBufferWriter<byte> output, SummarySource src, IReadOnlyList<SectionContent> sections, string baseUrl,
        DateTimeOffset now, string accessNote, bool emergency, Guid documentId)
    {
        var generated = Timestamp(now);
        var deviceUrl = "urn:uuid:" + DeviceUuid;
        var compositionId = documentId.ToString();
        string Url(SourceResource r) => $"{baseUrl}/{r.Type}/{r.Id}";
        var patientUrl = Url(src.Patient);
        var patientName = SummaryNarrative.Name(src.Patient.Json);

        using var w = new Utf8JsonWriter(output, Options);
        w.WriteStartObject();
        w.WriteString("resourceType", "Bundle");
        w.WriteString("id", compositionId);
        w.WriteStartObject("identifier");
        w.WriteString("system", SummaryCodes.DocumentIdentifierSystem);
        w.WriteString("value", "urn:uuid:" + documentId);
        w.WriteEndObject();
        w.WriteString("type", "document");
        w.WriteString("timestamp", generated);
        w.WriteStartArray("entry");

        w.WriteStartObject();
        w.WriteString("fullUrl", "urn:uuid:" + compositionId);
        w.WriteStartObject("resource");
        w.WriteString("resourceType", "Composition");
        w.WriteString("id", compositionId);
        Narrative(w, SummaryNarrative.Composition(patientName, generated, accessNote));
        w.WriteString("status", "final");
        Concept(w, "type", SummaryCodes.Loinc, SummaryCodes.PatientSummaryDocument, "Patient summary Document");
        w.WriteStartObject("subject");
        w.WriteString("reference", patientUrl);
        w.WriteString("display", patientName);
        w.WriteEndObject();
        w.WriteString("date", generated);
        w.WriteStartArray("author");
        Reference(w, deviceUrl);
        w.WriteEndArray();
        w.WriteString("title", "Kjernejournal");
        w.WriteString("confidentiality", "R");
        var included = Sections(w, src, sections, Url, emergency);
        w.WriteEndObject();
        w.WriteEndObject();

        Entry(w, patientUrl, src.Patient);
        w.WriteStartObject();
        w.WriteString("fullUrl", deviceUrl);
        w.WriteStartObject("resource");
        w.WriteString("resourceType", "Device");
        w.WriteString("id", DeviceUuid);
        w.WriteStartArray("deviceName");
        w.WriteStartObject();
        w.WriteString("name", "Fellesjournal kjernejournal");
        w.WriteString("type", "user-friendly-name");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        foreach (var r in included) Entry(w, Url(r), r);

        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
    }

    /// <summary>Composition.section; returns the resources the sections reference that the Bundle carries.</summary>
    private static List<SourceResource> Sections(Utf8JsonWriter w, SummarySource src, IReadOnlyList<SectionContent> sections,
        Func<SourceResource, string> url, bool emergency)
    {
        var included = new List<SourceResource>();
        var seen = new HashSet<string> { src.Patient.Reference };
        w.WriteStartArray("section");
        foreach (var s in sections)
        {
            w.WriteStartObject();
            w.WriteString("title", s.Section.Title);
            Concept(w, "code", s.Section.System, s.Section.Code, s.Section.Display);
            Narrative(w, SummaryNarrative.Section(s, emergency));
            if (s.Entries.Count > 0)
            {
                w.WriteStartArray("entry");
                foreach (var r in s.Entries)
                {
                    Reference(w, url(r));
                    // Other documents are referenced, not embedded: a second Composition would read as another document's root.
                    if (r.Type != "Composition" && seen.Add(r.Reference)) included.Add(r);
                }
                w.WriteEndArray();
            }
            else if (s.Locked) Concept(w, "emptyReason", SummaryCodes.EmptyReasonSystem, "withheld", "Information Withheld");
            else Concept(w, "emptyReason", SummaryCodes.EmptyReasonSystem, "unavailable", "Unavailable");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        return included;
    }

    /// <summary>The signed document: <paramref name="unsigned"/> with <c>Bundle.signature</c> (the JWS over everything
    /// else, see <see cref="DocumentSigner"/>) added as its last member.</summary>
    public static byte[] Sign(ReadOnlyMemory<byte> unsigned, DocumentSigner signer, DateTimeOffset now)
    {
        string jws;
        using (var parsed = JsonDocument.Parse(unsigned)) jws = signer.Sign(parsed.RootElement);
        var signature = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(signature, Options))
        {
            w.WriteStartObject();
            w.WriteStartArray("type");
            w.WriteStartObject();
            w.WriteString("system", DocumentSigner.SignatureTypeSystem);
            w.WriteString("code", DocumentSigner.SignatureTypeCode);
            w.WriteString("display", "Source Signature");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteString("when", Timestamp(now));
            w.WriteStartObject("who");
            w.WriteString("reference", "urn:uuid:" + DeviceUuid);
            w.WriteEndObject();
            w.WriteString("targetFormat", DocumentSigner.TargetFormat);
            w.WriteString("sigFormat", "application/jose");
            w.WriteBase64String("data", System.Text.Encoding.ASCII.GetBytes(jws));
            w.WriteEndObject();
        }
        // The unsigned Bundle ends with its closing brace: the member goes in before it.
        var body = unsigned.Span[..unsigned.Span.LastIndexOf((byte)'}')];
        const string member = ",\"signature\":";
        var document = new byte[body.Length + member.Length + signature.WrittenCount + 1];
        body.CopyTo(document);
        System.Text.Encoding.ASCII.GetBytes(member, document.AsSpan(body.Length));
        signature.WrittenSpan.CopyTo(document.AsSpan(body.Length + member.Length));
        document[^1] = (byte)'}';
        return document;
    }

    private static string Timestamp(DateTimeOffset now) => now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");

    /// <summary>A resource entry: its stored JSON, as a read serves it.</summary>
    private static void Entry(Utf8JsonWriter w, string fullUrl, SourceResource r)
    {
        w.WriteStartObject();
        w.WriteString("fullUrl", fullUrl);
        w.WritePropertyName("resource");
        w.WriteRawValue(r.Stored.Span, skipInputValidation: true);
        w.WriteEndObject();
    }

    private static void Narrative(Utf8JsonWriter w, string div)
    {
        w.WriteStartObject("text");
        w.WriteString("status", "generated");
        w.WriteString("div", div);
        w.WriteEndObject();
    }

    private static void Reference(Utf8JsonWriter w, string reference)
    {
        w.WriteStartObject();
        w.WriteString("reference", reference);
        w.WriteEndObject();
    }

    private static void Concept(Utf8JsonWriter w, string name, string system, string code, string display)
    {
        w.WriteStartObject(name);
        w.WriteStartArray("coding");
        w.WriteStartObject();
        w.WriteString("system", system);
        w.WriteString("code", code);
        w.WriteString("display", display);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
