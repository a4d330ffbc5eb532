using Fellesjournal.Storage.Search;

namespace Fellesjournal.Storage;

/// <summary>
/// A search over one resource type (or all types / <see cref="Types"/> when <see cref="ResourceType"/> is null):
/// every criterion must match (AND); within a criterion any value may match (OR). The store turns it into a
/// store-neutral <see cref="SearchPlan"/> (<see cref="SearchExpressionBuilder"/>) and then into one statement per page.
/// </summary>
/// <param name="Sort">Raw <c>_sort</c> keys (<c>-date</c> = descending), in order.</param>
/// <param name="Compartment">Patient id of a compartment search (<c>Patient/123/Observation</c>), or null.</param>
/// <param name="Access">The caller's compartment filter, applied inside the statement; null = no restriction.</param>
/// <param name="Includes"><c>_include</c>/<c>_revinclude</c> (optionally <c>:iterate</c>) as key and value (<c>Observation:subject:Patient</c>).</param>
/// <param name="Types">System-level <c>_type</c>: the types searched when <see cref="ResourceType"/> is null.</param>
/// <param name="EstimateTotal">With <see cref="IncludeTotal"/>: a cheap estimate is enough (<c>_total=estimate</c>).</param>
public sealed record SearchQuery(
    string? ResourceType,
    IReadOnlyList<SearchCriterion> Criteria,
    int Count = 50,
    string? Cursor = null,
    bool IncludeTotal = false,
    IReadOnlyList<string>? Sort = null,
    string? Compartment = null,
    CompartmentAccess? Access = null,
    IReadOnlyList<string>? Types = null,
    IReadOnlyList<KeyValuePair<string, string>>? Includes = null,
    bool EstimateTotal = false)
{
    /// <summary><c>_contained</c>: search resources that are not contained (default), contained ones, or both.</summary>
    public ContainedScope Contained { get; init; }

    /// <summary><c>_containedType=contained</c>: return matching contained resources themselves (their
    /// <see cref="StoredResource.Container"/> set) instead of their containers.</summary>
    public bool ReturnContained { get; init; }

    /// <summary>With <see cref="Contained"/>: the types a container may have (the caller's scopes); null = any.</summary>
    public IReadOnlyList<string>? ContainerTypes { get; init; }
}

/// <summary>The values of <c>_contained</c>.</summary>
public enum ContainedScope { False, True, Both }

/// <param name="Code">Search parameter code (e.g. "identifier", "_id", "_lastUpdated"); for a chain the whole
/// chain before the first modifier ("subject" with modifier "Patient.name", or "subject.name").</param>
/// <param name="Modifier">e.g. "exact", "missing", "not"; null for none.</param>
/// <param name="Values">Raw values as in the URL (already split on unescaped commas).</param>
public sealed record SearchCriterion(string Code, string? Modifier, IReadOnlyList<string> Values)
{
    /// <summary>The parameter name as written in the URL (code and modifiers).</summary>
    public string Key => Modifier is null ? Code : Code + ":" + Modifier;
}

/// <param name="Included">Resources added by _include/_revinclude (search.mode include), without duplicates of matches.</param>
/// <param name="PreviousCursor">The cursor of the page before this one, or null on the first page.</param>
public sealed record SearchPage(IReadOnlyList<StoredResource> Resources, string? NextCursor, long? Total,
    IReadOnlyList<StoredResource>? Included = null, string? PreviousCursor = null)
{
    /// <summary>The cursor of the last page (read backwards from the end of the order).</summary>
    public const string LastPageCursor = "l";
}

/// <summary>A search the store cannot run: unknown parameter, malformed value. Maps to HTTP 400.</summary>
public class SearchException(string message, string? parameter = null) : Exception(message)
{
    public string? Parameter { get; } = parameter;
}

/// <summary>A parameter (or modifier) the store does not know or support, as opposed to a malformed value:
/// servers ignore these under lenient handling and reject them under <c>Prefer: handling=strict</c>.</summary>
public sealed class UnsupportedSearchParameterException(string message, string? parameter = null) : SearchException(message, parameter);
