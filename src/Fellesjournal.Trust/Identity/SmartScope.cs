namespace Fellesjournal.Trust.Identity;

/// <summary>FHIR REST interactions as SMART v2 letters: c(reate) r(ead) u(pdate) d(elete) s(earch).</summary>
[Flags]
public enum Interaction { None = 0, Create = 1, Read = 2, Update = 4, Delete = 8, Search = 16, All = 31 }

public enum ScopeContext { Patient, User, System }

/// <summary>
/// One SMART clinical scope, e.g. <c>patient/Observation.rs?category=laboratory</c> or v1 <c>user/*.read</c>.
/// </summary>
/// <param name="ResourceType">A resource type or "*".</param>
/// <param name="Restrictions">Search-parameter restrictions (name, value) from the query part; all must hold.</param>
public sealed record SmartScope(ScopeContext Context, string ResourceType, Interaction Interactions,
    IReadOnlyList<KeyValuePair<string, string>> Restrictions, string Text)
{
    /// <summary>Parses a clinical scope; null for non-clinical scopes (openid, fhirUser, launch, helseid scopes) or malformed ones.</summary>
    public static SmartScope? TryParse(string scope)
    {
        var slash = scope.IndexOf('/');
        if (slash <= 0) return null;
        ScopeContext ctx;
        switch (scope[..slash])
        {
            case "patient": ctx = ScopeContext.Patient; break;
            case "user": ctx = ScopeContext.User; break;
            case "system": ctx = ScopeContext.System; break;
            default: return null;
        }
        var rest = scope[(slash + 1)..];
        string? query = null;
        var q = rest.IndexOf('?');
        if (q >= 0) { query = rest[(q + 1)..]; rest = rest[..q]; }
        var dot = rest.LastIndexOf('.');
        if (dot <= 0) return null;
        var type = rest[..dot];
        if (type != "*" && !IsResourceTypeName(type)) return null;
        var perms = ParsePermissions(rest[(dot + 1)..]);
        if (perms == Interaction.None) return null;
        var restrictions = new List<KeyValuePair<string, string>>();
        if (!string.IsNullOrEmpty(query))
        {
            foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = part.IndexOf('=');
                if (eq <= 0) return null;
                restrictions.Add(new(Uri.UnescapeDataString(part[..eq]), Uri.UnescapeDataString(part[(eq + 1)..])));
            }
        }
        return new SmartScope(ctx, type, perms, restrictions, scope);
    }

    /// <summary>v2 letters must appear in the order c r u d s, each at most once; v1 read/write/* map onto them.</summary>
    private static Interaction ParsePermissions(string p)
    {
        switch (p)
        {
            case "read": return Interaction.Read | Interaction.Search;
            case "write": return Interaction.Create | Interaction.Update | Interaction.Delete;
            case "*": return Interaction.All;
        }
        const string order = "cruds";
        var result = Interaction.None;
        var last = -1;
        foreach (var ch in p)
        {
            var i = order.IndexOf(ch);
            if (i <= last) return Interaction.None;
            last = i;
            result |= (Interaction)(1 << i);
        }
        return result;
    }

    private static bool IsResourceTypeName(string s) =>
        s.Length > 0 && char.IsAsciiLetterUpper(s[0]) && s.All(char.IsAsciiLetterOrDigit);

    public bool Covers(string resourceType, Interaction interaction) =>
        (ResourceType == "*" || ResourceType == resourceType) && (Interactions & interaction) == interaction;
}
