using Microsoft.IdentityModel.Tokens;

namespace Fellesjournal.Trust.Identity;

/// <summary>What kind of tokens an issuer produces, which decides how claims are mapped.</summary>
public enum IssuerKind
{
    /// <summary>HelseID: health personnel (pid, HPR, client org claims, trust-framework authorization_details).</summary>
    HelseId,
    /// <summary>ID-porten: citizens (pid).</summary>
    IdPorten,
    /// <summary>SMART backend services / system clients (client credentials, system/ scopes).</summary>
    System,
}

/// <summary>A configured token issuer. Production names HelseID and ID-porten with keys from their JWKS;
/// development adds the <see cref="DevelopmentIssuer"/>.</summary>
public sealed record TrustedIssuer
{
    /// <summary>Short name used in audit and the principal ("helseid", "idporten", "dev").</summary>
    public required string Name { get; init; }
    public required IssuerKind Kind { get; init; }
    /// <summary>Exact <c>iss</c> value.</summary>
    public required string IssuerUrl { get; init; }
    /// <summary>Accepted <c>aud</c> values (the API's audience/resource).</summary>
    public required IReadOnlyList<string> Audiences { get; init; }
    /// <summary>Signing keys (from the issuer's JWKS).</summary>
    public required IReadOnlyList<SecurityKey> Keys { get; init; }
    /// <summary>Reject plain bearer tokens: NHN APIs require DPoP-bound tokens.</summary>
    public bool RequireDpop { get; init; }
    /// <summary>Accepted asymmetric signature algorithms; "none" and HMAC are never accepted.</summary>
    public IReadOnlyList<string> AllowedAlgorithms { get; init; } = ["ES256", "ES384", "RS256", "PS256"];

    /// <summary>Builds the keys from a JWKS document (JSON).</summary>
    public static IReadOnlyList<SecurityKey> KeysFromJwks(string jwksJson) =>
        new JsonWebKeySet(jwksJson).GetSigningKeys().ToList();
}
