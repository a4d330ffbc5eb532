using Fellesjournal.Server.Http;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Server.Security;

/// <summary>
/// Authenticates a /fhir request: the Authorization header (Bearer or DPoP with a DPoP proof) → a
/// <see cref="Principal"/>, or a failure answered with 401/403 and a WWW-Authenticate challenge (RFC 6750, RFC 9449).
/// Only the CapabilityStatement and SMART discovery are public.
/// </summary>
public sealed class FhirAuthentication(TrustSetup trust, ServerOptions options)
{
    private const string DpopAlgs = "ES256 ES384 RS256 PS256";

    /// <summary>Paths (relative to the FHIR base) answered without a token: they carry no patient data.</summary>
    public static bool IsPublic(string method, string path) =>
        method is "GET" && path is "metadata" or ".well-known/smart-configuration";

    public async Task<AuthResult> AuthenticateAsync(HttpContext ctx)
    {
        if (trust.Authenticator is not { } authenticator)
            return AuthResult.Fail(AuthFailure.UntrustedIssuer, trust.RefusalReason!);
        var r = ctx.Request;
        // DPoP's htu is the URL the client addressed: behind a proxy, the configured public origin.
        var origin = options.PublicBase ?? $"{r.Scheme}://{r.Host}";
        var uri = new Uri(origin + r.PathBase + r.Path);
        var method = r.Method.ToUpperInvariant();
        return await authenticator.AuthenticateAsync(r.Headers.Authorization.ToString(), r.Headers["DPoP"].ToString(), method, uri);
    }

    /// <summary>The OperationOutcome error (401 login / 403 forbidden) with its challenge.</summary>
    public static FhirException ToException(AuthResult failure, string? authorizationHeader)
    {
        var status = failure.HttpStatus;
        var e = new FhirException(status, status == 401 ? "login" : "forbidden", failure.Message ?? "Not authenticated.", "http.Authorization");
        e.Headers["WWW-Authenticate"] = Challenge(failure, authorizationHeader);
        return e;
    }

    private static string Challenge(AuthResult failure, string? authorizationHeader)
    {
        var error = failure.WwwAuthenticateError;
        if (error is null) return $"Bearer realm=\"fellesjournal\", DPoP algs=\"{DpopAlgs}\"";
        var usedDpop = authorizationHeader?.StartsWith("DPoP ", StringComparison.OrdinalIgnoreCase) == true || error == "invalid_dpop_proof";
        var description = (failure.Message ?? "").Replace('"', '\'').Replace('\\', '/');
        var scheme = usedDpop ? $"DPoP algs=\"{DpopAlgs}\", " : "Bearer ";
        return $"{scheme}error=\"{error}\", error_description=\"{description}\"";
    }
}
