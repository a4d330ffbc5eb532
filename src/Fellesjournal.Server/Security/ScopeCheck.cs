using Fellesjournal.Server.Http;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Server.Security;

/// <summary>
/// SMART v2 scopes per resource type and interaction (c r u d s): citizens need <c>patient/</c> scopes, system
/// clients <c>system/</c>, personnel <c>user/</c> (or <c>patient/</c> from an EHR launch). A missing scope is 403.
/// </summary>
public static class ScopeCheck
{
    public static bool Allows(Principal p, string type, Interaction interaction) => p.Kind switch
    {
        PrincipalKind.Citizen => p.Scopes.Allows(type, interaction, ScopeContext.Patient),
        PrincipalKind.System => p.Scopes.Allows(type, interaction, ScopeContext.System),
        _ => p.Scopes.Allows(type, interaction, ScopeContext.User) || p.Scopes.Allows(type, interaction, ScopeContext.Patient),
    };

    /// <summary>
    /// The restriction alternatives (an OR of AND-groups of search parameters) that bound what the caller reaches of
    /// a type with an interaction; null when some matching scope is unrestricted or none matches (then
    /// <see cref="Require"/> decides). Personnel's user/ and patient/ scopes are pooled, as in <see cref="Allows"/>.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>>? Restrictions(Principal p, string type, Interaction interaction)
    {
        var grants = p.Kind switch
        {
            PrincipalKind.Citizen => [p.Scopes.Grant(type, interaction, ScopeContext.Patient)],
            PrincipalKind.System => [p.Scopes.Grant(type, interaction, ScopeContext.System)],
            _ => new[] { p.Scopes.Grant(type, interaction, ScopeContext.User), p.Scopes.Grant(type, interaction, ScopeContext.Patient) },
        };
        var allowed = grants.Where(g => g.Allowed).ToList();
        if (allowed.Count == 0 || allowed.Any(g => g.Restrictions is null)) return null;
        return allowed.SelectMany(g => g.Restrictions!).ToList();
    }

    /// <summary>True when a wildcard scope covers every type (system-wide search and history).</summary>
    public static bool AllowsEveryType(Principal p, Interaction interaction) => Allows(p, "*", interaction);

    public static void Require(Principal p, string type, Interaction interaction)
    {
        if (!Allows(p, type, interaction)) throw Forbidden(type, interaction);
    }

    public static FhirException Forbidden(string type, Interaction interaction)
    {
        var e = new FhirException(403, "forbidden",
            $"The token's scopes do not grant '{Letters(interaction)}' on {(type == "*" ? "every resource type" : type)}.", type == "*" ? "http.Authorization" : type);
        e.Headers["WWW-Authenticate"] = "Bearer error=\"insufficient_scope\"";
        return e;
    }

    public static string Letters(Interaction i) => string.Concat("cruds".Where((_, k) => (i & (Interaction)(1 << k)) != 0));
}
