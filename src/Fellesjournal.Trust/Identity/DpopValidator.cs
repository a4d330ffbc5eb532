using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Fellesjournal.Trust.Identity;

/// <summary>
/// Verifies RFC 9449 DPoP proofs: <c>typ=dpop+jwt</c>, an asymmetric <c>alg</c>, a public-only <c>jwk</c> header
/// whose key verifies the signature, <c>htm</c>/<c>htu</c> equal to the request, <c>iat</c> inside the window,
/// an unseen <c>jti</c>, <c>ath</c> = base64url(SHA-256(access token)), and the key's RFC 7638 thumbprint equal to
/// the token's <c>cnf.jkt</c>.
/// </summary>
public sealed class DpopValidator(DpopReplayCache cache, TimeProvider? time = null)
{
    private static readonly string[] Algorithms = ["ES256", "ES384", "RS256", "PS256"];
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>How old a proof may be.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromSeconds(120);
    /// <summary>How far in the future a proof's iat may be (client clock ahead).</summary>
    public TimeSpan FutureSkew { get; init; } = TimeSpan.FromSeconds(30);

    /// <param name="proof">The <c>DPoP</c> header value.</param>
    /// <param name="method">The HTTP method of the request.</param>
    /// <param name="requestUri">The absolute request URI as the client addressed it (behind a proxy: the public one).</param>
    /// <param name="accessToken">The access token presented with the proof.</param>
    /// <param name="boundThumbprint">The token's <c>cnf.jkt</c>; null when the token is not DPoP-bound.</param>
    /// <returns>null when valid, else the failure.</returns>
    public AuthResult? Validate(string? proof, string method, Uri requestUri, string accessToken, string? boundThumbprint)
    {
        if (string.IsNullOrWhiteSpace(proof))
            return Fail(AuthFailure.DpopRequired, "A DPoP proof (DPoP header) is required with a DPoP-bound token.");
        var parts = JwtParts.TryRead(proof);
        if (parts is null) return Fail(AuthFailure.DpopProofInvalid, "The DPoP proof is not a well-formed JWT.");
        if (JwtParts.Str(parts.Header, "typ") != "dpop+jwt")
            return Fail(AuthFailure.DpopProofInvalid, "The DPoP proof must have typ 'dpop+jwt'.");
        var alg = JwtParts.Str(parts.Header, "alg");
        if (alg is null || !Algorithms.Contains(alg))
            return Fail(AuthFailure.DpopProofInvalid, $"The DPoP proof algorithm '{alg}' is not accepted (asymmetric signatures only).");
        if (JwtParts.Obj(parts.Header, "jwk") is not { } jwk)
            return Fail(AuthFailure.DpopProofInvalid, "The DPoP proof has no 'jwk' header.");
        if (JwkKeys.HasPrivateMembers(jwk))
            return Fail(AuthFailure.DpopProofInvalid, "The DPoP proof's 'jwk' must be a public key only.");
        if (!JwkKeys.Verify(jwk, alg, parts.SigningInput, parts.Signature))
            return Fail(AuthFailure.DpopProofInvalid, "The DPoP proof signature does not verify with its 'jwk'.");

        if (JwtParts.Str(parts.Payload, "htm") != method)
            return Fail(AuthFailure.DpopMethodMismatch, $"The DPoP proof is for another HTTP method (htm must be '{method}').");
        var htu = JwtParts.Str(parts.Payload, "htu");
        if (htu is null || !Uri.TryCreate(htu, UriKind.Absolute, out var htuUri) || NormalizeHtu(htuUri) != NormalizeHtu(requestUri))
            return Fail(AuthFailure.DpopUrlMismatch, "The DPoP proof is for another URL (htu does not match the request).");

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (JwtParts.Num(parts.Payload, "iat") is not { } iat)
            return Fail(AuthFailure.DpopProofInvalid, "The DPoP proof has no 'iat'.");
        if (iat < now - (long)MaxAge.TotalSeconds || iat > now + (long)FutureSkew.TotalSeconds)
            return Fail(AuthFailure.DpopIatOutOfWindow, "The DPoP proof's 'iat' is outside the accepted time window.");

        var ath = JwtParts.Str(parts.Payload, "ath");
        var expectedAth = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));
        if (ath is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(ath), Encoding.ASCII.GetBytes(expectedAth)))
            return Fail(AuthFailure.DpopAthMismatch, "The DPoP proof's 'ath' does not match the access token.");

        var thumb = JwkKeys.Thumbprint(jwk);
        if (boundThumbprint is null)
            return Fail(AuthFailure.DpopKeyMismatch, "The access token is not DPoP-bound (no cnf.jkt).");
        if (thumb != boundThumbprint)
            return Fail(AuthFailure.DpopKeyMismatch, "The DPoP proof key does not match the token's cnf.jkt.");

        // Last: only proofs that are otherwise valid consume a jti.
        var jti = JwtParts.Str(parts.Payload, "jti");
        if (string.IsNullOrEmpty(jti)) return Fail(AuthFailure.DpopProofInvalid, "The DPoP proof has no 'jti'.");
        var forgetAfter = iat + (long)MaxAge.TotalSeconds + (long)FutureSkew.TotalSeconds;
        if (!cache.TryUse(thumb + "|" + jti, forgetAfter, now))
            return Fail(AuthFailure.DpopReplay, "The DPoP proof has already been used (jti replay).");
        return null;
    }

    /// <summary>RFC 9449 §4.3: compare without query and fragment; scheme and host case-insensitive, default port dropped.</summary>
    public static string NormalizeHtu(Uri u) =>
        $"{u.Scheme.ToLowerInvariant()}://{u.IdnHost.ToLowerInvariant()}{(u.IsDefaultPort ? "" : ":" + u.Port)}{u.AbsolutePath}";

    private static AuthResult Fail(AuthFailure f, string m) => AuthResult.Fail(f, m);
}
