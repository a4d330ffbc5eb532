namespace Fellesjournal.Server.Http;

/// <summary>
/// A FHIR interaction independent of HTTP: what an HTTP request or a Bundle entry asks for.
/// The same handlers serve both, so batch/transaction entries behave exactly like direct calls.
/// </summary>
public sealed class FhirRequest
{
    public required string Method { get; init; }
    /// <summary>Path relative to the FHIR base without leading slash or query, e.g. "Patient/1/_history/2".</summary>
    public required string Path { get; init; }
    public List<KeyValuePair<string, string>> Query { get; init; } = [];
    public Dictionary<string, string> Headers { get; init; } = new(StringComparer.OrdinalIgnoreCase);
    public ReadOnlyMemory<byte>? Body { get; set; }
    public string? ContentType { get; init; }
    /// <summary>The absolute FHIR base URL (no trailing slash), for fullUrl/Location/links.</summary>
    public required string BaseUrl { get; init; }
    /// <summary>Transactions assign ids up front so urn:uuid references can be rewritten before the POST runs.</summary>
    public string? AssignedId { get; init; }
    /// <summary>The authenticated caller, set by the HTTP handler from a validated token (Bundle entries inherit it);
    /// never taken from request parameters. Null only for server-internal requests.</summary>
    public Fellesjournal.Trust.Identity.Principal? Caller { get; set; }

    public string? Header(string name) => Headers.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
    public string? QueryValue(string name) => Query.LastOrDefault(kv => kv.Key == name).Value;

    /// <summary>The Prefer header's return= choice: minimal, representation, OperationOutcome (or null).</summary>
    public string? PreferReturn => PreferToken("return");
    public bool StrictHandling => PreferToken("handling") == "strict";

    private string? PreferToken(string key)
    {
        var prefer = Header("Prefer");
        if (prefer is null) return null;
        foreach (var part in prefer.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq > 0 && part[..eq].Trim().Equals(key, StringComparison.OrdinalIgnoreCase))
                return part[(eq + 1)..].Trim().Trim('"');
        }
        return null;
    }
}
