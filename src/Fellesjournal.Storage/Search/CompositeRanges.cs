using Fellesjournal.Fhir.Definitions;

namespace Fellesjournal.Storage.Search;

/// <summary>
/// Composite values with a prefix on the value component (<c>code-value-quantity=http://loinc.org|8480-6$gt100</c>):
/// two components, a token then a number or quantity. The equality hash cannot answer a range, so the store compares
/// the stored component text; the first component's own token parameter is added as a (superset) driver so that the
/// text is only read for candidate rows.
/// </summary>
internal static class CompositeRanges
{
    /// <summary>The expression for one value, or null when the value has no prefix (plain equality applies).</summary>
    public static SearchExpr? TryBuild(string type, string param, string key, SearchParameterInfo sp, string value, FhirDefinitions defs)
    {
        var parts = SearchExpressionBuilder.SplitUnescaped(value, '$');
        if (parts.Count != 2 || !HasPrefix(parts[1])) return null;
        var comps = sp.Components.Select(c => defs.GetSearchParameterByUrl(c.Definition)).ToList();
        if (comps.Count != 2 || comps[0]?.Type != "token" || comps[1]?.Type is not ("number" or "quantity"))
            throw new UnsupportedSearchParameterException(
                $"'{key}': prefixes are supported on the value of token$number and token$quantity composites only.", key);
        var token = SearchExpressionBuilder.SplitUnescaped(parts[0], '|');
        if (token.Count > 2 || token[^1].Length == 0)
            throw new SearchException($"Invalid token '{parts[0]}' in '{key}': expected [system|]code.", key);
        var system = token.Count == 2 && token[0].Length > 0 ? token[0] : null;
        var q = SearchExpressionBuilder.SplitUnescaped(parts[1], '|');
        if (q.Count is not (1 or 3)) throw new SearchException($"Invalid value '{parts[1]}' in '{key}': expected [prefix]number[|system|code].", key);
        var number = SearchExpressionBuilder.Number(key, q[0]);
        var (unitSystem, unitCode) = q.Count == 3 ? (q[1].Length == 0 ? null : q[1], q[2].Length == 0 ? null : q[2]) : (null, null);
        var range = new ParamMatch(type, param, new CompositeRangeCondition(system, token[^1], number, unitSystem, unitCode));
        // The first component's own parameter on this type (code for code-value-quantity) narrows the candidates.
        var own = defs.GetSearchParameter(type, comps[0]!.Code);
        if (own is null || own.Url != comps[0]!.Url) return range;
        return new AllOf([new ParamMatch(type, own.Code, new TokenCondition(system, token[^1], AnySystem: system is null)), range]);
    }

    private static bool HasPrefix(string v) => SearchExpressionBuilder.SplitPrefix(v).Value.Length != v.Length;
}
