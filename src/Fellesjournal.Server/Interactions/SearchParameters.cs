using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Server.Http;
using Fellesjournal.Storage;
using Fellesjournal.Storage.Search;

namespace Fellesjournal.Server.Interactions;

/// <summary>The URL parameters of a search, split into store criteria and result controls.</summary>
public sealed record ParsedSearch(
    List<SearchCriterion> Criteria,
    List<string> Sort,
    List<KeyValuePair<string, string>> Includes,
    List<string>? Types,
    List<string> Ignored)
{
    /// <summary><c>_contained</c> (false unless given).</summary>
    public ContainedScope Contained { get; init; }

    /// <summary><c>_containedType=contained</c> with <c>_contained=true|both</c>.</summary>
    public bool ReturnContained { get; init; }
}

/// <summary>Turns URL parameters into store search criteria, separating result-control parameters.</summary>
public static class SearchParameters
{
    /// <summary>Result parameters handled by the server, not passed as criteria.</summary>
    public static readonly HashSet<string> ControlParameters =
        ["_count", "_cursor", "_format", "_pretty", "_summary", "_elements", "_total"];

    /// <summary>Parameters not implemented: 400 when strict, else ignored with a warning.</summary>
    public static readonly HashSet<string> UnsupportedParameters = ["_query", "_filter"];

    /// <summary>Parameters the store evaluates on every type, including system-level search.</summary>
    public static readonly HashSet<string> SystemParameters = ["_id", "_lastUpdated", "_list", "_text", "_content"];

    /// <summary>Search parameter types the store's index evaluates (special is not).</summary>
    public static readonly HashSet<string> IndexedTypes = ["token", "string", "date", "number", "quantity", "reference", "uri", "composite"];

    /// <summary>True when a search on <paramref name="code"/> reaches the store (listed in the CapabilityStatement).</summary>
    public static bool IsSupported(FhirDefinitions defs, string? type, string code) =>
        SystemParameters.Contains(code) ||
        type is not null && defs.GetSearchParameter(type, code) is { } sp && IndexedTypes.Contains(sp.Type);

    /// <summary>Criteria only (conditional operations). Unknown parameters throw 400 when strict, else are dropped.</summary>
    public static List<SearchCriterion> ParseCriteria(FhirDefinitions defs, string? type, IEnumerable<KeyValuePair<string, string>> query, bool strict, out List<string> ignored)
    {
        var p = Parse(defs, type, query, strict);
        // A conditional operation names top-level resources: a search in contained ones cannot be its condition.
        if (p.Contained != ContainedScope.False) Unsupported(p, "_contained", "_contained=true|both is not supported in a condition.", strict);
        ignored = p.Ignored;
        return p.Criteria;
    }

    /// <summary>_contained (false, true, both) and _containedType (container, contained); another value is a 400.</summary>
    private static (ContainedScope Scope, bool ReturnContained) ContainedControls(IEnumerable<KeyValuePair<string, string>> query)
    {
        var scope = ContainedScope.False;
        var returnContained = false;
        foreach (var (key, value) in query)
        {
            if (key == "_contained")
                scope = value switch
                {
                    "false" => ContainedScope.False,
                    "true" => ContainedScope.True,
                    "both" => ContainedScope.Both,
                    _ => throw FhirException.BadRequest($"_contained={value} is not valid (false, true or both).", key, "value"),
                };
            else if (key == "_containedType")
                returnContained = value switch
                {
                    "container" => false,
                    "contained" => true,
                    _ => throw FhirException.BadRequest($"_containedType={value} is not valid (container or contained).", key, "value"),
                };
            else if (key.StartsWith("_contained", StringComparison.Ordinal) && key.Contains(':'))
                throw FhirException.BadRequest($"'{key}' takes no modifier.", key, "value");
        }
        return (scope, returnContained && scope != ContainedScope.False);
    }

    /// <summary>Every search parameter of a request. Each criterion is checked by building its store-neutral
    /// expression: an unknown or unsupported parameter is ignored (lenient) or a 400 naming it (strict); a
    /// malformed value is always a 400.</summary>
    public static ParsedSearch Parse(FhirDefinitions defs, string? type, IEnumerable<KeyValuePair<string, string>> query, bool strict)
    {
        var list = query as IReadOnlyList<KeyValuePair<string, string>> ?? query.ToList();
        var (contained, returnContained) = ContainedControls(list);
        var result = new ParsedSearch([], [], [], null, []) { Contained = contained, ReturnContained = returnContained };
        List<string>? types = null;
        foreach (var (key, value) in list)
        {
            if (ControlParameters.Contains(key) || key is "_contained" or "_containedType") continue;
            var baseKey = key.Split(':')[0];
            if (UnsupportedParameters.Contains(baseKey))
            {
                Unsupported(result, key, $"Search parameter '{key}' is not supported.", strict);
                continue;
            }
            switch (baseKey)
            {
                case "_sort":
                    result.Sort.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries));
                    continue;
                case "_include" or "_revinclude":
                    result.Includes.Add(new(key, value));
                    continue;
                case "_type" when type is null:
                    (types ??= []).AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries));
                    continue;
            }
            var colon = key.IndexOf(':');
            var dot = key.IndexOf('.');
            // A chain's modifier belongs to its first link (subject:Patient.name): keep the key whole in the code.
            var split = colon >= 0 && (dot < 0 || colon < dot) && !key.StartsWith("_has:", StringComparison.Ordinal);
            var criterion = split ? new SearchCriterion(key[..colon], key[(colon + 1)..], SplitValues(value))
                                  : new SearchCriterion(key, null, SplitValues(value));
            try
            {
                SearchExpressionBuilder.Build(new SearchQuery(type, [criterion], Types: types) { Contained = contained }, defs);
            }
            catch (UnsupportedSearchParameterException e)
            {
                Unsupported(result, key, e.Message, strict);
                continue;
            }
            catch (SearchException e)
            {
                throw FhirException.BadRequest(e.Message, key, "processing");
            }
            result.Criteria.Add(criterion);
        }
        return result with { Types = types };
    }

    private static void Unsupported(ParsedSearch result, string key, string message, bool strict)
    {
        if (strict) throw FhirException.BadRequest(message, key, "not-supported");
        result.Ignored.Add(key);
    }

    /// <summary>Splits on commas that are not escaped with a backslash (escapes stay for the store).</summary>
    public static IReadOnlyList<string> SplitValues(string value)
    {
        var values = new List<string>();
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\') { i++; continue; }
            if (value[i] == ',') { values.Add(value[start..i]); start = i + 1; }
        }
        values.Add(value[start..]);
        return values;
    }
}
