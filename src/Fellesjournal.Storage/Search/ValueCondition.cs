namespace Fellesjournal.Storage.Search;

/// <summary>A condition on one index value of a parameter. Values are already parsed and normalized.</summary>
public abstract record ValueCondition
{
    public abstract IndexKind Kind { get; }
}

public enum StringMode { StartsWith, Exact, Contains }

/// <summary>string: StartsWith/Contains compare <paramref name="Value"/> (normalized: lower case, accents folded)
/// with the normalized index text; Exact compares the text as written.</summary>
public sealed record StringCondition(StringMode Mode, string Value) : ValueCondition
{
    public override IndexKind Kind => IndexKind.String;
}

/// <summary>token: <c>code</c> (System null, AnySystem true), <c>system|code</c>, <c>|code</c> (System null, AnySystem false),
/// <c>system|</c> (Code null).</summary>
public sealed record TokenCondition(string? System, string? Code, bool AnySystem) : ValueCondition
{
    public override IndexKind Kind => IndexKind.Token;
}

/// <summary>token <c>:text</c>: the normalized display/text starts with <paramref name="NormalizedText"/>.</summary>
public sealed record TokenTextCondition(string NormalizedText) : ValueCondition
{
    public override IndexKind Kind => IndexKind.Token;
}

/// <summary>date: the index range [low, high) compared with the search range [Low, High) by <paramref name="Prefix"/>.</summary>
public sealed record DateCondition(SearchPrefix Prefix, DateTimeOffset Low, DateTimeOffset High) : ValueCondition
{
    public override IndexKind Kind => IndexKind.Date;
}

/// <summary>number: the value with the implicit range of its precision, [Low, High).</summary>
public sealed record NumberCondition(SearchPrefix Prefix, decimal Value, decimal Low, decimal High) : ValueCondition
{
    public override IndexKind Kind => IndexKind.Number;
}

/// <summary>quantity: <paramref name="Number"/> on the value, optionally restricted by system and code/unit
/// (<paramref name="Code"/> alone matches the code or the human unit).</summary>
public sealed record QuantityCondition(NumberCondition Number, string? System, string? Code) : ValueCondition
{
    public override IndexKind Kind => IndexKind.Quantity;
}

/// <summary>reference: a local or absolute target. <paramref name="TargetType"/> null with <paramref name="IsUrl"/>
/// false means "any type with this id"; IsUrl true means a canonical/URN held whole in TargetId.</summary>
public sealed record ReferenceCondition(string? TargetType, string TargetId, string? BaseUrl, bool IsUrl = false) : ValueCondition
{
    public override IndexKind Kind => IndexKind.Reference;
}

public enum UriMode { Equals, Below, Above }

public sealed record UriCondition(UriMode Mode, string Uri) : ValueCondition
{
    public override IndexKind Kind => IndexKind.Uri;
}

/// <summary>composite: every component equal, as the '$'-joined component key the indexer hashes
/// (token codes, normalized strings, canonical numbers; see CompositeKeys).</summary>
public sealed record CompositeCondition(string Key) : ValueCondition
{
    public override IndexKind Kind => IndexKind.Composite;
}
