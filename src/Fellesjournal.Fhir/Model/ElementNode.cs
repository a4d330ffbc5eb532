using System.Globalization;
using System.Text;
using System.Text.Json;
using Fellesjournal.Fhir.Definitions;

namespace Fellesjournal.Fhir.Model;

/// <summary>
/// A node of a FHIR resource, read directly over its JSON, that knows its FHIR type and
/// definition. Primitive values and their <c>_name</c> extensions are one node, as in the
/// FHIR data model. Children are materialised on first access and cached; nodes are immutable.
/// </summary>
public sealed class ElementNode
{
    private List<ElementNode>? _children;
    private string? _location;

    public FhirDefinitions Definitions { get; }
    /// <summary>The element name: for choice elements the base name ("value"), for a root resource its type.</summary>
    public string Name { get; }
    /// <summary>The JSON property name ("valueQuantity"); the resource type for a root.</summary>
    public string JsonName { get; }
    /// <summary>The FHIR type of the node ("HumanName", "string", "Patient"); null for an element the definitions do not know.</summary>
    public string? TypeName { get; }
    public ElementInfo? Definition { get; }
    public ElementNode? Parent { get; }
    /// <summary>Index within a JSON array, or -1 when the property is not an array.</summary>
    public int Index { get; }
    /// <summary>The JSON value (object or primitive); null for a primitive that only has a <c>_name</c> part.</summary>
    public JsonElement? Json => _hasJson ? _json : null;
    /// <summary>The <c>_name</c> object of a primitive (id and extension), if any.</summary>
    public JsonElement? PrimitiveExtension => _hasExtension ? _extension : null;

    // Stored unwrapped with two flags: a JsonElement? field takes 24 bytes against 16, and nodes are most of
    // what validation allocates.
    private readonly JsonElement _json, _extension;
    private readonly bool _hasJson, _hasExtension;

    private ElementNode(FhirDefinitions defs, string name, string jsonName, string? typeName, ElementInfo? definition,
        ElementNode? parent, int index, JsonElement? json, JsonElement? primitiveExtension)
    {
        Definitions = defs;
        Name = name;
        JsonName = jsonName;
        TypeName = typeName;
        Definition = definition;
        Parent = parent;
        Index = index;
        _hasJson = json.HasValue;
        _json = json.GetValueOrDefault();
        _hasExtension = primitiveExtension.HasValue;
        _extension = primitiveExtension.GetValueOrDefault();
    }

    /// <summary>A resource (or any JSON object with <c>resourceType</c>) as a root node.</summary>
    public static ElementNode FromJson(JsonElement resource, FhirDefinitions? defs = null)
    {
        defs ??= FhirDefinitions.Default;
        var type = ResourceTypeOf(resource);
        var sd = type is null ? null : defs.GetStructure(type);
        return new ElementNode(defs, type ?? "Resource", type ?? "Resource", sd?.IsResource == true ? type : null,
            sd?.Root, null, -1, resource, null);
    }

    /// <summary>A value of a given FHIR type (e.g. a HumanName object) as a root node.</summary>
    public static ElementNode FromJson(JsonElement value, string typeName, FhirDefinitions? defs = null)
    {
        defs ??= FhirDefinitions.Default;
        if (typeName == "Resource" || defs.IsResourceType(typeName)) return FromJson(value, defs);
        return new ElementNode(defs, typeName, typeName, typeName, defs.GetStructure(typeName)?.Root, null, -1, value, null);
    }

    /// <summary>Parses JSON text into a root node. The document lives as long as the node.</summary>
    public static ElementNode Parse(string json, FhirDefinitions? defs = null) =>
        FromJson(JsonDocument.Parse(json, FhirJson.DocumentOptions).RootElement, defs);

    public static ElementNode Parse(ReadOnlyMemory<byte> json, FhirDefinitions? defs = null) =>
        FromJson(JsonDocument.Parse(json, FhirJson.DocumentOptions).RootElement, defs);

    public bool IsResource => TypeName is not null && Json is { ValueKind: JsonValueKind.Object } &&
                              Definitions.GetStructure(TypeName)?.IsResource == true;

    public bool IsPrimitive => TypeName is not null && (PrimitiveTypes.IsPrimitive(Definitions, TypeName) || TypeName == "xhtml");

    /// <summary>True when a primitive node carries a value (not only extensions).</summary>
    public bool HasValue => Json is { } j && j.ValueKind is JsonValueKind.String or JsonValueKind.Number
        or JsonValueKind.True or JsonValueKind.False;

    /// <summary>
    /// The FHIRPath location of the node: <c>Patient.name[0].given[1]</c>,
    /// <c>Observation.value.ofType(Quantity)</c> for a choice element.
    /// </summary>
    public string Location => _location ??= BuildLocation();

    private string BuildLocation()
    {
        if (Parent is null) return Name;
        var sb = new StringBuilder(Parent.Location).Append('.').Append(Name);
        if (Definition?.IsChoice == true) sb.Append(".ofType(").Append(TypeName).Append(')');
        if (Index >= 0) sb.Append('[').Append(Index).Append(']');
        return sb.ToString();
    }

    /// <summary>The primitive value as text: a JSON string's value, or the literal of a number or boolean.</summary>
    public string? Text => Volatile.Read(ref _textDone) ? _text : CacheText();

    // Text and Value are computed once per node: search extraction reads the same primitives for several
    // parameters, and JsonElement.GetString() / date parsing allocate on every call. Both are immutable.
    private string? _text;
    private bool _textDone;
    private object? _value;
    private bool _valueDone;

    private string? CacheText()
    {
        var t = ComputeText();
        _text = t;
        Volatile.Write(ref _textDone, true); // nodes may be shared across threads (resolve stubs): publish after the value
        return t;
    }

    private string? ComputeText() => Json is { } j
        ? j.ValueKind switch
        {
            JsonValueKind.String => j.GetString(),
            JsonValueKind.Number => j.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        }
        : null;

    /// <summary>
    /// The primitive value in its natural .NET form: string, bool, int, long, decimal (scale kept: 1.50 stays 1.50),
    /// or a <see cref="PartialDateTime"/>/<see cref="PartialTime"/> for temporal types. Null when there is none or it is malformed.
    /// </summary>
    public object? Value
    {
        get
        {
            if (Volatile.Read(ref _valueDone)) return _value;
            var v = HasValue ? PrimitiveValues.Parse(TypeName, Json!.Value) : null;
            _value = v;
            Volatile.Write(ref _valueDone, true);
            return v;
        }
    }

    /// <summary>All child nodes in document order (never resourceType).</summary>
    public IReadOnlyList<ElementNode> Children() => ChildList;

    // The concrete list: foreach over it needs no enumerator allocation.
    internal List<ElementNode> ChildList => _children ??= BuildChildren();

    /// <summary>Child nodes with the given element name (choice elements answer to their base name).</summary>
    public IEnumerable<ElementNode> Children(string name)
    {
        foreach (var c in ChildList)
            if (c.Name == name) yield return c;
    }

    /// <summary>The first child with the given name, or null.</summary>
    public ElementNode? Child(string name)
    {
        foreach (var c in ChildList)
            if (c.Name == name) return c;
        return null;
    }

    /// <summary>All descendants, depth-first.</summary>
    public IEnumerable<ElementNode> Descendants()
    {
        foreach (var c in ChildList)
        {
            yield return c;
            foreach (var d in c.Descendants()) yield return d;
        }
    }

    /// <summary>The nearest enclosing resource (the node itself when it is one).</summary>
    public ElementNode? Resource
    {
        get
        {
            for (var n = this; n is not null; n = n.Parent)
                if (n.IsResource) return n;
            return null;
        }
    }

    private static readonly List<ElementNode> NoChildren = [];

    /// <summary>
    /// Drops the cached children (they are rebuilt, equal, on the next access). For the owner of a large tree
    /// that is done with a part of it: a 1,000-entry Bundle's validated entries would otherwise stay alive to
    /// the end, and every garbage collection in between copies them. Not for trees other threads may read.
    /// </summary>
    internal void ReleaseChildren() => _children = null;

    private List<ElementNode> BuildChildren()
    {
        // Primitives: children come only from the _name object (id, extension).
        if (IsPrimitive || Json is not { ValueKind: JsonValueKind.Object } obj)
        {
            if (PrimitiveExtension is not { ValueKind: JsonValueKind.Object } pe) return NoChildren; // shared: never modified
            var ext = new List<ElementNode>();
            AddObjectChildren(pe, TypeName ?? "Element", ext, primitiveParent: true);
            return ext;
        }
        var list = new List<ElementNode>();
        AddObjectChildren(obj, TypeName, list, primitiveParent: false);
        return list;
    }

    private void AddObjectChildren(JsonElement obj, string? ownType, List<ElementNode> list, bool primitiveParent)
    {
        // One pass over the properties. "x" and "_x" are merged so that a primitive and its extensions are one
        // node; they are paired over the collected names because TryGetProperty scans the whole object.
        // Reused per thread: this method never re-enters (children of children are built lazily, later).
        var props = _propsBuffer ??= new List<(string Name, JsonElement Value)>(16);
        props.Clear();
        var anyExt = false;
        foreach (var prop in obj.EnumerateObject())
        {
            var pn = PropertyNames.Of(prop);
            anyExt |= pn.Length > 1 && pn[0] == '_';
            props.Add((pn, prop.Value));
        }
        if (list.Count == 0) list.Capacity = props.Count;
        // Resolved once for all properties (ResolveChild on the container itself finds the same definitions).
        var container = Definitions.ChildContainer(primitiveParent ? null : Definition, ownType);
        for (var p = 0; p < props.Count; p++)
        {
            var pname = props[p].Name;
            if (pname == "resourceType" && !primitiveParent) continue;
            JsonElement? value = props[p].Value, ext = null;
            string jsonName = pname;
            if (anyExt)
            {
                if (pname.Length > 1 && pname[0] == '_')
                {
                    jsonName = PropertyNames.Of(pname.AsSpan(1));
                    if (IndexOfName(props, jsonName, underscore: false) >= 0) continue; // handled with its value
                    value = null;
                    ext = props[p].Value;
                }
                else if (IndexOfName(props, pname, underscore: true) is var e and >= 0)
                {
                    ext = props[e].Value;
                }
            }
            var res = container is null ? null : Definitions.ResolveChild(container, null, jsonName);
            var name = res?.Definition.Name ?? jsonName;
            var type = res?.TypeName;
            var def = res?.Definition;
            var isArray = (value ?? ext)!.Value.ValueKind == JsonValueKind.Array;
            if (!isArray)
            {
                list.Add(MakeChild(name, jsonName, type, def, -1, value, ext));
                continue;
            }
            // Enumerate both arrays in step: indexing a JsonElement array of objects is linear per access.
            var hasV = value is { ValueKind: JsonValueKind.Array };
            var hasX = ext is { ValueKind: JsonValueKind.Array };
            var ve = hasV ? value!.Value.EnumerateArray() : default;
            var xe = hasX ? ext!.Value.EnumerateArray() : default;
            for (var i = 0; ; i++)
            {
                var gotV = hasV && ve.MoveNext();
                var gotX = hasX && xe.MoveNext();
                if (!gotV && !gotX) break;
                JsonElement? v = gotV && ve.Current.ValueKind != JsonValueKind.Null ? ve.Current : null;
                JsonElement? x = gotX && xe.Current.ValueKind != JsonValueKind.Null ? xe.Current : null;
                if (v is null && x is null) continue; // a null placeholder paired with the other array
                list.Add(MakeChild(name, jsonName, type, def, i, v, x));
            }
        }
        if (props.Capacity > 256) _propsBuffer = null; // do not keep a hostile object's size alive
    }

    [ThreadStatic] private static List<(string Name, JsonElement Value)>? _propsBuffer;

    /// <summary>Index of the property named <paramref name="name"/> (or "_" + name), -1 when absent.</summary>
    private static int IndexOfName(List<(string Name, JsonElement Value)> props, string name, bool underscore)
    {
        for (var i = 0; i < props.Count; i++)
        {
            var n = props[i].Name;
            if (underscore
                    ? n.Length == name.Length + 1 && n[0] == '_' && n.AsSpan(1).SequenceEqual(name)
                    : n == name)
                return i;
        }
        return -1;
    }

    private ElementNode MakeChild(string name, string jsonName, string? type, ElementInfo? def, int index,
        JsonElement? value, JsonElement? ext)
    {
        // Contained resources, Bundle.entry.resource, Parameters.parameter.resource: type from resourceType.
        if (type is "Resource" or "DomainResource" && value is { ValueKind: JsonValueKind.Object } v)
        {
            var rt = ResourceTypeOf(v);
            var sd = rt is null ? null : Definitions.GetStructure(rt);
            if (sd is { IsResource: true })
                return new ElementNode(Definitions, name, jsonName, rt, sd.Root, this, index, value, ext);
            return new ElementNode(Definitions, name, jsonName, null, def, this, index, value, ext);
        }
        return new ElementNode(Definitions, name, jsonName, type, def, this, index, value, ext);
    }

    private static string? ResourceTypeOf(JsonElement obj) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty("resourceType", out var rt) &&
        rt.ValueKind == JsonValueKind.String ? rt.GetString() : null;

    public override string ToString() => HasValue ? $"{Location} = {Text}" : Location;
}
