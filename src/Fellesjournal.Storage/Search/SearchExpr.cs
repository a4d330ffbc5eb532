namespace Fellesjournal.Storage.Search;

/// <summary>
/// The store-neutral search expression tree. A <see cref="SearchQuery"/> becomes one of these (see
/// <see cref="SearchExpressionBuilder"/>); each store translates it to its own SQL (SQLite in
/// <c>Sqlite/SqliteSearchTranslator</c>, PostgreSQL in its project). Nodes describe *what* must hold of a
/// current, non-deleted resource version ("the row"); they carry parsed, typed values and no SQL.
/// Index rows are keyed by (resource type, parameter code) as written by the SearchIndexer.
/// </summary>
public abstract record SearchExpr;

/// <summary>Every item holds (an empty list is true).</summary>
public sealed record AllOf(IReadOnlyList<SearchExpr> Items) : SearchExpr;

/// <summary>At least one item holds (an empty list is false).</summary>
public sealed record AnyOf(IReadOnlyList<SearchExpr> Items) : SearchExpr;

public sealed record NotExpr(SearchExpr Inner) : SearchExpr;

/// <summary>The row's resource type is one of <paramref name="Types"/>.</summary>
public sealed record TypeIn(IReadOnlyList<string> Types) : SearchExpr;

/// <summary>The row's logical id is one of <paramref name="Ids"/>.</summary>
public sealed record IdIn(IReadOnlyList<string> Ids) : SearchExpr;

/// <summary>meta.lastUpdated (a point in time) compared with the search range [Low, High) by <paramref name="Prefix"/>.</summary>
public sealed record LastUpdatedMatch(SearchPrefix Prefix, DateTimeOffset Low, DateTimeOffset High) : SearchExpr;

/// <summary>The row belongs to the compartment of Patient <paramref name="PatientId"/> (the stored compartment key),
/// or is the Patient itself.</summary>
public sealed record InPatientCompartment(string PatientId) : SearchExpr;

/// <summary>The row has at least one index value for (<paramref name="ResourceType"/>, <paramref name="Param"/>)
/// that satisfies <paramref name="Condition"/>. The condition's kind names the index table.</summary>
public sealed record ParamMatch(string ResourceType, string Param, ValueCondition Condition) : SearchExpr;

/// <summary>The row has any index value for the parameter (<c>:missing=false</c>; wrap in <see cref="NotExpr"/> for true).</summary>
public sealed record ParamPresent(string ResourceType, string Param, IndexKind Kind) : SearchExpr;

/// <summary>Chaining (<c>subject:Patient.name=x</c>): the row's reference parameter points to a local resource of one of
/// <paramref name="TargetTypes"/> that satisfies <paramref name="Target"/> (evaluated on the target's row).</summary>
public sealed record ChainMatch(string ResourceType, string Param, IReadOnlyList<string> TargetTypes, SearchExpr Target) : SearchExpr;

/// <summary>Reverse chaining (<c>_has:Observation:subject:code=x</c>): some current resource of <paramref name="SourceType"/>
/// whose reference parameter <paramref name="SourceParam"/> points (locally) to the row satisfies <paramref name="Source"/>.
/// <paramref name="TargetType"/> is the row's type when known (lets the store use an uncorrelated subquery).</summary>
public sealed record HasMatch(string SourceType, string SourceParam, string? TargetType, SearchExpr Source) : SearchExpr;

/// <summary>Full-text (<c>_text</c>/<c>_content</c>): every term occurs in the row's narrative (Narrative) or any string (Content).</summary>
public sealed record TextMatch(bool NarrativeOnly, IReadOnlyList<string> NormalizedTerms) : SearchExpr;

/// <summary>The caller's access filter on the compartment key; added by the builder to the root and to every
/// chain/_has/include subquery so hidden rows never match, count or join.</summary>
public sealed record AccessRestriction(CompartmentAccess Access) : SearchExpr;

/// <summary>
/// <c>_contained=true</c>: the row contains a resource of <paramref name="Type"/> for which <paramref name="Inner"/> holds,
/// every criterion of it on that same contained resource. <paramref name="Inner"/> holds only what the index knows of a
/// contained resource: parameter matches and presence, ids, chains, and AND/OR/NOT of them.
/// </summary>
/// <param name="ContainerTypes">The types the row (the container) may have; null = any (the caller's scopes decide).</param>
/// <param name="LockedPatients">Compartments where <paramref name="Type"/> is a locked section: their rows' contained
/// resources of the type stay hidden as a top-level resource of the type would.</param>
public sealed record ContainedMatch(string Type, SearchExpr Inner, IReadOnlyList<string>? ContainerTypes,
    IReadOnlyList<string> LockedPatients) : SearchExpr;

/// <summary>Search prefixes of FHIR R4 (number, date, quantity).</summary>
public enum SearchPrefix { Eq, Ne, Gt, Lt, Ge, Le, Sa, Eb, Ap }

/// <summary>The index table a parameter type is stored in.</summary>
public enum IndexKind { String, Token, Date, Number, Quantity, Reference, Uri, Composite }
