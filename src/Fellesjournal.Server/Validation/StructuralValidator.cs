using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Server.Validation;

/// <summary>
/// The server's own structural check against the definitions: known resource type, valid id, every
/// property a known element, arrays where the element repeats and single values where it does not.
/// The full validator (cardinality, invariants, terminology) replaces it when available.
/// </summary>
public sealed partial class StructuralValidator(FhirDefinitions defs) : IResourceValidator
{
    [GeneratedRegex("^[A-Za-z0-9\\-\\.]{1,64}$")]
    public static partial Regex IdPattern();

    public ValidationResult Validate(JsonObject resource, ReadOnlyMemory<byte> json)
    {
        var outcome = new OperationOutcome();
        var type = resource["resourceType"] is JsonValue v && v.TryGetValue<string>(out var t) ? t : null;
        if (type is null || !defs.IsConcreteResourceType(type))
        {
            outcome.Add(IssueSeverity.Error, "structure", type is null ? "The resource has no resourceType." : $"Unknown resource type '{type}'.", "resourceType");
            return new ValidationResult(outcome, true);
        }
        CheckObject(resource, defs.GetStructure(type)!.Root, type, type, outcome, 0);
        return new ValidationResult(outcome, true);
    }

    private void CheckObject(JsonObject obj, ElementInfo? parent, string parentType, string path, OperationOutcome outcome, int depth)
    {
        if (depth > FhirJson.MaxDepth) { outcome.Add(IssueSeverity.Error, "structure", "Nesting too deep.", path); return; }
        foreach (var (name, value) in obj)
        {
            if (outcome.Issues.Count >= 50) return;
            var loc = $"{path}.{name}";
            if (name == "resourceType" && parent?.Path.Contains('.') != true) continue;
            if (name == "fhir_comments") continue;
            var isPrimitiveExt = name.StartsWith('_');
            var res = defs.ResolveChild(parent, parentType, isPrimitiveExt ? name[1..] : name);
            if (res is null)
            {
                outcome.Add(IssueSeverity.Error, "structure", $"Unknown element '{name}'.", loc);
                continue;
            }
            if (value is null)
            {
                outcome.Add(IssueSeverity.Error, "structure", $"Element '{name}' is null; omit empty elements instead.", loc);
                continue;
            }
            var def = res.Definition;
            if (def.IsCollection != value is JsonArray)
            {
                outcome.Add(IssueSeverity.Error, "structure",
                    def.IsCollection ? $"Element '{name}' repeats and must be an array." : $"Element '{name}' does not repeat and must not be an array.", loc);
                continue;
            }
            if (name == "id" && parent?.Path == parentType && value is JsonValue idv &&
                (!idv.TryGetValue<string>(out var id) || !IdPattern().IsMatch(id)))
                outcome.Add(IssueSeverity.Error, "value", "The resource id must be 1-64 characters [A-Za-z0-9-.].", loc);
            if (isPrimitiveExt) continue;
            var items = value is JsonArray arr ? arr.Select((n, i) => (n, $"{loc}[{i}]")) : [(value, loc)];
            foreach (var (item, itemLoc) in items)
                CheckValue(item, def, res.TypeName, itemLoc, outcome, depth + 1);
        }
    }

    private void CheckValue(JsonNode? item, ElementInfo def, string typeName, string loc, OperationOutcome outcome, int depth)
    {
        if (item is null) return; // nulls in arrays pair with _element extensions
        var isComplex = !defs.IsPrimitiveType(typeName) && typeName != "xhtml";
        if (typeName is "Resource" or "DomainResource" || defs.IsResourceType(typeName))
        {
            if (item is not JsonObject ro) { outcome.Add(IssueSeverity.Error, "structure", "Expected a resource object.", loc); return; }
            var rt = ro["resourceType"] is JsonValue rv && rv.TryGetValue<string>(out var s) ? s : null;
            if (rt is null || !defs.IsConcreteResourceType(rt))
            {
                outcome.Add(IssueSeverity.Error, "structure", $"Unknown or missing resourceType '{rt}'.", loc);
                return;
            }
            CheckObject(ro, defs.GetStructure(rt)!.Root, rt, loc, outcome, depth);
            return;
        }
        if (isComplex)
        {
            if (item is not JsonObject o) { outcome.Add(IssueSeverity.Error, "structure", $"Expected an object ({typeName}).", loc); return; }
            CheckObject(o, def, typeName, loc, outcome, depth);
        }
        else if (item is not JsonValue pv || pv.GetValueKind() is JsonValueKind.Object or JsonValueKind.Array)
        {
            outcome.Add(IssueSeverity.Error, "structure", $"Expected a primitive value ({typeName}).", loc);
        }
        else if (pv.GetValueKind() == JsonValueKind.String && pv.GetValue<string>().Length == 0)
        {
            outcome.Add(IssueSeverity.Error, "value", "Empty string values are not allowed.", loc);
        }
    }
}
