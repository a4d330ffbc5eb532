using Fellesjournal.Fhir.Terminology;

namespace Fellesjournal.Storage.Search;

/// <summary>
/// Token modifiers that need terminology or extra index rows: <c>:in</c>/<c>:not-in</c> (a loaded value set's
/// expansion), <c>:below</c>/<c>:above</c> (the is-a hierarchy of a loaded code system, or URI prefixes),
/// <c>:of-type</c> and reference <c>:identifier</c> (rows the indexer writes under "param:of-type" / "param:identifier").
/// </summary>
internal static class TokenModifiers
{
    /// <summary>Largest expansion turned into a condition (one JSON parameter; bigger sets are refused, not truncated).</summary>
    public const int MaxExpansion = 50_000;

    /// <summary>The index "parameter" holding Identifier.type rows: code = "typeCode|value", system = type system.</summary>
    public static string OfTypeParam(string param) => param + ":of-type";

    /// <summary>The index "parameter" holding Reference.identifier as tokens.</summary>
    public static string IdentifierParam(string param) => param + ":identifier";

    private static TerminologyService Terminology => TerminologyService.Default;

    /// <summary><c>:in=url</c>: the value set's codes. Unknown or not expandable → 400 naming it.</summary>
    public static TokenSetCondition InValueSet(string key, string url)
    {
        if (!url.Contains(':'))
            throw new SearchException($"'{key}': value set '{url}' must be given by its canonical URL (stored value sets are not searched).", key);
        var vs = Terminology.Expand(url)
                 ?? throw new SearchException($"'{key}': value set '{url}' is unknown or cannot be expanded by this server.", key);
        if (vs.Concepts.Count > MaxExpansion)
            throw new SearchException($"'{key}': value set '{url}' has {vs.Concepts.Count} codes, more than {MaxExpansion}.", key);
        return new TokenSetCondition(vs.Concepts.Select(c => (c.System, c.Code)).ToList());
    }

    /// <summary><c>:below</c>/<c>:above</c> on <c>system|code</c>: subsumption in a loaded hierarchical code system, or a
    /// URI prefix when the code is a URI.</summary>
    public static ValueCondition Hierarchy(string key, string value, bool below)
    {
        var parts = SearchExpressionBuilder.SplitUnescaped(value, '|');
        if (parts.Count > 2 || parts[^1].Length == 0)
            throw new SearchException($"Invalid token '{value}' for '{key}': expected [system|]code.", key);
        var system = parts.Count == 2 && parts[0].Length > 0 ? parts[0] : null;
        var code = parts[^1];
        if (system is not null && Terminology.GetCodeSystem(system) is { HasHierarchy: true } cs && cs.Contains(code))
        {
            var codes = below ? cs.Descendants(code, includeSelf: true) : cs.Ancestors(code, includeSelf: true);
            return new TokenSetCondition(codes.Select(c => (system, c)).ToList());
        }
        if (IsUri(code)) return new TokenUriCondition(below ? UriMode.Below : UriMode.Above, system, code);
        throw new UnsupportedSearchParameterException(system is null
            ? $"'{key}' needs system|code with a code system whose hierarchy this server has loaded."
            : $"'{key}': code system '{system}' is not loaded with a hierarchy containing '{code}'.", key);
    }

    private static bool IsUri(string code) =>
        code.StartsWith("urn:", StringComparison.Ordinal) || code.Contains("://", StringComparison.Ordinal);

    /// <summary><c>:of-type=system|code|value</c> → the row the indexer writes per Identifier.type coding.</summary>
    public static TokenCondition OfType(string key, string value)
    {
        var parts = SearchExpressionBuilder.SplitUnescaped(value, '|');
        if (parts.Count != 3 || parts[1].Length == 0 || parts[2].Length == 0)
            throw new SearchException($"Invalid value '{value}' for '{key}': expected type-system|type-code|identifier-value.", key);
        return parts[0].Length == 0
            ? new TokenCondition(null, parts[1] + "|" + parts[2], AnySystem: true)
            : new TokenCondition(parts[0], parts[1] + "|" + parts[2], AnySystem: false);
    }
}
