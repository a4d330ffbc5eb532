namespace Fellesjournal.Trust.Identity;

/// <summary>Why a request was not authenticated or not authorised to proceed. Each maps to one HTTP status.</summary>
public enum AuthFailure
{
    None,
    MissingToken,
    MalformedToken,
    UnsignedToken,
    UntrustedIssuer,
    InvalidSignature,
    WrongAudience,
    Expired,
    NotYetValid,
    MissingSubjectIdentity,
    InvalidPid,
    InvalidOrganisationNumber,
    MissingTrustFramework,
    InvalidTrustFramework,
    DpopRequired,
    DpopProofInvalid,
    DpopReplay,
    DpopMethodMismatch,
    DpopUrlMismatch,
    DpopIatOutOfWindow,
    DpopAthMismatch,
    DpopKeyMismatch,
}

/// <summary>
/// Outcome of authenticating a request: a <see cref="Principal"/> or a typed failure with a message fit for an
/// OperationOutcome (it names the problem, never echoes the token).
/// </summary>
public sealed record AuthResult(Principal? Principal, AuthFailure Failure, string? Message)
{
    public bool Succeeded => Principal is not null && Failure == AuthFailure.None;

    public static AuthResult Ok(Principal p) => new(p, AuthFailure.None, null);
    public static AuthResult Fail(AuthFailure f, string message) => new(null, f, message);

    /// <summary>401 when the credentials are missing or invalid; 403 when they are valid but insufficient
    /// (a personnel token without the trust-framework attestation).</summary>
    public int HttpStatus => Failure switch
    {
        AuthFailure.None => 200,
        AuthFailure.MissingTrustFramework or AuthFailure.InvalidTrustFramework => 403,
        _ => 401,
    };

    /// <summary>The RFC 6750 / RFC 9449 <c>error</c> value for the WWW-Authenticate header.</summary>
    public string? WwwAuthenticateError => Failure switch
    {
        AuthFailure.None or AuthFailure.MissingToken => null,
        AuthFailure.MissingTrustFramework or AuthFailure.InvalidTrustFramework => "insufficient_scope",
        AuthFailure.DpopProofInvalid or AuthFailure.DpopReplay or AuthFailure.DpopMethodMismatch or AuthFailure.DpopUrlMismatch
            or AuthFailure.DpopIatOutOfWindow or AuthFailure.DpopAthMismatch or AuthFailure.DpopKeyMismatch => "invalid_dpop_proof",
        _ => "invalid_token",
    };
}
