using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Server.Validation;

/// <summary>Checks a resource before it is written. Errors reject the write.</summary>
public interface IResourceValidator
{
    /// <summary>Returns the issues found; <see cref="ValidationResult.IsStructural"/> decides 400 vs 422.</summary>
    ValidationResult Validate(JsonObject resource, ReadOnlyMemory<byte> json);
}

/// <param name="IsStructural">True when the content is not a well-formed resource (400); false for rule violations (422).</param>
public sealed record ValidationResult(OperationOutcome Outcome, bool IsStructural)
{
    public bool Success => Outcome.Success;
}
