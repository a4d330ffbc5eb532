using System.Text.Json.Nodes;

namespace Fellesjournal.Services.Summary;

/// <summary>
/// Assembles the FHIR document: Bundle type <c>document</c> with the Composition first (IPS shape), the Patient,
/// the authoring Device, then every entry the sections reference; stamped with the generation time and signed.
/// </summary>
public static class SummaryDocumentBuilder
{
    /// <summary>The summary service as the document's author (and signer).</summary>
    public static readonly string DeviceUuid = "6f1c1c2e-0b4e-4c5e-9a57-5e7a1d0c0f01";

    public static JsonObject Build(SummarySource src, IReadOnlyList<SectionContent> sections, string baseUrl, DateTimeOffset now,
        string accessNote, bool emergency, Guid documentId)
    {
        var generated = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        var deviceUrl = "urn:uuid:" + DeviceUuid;
        var compositionId = documentId.ToString();
        string Url(SourceResource r) => $"{baseUrl}/{r.Type}/{r.Id}";
        var patientUrl = Url(src.Patient);

        var sectionNodes = new JsonArray();
        var included = new List<SourceResource>();
        var seen = new HashSet<string> { src.Patient.Reference };
        foreach (var s in sections)
        {
            var section = new JsonObject
            {
                ["title"] = s.Section.Title,
                ["code"] = Concept(s.Section.System, s.Section.Code, s.Section.Display),
                ["text"] = new JsonObject { ["status"] = "generated", ["div"] = SummaryNarrative.Section(s, emergency) },
            };
            if (s.Entries.Count > 0)
            {
                var entries = new JsonArray();
                foreach (var r in s.Entries)
                {
                    entries.Add(new JsonObject { ["reference"] = Url(r) });
                    // Other documents are referenced, not embedded: a second Composition would read as another document's root.
                    if (r.Type != "Composition" && seen.Add(r.Reference)) included.Add(r);
                }
                section["entry"] = entries;
            }
            else
            {
                section["emptyReason"] = s.Locked
                    ? Concept(SummaryCodes.EmptyReasonSystem, "withheld", "Information Withheld")
                    : Concept(SummaryCodes.EmptyReasonSystem, "unavailable", "Unavailable");
            }
            sectionNodes.Add(section);
        }

        var patientName = SummaryNarrative.Name(src.Patient.Json);
        var composition = new JsonObject
        {
            ["resourceType"] = "Composition",
            ["id"] = compositionId,
            ["text"] = new JsonObject { ["status"] = "generated", ["div"] = SummaryNarrative.Composition(patientName, generated, accessNote) },
            ["status"] = "final",
            ["type"] = Concept(SummaryCodes.Loinc, SummaryCodes.PatientSummaryDocument, "Patient summary Document"),
            ["subject"] = new JsonObject { ["reference"] = patientUrl, ["display"] = patientName },
            ["date"] = generated,
            ["author"] = new JsonArray(new JsonObject { ["reference"] = deviceUrl }),
            ["title"] = "Kjernejournal",
            ["confidentiality"] = "R",
            ["section"] = sectionNodes,
        };
        var device = new JsonObject
        {
            ["resourceType"] = "Device",
            ["id"] = DeviceUuid,
            ["deviceName"] = new JsonArray(new JsonObject { ["name"] = "Fellesjournal kjernejournal", ["type"] = "user-friendly-name" }),
        };

        var entryNodes = new JsonArray
        {
            new JsonObject { ["fullUrl"] = "urn:uuid:" + compositionId, ["resource"] = composition },
            new JsonObject { ["fullUrl"] = patientUrl, ["resource"] = src.Patient.Json },
            new JsonObject { ["fullUrl"] = deviceUrl, ["resource"] = device },
        };
        foreach (var r in included)
            entryNodes.Add(new JsonObject { ["fullUrl"] = Url(r), ["resource"] = r.Json });

        return new JsonObject
        {
            ["resourceType"] = "Bundle",
            ["id"] = documentId.ToString(),
            ["identifier"] = new JsonObject { ["system"] = SummaryCodes.DocumentIdentifierSystem, ["value"] = "urn:uuid:" + documentId },
            ["type"] = "document",
            ["timestamp"] = generated,
            ["entry"] = entryNodes,
        };
    }

    /// <summary>Adds <c>Bundle.signature</c> (the JWS over everything else).</summary>
    public static void Sign(JsonObject bundle, DocumentSigner signer, DateTimeOffset now)
    {
        var jws = signer.Sign(bundle);
        bundle["signature"] = new JsonObject
        {
            ["type"] = new JsonArray(new JsonObject
            {
                ["system"] = DocumentSigner.SignatureTypeSystem, ["code"] = DocumentSigner.SignatureTypeCode, ["display"] = "Source Signature",
            }),
            ["when"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
            ["who"] = new JsonObject { ["reference"] = "urn:uuid:" + DeviceUuid },
            ["targetFormat"] = DocumentSigner.TargetFormat,
            ["sigFormat"] = "application/jose",
            ["data"] = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(jws)),
        };
    }

    private static JsonObject Concept(string system, string code, string display) =>
        new() { ["coding"] = new JsonArray(new JsonObject { ["system"] = system, ["code"] = code, ["display"] = display }) };
}
