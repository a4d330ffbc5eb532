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

        /// <summary>The answer without FHIRPath where it is certain (see <see cref="NativeInvariant"/>).</summary>
        public NativeInvariant? Native { get; } = Expression is null ? null : NativeInvariant.For(Constraint.Key, Constraint.Expression!);
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

    /// <summary>(element, type) keys hashed by reference and length: the tuple's own hash runs a randomized string hash per node.</summary>
    private sealed class KeyComparer : IEqualityComparer<(ElementInfo Def, string? Type)>
    {
        public bool Equals((ElementInfo Def, string? Type) x, (ElementInfo Def, string? Type) y) =>
            ReferenceEquals(x.Def, y.Def) && string.Equals(x.Type, y.Type, StringComparison.Ordinal);

        public int GetHashCode((ElementInfo Def, string? Type) k) =>
            System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(k.Def) * 31 + (k.Type?.Length ?? -1);
    }

    private readonly ConcurrentDictionary<(ElementInfo Def, string? Type), Applied[]> _byElement = new(new KeyComparer());
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

    /// <summary>Evaluates the invariants that apply to the node; adds the issues, in constraint order, to <paramref name="issues"/>.</summary>
    public void Evaluate(ElementNode node, EvaluationEnvironment env, List<(IssueSeverity, string, string)> issues)
    {
        var def = node.Definition;
        if (def is null) return;
        if (!_byElement.TryGetValue((def, node.TypeName), out var list))
            list = _byElement.GetOrAdd((def, node.TypeName), _build ??= Build);
        foreach (var a in list)
            if (Check(a, node, env) is { } issue) issues.Add(issue);
    }

    private static (IssueSeverity, string, string)? Check(Applied a, ElementNode node, EvaluationEnvironment env)
    {
        var c = a.Compiled;
        var key = c.Constraint.Key;
        if (c.Expression is null)
            return (IssueSeverity.Warning, "invariant", $"Invariant {key} could not be compiled: {c.CompileError}");
        if (c.Native?.Evaluate(node) is { } known)
            return known ? null : Failed(c.Constraint);
        var reusable = c.Names is not null && !node.IsPrimitive && !HasNamedChild(node, c.Names);
        if (reusable && a.WithoutNamedChildren != 0)
            return a.WithoutNamedChildren == 2 ? Failed(c.Constraint) : null;
        bool ok;
        try
        {
            ok = IsTrue(c.Expression.Evaluate(node, env));
            if (reusable) a.WithoutNamedChildren = ok ? 1 : 2;
        }
        catch (Exception e) when (e is not (OutOfMemoryException or InsufficientExecutionStackException))
        {
            return (IssueSeverity.Warning, "invariant", $"Invariant {key} could not be evaluated: {e.Message}");
        }
        return ok ? null : Failed(c.Constraint);
    }

    /// <summary>Evaluates one constraint on a node, exactly as validation does (for tests and tools).</summary>
    internal IEnumerable<(IssueSeverity, string, string)> EvaluateOne(ConstraintInfo constraint, ElementNode node, EvaluationEnvironment env) =>
        Check(new Applied(Compile(constraint)), node, env) is { } issue ? [issue] : [];

    /// <summary>The constraints validation applies to the node, with their native form (for tests).</summary>
    internal IEnumerable<(ConstraintInfo Constraint, NativeInvariant? Native)> Applying(ElementNode node) =>
        node.Definition is { } def
            ? _byElement.GetOrAdd((def, node.TypeName), _build ??= Build).Select(a => (a.Compiled.Constraint, a.Compiled.Native))
            : [];

    /// <summary>Evaluates one constraint with FHIRPath only, bypassing its native form (for tests).</summary>
    internal static bool EvaluateWithFhirPath(ConstraintInfo constraint, ElementNode node, EvaluationEnvironment env) =>
        IsTrue(FhirPathEngine.Compile(constraint.Expression!).Evaluate(node, env));

    private static (IssueSeverity, string, string) Failed(ConstraintInfo c) =>
        (c.Severity == "error" ? IssueSeverity.Error : IssueSeverity.Warning, "invariant", $"Constraint failed: {c.Key}: {c.Human}");

    private static bool HasNamedChild(ElementNode node, HashSet<string> names)
    {
        foreach (var child in node.ChildList)
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
