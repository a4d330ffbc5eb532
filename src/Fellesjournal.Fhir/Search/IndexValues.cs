namespace Fellesjournal.Fhir.Search;

/// <summary>One typed search-index value of a resource, for one search parameter.</summary>
public abstract record IndexValue(string Param);

/// <summary>string: <see cref="Normalized"/> is lower-case without accents (for the default and :contains
/// searches); <see cref="Exact"/> is the text as written (for :exact).</summary>
public sealed record StringIndexValue(string Param, string Normalized, string Exact) : IndexValue(Param);

/// <summary>token: system and code, and the display/text for :text (normalized).</summary>
public sealed record TokenIndexValue(string Param, string? System, string? Code, string? Text = null) : IndexValue(Param);

/// <summary>date: the range the value covers, <see cref="High"/> exclusive; open ends are Min/MaxValue.</summary>
public sealed record DateIndexValue(string Param, DateTimeOffset Low, DateTimeOffset High) : IndexValue(Param);

public sealed record NumberIndexValue(string Param, decimal Value) : IndexValue(Param);

public sealed record QuantityIndexValue(string Param, decimal Value, string? System, string? Code, string? Unit) : IndexValue(Param);

/// <summary>reference: <see cref="BaseUrl"/> is set for absolute references (without the trailing type/id);
/// <see cref="TargetType"/> is null for a reference that is only a URL/URN (then <see cref="TargetId"/> holds it).</summary>
public sealed record ReferenceIndexValue(string Param, string? TargetType, string TargetId, string? BaseUrl = null) : IndexValue(Param);

public sealed record UriIndexValue(string Param, string Uri) : IndexValue(Param);

/// <summary>composite: one tuple, its components in the order of the parameter's components.</summary>
public sealed record CompositeIndexValue(string Param, IReadOnlyList<IndexValue> Components) : IndexValue(Param)
{
    // Structural equality over the components (a list compares by reference otherwise): dedupe and tests rely on it.
    public bool Equals(CompositeIndexValue? other) =>
        other is not null && Param == other.Param && Components.SequenceEqual(other.Components);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Param);
        foreach (var c in Components) h.Add(c);
        return h.ToHashCode();
    }

    public override string ToString() => $"CompositeIndexValue {{ Param = {Param}, Components = [{string.Join(", ", Components)}] }}";
}

/// <summary>What the indexer extracted from a resource.</summary>
/// <param name="PatientId">The id of the Patient the resource belongs to (the compartment key), or null.</param>
public sealed record ResourceIndex(IReadOnlyList<IndexValue> Values, string? PatientId)
{
    /// <summary>Narrative and string text for the full-text index (set by the store's write preparation).</summary>
    public FullText? Text { get; init; }

    /// <summary>The search values of each contained resource, in the order of <c>contained</c>; null when the resource
    /// contains none (the common case costs nothing).</summary>
    public IReadOnlyList<ContainedIndex>? Contained { get; init; }

    public static readonly ResourceIndex Empty = new([], null);
}

/// <summary>What the indexer extracted from one contained resource: its type, its local id (null when it has none)
/// and its values. Contained resources have no compartment key of their own: they share their container's.</summary>
public sealed record ContainedIndex(string Type, string? Id, IReadOnlyList<IndexValue> Values);
