namespace Fellesjournal.Trust.Identity;

/// <summary>
/// The one call the HTTP layer makes per request: takes the Authorization and DPoP headers, the method and the
/// public request URI, and returns the principal or a typed failure. <c>Authorization: DPoP &lt;token&gt;</c>
/// requires a valid proof; a token bound with <c>cnf.jkt</c> is never accepted as a plain bearer token; issuers
/// configured with <see cref="TrustedIssuer.RequireDpop"/> accept only DPoP.
/// </summary>
public sealed class RequestAuthenticator(TokenValidator tokens, DpopValidator dpop)
{
    public async Task<AuthResult> AuthenticateAsync(string? authorizationHeader, string? dpopHeader, string method, Uri requestUri)
    {
        if (string.IsNullOrWhiteSpace(authorizationHeader))
            return AuthResult.Fail(AuthFailure.MissingToken, "An access token is required (Authorization: DPoP or Bearer).");
        var space = authorizationHeader.IndexOf(' ');
        if (space <= 0) return AuthResult.Fail(AuthFailure.MalformedToken, "The Authorization header must be '<scheme> <token>'.");
        var scheme = authorizationHeader[..space];
        var token = authorizationHeader[(space + 1)..].Trim();
        var isDpop = scheme.Equals("DPoP", StringComparison.OrdinalIgnoreCase);
        if (!isDpop && !scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            return AuthResult.Fail(AuthFailure.MalformedToken, $"The authorization scheme '{scheme}' is not supported.");

        var result = await tokens.ValidateAsync(token);
        if (!result.Succeeded) return result;
        var principal = result.Principal!;
        if (!isDpop)
        {
            if (principal.ConfirmationThumbprint is not null)
                return AuthResult.Fail(AuthFailure.DpopRequired, "This token is DPoP-bound; use 'Authorization: DPoP' with a DPoP proof.");
            if (principal.Issuer is { } name && tokens.RequiresDpop(name))
                return AuthResult.Fail(AuthFailure.DpopRequired, "Tokens from this issuer must be DPoP-bound.");
            return result;
        }
        return dpop.Validate(dpopHeader, method, requestUri, token, principal.ConfirmationThumbprint) ?? result;
    }
}
