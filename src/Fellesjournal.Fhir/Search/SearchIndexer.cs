using System.Collections.Concurrent;
using System.Text.Json;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.FhirPath;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.Search;

/// <summary>
/// Extracts typed search-index values from a resource by evaluating the FHIRPath expressions of every
/// search parameter that applies to its type. Expressions are compiled once per parameter; an expression
/// that fails to compile or run is reported through <see cref="ExpressionFailed"/> and skipped, never
/// blocking the write. Thread-safe.
/// </summary>
public sealed class SearchIndexer : ISearchIndexer
{
    private static readonly HashSet<string> Skipped = ["_id", "_lastUpdated", "_text", "_content", "_query", "_filter", "_list", "_has", "_type",
        // Same expression as name; the store searches it on the name rows instead of writing the rows twice.
        "phonetic"];
    private const int MaxCompositeTuples = 32;

    private readonly ConcurrentDictionary<string, TypePlans> _plans = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ElementNode> _resolveStubs = new(StringComparer.Ordinal);
    private readonly EvaluationEnvironment _env;

    public FhirDefinitions Definitions { get; }

    /// <summary>Raised (possibly concurrently) when a parameter's expression fails to compile or evaluate.</summary>
    public event Action<SearchParameterInfo, Exception>? ExpressionFailed;

    public SearchIndexer(FhirDefinitions definitions)
    {
        Definitions = definitions;
        // resolve() in search expressions (subject.where(resolve() is Patient)) only needs the target's type:
        // answer with a stub resource of the type named in the reference instead of reading the store.
        _env = new EvaluationEnvironment { ExternalResolver = ResolveStub };
    }

    private ElementNode? ResolveStub(string reference)
    {
        var r = ReferenceParser.Parse(reference, Definitions);
        if (r?.TargetType is not { } type) return null;
        return _resolveStubs.GetOrAdd(type, t =>
            ElementNode.Parse("{\"resourceType\":" + JsonSerializer.Serialize(t) + "}", Definitions));
    }

    /// <param name="Required">Top-level elements one of which must be present, or null to always evaluate.</param>
    /// <param name="Fast">Child-walking evaluator for plain paths, used instead of <paramref name="Expression"/>.</param>
    private sealed record ParamPlan(SearchParameterInfo Param, CompiledExpression Expression, ComponentPlan[]? Components,
        string[]? Required, SimplePathEvaluator? Fast);

    /// <summary>Use the child-walking fast path for plain path expressions (on by default; off to cross-check).</summary>
    public bool UseFastPaths { get; init; } = true;

    private sealed record ComponentPlan(string Type, CompiledExpression Expression, SimplePathEvaluator? Fast);

    /// <summary>Search values and patient-compartment key of a resource.</summary>
    /// <param name="id">The resource id when it differs from (or is missing in) the JSON.</param>
    public ResourceIndex Extract(ElementNode resource, string? id = null)
    {
        var type = resource.TypeName;
        if (type is null) return ResourceIndex.Empty;
        var values = Values(resource, type, out var hasContained);
        var index = new ResourceIndex(values, PatientKey(type, id ?? resource.Child("id")?.Text, values));
        return hasContained && Contained(resource) is { } contained ? index with { Contained = contained } : index;
    }

    /// <summary>Each contained resource's values, evaluated with the contained resource as the root (its own type's
    /// parameters), as <c>_contained=true</c> searches them. Contained resources hold no contained resources (dom-2).</summary>
    private List<ContainedIndex>? Contained(ElementNode container)
    {
        List<ContainedIndex>? list = null;
        foreach (var c in container.Children("contained"))
        {
            if (c.TypeName is not { } type || !Definitions.IsConcreteResourceType(type)) continue;
            (list ??= []).Add(new ContainedIndex(type, c.Child("id")?.Text, Values(c, type, out _)));
        }
        return list;
    }

    /// <param name="hasContained">Set when the resource has a <c>contained</c> element (noticed while its children are
    /// walked anyway).</param>
    private List<IndexValue> Values(ElementNode resource, string type, out bool hasContained)
    {
        hasContained = false;
        var values = new List<IndexValue>();
        // Most parameters of a type concern elements a given resource does not have: mark the plans that
        // need one of the resource's top-level elements (or always run), then run those in plan order.
        var typePlans = PlansFor(type);
        var plans = typePlans.Plans;
        Span<bool> run = plans.Length <= 512 ? stackalloc bool[plans.Length] : new bool[plans.Length];
        foreach (var i in typePlans.Always) run[i] = true;
        foreach (var c in resource.Children())
        {
            if (typePlans.ByElement.TryGetValue(c.Name, out var needing))
                foreach (var i in needing) run[i] = true;
            if (c.Name == "contained") hasContained = true;
        }
        var produced = new List<IndexValue>();
        for (var p = 0; p < plans.Length; p++)
        {
            if (!run[p]) continue;
            var plan = plans[p];
            IReadOnlyList<object> items;
            try { items = plan.Fast is { } fast ? fast.Evaluate(resource) : plan.Expression.Evaluate(resource, _env); }
            catch (Exception e) { Report(plan.Param, e); continue; }
            if (items.Count == 0) continue;
            produced.Clear();
            if (plan.Components is { } comps)
            {
                foreach (var item in items)
                    if (item is ElementNode n) AddComposites(plan.Param, comps, n, produced);
            }
            else
            {
                foreach (var item in items) Convert(plan.Param.Code, plan.Param.Type, item, produced, Definitions);
                ModifierIndexValues.Add(plan.Param.Code, plan.Param.Type, items, produced);
            }
            // Values carry their parameter code and every plan has its own, so duplicates can only come from
            // the same plan: dedupe within it (few values; no hashing of every value of the resource).
            var start = values.Count;
            foreach (var v in produced)
                if (!Contains(values, start, v)) values.Add(v);
        }
        return values;
    }

    /// <param name="ByElement">Top-level element name → indexes of the plans that need it.</param>
    /// <param name="Always">Plans without required elements.</param>
    private sealed record TypePlans(ParamPlan[] Plans, Dictionary<string, int[]> ByElement, int[] Always);

    private TypePlans PlansFor(string type) =>
        _plans.TryGetValue(type, out var p) ? p : _plans.GetOrAdd(type, BuildPlans(type));

    private TypePlans BuildPlans(string type)
    {
        var plans = BuildParamPlans(type);
        var byElement = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var always = new List<int>();
        for (var i = 0; i < plans.Length; i++)
        {
            if (plans[i].Required is not { } required) { always.Add(i); continue; }
            foreach (var r in required)
            {
                if (!byElement.TryGetValue(r, out var l)) byElement[r] = l = [];
                l.Add(i);
            }
        }
        return new TypePlans(plans, byElement.ToDictionary(x => x.Key, x => x.Value.ToArray(), StringComparer.Ordinal), always.ToArray());
    }

    private static bool Contains(List<IndexValue> values, int start, IndexValue v)
    {
        for (var i = start; i < values.Count; i++)
            if (values[i].Equals(v)) return true;
        return false;
    }

    /// <summary>The compartment key: the Patient's own id, or the first local Patient reference found through
    /// the Patient CompartmentDefinition's parameters for the type.</summary>
    private string? PatientKey(string type, string? id, List<IndexValue> values)
    {
        if (type == "Patient") return id;
        if (!Definitions.PatientCompartment.TryGetValue(type, out var codes) || codes.Count == 0) return null;
        foreach (var code in codes)
            foreach (var v in values)
                if (v is ReferenceIndexValue { TargetType: "Patient", BaseUrl: null } r && r.Param == code)
                    return r.TargetId;
        return null;
    }

    private void AddComposites(SearchParameterInfo sp, ComponentPlan[] comps, ElementNode item, List<IndexValue> output)
    {
        // Evaluate every component's items first: most composites of a type (code-value-quantity,
        // code-value-concept, ...) miss one component on a given resource, and converting the others is wasted.
        var raw = new IReadOnlyList<object>[comps.Length];
        for (var k = 0; k < comps.Length; k++)
        {
            var c = comps[k];
            try { raw[k] = c.Fast is { } fast ? fast.Evaluate(item) : c.Expression.Evaluate(item, _env); }
            catch (Exception e) { Report(sp, e); return; }
            if (raw[k].Count == 0) return;
        }
        var perComponent = new List<List<IndexValue>>(comps.Length);
        for (var k = 0; k < comps.Length; k++)
        {
            var vals = new List<IndexValue>();
            try
            {
                foreach (var x in raw[k]) Convert(sp.Code, comps[k].Type, x, vals, Definitions);
            }
            catch (Exception e) { Report(sp, e); return; }
            vals.RemoveAll(v => v is TokenIndexValue { Code: null }); // text-only tokens cannot be matched in a tuple
            if (vals.Count == 0) return;
            perComponent.Add(vals);
        }
        // Cartesian product of the component values, capped.
        var tuples = new List<IndexValue[]> { new IndexValue[perComponent.Count] };
        for (var k = 0; k < perComponent.Count; k++)
        {
            var next = new List<IndexValue[]>(tuples.Count * perComponent[k].Count);
            foreach (var t in tuples)
                foreach (var v in perComponent[k])
                {
                    if (next.Count == MaxCompositeTuples) break;
                    var copy = (IndexValue[])t.Clone();
                    copy[k] = v;
                    next.Add(copy);
                }
            tuples = next;
        }
        foreach (var t in tuples) output.Add(new CompositeIndexValue(sp.Code, t));
    }

    private void Report(SearchParameterInfo sp, Exception e) => ExpressionFailed?.Invoke(sp, e);

    private ParamPlan[] BuildParamPlans(string t)
    {
        var list = new List<ParamPlan>();
        foreach (var sp in Definitions.SearchParametersFor(t).Values)
        {
            if (Skipped.Contains(sp.Code) || sp.Type == "special" || string.IsNullOrEmpty(sp.Expression)) continue;
            var pruned = ExpressionPruner.ForType(sp.Expression, t, Definitions.IsResourceType);
            if (pruned is null) continue;
            var expr = TryCompile(sp, pruned);
            if (expr is null) continue;
            ComponentPlan[]? comps = null;
            if (sp.Type == "composite")
            {
                comps = new ComponentPlan[sp.Components.Count];
                for (var i = 0; i < comps.Length; i++)
                {
                    var c = sp.Components[i];
                    var cType = Definitions.GetSearchParameterByUrl(c.Definition)?.Type;
                    var cExpr = cType is null ? null : TryCompile(sp, c.Expression);
                    if (cExpr is null) { comps = null; break; }
                    comps[i] = new ComponentPlan(cType!, cExpr,
                        UseFastPaths ? SimplePathEvaluator.TryCreate(c.Expression, null, Definitions) : null);
                }
                if (comps is null || comps.Length == 0) continue;
            }
            list.Add(new ParamPlan(sp, expr, comps, ExpressionPruner.RequiredElements(pruned, t)?.ToArray(),
                UseFastPaths ? SimplePathEvaluator.TryCreate(pruned, t, Definitions) : null));
        }
        return list.ToArray();
    }

    private CompiledExpression? TryCompile(SearchParameterInfo sp, string expression)
    {
        try { return FhirPathEngine.Compile(expression); }
        catch (Exception e) { Report(sp, e); return null; }
    }

    // ---- conversion of FHIRPath results to index values ----

    /// <summary>Converts one FHIRPath result item (an <see cref="ElementNode"/> or a System value) into index
    /// values of the parameter type <paramref name="spType"/>.</summary>
    public static void Convert(string param, string spType, object item, List<IndexValue> output, FhirDefinitions defs)
    {
        switch (spType)
        {
            case "string": Strings(param, item, output); break;
            case "token": Tokens(param, item, output); break;
            case "date": Dates(param, item, output); break;
            case "number": Numbers(param, item, output); break;
            case "quantity": Quantities(param, item, output); break;
            case "reference": References(param, item, output, defs); break;
            case "uri":
                if (TextOf(item) is { Length: > 0 } u) output.Add(new UriIndexValue(param, u));
                break;
        }
    }

    private static string? TextOf(object item) => item switch
    {
        ElementNode n => n.IsPrimitive ? n.Text : null,
        string s => s,
        bool b => b ? "true" : "false",
        int or long or decimal => System.Convert.ToString(item, System.Globalization.CultureInfo.InvariantCulture),
        PartialDateTime or PartialTime => item.ToString(),
        _ => null,
    };

    private static string? ChildText(ElementNode n, string name) => n.Child(name)?.Text;

    private static void AddString(string param, string? text, List<IndexValue> output)
    {
        if (string.IsNullOrWhiteSpace(text)) return;
        output.Add(new StringIndexValue(param, StringNormalizer.Normalize(text), text));
    }

    private static readonly string[] NameParts = ["text", "family", "given", "prefix", "suffix"];
    private static readonly string[] AddressParts = ["text", "line", "city", "district", "state", "postalCode", "country"];

    /// <summary>The parts in the order given, each part's values in document order.</summary>
    private static void AddParts(string param, ElementNode n, string[] parts, List<IndexValue> output)
    {
        var children = n.Children();
        foreach (var part in parts)
            foreach (var c in children)
                if (c.Name == part) AddString(param, c.Text, output);
    }

    private static void Strings(string param, object item, List<IndexValue> output)
    {
        if (item is not ElementNode n) { AddString(param, TextOf(item), output); return; }
        switch (n.TypeName)
        {
            case "HumanName":
                AddParts(param, n, NameParts, output);
                break;
            case "Address":
                AddParts(param, n, AddressParts, output);
                break;
            default:
                if (n.IsPrimitive) AddString(param, n.Text, output);
                break;
        }
    }

    private static string? Norm(string? s) => string.IsNullOrWhiteSpace(s) ? null : StringNormalizer.Normalize(s);

    private static void Tokens(string param, object item, List<IndexValue> output)
    {
        if (item is not ElementNode n)
        {
            if (TextOf(item) is { Length: > 0 } t) output.Add(new TokenIndexValue(param, null, t));
            return;
        }
        switch (n.TypeName)
        {
            case "Identifier":
            {
                var value = ChildText(n, "value");
                var typeText = n.Child("type")?.Child("text")?.Text;
                if (value is not null || typeText is not null)
                    output.Add(new TokenIndexValue(param, ChildText(n, "system"), value, Norm(typeText)));
                break;
            }
            case "Coding":
                AddCoding(param, n, output);
                break;
            case "CodeableConcept":
            {
                var start = output.Count;
                foreach (var c in n.Children("coding")) AddCoding(param, c, output);
                // The text gets a row of its own only when no coding already carries it as display.
                if (Norm(ChildText(n, "text")) is { } text && !HasText(output, start, text))
                    output.Add(new TokenIndexValue(param, null, null, text));
                break;
            }
            case "ContactPoint":
                if (ChildText(n, "value") is { } cp) output.Add(new TokenIndexValue(param, ChildText(n, "system"), cp));
                break;
            default:
                if (n.IsPrimitive && n.Text is { Length: > 0 } code) output.Add(new TokenIndexValue(param, null, code));
                break;
        }
    }

    private static bool HasText(List<IndexValue> output, int start, string text)
    {
        for (var i = start; i < output.Count; i++)
            if (output[i] is TokenIndexValue t && t.Text == text) return true;
        return false;
    }

    private static void AddCoding(string param, ElementNode coding, List<IndexValue> output)
    {
        var code = ChildText(coding, "code");
        var display = Norm(ChildText(coding, "display"));
        if (code is null && display is null) return;
        output.Add(new TokenIndexValue(param, ChildText(coding, "system"), code, display));
    }

    private static void Dates(string param, object item, List<IndexValue> output)
    {
        switch (item)
        {
            case PartialDateTime d:
                output.Add(new DateIndexValue(param, d.LowerBound, d.UpperBoundExclusive));
                break;
            case ElementNode n when n.IsPrimitive:
                if (n.Value is PartialDateTime pd) output.Add(new DateIndexValue(param, pd.LowerBound, pd.UpperBoundExclusive));
                break;
            case ElementNode { TypeName: "Period" } n:
                AddPeriod(param, n, output);
                break;
            case ElementNode { TypeName: "Timing" } n:
                foreach (var e in n.Children("event"))
                    if (e.Value is PartialDateTime ev) output.Add(new DateIndexValue(param, ev.LowerBound, ev.UpperBoundExclusive));
                if (n.Child("repeat")?.Child("bounds") is { TypeName: "Period" } bounds) AddPeriod(param, bounds, output);
                break;
        }
    }

    private static void AddPeriod(string param, ElementNode period, List<IndexValue> output)
    {
        var start = period.Child("start")?.Value as PartialDateTime?;
        var end = period.Child("end")?.Value as PartialDateTime?;
        if (start is null && end is null) return;
        output.Add(new DateIndexValue(param, start?.LowerBound ?? DateTimeOffset.MinValue,
            end?.UpperBoundExclusive ?? DateTimeOffset.MaxValue));
    }

    private static decimal? DecimalOf(object? v) => v switch
    {
        decimal d => d,
        int i => i,
        long l => l,
        _ => null,
    };

    private static void Numbers(string param, object item, List<IndexValue> output)
    {
        var v = item is ElementNode n ? DecimalOf(n.Value) : DecimalOf(item);
        if (v is { } d) output.Add(new NumberIndexValue(param, d));
    }

    private static void Quantities(string param, object item, List<IndexValue> output)
    {
        switch (item)
        {
            case Quantity q:
                output.Add(new QuantityIndexValue(param, q.Value, "http://unitsofmeasure.org", q.Unit, q.Unit));
                break;
            case ElementNode { TypeName: "Money" } m:
                if (DecimalOf(m.Child("value")?.Value) is { } mv)
                    output.Add(new QuantityIndexValue(param, mv, "urn:iso:std:iso:4217", ChildText(m, "currency"), ChildText(m, "currency")));
                break;
            case ElementNode { TypeName: "Range" } r:
                // A range is indexed by its bounds.
                foreach (var b in new[] { r.Child("low"), r.Child("high") })
                    if (b is not null) Quantities(param, b, output);
                break;
            case ElementNode n when !n.IsPrimitive:
                if (DecimalOf(n.Child("value")?.Value) is { } v)
                    output.Add(new QuantityIndexValue(param, v, ChildText(n, "system"), ChildText(n, "code"), ChildText(n, "unit")));
                break;
        }
    }

    private static void References(string param, object item, List<IndexValue> output, FhirDefinitions defs)
    {
        string? reference = item switch
        {
            ElementNode { TypeName: "Reference" } n => ChildText(n, "reference"),
            ElementNode { IsPrimitive: true } n => n.Text, // canonical, uri
            string s => s,
            _ => null,
        };
        if (ReferenceParser.Parse(reference, defs, param) is { } r) output.Add(r);
    }
}
