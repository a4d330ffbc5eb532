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

/// <summary>token <c>:in</c>, <c>:below</c>, <c>:above</c> once expanded: the value is one of the (system, code) pairs.</summary>
public sealed record TokenSetCondition(IReadOnlyList<(string System, string Code)> Codes) : ValueCondition
{
    public override IndexKind Kind => IndexKind.Token;
}

/// <summary>token <c>:below</c>/<c>:above</c> on a code that is itself a URI (no hierarchy to consult): the stored code
/// starts with the searched one (Below) or is a prefix of it (Above), optionally within <paramref name="System"/>.</summary>
public sealed record TokenUriCondition(UriMode Mode, string? System, string Code) : ValueCondition
{
    public override IndexKind Kind => IndexKind.Token;
}

/// <summary>composite <c>token$[prefix]number</c> (code-value-quantity and friends): the first component's token
/// (<paramref name="System"/> null = any system) and the second component's number or quantity compared by prefix,
/// optionally restricted to a unit (<paramref name="UnitSystem"/>|<paramref name="UnitCode"/>). Evaluated over the
/// stored component text (the hash only serves equality).</summary>
public sealed record CompositeRangeCondition(string? System, string Code, NumberCondition Value, string? UnitSystem, string? UnitCode)
    : ValueCondition
{
    public override IndexKind Kind => IndexKind.Composite;
}
