namespace Fellesjournal.Trust.Identity;

/// <summary>One configured issuer as it appears in configuration (section <c>Trust:Issuers</c>).</summary>
public sealed class IssuerOptions
{
    public string Name { get; set; } = "";
    public IssuerKind Kind { get; set; }
    public string Issuer { get; set; } = "";
    public List<string> Audiences { get; set; } = [];
    /// <summary>The issuer's JWKS document (fetched from its jwks_uri by the host).</summary>
    public string Jwks { get; set; } = "";
    public bool RequireDpop { get; set; }
}

public static class TrustConfiguration
{
    /// <summary>
    /// The issuers the validator trusts: the configured ones, or the development issuer's. Never both, so a
    /// production deployment cannot accidentally accept self-minted tokens, and never none.
    /// </summary>
    public static IReadOnlyList<TrustedIssuer> BuildIssuers(IEnumerable<IssuerOptions> configured, DevelopmentIssuer? dev)
    {
        var list = configured.ToList();
        if (dev is not null && list.Count > 0)
            throw new InvalidOperationException("The development issuer cannot be enabled together with configured (production) issuers.");
        if (dev is not null) return dev.TrustedIssuers();
        if (list.Count == 0)
            throw new InvalidOperationException("No token issuers are configured (Trust:Issuers); anonymous access to patient data is not possible.");
        return list.Select(o =>
        {
            if (string.IsNullOrWhiteSpace(o.Issuer) || o.Audiences.Count == 0 || string.IsNullOrWhiteSpace(o.Jwks))
                throw new InvalidOperationException($"Issuer '{o.Name}' needs Issuer, Audiences and Jwks.");
            var keys = TrustedIssuer.KeysFromJwks(o.Jwks);
            if (keys.Count == 0) throw new InvalidOperationException($"Issuer '{o.Name}' has no signing keys in its JWKS.");
            return new TrustedIssuer { Name = o.Name, Kind = o.Kind, IssuerUrl = o.Issuer, Audiences = o.Audiences, Keys = keys, RequireDpop = o.RequireDpop };
        }).ToList();
    }
}
