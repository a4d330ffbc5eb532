using System.Text.RegularExpressions;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.Search;

/// <summary>
/// A fast path for the most common shape of search expressions: unions of plain element paths
/// (<c>Observation.code</c>, <c>Patient.name.family</c>, <c>Resource.meta.tag</c>), optionally ending in a
/// type filter (<c>as Quantity</c>, <c>.as(dateTime)</c>, <c>.ofType(Quantity)</c>), a reference-type filter
/// (<c>.where(resolve() is Patient)</c>) or a child-equals filter (<c>.where(system='email')</c>), and
/// a parenthesised filtered path followed by more steps (<c>(Observation.value as CodeableConcept).text</c>).
/// These are evaluated by walking <see cref="ElementNode"/> children, which gives the same items as the
/// FHIRPath engine (cross-checked on the official examples in the tests) without its per-evaluation
/// overhead. Everything else goes to the engine.
/// </summary>
public sealed partial class SimplePathEvaluator
{
    private const string Filter =
        @"(\s+as\s+(?<as>[A-Za-z]+)|\.as\((?<as>[A-Za-z]+)\)|\.ofType\((?<as>[A-Za-z]+)\)" +
        @"|\.where\(resolve\(\)\s+is\s+(?<is>[A-Z][A-Za-z]*)\)" +
        @"|\.where\((?<wk>[a-z][A-Za-z0-9]*)\s*=\s*'(?<wv>[A-Za-z0-9\-:/.]*)'\))?";

    [GeneratedRegex(@"^(?<head>[A-Z][A-Za-z]*)(?<steps>(\.[a-z][A-Za-z0-9]*)*)" + Filter + "$")]
    private static partial Regex BranchPattern();

    [GeneratedRegex(@"^(?<steps>[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)*)" + Filter + "$")]
    private static partial Regex RelativePattern();

    /// <summary><c>(inner).tail.steps</c></summary>
    [GeneratedRegex(@"^\((?<inner>[^()]*)\)(?<tail>(\.[a-z][A-Za-z0-9]*)+)$")]
    private static partial Regex TailPattern();

    /// <param name="AsType">as/ofType filter: FHIR primitives match their exact type, other types their subtypes too.</param>
    /// <param name="WhereChild">where(child='value'): the item's first such child has exactly that text.</param>
    private sealed record Branch(string[] Steps, string? AsType, string? ResolvesTo, string? WhereChild, string? WhereValue, string[] Tail);

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
            var b = raw.Trim();
            string[] tail = [];
            if (TailPattern().Match(b) is { Success: true } tm)
            {
                b = tm.Groups["inner"].Value.Trim();
                tail = tm.Groups["tail"].Value.TrimStart('.').Split('.');
            }
            else if (b.StartsWith('(') && b.EndsWith(')')) b = b[1..^1].Trim();
            if (b.Contains('(') && !b.EndsWith(')')) return null;
            var m = resourceType is null ? RelativePattern().Match(b) : BranchPattern().Match(b);
            if (!m.Success) return null;
            if (resourceType is not null && m.Groups["head"].Value is var head && head != resourceType &&
                head is not ("Resource" or "DomainResource")) return null;
            var stepText = m.Groups["steps"].Value;
            var steps = stepText.Length == 0 ? [] : stepText.TrimStart('.').Split('.');
            var asType = m.Groups["as"].Success ? m.Groups["as"].Value : null;
            var resolves = m.Groups["is"].Success ? m.Groups["is"].Value : null;
            var wk = m.Groups["wk"].Success ? m.Groups["wk"].Value : null;
            var wv = m.Groups["wv"].Success ? m.Groups["wv"].Value : null;
            if (asType is not null && defs.GetStructure(asType) is null) return null;
            // A filter on the items before more steps only makes sense for a type filter.
            if (tail.Length > 0 && (resolves is not null || wk is not null)) return null;
            branches.Add(new Branch(steps, asType, resolves, wk, wv, tail));
        }
        return branches.Count == 0 ? null : new SimplePathEvaluator(branches.ToArray(), defs);
    }

    public IReadOnlyList<object> Evaluate(ElementNode context)
    {
        List<object>? result = null;
        foreach (var b in _branches) Walk(context, b, 0, ref result);
        return result ?? (IReadOnlyList<object>)[];
    }

    /// <summary>Depth-first over the steps: the same order as FHIRPath's level-by-level navigation
    /// (each item's children in order, items in order), without a list per level.</summary>
    private void Walk(ElementNode node, Branch b, int step, ref List<object>? result)
    {
        if (step < b.Steps.Length)
        {
            var name = b.Steps[step];
            foreach (var c in node.Children())
                if (c.Name == name) Walk(c, b, step + 1, ref result);
            return;
        }
        if (step == b.Steps.Length)
        {
            if (b.AsType is { } t && !IsType(node, t)) return;
            if (b.ResolvesTo is { } rt && !ReferencesType(node, rt)) return;
            if (b.WhereChild is { } wk && node.Child(wk)?.Text != b.WhereValue) return;
        }
        var k = step - b.Steps.Length;
        if (k < b.Tail.Length)
        {
            var name = b.Tail[k];
            foreach (var c in node.Children())
                if (c.Name == name) Walk(c, b, step + 1, ref result);
            return;
        }
        (result ??= []).Add(node);
    }

    /// <summary>As the engine's as()/ofType(): FHIR primitives match their exact type only (a code is not a string).</summary>
    private bool IsType(ElementNode n, string type) =>
        n.TypeName is { } tn && (n.IsPrimitive ? tn == type : _defs.IsSubtypeOf(tn, type));

    private bool ReferencesType(ElementNode n, string type)
    {
        var target = ReferenceParser.Parse(n.Child("reference")?.Text, _defs)?.TargetType;
        return target is not null && _defs.IsSubtypeOf(target, type);
    }
}
