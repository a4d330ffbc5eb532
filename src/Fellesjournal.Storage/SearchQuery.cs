namespace Fellesjournal.Storage;

/// <summary>
/// A search over one resource type (or all types when <see cref="ResourceType"/> is null):
/// every criterion must match (AND); within a criterion any value may match (OR).
/// The search issue grows this into a full expression tree (chaining, _has, modifiers, sorting).
/// </summary>
public sealed record SearchQuery(
    string? ResourceType,
    IReadOnlyList<SearchCriterion> Criteria,
    int Count = 50,
    string? Cursor = null,
    bool IncludeTotal = false);

/// <param name="Code">Search parameter code (e.g. "identifier", "_id", "_lastUpdated").</param>
/// <param name="Modifier">e.g. "exact", "missing", "not"; null for none.</param>
/// <param name="Values">Raw values as in the URL (already split on unescaped commas).</param>
public sealed record SearchCriterion(string Code, string? Modifier, IReadOnlyList<string> Values);

public sealed record SearchPage(IReadOnlyList<StoredResource> Resources, string? NextCursor, long? Total);

/// <summary>A search the store cannot run: unknown parameter, malformed value. Maps to HTTP 400.</summary>
public sealed class SearchException(string message, string? parameter = null) : Exception(message)
{
    public string? Parameter { get; } = parameter;
}
