namespace Fellesjournal.Trust.Identity;

/// <summary>What one matching set of scopes grants for a (type, interaction).</summary>
/// <param name="Restrictions">Null when unrestricted; otherwise alternatives (OR) each a list of (param, value) that must all hold.</param>
public sealed record ScopeGrant(bool Allowed, IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>>? Restrictions)
{
    public static readonly ScopeGrant Denied = new(false, null);
}

/// <summary>The clinical scopes of a token. Non-clinical scopes are kept in <see cref="Other"/>.</summary>
public sealed class ScopeSet
{
    public static readonly ScopeSet Empty = new([], []);

    public IReadOnlyList<SmartScope> Clinical { get; }
    public IReadOnlyList<string> Other { get; }

    private ScopeSet(IReadOnlyList<SmartScope> clinical, IReadOnlyList<string> other)
    {
        Clinical = clinical;
        Other = other;
    }

    /// <summary>Parses a space-separated scope string (the <c>scope</c> claim).</summary>
    public static ScopeSet Parse(string? scopes)
    {
        if (string.IsNullOrWhiteSpace(scopes)) return Empty;
        var clinical = new List<SmartScope>();
        var other = new List<string>();
        foreach (var s in scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (SmartScope.TryParse(s) is { } parsed) clinical.Add(parsed);
            else other.Add(s);
        }
        return new ScopeSet(clinical, other);
    }

    /// <summary>True when some scope covers the interaction on the type (restricted or not).</summary>
    public bool Allows(string resourceType, Interaction interaction, ScopeContext? context = null) =>
        Grant(resourceType, interaction, context).Allowed;

    /// <summary>
    /// The grant with its search restrictions. An unrestricted matching scope wins over restricted ones;
    /// several restricted ones are alternatives (the server ORs them into the query, per SMART v2).
    /// </summary>
    public ScopeGrant Grant(string resourceType, Interaction interaction, ScopeContext? context = null)
    {
        List<IReadOnlyList<KeyValuePair<string, string>>>? alternatives = null;
        foreach (var s in Clinical)
        {
            if (context is { } c && s.Context != c) continue;
            if (!s.Covers(resourceType, interaction)) continue;
            if (s.Restrictions.Count == 0) return new ScopeGrant(true, null);
            (alternatives ??= []).Add(s.Restrictions);
        }
        return alternatives is null ? ScopeGrant.Denied : new ScopeGrant(true, alternatives);
    }

    public override string ToString() => string.Join(' ', Clinical.Select(s => s.Text).Concat(Other));
}
