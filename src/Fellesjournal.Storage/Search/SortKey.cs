namespace Fellesjournal.Storage.Search;

/// <summary>One <c>_sort</c> key: a parameter of the searched type (or <c>_id</c>/<c>_lastUpdated</c>), ascending unless
/// <paramref name="Descending"/>. Resources without a value sort last in both directions.</summary>
public sealed record SortKey(string Param, IndexKind? Kind, bool Descending);

/// <summary><c>_include</c> (forward: the targets of <paramref name="Param"/> of matches of <paramref name="SourceType"/>)
/// or <c>_revinclude</c> (Reverse: resources of SourceType whose Param points to a match). Param "*" = every reference
/// parameter; <paramref name="Iterate"/> applies it to included resources as well.</summary>
public sealed record IncludeSpec(string SourceType, string Param, string? TargetType, bool Reverse, bool Iterate);

/// <summary>The whole plan of one search: the filter, its order and what to include.</summary>
public sealed record SearchPlan(SearchExpr Filter, IReadOnlyList<SortKey> Sort, IReadOnlyList<IncludeSpec> Includes)
{
    /// <summary><c>_containedType=contained</c>: the matches are the contained resources themselves. The filter is then
    /// <c>AllOf(..., X)</c> with X a <see cref="ContainedMatch"/> (<c>_contained=true</c>) or
    /// <c>AnyOf(own criteria, ContainedMatch)</c> (<c>both</c>).</summary>
    public bool ReturnContained { get; init; }
}
