using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.FhirPath;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.Validation;

/// <summary>
/// One validation: walks the resource once. At each object it checks the raw JSON properties
/// (names, duplicates, arrays, nulls, cardinality), then each typed child node
/// (primitive values, nested objects and resources, bindings, invariants). When the run owns the tree
/// (<paramref name="ownsTree"/>), the subtree of each validated Bundle entry resource is released at once.
/// </summary>
internal sealed class ValidationRun(FhirValidator validator, bool ownsTree)
{
    internal sealed class TooManyIssues : Exception;

    private readonly FhirDefinitions _defs = validator.Definitions;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public OperationOutcome Outcome { get; } = new();

    private int _errors, _others;

    private void Report(IssueSeverity severity, string code, string message, string? location)
    {
        if (severity is IssueSeverity.Error or IssueSeverity.Fatal)
        {
            Outcome.Add(severity, code, message, location);
            if (++_errors >= FhirValidator.MaxIssues) throw new TooManyIssues();
        }
        else if (++_others <= FhirValidator.MaxIssues) // warnings beyond the cap are dropped, validation goes on
            Outcome.Add(severity, code, message, location);
    }

    private void Error(string code, string message, string? location) => Report(IssueSeverity.Error, code, message, location);

    public void ValidateRoot(ElementNode root)
    {
        if (root.Json is not { ValueKind: JsonValueKind.Object })
        {
            Error("structure", "A resource must be a JSON object", null);
            return;
        }
        ValidateResource(root, contained: false, rootResource: null);
    }

    /// <summary>A resource at the root, in contained, Bundle.entry.resource or Parameters.parameter.resource.</summary>
    private void ValidateResource(ElementNode node, bool contained, ElementNode? rootResource)
    {
        // The location (Bundle.entry[7].resource) is built only when an issue is reported.
        var location = new LazyLocation(node);
        var obj = node.Json!.Value;
        if (!obj.TryGetProperty("resourceType", out var rt))
        {
            Error("structure", "The resource has no resourceType", location);
            return;
        }
        if (rt.ValueKind != JsonValueKind.String)
        {
            Error("structure", "resourceType must be a string", location);
            return;
        }
        var type = rt.GetString()!;
        if (!_defs.IsConcreteResourceType(type) || node.TypeName != type)
        {
            Error("structure", $"Unknown resource type '{PrimitiveChecks.Short(type)}'", location);
            return;
        }
        if (obj.TryGetProperty("contained", out var containedArray))
        {
            if (contained)
                Error("structure", "A contained resource must not contain resources (no nested contained)", location + ".contained");
            else
                ContainedChecks.CheckReferenced(obj, containedArray, node, this);
        }
        if (type == "Bundle" && validator.CheckInvariants) BundleChecks.Check(obj, node, this);
        if (type == "Bundle") PrevalidateEntries(node);
        var env = validator.Invariants.Enabled && validator.CheckInvariants
            ? validator.Invariants.Environment(node, rootResource ?? node) : null;
        ValidateObject(node, env, rootResource ?? node, isResource: true);
        CheckInvariants(node, env);
    }

    /// <summary>The properties and children of a complex element or resource.</summary>
    private void ValidateObject(ElementNode node, EvaluationEnvironment? env, ElementNode rootResource, bool isResource)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        var obj = node.Json!.Value;
        CheckProperties(obj, node.Definition, node.TypeName, node, isResource, primitiveType: null);
        foreach (var child in node.ChildList)
            ValidateChild(child, env, rootResource);
    }

    /// <summary>JSON-level checks of one object: names, duplicates, array shape, nulls, choice use and cardinality.</summary>
    private void CheckProperties(JsonElement obj, ElementInfo? def, string? type, ElementNode owner, bool isResource, string? primitiveType)
    {
        // Locations are built only when an issue is reported.
        var location = new LazyLocation(owner);
        // The properties, collected once: "_x" partners and required elements are found in this list
        // (TryGetProperty scans the object for every call).
        var props = _props;
        props.Clear();
        var anyExt = false;
        foreach (var p in obj.EnumerateObject())
        {
            var n = PropertyNames.Of(p);
            anyExt |= n.Length > 1 && n[0] == '_';
            props.Add((n, p.Value));
        }
        var container = primitiveType is not null ? _defs.ChildContainer(null, primitiveType) : _defs.ChildContainer(def, type);
        if (props.Count > SmallObject)
        {
            _names.Clear();
            foreach (var (n, _) in props) _names.Add(n);
            _namesComplete = _names.Count == props.Count; // no duplicates at all: nothing to look up per property
            _names.Clear();
        }
        var count = 0;
        ElementInfo? choiceSeen = null;
        List<ElementInfo>? choicesSeen = null;
        for (var pi = 0; pi < props.Count; pi++)
        {
            var (name, v) = props[pi];
            if (IsDuplicate(props, pi))
            {
                Error("structure", $"Duplicate property '{name}'", location);
                continue;
            }
            if (isResource && name == "resourceType") continue;
            count++;
            var isExt = name.Length > 1 && name[0] == '_';
            var baseName = isExt ? PropertyNames.Of(name.AsSpan(1)) : name;
            var res = container is null ? null : _defs.ResolveChild(container, null, baseName);
            if (res is null || (primitiveType is not null && baseName == "value"))
            {
                UnknownElement(def, type, baseName, name, location);
                continue;
            }
            var cdef = res.Definition;
            var ctype = res.TypeName;
            var isPrimitive = PrimitiveTypes.IsPrimitive(_defs, ctype);
            if (isExt && !isPrimitive)
            {
                Error("structure", $"'{name}' is only allowed for primitive elements", location + "." + name);
                continue;
            }
            if (cdef.IsChoice)
            {
                // A pair valueString/_valueString is one use; two different types are a misuse.
                if (choiceSeen == cdef || (choicesSeen?.Contains(cdef) ?? false))
                {
                    if (!(anyExt && Find(props, baseName, underscore: !isExt) >= 0))
                        Error("structure", $"Only one type is allowed for the choice element {cdef.Name}[x] ('{baseName}' is a second one)",
                            location + "." + cdef.Name);
                }
                else if (choiceSeen is null) choiceSeen = cdef;
                else (choicesSeen ??= []).Add(cdef);
            }
            var loc = new LazyLocation(owner, cdef, ctype);
            if (isExt && Find(props, baseName, underscore: false) is var primary and >= 0)
            {
                CheckPairedArrays(props[primary].Value, v, cdef, loc);
                continue; // counted with its value
            }
            if (!isExt && isPrimitive && anyExt && Find(props, baseName, underscore: true) is var ext and >= 0)
            {
                CheckShape(v, cdef, loc, props[ext].Value, isPrimitive);
                continue;
            }
            CheckShape(v, cdef, loc, null, isPrimitive);
        }
        if (count == 0 && !isResource)
            Error("structure", "An object must not be empty", location);
        if (container is not null) CheckRequired(props, container, location);
    }

    private readonly List<(string Name, JsonElement Value)> _props = new(16);
    private bool _namesComplete;

    /// <summary>Objects up to this size are checked for duplicate names pairwise (cheaper than hashing every name).</summary>
    private const int SmallObject = 12;

    /// <summary>Whether property <paramref name="index"/> repeats an earlier name (each repetition is reported once, in order).</summary>
    private bool IsDuplicate(List<(string Name, JsonElement Value)> props, int index)
    {
        if (props.Count > SmallObject)
            return !_namesComplete && !_names.Add(props[index].Name);
        var name = props[index].Name;
        for (var i = 0; i < index; i++)
            if (string.Equals(props[i].Name, name, StringComparison.Ordinal)) return true;
        return false;
    }
    private readonly List<(IssueSeverity, string, string)> _invariantIssues = [];

    /// <summary>
    /// The last property named <paramref name="name"/> (or "_" + name), -1 when absent. The last, as
    /// <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/> answers when a name is duplicated.
    /// </summary>
    private static int Find(List<(string Name, JsonElement Value)> props, string name, bool underscore)
    {
        for (var i = props.Count - 1; i >= 0; i--)
        {
            var n = props[i].Name;
            if (underscore
                    ? n.Length == name.Length + 1 && n[0] == '_' && n.AsSpan(1).SequenceEqual(name)
                    : n == name)
                return i;
        }
        return -1;
    }

    private void UnknownElement(ElementInfo? def, string? type, string baseName, string name, LazyLocation location)
    {
        // A known choice element used without (or with a wrong) type suffix gets a precise message.
        var container = _defs.ChildContainer(def, type);
        if (container is not null)
        {
            foreach (var c in container.Children)
            {
                if (!c.IsChoice || !baseName.StartsWith(c.Name, StringComparison.Ordinal)) continue;
                var suffix = baseName[c.Name.Length..];
                if (suffix.Length > 0 && !char.IsUpper(suffix[0])) continue;
                var allowed = string.Join(", ", c.Types.Select(t => t.Name));
                Error("structure", suffix.Length == 0
                    ? $"The choice element '{c.Name}' needs a type suffix ({c.Name}[x]: {allowed})"
                    : $"'{suffix}' is not an allowed type for {c.Name}[x] (allowed: {allowed})", location + "." + name);
                return;
            }
        }
        Error("structure", $"Unknown element '{name}'", location + "." + name);
    }

    /// <summary>Array versus single value, empty arrays, nulls.</summary>
    private void CheckShape(JsonElement v, ElementInfo cdef, LazyLocation loc, JsonElement? ext, bool isPrimitive)
    {
        if (cdef.IsCollection)
        {
            if (v.ValueKind != JsonValueKind.Array)
            {
                Error("structure", $"'{cdef.Name}' repeats (max {MaxText(cdef)}): it must be a JSON array", loc);
                return;
            }
            var n = v.GetArrayLength();
            if (n == 0) { Error("structure", "An array must not be empty (omit the element instead)", loc); return; }
            if (cdef.Max > 1 && n > cdef.Max)
                Error("structure", $"'{cdef.Name}' allows at most {cdef.Max} items, found {n}", loc);
            if (ext is { } e) CheckPairedArrays(v, e, cdef, loc);
            else
            {
                var i = 0;
                foreach (var item in v.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Null)
                        Error("structure", "null is not allowed in an array" + (isPrimitive ? " (unless paired with an extension)" : ""), $"{loc}[{i}]");
                    else if (item.ValueKind == JsonValueKind.Array)
                        Error("structure", "Nested arrays are not allowed", $"{loc}[{i}]");
                    i++;
                }
            }
        }
        else
        {
            if (v.ValueKind == JsonValueKind.Array)
                Error("structure", $"'{cdef.Name}' does not repeat (max 1): it must not be an array", loc);
            else if (v.ValueKind == JsonValueKind.Null)
                Error("structure", "null is not allowed as a value", loc);
            if (ext is { } e && e.ValueKind == JsonValueKind.Array)
                Error("structure", $"'_{cdef.Name}' must not be an array", loc);
        }
    }

    /// <summary>A repeating primitive and its _name array: same length, and no index null in both.</summary>
    private void CheckPairedArrays(JsonElement values, JsonElement exts, ElementInfo cdef, LazyLocation loc)
    {
        if (!cdef.IsCollection)
        {
            if (values.ValueKind == JsonValueKind.Array) Error("structure", $"'{cdef.Name}' does not repeat (max 1): it must not be an array", loc);
            if (exts.ValueKind == JsonValueKind.Array) Error("structure", $"'_{cdef.Name}' must not be an array", loc);
            if (values.ValueKind == JsonValueKind.Null && exts.ValueKind == JsonValueKind.Null) Error("structure", "null is not allowed as a value", loc);
            return;
        }
        if (values.ValueKind != JsonValueKind.Array || exts.ValueKind != JsonValueKind.Array)
        {
            Error("structure", $"'{cdef.Name}' and '_{cdef.Name}' repeat: both must be JSON arrays", loc);
            return;
        }
        var n = values.GetArrayLength();
        if (n != exts.GetArrayLength())
        {
            Error("structure", $"'{cdef.Name}' and '_{cdef.Name}' must have the same number of items", loc);
            return;
        }
        if (n == 0) { Error("structure", "An array must not be empty (omit the element instead)", loc); return; }
        if (cdef.Max > 1 && n > cdef.Max) Error("structure", $"'{cdef.Name}' allows at most {cdef.Max} items, found {n}", loc);
        for (var i = 0; i < n; i++)
            if (values[i].ValueKind == JsonValueKind.Null && exts[i].ValueKind == JsonValueKind.Null)
                Error("structure", "null at the same index of a value and its extension array", $"{loc}[{i}]");
    }

    private void CheckRequired(List<(string Name, JsonElement Value)> props, ElementInfo container, LazyLocation location)
    {
        foreach (var (c, names) in RequiredChildren(container))
        {
            if (Present(props, names)) continue;
            Error("required", $"Missing required element '{c.Name}{(c.IsChoice ? "[x]" : "")}' (min {c.Min})", location + "." + c.Name);
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<ElementInfo, (ElementInfo Child, string[] JsonNames)[]> Required = new();

    /// <summary>The children with min &gt; 0 and their JSON names (precomputed per container; most have none).</summary>
    private static (ElementInfo Child, string[] JsonNames)[] RequiredChildren(ElementInfo container)
    {
        if (Required.TryGetValue(container, out var r)) return r;
        r = container.Children
            .Where(c => c.Min > 0 && !(c.IsXmlAttribute && c.Name == "value"))
            .Select(c => (c, (c.IsChoice ? c.Types.Select(t => c.Name + char.ToUpperInvariant(t.Name[0]) + t.Name[1..]) : [c.Name])
                .SelectMany(n => new[] { n, "_" + n }).ToArray()))
            .ToArray();
        return Required.GetOrAdd(container, r);
    }

    private static bool Present(List<(string Name, JsonElement Value)> props, string[] names)
    {
        foreach (var (n, _) in props)
            if (Array.IndexOf(names, n) >= 0) return true;
        return false;
    }

    private static string MaxText(ElementInfo e) => e.Max < 0 ? "*" : e.Max.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// A location computed only when an issue needs it: the owner's location, or a child's as
    /// <see cref="ElementNode.Location"/> builds it (Observation.value.ofType(Quantity)).
    /// </summary>
    private readonly struct LazyLocation(ElementNode owner, ElementInfo? child = null, string? childType = null)
    {
        public override string ToString()
        {
            if (child is null) return owner.Location;
            var sb = new StringBuilder(owner.Location).Append('.').Append(child.Name);
            if (child.IsChoice) sb.Append(".ofType(").Append(childType).Append(')');
            return sb.ToString();
        }

        public static implicit operator string(LazyLocation l) => l.ToString();
    }

    /// <summary>Checks one typed child node: its value or content, then bindings and invariants.</summary>
    private void ValidateChild(ElementNode child, EvaluationEnvironment? env, ElementNode rootResource)
    {
        var def = child.Definition;
        if (def is null) return; // unknown: reported by CheckProperties
        var type = child.TypeName;
        if (def.IsXhtml || type == "xhtml")
        {
            if (child.Json is { } x) XhtmlChecks.Check(x, child, this);
            return;
        }
        // A resource in contained, Bundle.entry.resource, ...: the node carries the resource's root definition.
        if (IsResourceNode(def, type))
        {
            if (child.Json is not { ValueKind: JsonValueKind.Object })
                return; // shape reported by CheckProperties
            var isContained = child.Name == "contained" && child.Parent?.IsResource == true;
            if (!isContained && _prevalidated is not null && _prevalidated.Remove(child, out var sub))
            {
                // Validated on another core: its issues, replayed here, are exactly those the walk would report now.
                foreach (var i in sub) Report(i.Severity, i.Code, i.Diagnostics, i.Location);
                return;
            }
            ValidateResource(child, isContained, isContained ? rootResource : null);
            if (ownsTree && !isContained) child.ReleaseChildren();
            return;
        }
        if (type is null) return;
        // Element.id (an XML attribute) is a string; only Resource.id has the id type.
        if (type == "id" && def.IsXmlAttribute) type = "string";
        if (PrimitiveTypes.IsPrimitive(_defs, type))
        {
            if (child.Json is { } v && v.ValueKind is not (JsonValueKind.Null or JsonValueKind.Array))
            {
                if (v.ValueKind == JsonValueKind.Object)
                    Error("structure", $"A {type} must be a JSON {(type is "boolean" ? "boolean" : type is "integer" or "decimal" or "positiveInt" or "unsignedInt" ? "number" : "string")}, not an object", child.Location);
                else if (validator.Primitives.Check(type, v) is { } problem)
                    Error(problem.Code, problem.Message, child.Location);
            }
            if (child.PrimitiveExtension is { } pe)
            {
                if (pe.ValueKind == JsonValueKind.Object)
                {
                    CheckProperties(pe, null, null, child, isResource: false, primitiveType: type);
                    foreach (var c in child.ChildList) ValidateChild(c, env, rootResource);
                }
                else if (pe.ValueKind != JsonValueKind.Null)
                    Error("structure", $"'_{child.JsonName}' must be a JSON object", child.Location);
            }
        }
        else
        {
            if (child.Json is not { ValueKind: JsonValueKind.Object })
            {
                if (child.Json is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Array) } bad)
                    Error("structure", $"A {type} must be a JSON object, not {PrimitiveChecks.Describe(bad)}", child.Location);
                return;
            }
            ValidateObject(child, env, rootResource, isResource: false);
        }
        if (validator.CheckBindings && def.Binding is { Strength: "required", ValueSet: { } vs })
            BindingChecks.Check(child, type, vs, validator.Terminology, this);
        CheckInvariants(child, env);
    }

    /// <summary>Entries from which a Bundle's resources are validated in parallel (below it, one core is quicker).</summary>
    internal const int ParallelEntries = 64;

    private Dictionary<ElementNode, List<OutcomeIssue>>? _prevalidated;
    private static readonly List<OutcomeIssue> NoIssues = []; // shared, never modified

    /// <summary>
    /// Validates the entry resources of a large Bundle in parallel, each in a run of its own, before the walk
    /// reaches them (it then replays their issues in document order, so the outcome is the sequential one).
    /// A resource that hits the stack guard on a worker thread is left to the walk.
    /// </summary>
    private void PrevalidateEntries(ElementNode bundle)
    {
        if (!validator.ParallelBundles || Environment.ProcessorCount < 2) return;
        var resources = new List<ElementNode>();
        foreach (var entry in bundle.ChildList)
        {
            if (entry.Name != "entry" || entry.Json is not { ValueKind: JsonValueKind.Object }) continue;
            foreach (var r in entry.ChildList)
                if (r.Name == "resource" && r.Definition is { } d && !d.IsXhtml && r.TypeName != "xhtml" && IsResourceNode(d, r.TypeName) &&
                    r.Json is { ValueKind: JsonValueKind.Object })
                    resources.Add(r);
        }
        if (resources.Count < ParallelEntries) return;
        // Only the issues are kept (most entries have none): a finished run's buffers would live until the replay.
        var runs = new List<OutcomeIssue>?[resources.Count];
        Parallel.For(0, resources.Count, i =>
        {
            var sub = new ValidationRun(validator, ownsTree);
            try
            {
                sub.ValidateResource(resources[i], contained: false, rootResource: null);
                if (ownsTree) resources[i].ReleaseChildren();
            }
            catch (TooManyIssues)
            {
                // Capped: the replay reaches the cap of this run at the latest.
            }
            catch (InsufficientExecutionStackException)
            {
                return;
            }
            runs[i] = sub.Outcome.Issues.Count == 0 ? NoIssues : sub.Outcome.Issues;
        });
        _prevalidated = new Dictionary<ElementNode, List<OutcomeIssue>>(resources.Count, ReferenceEqualityComparer.Instance);
        for (var i = 0; i < runs.Length; i++)
            if (runs[i] is { } run) _prevalidated[resources[i]] = run;
    }

    /// <summary>A resource in contained, Bundle.entry.resource, ...: the node carries the resource's root definition.</summary>
    private bool IsResourceNode(ElementInfo def, string? type) =>
        IsResourceSlot(def) || (type is not null && def.Path.IndexOf('.') < 0 && _defs.IsResourceType(type));

    private static bool IsResourceSlot(ElementInfo def) =>
        def.Types.Count == 1 && def.Types[0].Code is "Resource" or "DomainResource";

    private void CheckInvariants(ElementNode node, EvaluationEnvironment? env)
    {
        if (env is null) return;
        var issues = _invariantIssues;
        issues.Clear();
        validator.Invariants.Evaluate(node, env, issues);
        foreach (var (severity, code, message) in issues)
            Report(severity, code, message, node.Location);
    }

    internal void AddIssue(IssueSeverity severity, string code, string message, string location) =>
        Report(severity, code, message, location);
}
