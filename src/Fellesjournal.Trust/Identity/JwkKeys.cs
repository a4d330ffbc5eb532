using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Fellesjournal.Trust.Identity;

/// <summary>Public JWKs (EC P-256/P-384, RSA): RFC 7638 thumbprints and JWS signature checks.</summary>
public static class JwkKeys
{
    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    /// <summary>True when the JWK carries private or symmetric key material (never acceptable in a DPoP header).</summary>
    public static bool HasPrivateMembers(JsonElement jwk) => PrivateMembers.Any(m => jwk.TryGetProperty(m, out _));

    /// <summary>RFC 7638 thumbprint: SHA-256 over the required members in lexicographic order, base64url.</summary>
    public static string? Thumbprint(JsonElement jwk)
    {
        var kty = JwtParts.Str(jwk, "kty");
        string? canonical = kty switch
        {
            "EC" when JwtParts.Str(jwk, "crv") is { } crv && JwtParts.Str(jwk, "x") is { } x && JwtParts.Str(jwk, "y") is { } y
                => $$"""{"crv":{{Q(crv)}},"kty":"EC","x":{{Q(x)}},"y":{{Q(y)}}}""",
            "RSA" when JwtParts.Str(jwk, "e") is { } e && JwtParts.Str(jwk, "n") is { } n
                => $$"""{"e":{{Q(e)}},"kty":"RSA","n":{{Q(n)}}}""",
            _ => null,
        };
        return canonical is null ? null : Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    private static string Q(string s) => JsonSerializer.Serialize(s);

    /// <summary>Verifies a JWS signature with a public JWK; false for unsupported key types or algorithms.</summary>
    public static bool Verify(JsonElement jwk, string alg, string signingInput, byte[] signature)
    {
        var data = Encoding.ASCII.GetBytes(signingInput);
        try
        {
            switch (JwtParts.Str(jwk, "kty"))
            {
                case "EC":
                {
                    var (curve, hash) = (JwtParts.Str(jwk, "crv"), alg) switch
                    {
                        ("P-256", "ES256") => (ECCurve.NamedCurves.nistP256, HashAlgorithmName.SHA256),
                        ("P-384", "ES384") => (ECCurve.NamedCurves.nistP384, HashAlgorithmName.SHA384),
                        _ => (default(ECCurve), default(HashAlgorithmName)),
                    };
                    if (hash == default) return false;
                    using var ec = ECDsa.Create(new ECParameters
                    {
                        Curve = curve,
                        Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(JwtParts.Str(jwk, "x")), Y = Base64UrlEncoder.DecodeBytes(JwtParts.Str(jwk, "y")) },
                    });
                    return ec.VerifyData(data, signature, hash);
                }
                case "RSA":
                {
                    var padding = alg switch { "RS256" => RSASignaturePadding.Pkcs1, "PS256" => RSASignaturePadding.Pss, _ => null };
                    if (padding is null) return false;
                    using var rsa = RSA.Create(new RSAParameters
                    {
                        Modulus = Base64UrlEncoder.DecodeBytes(JwtParts.Str(jwk, "n")),
                        Exponent = Base64UrlEncoder.DecodeBytes(JwtParts.Str(jwk, "e")),
                    });
                    return rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, padding);
                }
                default:
                    return false;
            }
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The public JWK of an EC key as JSON (kid optional).</summary>
    public static string PublicJwkJson(ECDsa key, string? kid = null)
    {
        var p = key.ExportParameters(false);
        var crv = p.Curve.Oid.FriendlyName switch { "nistP384" or "ECDSA_P384" => "P-384", _ => "P-256" };
        var kidPart = kid is null ? "" : $$""","kid":{{Q(kid)}}""";
        return $$"""{"kty":"EC","crv":"{{crv}}","x":"{{Base64UrlEncoder.Encode(p.Q.X)}}","y":"{{Base64UrlEncoder.Encode(p.Q.Y)}}"{{kidPart}}}""";
    }

    /// <summary>RFC 7638 thumbprint of an EC key's public part.</summary>
    public static string Thumbprint(ECDsa key) => Thumbprint(JsonDocument.Parse(PublicJwkJson(key)).RootElement)!;
}
