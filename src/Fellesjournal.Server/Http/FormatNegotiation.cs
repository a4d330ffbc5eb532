namespace Fellesjournal.Server.Http;

/// <summary>
/// _format and Accept/Content-Type handling: JSON natively, XML converted at the edge
/// (FhirXmlReader on the way in, FhirXmlWriter on the way out).
/// </summary>
public static class FormatNegotiation
{
    public const string FhirJson = "application/fhir+json";
    public const string JsonContentType = "application/fhir+json; charset=utf-8";
    public static bool XmlSupported => true;
    public const string XmlContentType = "application/fhir+xml; charset=utf-8";

    public static IEnumerable<string> SupportedFormats() => XmlSupported ? ["json", "xml"] : ["json"];

    public enum Format { Json, Xml, Unsupported }

    /// <summary>The response format from _format (wins) or Accept.</summary>
    public static Format ForResponse(string? formatParam, string? accept)
    {
        if (!string.IsNullOrEmpty(formatParam)) return Classify(formatParam, isFormatParam: true);
        if (string.IsNullOrWhiteSpace(accept)) return Format.Json;
        // First acceptable media type in the Accept list wins; */* means JSON.
        foreach (var part in accept.Split(','))
        {
            var mt = part.Split(';')[0].Trim();
            var f = Classify(mt, isFormatParam: false);
            if (f != Format.Unsupported) return f;
        }
        return Format.Unsupported;
    }

    public static Format Classify(string mediaType, bool isFormatParam)
    {
        var mt = mediaType.Split(';')[0].Trim().ToLowerInvariant();
        return mt switch
        {
            "json" or "application/json" or "application/fhir+json" or "application/json+fhir" or "*/*" or "application/*" => Format.Json,
            "text/json" or "text/*" when isFormatParam || mt == "text/json" => Format.Json,
            "xml" or "application/xml" or "application/fhir+xml" or "application/xml+fhir" or "text/xml" => Format.Xml,
            "html" or "text/html" when isFormatParam => Format.Unsupported,
            "text/html" => Format.Json, // browsers: show JSON rather than refusing
            _ => Format.Unsupported,
        };
    }

    /// <summary>True when a request Content-Type names JSON content we can read.</summary>
    public static Format ForRequestBody(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType)) return Format.Json;
        var mt = contentType.Split(';')[0].Trim().ToLowerInvariant();
        return mt switch
        {
            "application/fhir+json" or "application/json" or "application/json+fhir" or "application/json-patch+json"
                or "application/x-www-form-urlencoded" or "text/json" => Format.Json,
            "application/fhir+xml" or "application/xml" or "text/xml" or "application/xml+fhir" => Format.Xml,
            _ => Format.Unsupported,
        };
    }
}
