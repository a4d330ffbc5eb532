using System.Collections.Concurrent;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.FhirPath;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Terminology;

namespace Fellesjournal.Fhir.Validation;

/// <summary>
/// Evaluates the constraints (invariants) of each element with FHIRPath: those of the element
/// definition and of its data type, compiled once and cached per (element, type).
/// </summary>
internal sealed class InvariantChecks(FhirDefinitions defs, TerminologyService terminology)
{
    /// <summary>
    /// Constraints not evaluated with FHIRPath, and why (see docs/conformance/validation.md):
    /// checked natively by the validator, or known to be wrong in R4 core.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Skipped = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ele-1"] = "checked natively: empty objects, arrays and strings are errors",
        ["txt-1"] = "checked natively (XhtmlChecks): uses htmlChecks(), which is not FHIRPath",
        ["txt-2"] = "checked natively (XhtmlChecks): uses htmlChecks(), which is not FHIRPath",
        ["dom-2"] = "checked natively: no nested contained resources",
        ["dom-3"] = "checked natively (ContainedChecks): the R4 expression applies as() to collections, an error in FHIRPath",
        ["bdl-3"] = "checked natively (BundleChecks) in one pass; as FHIRPath it is slow on large Bundles",
        ["bdl-4"] = "checked natively (BundleChecks) in one pass; as FHIRPath it is slow on large Bundles",
        ["bdl-7"] = "checked natively (BundleChecks) with a hash set; as FHIRPath isDistinct() is O(n²)",
        ["que-7"] = "R4 expression tests 'answer is Boolean' (System.Boolean), which a FHIR boolean is not in FHIRPath",
    };

    private sealed record Compiled(ConstraintInfo Constraint, CompiledExpression? Expression, string? CompileError)
    {
        /// <summary>Names the expression mentions; null when its result may depend on more than the named children.</summary>
        public HashSet<string>? Names { get; } = Expression is null ? null : InvariantNames.Of(Constraint.Expression!);
    }

    /// <summary>
    /// A constraint as applied to one (element, type). When a node has none of the children the expression
    /// names, the result is the same for every such node: it is computed once and reused (0 = not yet, 1 = holds, 2 = fails).
    /// </summary>
    private sealed class Applied(Compiled compiled)
    {
        public Compiled Compiled { get; } = compiled;
        public int WithoutNamedChildren;
    }

    private readonly ConcurrentDictionary<(ElementInfo, string?), Applied[]> _byElement = new();
    private Func<(ElementInfo, string?), Applied[]>? _build;
    private readonly ConcurrentDictionary<string, Compiled> _byExpression = new(StringComparer.Ordinal);
    private readonly Lazy<bool> _enabled = new(Probe);

    /// <summary>False while the FHIRPath engine is not available (then only structural checks run).</summary>
    public bool Enabled => _enabled.Value;

    private static bool Probe()
    {
        try
        {
            FhirPathEngine.Compile("true");
            return true;
        }
        catch (NotImplementedException)
        {
            return false;
        }
    }

    public EvaluationEnvironment Environment(ElementNode resource, ElementNode root) => new()
    {
        Resource = resource,
        RootResource = root,
        ValueSetMembership = terminology.IsMember,
    };

    public IEnumerable<(IssueSeverity, string, string)> Evaluate(ElementNode node, EvaluationEnvironment env)
    {
        var def = node.Definition;
        if (def is null) return [];
        var list = _byElement.GetOrAdd((def, node.TypeName), _build ??= Build);
        return list.Length == 0 ? [] : Run(list, node, env);
    }

    private IEnumerable<(IssueSeverity, string, string)> Run(Applied[] list, ElementNode node, EvaluationEnvironment env)
    {
        foreach (var a in list)
        {
            var c = a.Compiled;
            var key = c.Constraint.Key;
            if (c.Expression is null)
            {
                yield return (IssueSeverity.Warning, "invariant", $"Invariant {key} could not be compiled: {c.CompileError}");
                continue;
            }
            var reusable = c.Names is not null && !node.IsPrimitive && !HasNamedChild(node, c.Names);
            if (reusable && a.WithoutNamedChildren != 0)
            {
                if (a.WithoutNamedChildren == 2) yield return Failed(c.Constraint);
                continue;
            }
            string? failure = null;
            bool ok;
            try
            {
                ok = IsTrue(c.Expression.Evaluate(node, env));
                if (reusable) a.WithoutNamedChildren = ok ? 1 : 2;
            }
            catch (Exception e) when (e is not (OutOfMemoryException or InsufficientExecutionStackException))
            {
                ok = true;
                failure = e.Message;
            }
            if (failure is not null)
                yield return (IssueSeverity.Warning, "invariant", $"Invariant {key} could not be evaluated: {failure}");
            else if (!ok)
                yield return Failed(c.Constraint);
        }
    }

    /// <summary>Evaluates one constraint on a node, exactly as validation does (for tests and tools).</summary>
    internal IEnumerable<(IssueSeverity, string, string)> EvaluateOne(ConstraintInfo constraint, ElementNode node, EvaluationEnvironment env) =>
        Run([new Applied(Compile(constraint))], node, env);

    private static (IssueSeverity, string, string) Failed(ConstraintInfo c) =>
        (c.Severity == "error" ? IssueSeverity.Error : IssueSeverity.Warning, "invariant", $"Constraint failed: {c.Key}: {c.Human}");

    private static bool HasNamedChild(ElementNode node, HashSet<string> names)
    {
        foreach (var child in node.Children())
            if (names.Contains(child.Name)) return true;
        return false;
    }

    /// <summary>
    /// An invariant fails only when it yields false. Empty passes: many R4 invariants yield empty when the
    /// elements they test are absent (ref-1 on a display-only Reference, bdl-8 without fullUrl), and the
    /// official examples that the HL7 tooling publishes as valid depend on that reading.
    /// </summary>
    private static bool IsTrue(IReadOnlyList<object> result) =>
        result.Count != 1 || result[0] is not bool b || b;

    private Applied[] Build((ElementInfo Def, string? Type) key)
    {
        var constraints = new List<ConstraintInfo>(key.Def.Constraints);
        // An element typed by a data type also carries that type's own invariants (e.g. HumanName, Extension).
        if (key.Def.Children.Count == 0 && key.Type is not null && defs.GetStructure(key.Type) is { } sd && !ReferenceEquals(sd.Root, key.Def))
        {
            foreach (var c in sd.Root.Constraints)
                if (!constraints.Exists(x => x.Key == c.Key)) constraints.Add(c);
        }
        return constraints
            .Where(c => c.Expression is not null && !Skipped.ContainsKey(c.Key))
            .Select(c => new Applied(_byExpression.GetOrAdd(c.Key + "\u0000" + c.Expression, _ => Compile(c))))
            .ToArray();
    }

    private static Compiled Compile(ConstraintInfo c)
    {
        try
        {
            return new Compiled(c, FhirPathEngine.Compile(c.Expression!), null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new Compiled(c, null, e.Message);
        }
    }
}
