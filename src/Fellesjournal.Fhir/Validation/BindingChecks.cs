using System.Text.Json;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Terminology;

namespace Fellesjournal.Fhir.Validation;

/// <summary>Required bindings: code, Coding, CodeableConcept and Quantity values must be in the value set when it can be evaluated.</summary>
internal static class BindingChecks
{
    public static void Check(ElementNode node, string type, string valueSet, TerminologyService ts, ValidationRun run)
    {
        switch (type)
        {
            case "code":
            case "string":
            case "uri":
                if (node.Json is { ValueKind: JsonValueKind.String } s && s.GetString() is { Length: > 0 } code &&
                    ts.IsMember(valueSet, null, code) == false)
                    Fail(run, node.Location, null, code, valueSet);
                break;
            case "Coding":
            case "Quantity":
                if (Code(node.Json!.Value, type == "Quantity") is ({ } sys, { } c) && ts.IsMember(valueSet, sys, c) == false)
                    Fail(run, node.Location, sys, c, valueSet);
                else if (type == "Coding" && Code(node.Json!.Value, false) is (null, { } bare) && ts.IsMember(valueSet, null, bare) == false)
                    Fail(run, node.Location, null, bare, valueSet);
                break;
            case "CodeableConcept":
                if (!node.Json!.Value.TryGetProperty("coding", out var codings) || codings.ValueKind != JsonValueKind.Array) break;
                var any = false;
                (string? System, string Code)? first = null;
                foreach (var coding in codings.EnumerateArray())
                {
                    if (coding.ValueKind != JsonValueKind.Object || Code(coding, false) is not (var sys2, { } c2)) continue;
                    first ??= (sys2, c2);
                    var member = ts.IsMember(valueSet, sys2, c2);
                    if (member != false) { any = true; break; } // a member, or cannot tell
                }
                if (!any && first is { } f) Fail(run, node.Location, f.System, f.Code, valueSet);
                break;
        }
    }

    private static (string? System, string? Code) Code(JsonElement obj, bool quantity)
    {
        if (obj.ValueKind != JsonValueKind.Object) return (null, null);
        var system = obj.TryGetProperty("system", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        var code = obj.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        // A Quantity without a system has a unit text only: nothing to check.
        return quantity && system is null ? (null, null) : (system, code);
    }

    private static void Fail(ValidationRun run, string location, string? system, string code, string valueSet) =>
        run.AddIssue(IssueSeverity.Error, "code-invalid",
            $"The code '{PrimitiveChecks.Short(code)}'{(system is null ? "" : $" (system {PrimitiveChecks.Short(system)})")} is not in the value set {valueSet} (required binding)",
            location);
}
