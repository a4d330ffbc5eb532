using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Server.Http;

/// <summary>A failed interaction: the HTTP status and the OperationOutcome that explains it.</summary>
public sealed class FhirException(int status, OperationOutcome outcome) : Exception(outcome.Issues.FirstOrDefault()?.Diagnostics)
{
    public int Status { get; } = status;
    public OperationOutcome Outcome { get; } = outcome;
    /// <summary>Extra response headers (e.g. Allow for 405).</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public FhirException(int status, string code, string diagnostics, string? location = null)
        : this(status, OperationOutcome.Single(IssueSeverity.Error, code, diagnostics, location)) { }

    public static FhirException BadRequest(string diagnostics, string? location = null, string code = "invalid") =>
        new(400, code, diagnostics, location);
    public static FhirException NotFound(string diagnostics) => new(404, "not-found", diagnostics);
}
