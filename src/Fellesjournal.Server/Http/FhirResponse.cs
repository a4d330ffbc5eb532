using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Server.Http;

/// <summary>The result of an interaction: status, body (resource JSON or an outcome) and the version headers.</summary>
public sealed class FhirResponse
{
    public int Status { get; init; } = 200;
    /// <summary>The resource or Bundle JSON as served (meta stamped by the store).</summary>
    public ReadOnlyMemory<byte>? Resource { get; init; }
    public OperationOutcome? Outcome { get; init; }
    public string? Location { get; init; }
    public long? VersionId { get; init; }
    public DateTimeOffset? LastModified { get; init; }
    /// <summary>True for resource reads, where _summary/_elements apply.</summary>
    public bool Subsettable { get; init; }
    /// <summary>True when the body is a write result that Prefer: return= may replace.</summary>
    public bool IsWriteResult { get; init; }
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public string? ETag => VersionId is { } v ? $"W/\"{v}\"" : null;

    public static FhirResponse FromError(FhirException e)
    {
        var r = new FhirResponse { Status = e.Status, Outcome = e.Outcome };
        foreach (var (k, v) in e.Headers) r.Headers[k] = v;
        return r;
    }

    public static string StatusLine(int status) => status switch
    {
        200 => "200 OK",
        201 => "201 Created",
        204 => "204 No Content",
        304 => "304 Not Modified",
        400 => "400 Bad Request",
        404 => "404 Not Found",
        405 => "405 Method Not Allowed",
        409 => "409 Conflict",
        410 => "410 Gone",
        412 => "412 Precondition Failed",
        413 => "413 Payload Too Large",
        415 => "415 Unsupported Media Type",
        422 => "422 Unprocessable Entity",
        500 => "500 Internal Server Error",
        501 => "501 Not Implemented",
        503 => "503 Service Unavailable",
        _ => status.ToString(),
    };
}
