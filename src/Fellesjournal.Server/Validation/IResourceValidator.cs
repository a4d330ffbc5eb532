using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Server.Validation;

/// <summary>Checks a resource before it is written. Errors reject the write.</summary>
public interface IResourceValidator
{
    /// <summary>Returns the issues found; <see cref="ValidationResult.IsStructural"/> decides 400 vs 422.</summary>
    ValidationResult Validate(JsonObject resource, ReadOnlyMemory<byte> json);

    /// <summary>Validates a resource already parsed into an element tree from <paramref name="json"/>, so a bulk
    /// loader can reuse the tree (and its cached children) for search-value extraction.</summary>
    ValidationResult Validate(ElementNode resource, ReadOnlyMemory<byte> json) =>
        Validate(Http.ResourceJson.ParseObject(json), json);
}

/// <param name="IsStructural">True when the content is not a well-formed resource (400); false for rule violations (422).</param>
public sealed record ValidationResult(OperationOutcome Outcome, bool IsStructural)
{
    public bool Success => Outcome.Success;
}
