using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Server.Http;
using Fellesjournal.Storage;

namespace Fellesjournal.Server.Interactions;

/// <summary>Turns URL parameters into store search criteria, separating result-control parameters.</summary>
public static class SearchParameters
{
    /// <summary>Result parameters handled by the server, not passed as criteria.</summary>
    public static readonly HashSet<string> ControlParameters =
        ["_count", "_cursor", "_format", "_pretty", "_summary", "_elements", "_total"];

    /// <summary>Result parameters not implemented yet (full search API issue): 400 when strict, else ignored with a warning.</summary>
    public static readonly HashSet<string> UnsupportedParameters =
        ["_sort", "_include", "_revinclude", "_contained", "_containedType", "_query", "_filter"];

    /// <summary>Parameters the store evaluates on every type, including system-level search.</summary>
    public static readonly HashSet<string> SystemParameters = ["_id", "_lastUpdated"];

    /// <summary>Search parameter types the store's index evaluates (composite and special are not yet).</summary>
    public static readonly HashSet<string> IndexedTypes = ["token", "string", "date", "number", "quantity", "reference", "uri"];

    /// <summary>True when a search on <paramref name="code"/> reaches the store (listed in the CapabilityStatement).</summary>
    public static bool IsSupported(FhirDefinitions defs, string? type, string code) =>
        SystemParameters.Contains(code) ||
        type is not null && defs.GetSearchParameter(type, code) is { } sp && IndexedTypes.Contains(sp.Type);

    /// <summary>Criteria from the query. Unknown parameters throw 400 when strict, else are dropped and reported in <paramref name="ignored"/>.</summary>
    public static List<SearchCriterion> ParseCriteria(FhirDefinitions defs, string? type, IEnumerable<KeyValuePair<string, string>> query, bool strict, out List<string> ignored)
    {
        var criteria = new List<SearchCriterion>();
        ignored = [];
        foreach (var (key, value) in query)
        {
            if (ControlParameters.Contains(key)) continue;
            if (UnsupportedParameters.Contains(key.Split(':')[0]))
            {
                if (strict) throw FhirException.BadRequest($"Search parameter '{key}' is not supported yet.", key, "not-supported");
                ignored.Add(key);
                continue;
            }
            var colon = key.IndexOf(':');
            var code = colon < 0 ? key : key[..colon];
            var modifier = colon < 0 ? null : key[(colon + 1)..];
            // Chains (subject.name) and _has are part of the later full search API.
            if (code.Contains('.') || !IsSupported(defs, type, code))
            {
                var known = type is not null && defs.GetSearchParameter(type, code.Split('.')[0]) is not null;
                if (strict)
                    throw FhirException.BadRequest(known || code.Contains('.') || code.StartsWith('_')
                        ? $"Search parameter '{key}' is not supported yet."
                        : $"Unknown search parameter '{key}'{(type is null ? "" : $" for {type}")}.", key, "not-supported");
                ignored.Add(key);
                continue;
            }
            criteria.Add(new SearchCriterion(code, modifier, SplitValues(value)));
        }
        return criteria;
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
