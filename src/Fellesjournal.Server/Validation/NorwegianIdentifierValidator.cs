using System.Text.Json;
using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Norway;

namespace Fellesjournal.Server.Validation;

/// <summary>
/// Rejects (422) Patient, Practitioner, Organization and RelatedPerson identifiers whose value is not valid for
/// their Norwegian national system (FNR, D-number, FH-number, DUF, HPR, organisation number), naming the element.
/// Values of other systems, and identifiers without a string value, are left to the other validators.
/// </summary>
public sealed class NorwegianIdentifierValidator : IResourceValidator
{
    private static readonly HashSet<string> Types = ["Patient", "Practitioner", "Organization", "RelatedPerson"];

    public ValidationResult Validate(JsonObject resource, ReadOnlyMemory<byte> json)
    {
        var outcome = new OperationOutcome();
        if (resource["resourceType"] is JsonValue t && t.TryGetValue<string>(out var type) && Types.Contains(type)
            && resource["identifier"] is JsonArray identifiers)
        {
            for (var i = 0; i < identifiers.Count; i++)
            {
                if (identifiers[i] is not JsonObject id) continue;
                var system = Text(id["system"]);
                if (!NorwegianIdentifier.IsCheckedSystem(system) || Text(id["value"]) is not { } value) continue;
                if (NorwegianIdentifier.Problem(system, value) is { } problem)
                    outcome.Add(IssueSeverity.Error, "business-rule", problem, $"{type}.identifier[{i}].value");
            }
        }
        return new ValidationResult(outcome, IsStructural: false);
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
