using Fellesjournal.Fhir.Definitions;

namespace Fellesjournal.Fhir.Search;

/// <summary>Parses reference strings for indexing and search: <c>Patient/123</c>,
/// <c>http://server/fhir/Patient/123/_history/2</c>, <c>urn:uuid:...</c>, a bare id.</summary>
public static class ReferenceParser
{
    /// <summary>Target type/id/base of a reference; null for a contained (<c>#</c>) or empty reference.
    /// The returned value's <see cref="IndexValue.Param"/> is empty.</summary>
    public static ReferenceIndexValue? Parse(string? reference, FhirDefinitions defs, string param = "")
    {
        if (string.IsNullOrWhiteSpace(reference) || reference[0] == '#') return null;
        var r = reference;
        var hist = r.IndexOf("/_history/", StringComparison.Ordinal);
        if (hist > 0) r = r[..hist];
        var q = r.IndexOf('?');
        if (q >= 0) return new ReferenceIndexValue(param, null, reference); // a search URL, not resolvable here
        var bar = r.IndexOf('|'); // canonical with a version
        if (bar > 0) r = r[..bar];
        var slash = r.LastIndexOf('/');
        if (slash > 0 && slash < r.Length - 1)
        {
            var prev = r.LastIndexOf('/', slash - 1);
            var type = r[(prev + 1)..slash];
            var id = r[(slash + 1)..];
            if (defs.IsResourceType(type))
            {
                string? baseUrl = prev > 0 ? r[..prev] : null;
                if (baseUrl is not null && !baseUrl.Contains("://")) baseUrl = null; // relative path segments
                return new ReferenceIndexValue(param, type, id, baseUrl);
            }
        }
        return new ReferenceIndexValue(param, null, r);
    }
}
