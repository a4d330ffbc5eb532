using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Fellesjournal.Trust.Identity;

/// <summary>
/// Validates access tokens (compact JWS) against the configured issuers and maps their claims to a
/// <see cref="Principal"/>. Signature, issuer and audience are checked by the IdentityModel handler; lifetime is
/// checked here against <see cref="TimeProvider"/> so that failures get their own message and tests control time.
/// </summary>
public sealed class TokenValidator
{
    public const string HelseIdPid = "helseid://claims/identity/pid";
    public const string HelseIdHpr = "helseid://claims/hpr/hpr_number";
    public const string HelseIdOrgParent = "helseid://claims/client/claims/orgnr_parent";
    public const string HelseIdOrgChild = "helseid://claims/client/claims/orgnr_child";

    private readonly Dictionary<string, TrustedIssuer> _issuers;
    private readonly INorwegianIdChecks _checks;
    private readonly TimeProvider _time;
    private readonly JsonWebTokenHandler _handler = new();
    private readonly ValidatedTokenCache? _validated;

    /// <summary>Tolerated clock difference between issuer and server.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(30);

    /// <param name="checks">Identifier checks; defaults to the shared Norway functions.</param>
    /// <param name="cache">Tokens already validated (see <see cref="ValidatedTokenCache"/>); null: every token is verified every time.</param>
    public TokenValidator(IEnumerable<TrustedIssuer> issuers, INorwegianIdChecks? checks = null, TimeProvider? time = null,
        ValidatedTokenCache? cache = null)
    {
        _validated = cache;
        _issuers = issuers.ToDictionary(i => i.IssuerUrl, StringComparer.Ordinal);
        _checks = checks ?? NorwegianIdChecks.Instance;
        _time = time ?? TimeProvider.System;
    }

    public TrustedIssuer? FindIssuer(string issuerUrl) => _issuers.GetValueOrDefault(issuerUrl);

    /// <summary>True when the issuer with this configured name only accepts DPoP-bound use.</summary>
    public bool RequiresDpop(string issuerName) => _issuers.Values.Any(i => i.Name == issuerName && i.RequireDpop);

    public async Task<AuthResult> ValidateAsync(string? token)
    {
        if (string.IsNullOrWhiteSpace(token)) return AuthResult.Fail(AuthFailure.MissingToken, "An access token is required.");
        var key = _validated is null ? null : ValidatedTokenCache.KeyOf(token);
        if (key is not null && _validated!.Get(key, _time.GetUtcNow().ToUnixTimeSeconds(), (long)ClockSkew.TotalSeconds) is { } known)
            return AuthResult.Ok(known);
        var result = await ValidateUncachedAsync(token);
        // Only a token that passed every check is remembered, until its exp.
        if (key is not null && result is { Succeeded: true, Principal.ExpiresAt: { } expires })
            _validated!.Put(key, result.Principal!, expires.ToUnixTimeSeconds(), _time.GetUtcNow().ToUnixTimeSeconds(), (long)ClockSkew.TotalSeconds);
        return result;
    }

    private async Task<AuthResult> ValidateUncachedAsync(string token)
    {
        var parts = JwtParts.TryRead(token);
        if (parts is null) return AuthResult.Fail(AuthFailure.MalformedToken, "The access token is not a well-formed JWT.");
        var alg = JwtParts.Str(parts.Header, "alg");
        if (string.IsNullOrEmpty(alg) || alg.Equals("none", StringComparison.OrdinalIgnoreCase) || parts.Signature.Length == 0)
            return AuthResult.Fail(AuthFailure.UnsignedToken, "Unsigned access tokens (alg=none) are not accepted.");

        var iss = JwtParts.Str(parts.Payload, "iss");
        if (iss is null || !_issuers.TryGetValue(iss, out var issuer))
            return AuthResult.Fail(AuthFailure.UntrustedIssuer, $"The token issuer '{iss}' is not a trusted issuer.");
        if (!issuer.AllowedAlgorithms.Contains(alg))
            return AuthResult.Fail(AuthFailure.InvalidSignature, $"The signature algorithm '{alg}' is not accepted.");

        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = issuer.IssuerUrl,
            ValidAudiences = issuer.Audiences,
            IssuerSigningKeys = issuer.Keys,
            ValidAlgorithms = issuer.AllowedAlgorithms,
            RequireSignedTokens = true,
            ValidateLifetime = false, // checked below with our clock and messages
            RequireExpirationTime = false,
            TryAllIssuerSigningKeys = true,
        });
        if (!result.IsValid)
        {
            return result.Exception switch
            {
                SecurityTokenInvalidAudienceException => AuthResult.Fail(AuthFailure.WrongAudience, "The token was not issued for this API (audience mismatch)."),
                SecurityTokenInvalidIssuerException => AuthResult.Fail(AuthFailure.UntrustedIssuer, "The token issuer is not trusted."),
                SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException or SecurityTokenInvalidAlgorithmException
                    => AuthResult.Fail(AuthFailure.InvalidSignature, "The token signature is not valid for the issuer's keys."),
                _ => AuthResult.Fail(AuthFailure.MalformedToken, "The access token could not be validated."),
            };
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var skew = (long)ClockSkew.TotalSeconds;
        var exp = JwtParts.Num(parts.Payload, "exp");
        if (exp is null) return AuthResult.Fail(AuthFailure.MalformedToken, "The token has no expiry (exp).");
        if (now > exp + skew) return AuthResult.Fail(AuthFailure.Expired, "The access token has expired.");
        if (JwtParts.Num(parts.Payload, "nbf") is { } nbf && nbf > now + skew)
            return AuthResult.Fail(AuthFailure.NotYetValid, "The access token is not yet valid (nbf).");
        if (JwtParts.Num(parts.Payload, "iat") is { } iat && iat > now + skew)
            return AuthResult.Fail(AuthFailure.NotYetValid, "The access token was issued in the future (iat).");

        return Map(issuer, parts.Payload, DateTimeOffset.FromUnixTimeSeconds(exp.Value));
    }

    private AuthResult Map(TrustedIssuer issuer, JsonElement p, DateTimeOffset expires)
    {
        var basePrincipal = new Principal
        {
            Kind = PrincipalKind.System,
            Issuer = issuer.Name,
            Subject = JwtParts.Str(p, "sub"),
            Name = JwtParts.Str(p, "name") ?? JoinName(JwtParts.Str(p, "given_name"), JwtParts.Str(p, "family_name")),
            Scopes = ScopeSet.Parse(JwtParts.StrOrJoined(p, "scope")),
            ClientId = JwtParts.Str(p, "client_id") ?? JwtParts.Str(p, "azp"),
            TokenId = JwtParts.Str(p, "jti"),
            ConfirmationThumbprint = JwtParts.Obj(p, "cnf") is { } cnf ? JwtParts.Str(cnf, "jkt") : null,
            ExpiresAt = expires,
        };
        return issuer.Kind switch
        {
            IssuerKind.IdPorten => MapCitizen(basePrincipal, p),
            IssuerKind.HelseId => MapHelseId(basePrincipal, p),
            _ => MapSystem(basePrincipal, p),
        };
    }

    private AuthResult MapCitizen(Principal b, JsonElement p)
    {
        var pid = JwtParts.Str(p, "pid");
        if (string.IsNullOrEmpty(pid)) return AuthResult.Fail(AuthFailure.MissingSubjectIdentity, "The citizen token has no 'pid' claim.");
        if (!_checks.IsValidPersonNumber(pid))
            return AuthResult.Fail(AuthFailure.InvalidPid, "The 'pid' claim is not a valid fødselsnummer or D-number.");
        return AuthResult.Ok(b with { Kind = PrincipalKind.Citizen, Pid = pid });
    }

    private AuthResult MapHelseId(Principal b, JsonElement p)
    {
        var orgParent = JwtParts.Str(p, HelseIdOrgParent);
        var orgChild = JwtParts.Str(p, HelseIdOrgChild);
        if (orgParent is not null && !_checks.IsValidOrganisationNumber(orgParent))
            return AuthResult.Fail(AuthFailure.InvalidOrganisationNumber, $"The claim '{HelseIdOrgParent}' is not a valid organisation number.");
        if (orgChild is not null && !_checks.IsValidOrganisationNumber(orgChild))
            return AuthResult.Fail(AuthFailure.InvalidOrganisationNumber, $"The claim '{HelseIdOrgChild}' is not a valid organisation number.");
        b = b with { OrgNumberParent = orgParent, OrgNumberChild = orgChild };

        var pid = JwtParts.Str(p, HelseIdPid);
        if (pid is null) return MapSystem(b, p); // client-credentials token: a system client
        if (!_checks.IsValidPersonNumber(pid))
            return AuthResult.Fail(AuthFailure.InvalidPid, $"The claim '{HelseIdPid}' is not a valid fødselsnummer or D-number.");
        var hpr = JwtParts.Str(p, HelseIdHpr);
        if (hpr is not null && !Fellesjournal.Fhir.Norway.HprNumber.IsValidFormat(hpr))
            return AuthResult.Fail(AuthFailure.MalformedToken, $"The claim '{HelseIdHpr}' is not a valid HPR number (digits only).");

        var entry = TrustFrameworkParser.Find(p);
        if (entry is null)
            return AuthResult.Fail(AuthFailure.MissingTrustFramework,
                "Health personnel must present trust-framework authorization_details (type nhn:tillitsrammeverk:parameters) with purpose of use.");
        var (details, error) = TrustFrameworkParser.Parse(entry.Value, _checks);
        if (details is null) return AuthResult.Fail(AuthFailure.InvalidTrustFramework, error!);
        return AuthResult.Ok(b with { Kind = PrincipalKind.Personnel, Pid = pid, HprNumber = hpr, TrustFramework = details });
    }

    private static AuthResult MapSystem(Principal b, JsonElement p)
    {
        if (b.ClientId is null && b.Subject is null)
            return AuthResult.Fail(AuthFailure.MissingSubjectIdentity, "The system token names no client (client_id or sub).");
        return AuthResult.Ok(b with { Kind = PrincipalKind.System, ClientId = b.ClientId ?? b.Subject });
    }

    private static string? JoinName(string? given, string? family) =>
        given is null && family is null ? null : $"{given} {family}".Trim();
}
