using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Fellesjournal.Trust.Identity;

/// <summary>Compact JWS (ES256) for the development issuer and DPoP proofs of demo clients.</summary>
public static class JwsWriter
{
    public static string SignEs256(string headerJson, string payloadJson, ECDsa key)
    {
        var input = Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(headerJson)) + "." + Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payloadJson));
        var sig = key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return input + "." + Base64UrlEncoder.Encode(sig);
    }

    /// <summary>An RFC 9449 proof for one request, signed by the client's key (public key in the header).</summary>
    public static string CreateDpopProof(ECDsa clientKey, string method, string url, string? accessToken, DateTimeOffset issuedAt, string? jti = null)
    {
        var header = $$"""{"typ":"dpop+jwt","alg":"ES256","jwk":{{JwkKeys.PublicJwkJson(clientKey)}}}""";
        var payload = new System.Text.Json.Nodes.JsonObject
        {
            ["jti"] = jti ?? Guid.NewGuid().ToString("N"),
            ["htm"] = method,
            ["htu"] = url,
            ["iat"] = issuedAt.ToUnixTimeSeconds(),
        };
        if (accessToken is not null)
            payload["ath"] = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));
        return SignEs256(header, payload.ToJsonString(), clientKey);
    }
}
