using System.Text.RegularExpressions;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.Search;

/// <summary>
/// A fast path for the most common shape of search expressions: unions of plain element paths
/// (<c>Observation.code</c>, <c>Patient.name.family</c>, <c>Resource.meta.tag</c>), optionally ending in a
/// type filter (<c>as Quantity</c>, <c>.as(Quantity)</c>, <c>.ofType(Quantity)</c>) or a reference-type filter
/// (<c>.where(resolve() is Patient)</c>). These are evaluated by walking <see cref="ElementNode"/> children,
/// which gives the same items as the FHIRPath engine (cross-checked on the official examples in the tests)
/// without its per-evaluation overhead. Everything else goes to the engine.
/// </summary>
public sealed partial class SimplePathEvaluator
{
    [GeneratedRegex(@"^(?<head>[A-Z][A-Za-z]*)(?<steps>(\.[a-z][A-Za-z0-9]*)*)(\s+as\s+(?<as>[A-Z][A-Za-z]*)|\.as\((?<as>[A-Z][A-Za-z]*)\)|\.ofType\((?<as>[A-Z][A-Za-z]*)\)|\.where\(resolve\(\)\s+is\s+(?<is>[A-Z][A-Za-z]*)\))?$")]
    private static partial Regex BranchPattern();

    [GeneratedRegex(@"^(?<steps>[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)*)(\s+as\s+(?<as>[A-Z][A-Za-z]*)|\.as\((?<as>[A-Z][A-Za-z]*)\)|\.ofType\((?<as>[A-Z][A-Za-z]*)\)|\.where\(resolve\(\)\s+is\s+(?<is>[A-Z][A-Za-z]*)\))?$")]
    private static partial Regex RelativePattern();

    private sealed record Branch(string[] Steps, string? AsType, string? ResolvesTo);

    private readonly Branch[] _branches;
    private readonly FhirDefinitions _defs;

    private SimplePathEvaluator(Branch[] branches, FhirDefinitions defs)
    {
        _branches = branches;
        _defs = defs;
    }

    /// <summary>An evaluator for <paramref name="expression"/> on resources of <paramref name="resourceType"/>,
    /// or null when the expression is not of the simple shape.</summary>
    /// <param name="resourceType">The type the expression starts from, or null for a relative expression
    /// (composite components: <c>code</c>, <c>value.as(Quantity)</c>) evaluated on any node.</param>
    public static SimplePathEvaluator? TryCreate(string expression, string? resourceType, FhirDefinitions defs)
    {
        var branches = new List<Branch>();
        foreach (var raw in ExpressionPruner.SplitUnion(expression))
        {
            var b = raw;
            if (b.StartsWith('(') && b.EndsWith(')')) b = b[1..^1].Trim();
            if (b.Contains('(') && !b.EndsWith(')')) return null;
            var m = resourceType is null ? RelativePattern().Match(b) : BranchPattern().Match(b);
            if (!m.Success) return null;
            if (resourceType is not null && m.Groups["head"].Value is var head && head != resourceType &&
                head is not ("Resource" or "DomainResource")) return null;
            var stepText = m.Groups["steps"].Value;
            var steps = stepText.Length == 0 ? [] : stepText.TrimStart('.').Split('.');
            var asType = m.Groups["as"].Success ? m.Groups["as"].Value : null;
            var resolves = m.Groups["is"].Success ? m.Groups["is"].Value : null;
            if (asType is not null && defs.GetStructure(asType) is null) return null;
            branches.Add(new Branch(steps, asType, resolves));
        }
        return branches.Count == 0 ? null : new SimplePathEvaluator(branches.ToArray(), defs);
    }

    public IReadOnlyList<object> Evaluate(ElementNode context)
    {
        List<object>? result = null;
        foreach (var b in _branches)
        {
            List<ElementNode> items = [context];
            foreach (var step in b.Steps)
            {
                var next = new List<ElementNode>();
                foreach (var n in items)
                    foreach (var c in n.Children(step)) next.Add(c);
                items = next;
                if (items.Count == 0) break;
            }
            foreach (var n in items)
            {
                if (b.AsType is { } t && (n.TypeName is null || !_defs.IsSubtypeOf(n.TypeName, t))) continue;
                if (b.ResolvesTo is { } rt && !ReferencesType(n, rt)) continue;
                (result ??= []).Add(n);
            }
        }
        return result ?? (IReadOnlyList<object>)[];
    }

    private bool ReferencesType(ElementNode n, string type)
    {
        var target = ReferenceParser.Parse(n.Child("reference")?.Text, _defs)?.TargetType;
        return target is not null && _defs.IsSubtypeOf(target, type);
    }
}
