using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Search;
using Fellesjournal.Server.Http;
using Fellesjournal.Storage;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Server.Security;

/// <summary>
/// SMART v2 scope restrictions (<c>patient/Observation.rs?category=…|laboratory</c>) as search criteria for the
/// store and as a check of one resource's content. The alternatives are an OR of AND-groups (<see cref="ScopeGrant"/>).
/// </summary>
public sealed class ScopeRestriction(FhirDefinitions defs)
{
    private readonly SearchIndexer _indexer = new(defs);

    public delegate Task<bool> StoreMatch(string type, string id, IReadOnlyList<SearchCriterion> criteria, CancellationToken ct);

    /// <summary>
    /// The store criteria that express the restriction: one alternative as its criteria; several alternatives that
    /// each restrict the same single parameter as one criterion with all their values (an OR); otherwise null, since
    /// <see cref="SearchQuery"/> has no OR of AND-groups.
    /// </summary>
    public static IReadOnlyList<SearchCriterion>? AsCriteria(IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>> alternatives)
    {
        if (alternatives.Count == 1) return alternatives[0].Select(kv => Criterion(kv.Key, SplitValues(kv.Value))).ToList();
        if (alternatives.All(a => a.Count == 1) && alternatives.Select(a => a[0].Key).Distinct().Count() == 1)
            return [Criterion(alternatives[0][0].Key, alternatives.SelectMany(a => SplitValues(a[0].Value)).Distinct().ToList())];
        return null;
    }

    /// <summary>Whether a resource's content satisfies some alternative; null when that cannot be decided in
    /// memory (only unmodified token parameters are evaluated here).</summary>
    public bool? Matches(string type, string id, ReadOnlyMemory<byte> json, IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>> alternatives)
    {
        if (json.IsEmpty) return false;
        foreach (var alt in alternatives)
            foreach (var (key, _) in alt)
                if (key.Contains(':') || defs.GetSearchParameter(type, key)?.Type != "token") return null;
        var tokens = _indexer.Extract(ElementNode.Parse(json, defs), id).Values.OfType<TokenIndexValue>().ToList();
        return alternatives.Any(alt => alt.All(kv => SplitValues(kv.Value).Any(v => tokens.Any(t => t.Param == kv.Key && TokenMatches(t, v)))));
    }

    /// <summary>
    /// Whether a stored resource satisfies the restriction: in memory when possible, else (current versions only)
    /// by asking the store for <c>Type?_id=id&amp;restriction</c> through <paramref name="storeMatch"/>; a past
    /// version or a new one that cannot be decided in memory is refused (403) rather than guessed.
    /// </summary>
    public async Task<bool> MatchesAsync(string type, string id, ReadOnlyMemory<byte> json,
        IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>> alternatives, StoreMatch? storeMatch, CancellationToken ct)
    {
        if (Matches(type, id, json, alternatives) is { } decided) return decided;
        if (storeMatch is null) throw Unsupported(type, "on a past or new version only unmodified token parameters can be checked");
        foreach (var alt in alternatives)
            if (await storeMatch(type, id, AsCriteria([alt])!, ct)) return true;
        return false;
    }

    /// <summary>The resource types a chained parameter (<c>result.code</c>, <c>subject:Patient.name</c>) reaches
    /// through its links, every possible target of each link included.</summary>
    public IReadOnlySet<string> ChainTargets(string type, string key)
    {
        var reached = new HashSet<string>();
        var current = new HashSet<string> { type };
        var links = key.Split('.');
        foreach (var link in links[..^1])
        {
            var colon = link.IndexOf(':');
            var code = colon < 0 ? link : link[..colon];
            var next = new HashSet<string>();
            foreach (var t in current)
            {
                if (colon >= 0) next.Add(link[(colon + 1)..]);
                else if (defs.GetSearchParameter(t, code) is { } sp) next.UnionWith(sp.Target);
            }
            reached.UnionWith(next);
            current = next;
        }
        return reached;
    }

    public static FhirException Unsupported(string type, string why) =>
        new(403, "forbidden", $"The token's scope for {type} carries a restriction this server cannot apply here ({why}); access is refused rather than unrestricted.", type);

    private static SearchCriterion Criterion(string key, IReadOnlyList<string> values)
    {
        var colon = key.IndexOf(':');
        return colon < 0 ? new SearchCriterion(key, null, values) : new SearchCriterion(key[..colon], key[(colon + 1)..], values);
    }

    /// <summary>Splits on commas that are not escaped with a backslash (a comma in a search value is an OR).</summary>
    private static List<string> SplitValues(string value)
    {
        var result = new List<string>();
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\') { i++; continue; }
            if (value[i] == ',') { result.Add(value[start..i]); start = i + 1; }
        }
        result.Add(value[start..]);
        return result;
    }

    /// <summary>FHIR token forms: <c>code</c>, <c>system|code</c>, <c>|code</c> (no system), <c>system|</c>.</summary>
    private static bool TokenMatches(TokenIndexValue t, string value)
    {
        value = value.Replace("\\,", ",");
        var bar = value.IndexOf('|');
        if (bar < 0) return t.Code == value;
        var system = value[..bar];
        var code = value[(bar + 1)..];
        if (system.Length == 0) return string.IsNullOrEmpty(t.System) && t.Code == code;
        if (t.System != system) return false;
        return code.Length == 0 || t.Code == code;
    }
}
