namespace Fellesjournal.Fhir.Definitions;

/// <summary>One resource or data type of FHIR R4, reduced to what the engine needs.</summary>
public sealed class StructureInfo
{
    public required string Name { get; init; }
    public required string Url { get; init; }
    /// <summary>primitive-type, complex-type, resource or logical.</summary>
    public required string Kind { get; init; }
    public bool IsAbstract { get; init; }
    /// <summary>Name of the base type (e.g. DomainResource), null for Base/Element roots.</summary>
    public string? BaseName { get; init; }
    /// <summary>The root element (path = Name); its <see cref="ElementInfo.Children"/> are the top-level elements.</summary>
    public required ElementInfo Root { get; init; }
    /// <summary>All elements of the snapshot by path (e.g. "Observation.referenceRange.low").</summary>
    public required IReadOnlyDictionary<string, ElementInfo> ElementsByPath { get; init; }
    /// <summary>For primitive types: the regex of the value (from the definitions), if any.</summary>
    public string? PrimitiveRegex { get; init; }

    public bool IsResource => Kind == "resource";
    public bool IsPrimitive => Kind == "primitive-type";
    public override string ToString() => Name;
}

/// <summary>One element definition of a snapshot.</summary>
public sealed class ElementInfo
{
    /// <summary>Full path as in the definition, e.g. "Observation.value[x]".</summary>
    public required string Path { get; init; }
    /// <summary>Element name without the [x] suffix, e.g. "value".</summary>
    public required string Name { get; init; }
    public bool IsChoice { get; init; }
    public int Min { get; init; }
    /// <summary>Maximum cardinality; -1 for "*".</summary>
    public int Max { get; init; }
    public bool IsCollection => Max == -1 || Max > 1;
    public IReadOnlyList<TypeRef> Types { get; init; } = [];
    /// <summary>"#Observation.referenceRange" style reference to another element's content.</summary>
    public string? ContentReference { get; init; }
    public BindingInfo? Binding { get; init; }
    public IReadOnlyList<ConstraintInfo> Constraints { get; init; } = [];
    public bool IsSummary { get; init; }
    public bool IsModifier { get; init; }
    /// <summary>Represented as an XML attribute (id, url, value of primitives).</summary>
    public bool IsXmlAttribute { get; init; }
    /// <summary>Narrative xhtml (Narrative.div).</summary>
    public bool IsXhtml { get; init; }
    /// <summary>Fixed or pattern value as raw JSON text, when the definition has one.</summary>
    public string? FixedJson { get; init; }

    /// <summary>Child elements defined inline (backbone elements and the root); empty for elements typed by a data type.</summary>
    public IReadOnlyList<ElementInfo> Children { get; internal set; } = [];
    internal Dictionary<string, ElementInfo> ChildByName { get; set; } = new(StringComparer.Ordinal);
    /// <summary>The element a content reference points to (resolved after loading).</summary>
    public ElementInfo? ContentReferenceTarget { get; internal set; }

    public ElementInfo? Child(string name) => ChildByName.GetValueOrDefault(name);
    internal Dictionary<string, ChildResolution>? JsonNames { get; set; }
    public override string ToString() => Path;
}

public sealed record TypeRef(string Code, IReadOnlyList<string> TargetProfiles, IReadOnlyList<string> Profiles)
{
    /// <summary>The FHIR type name: System types ("http://hl7.org/fhirpath/System.String") map to their FHIR spelling ("string").</summary>
    public string Name => Code.StartsWith("http://hl7.org/fhirpath/System.", StringComparison.Ordinal)
        ? SystemTypeToFhir(Code["http://hl7.org/fhirpath/System.".Length..])
        : Code;

    /// <summary>True for the special types of id/url/value attributes.</summary>
    public bool IsSystemType => Code.StartsWith("http://hl7.org/fhirpath/System.", StringComparison.Ordinal);

    private static string SystemTypeToFhir(string t) => t switch
    {
        "String" => "string",
        "Boolean" => "boolean",
        "Integer" => "integer",
        "Decimal" => "decimal",
        "Date" => "date",
        "DateTime" => "dateTime",
        "Time" => "time",
        _ => t,
    };
}

public sealed record BindingInfo(string Strength, string? ValueSet);

public sealed record ConstraintInfo(string Key, string Severity, string Human, string? Expression, string? Source);
