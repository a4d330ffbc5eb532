using Fellesjournal.Fhir.Definitions;

namespace Fellesjournal.Storage.Postgres;

/// <summary>
/// Which searches run on generic plans (decision 0032): those whose best plan does not depend on their values.
/// A reach of one compartment (a citizen's own record, the summary's read) is a plain equality and fits too. Left on
/// custom plans: a list of compartments (a clinician's reach: its best plan depends on the list), locked sections,
/// <c>_has</c>, string and full-text matches (prefix and word matches vary from a few rows to most of a type; a
/// generic plan made <c>Patient?family=&amp;birthdate=</c> 2 ms instead of 0.4), and chains other than one level
/// ending in an equality (<c>subject.identifier=</c> is fine: the target's few rows drive the statement whatever
/// the value).
/// </summary>
internal static class GenericPlanChoice
{
    public static bool Fits(SearchQuery query, FhirDefinitions defs) =>
        (query.Access is null || query.Access.Hidden.Count == 0 && (query.Access.All || query.Access.SinglePatient is not null)) &&
        (query.ResourceType is { } type ? query.Criteria.All(c => !ValueSensitive(type, c, defs))
            // Over several types (the summary's one read) only without criteria: a parameter's type is per resource type.
            : query.Types is { Count: > 0 } && query.Criteria.Count == 0);

    private static bool ValueSensitive(string type, SearchCriterion c, FhirDefinitions defs) =>
        c.Code.StartsWith("_has", StringComparison.Ordinal) || c.Code is "_text" or "_content" ||
        (c.Key.IndexOf('.') is var dot and > 0 ? !EqualityChain(type, c.Key[..dot], c.Key[(dot + 1)..], defs)
            : defs.GetSearchParameter(type, c.Code) is { Type: "string" });

    /// <summary><c>reference[:Type].param</c>: one level, and an unmodified token, reference, uri or <c>_id</c> at the end.</summary>
    private static bool EqualityChain(string type, string head, string rest, FhirDefinitions defs)
    {
        if (rest.IndexOfAny(['.', ':']) >= 0) return false;
        if (rest == "_id") return true;
        var colon = head.IndexOf(':');
        if (defs.GetSearchParameter(type, colon < 0 ? head : head[..colon]) is not { Type: "reference" } sp) return false;
        IReadOnlyList<string> targets = colon < 0 ? sp.Target : [head[(colon + 1)..]];
        return targets.Select(t => defs.GetSearchParameter(t, rest)).All(p => p is null or { Type: "token" or "reference" or "uri" });
    }
}
