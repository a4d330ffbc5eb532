using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Server.Validation;

/// <summary>
/// Runs several validators and merges their issues, so a client sees every problem at once. The result is
/// structural (400) when any failing validator found a structural problem, otherwise a rule violation (422).
/// </summary>
public sealed class ValidatorChain(params IResourceValidator[] validators) : IResourceValidator
{
    public ValidationResult Validate(JsonObject resource, ReadOnlyMemory<byte> json)
    {
        var issues = new List<OutcomeIssue>();
        var structural = false;
        foreach (var v in validators)
        {
            var r = v.Validate(resource, json);
            issues.AddRange(r.Outcome.Issues);
            if (!r.Success && r.IsStructural) structural = true;
        }
        return new ValidationResult(new OperationOutcome(issues), structural);
    }
}
