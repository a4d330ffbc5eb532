using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Validation;

namespace Fellesjournal.Server.Validation;

/// <summary>
/// Write-time validation with the engine's <see cref="FhirValidator"/> (structure, cardinality,
/// primitives, required bindings, invariants). Only errors reject; warnings are ignored.
/// Invariant and business-rule failures are 422, everything else (shape, values, codes) 400.
/// </summary>
public sealed class CoreValidator(FhirValidator validator) : IResourceValidator
{
    public ValidationResult Validate(JsonObject resource, ReadOnlyMemory<byte> json)
        => Result(validator.Validate(json));

    public ValidationResult Validate(ElementNode resource, ReadOnlyMemory<byte> json) => Result(validator.Validate(resource));

    private static ValidationResult Result(OperationOutcome outcome)
    {
        if (outcome.Success) return new ValidationResult(new OperationOutcome(), true);
        var errors = new OperationOutcome(outcome.Issues.Where(i => i.Severity is IssueSeverity.Error or IssueSeverity.Fatal));
        var structural = errors.Issues.Any(i => i.Code is not ("invariant" or "business-rule"));
        return new ValidationResult(errors, structural);
    }
}
