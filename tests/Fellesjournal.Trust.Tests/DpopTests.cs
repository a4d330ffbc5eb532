using System.Security.Cryptography;
using System.Text.Json;
using Fellesjournal.Trust.Identity;
using Microsoft.IdentityModel.Tokens;

namespace Fellesjournal.Trust.Tests;

public class DpopTests : IDisposable
{
    private const string Url = "https://fj.example/fhir/Patient/p1";
    private readonly ManualTime _time = new(DateTimeOffset.UtcNow);
    private readonly DevelopmentIssuer _issuer;
    private readonly ECDsa _clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly RequestAuthenticator _auth;

    public DpopTests()
    {
        _issuer = new DevelopmentIssuer(time: _time);
        var tokens = new TokenValidator(_issuer.TrustedIssuers(), NorwegianIdChecks.Instance, _time);
        _auth = new RequestAuthenticator(tokens, new DpopValidator(new DpopReplayCache(), _time));
    }

    public void Dispose()
    {
        _issuer.Dispose();
        _clientKey.Dispose();
    }

    private string BoundToken(ECDsa? key = null) =>
        _issuer.Mint(DemoPersonas.Get("gp"), new MintOptions { DpopThumbprint = JwkKeys.Thumbprint(key ?? _clientKey) });

    private string Proof(string token, string method = "GET", string url = Url, ECDsa? key = null, DateTimeOffset? iat = null, string? jti = null) =>
        JwsWriter.CreateDpopProof(key ?? _clientKey, method, url, token, iat ?? _time.Now, jti);

    private Task<AuthResult> Auth(string token, string? proof, string method = "GET", string url = Url, string scheme = "DPoP") =>
        _auth.AuthenticateAsync($"{scheme} {token}", proof, method, new Uri(url));

    private static void Fails(AuthResult r, AuthFailure f)
    {
        Assert.False(r.Succeeded);
        Assert.Equal(f, r.Failure);
        Assert.Equal(401, r.HttpStatus);
        Assert.False(string.IsNullOrWhiteSpace(r.Message));
    }

    [Fact]
    public async Task Valid_proof_is_accepted()
    {
        var t = BoundToken();
        var r = await Auth(t, Proof(t));
        Assert.True(r.Succeeded, r.Message);
        Assert.Equal(JwkKeys.Thumbprint(_clientKey), r.Principal!.ConfirmationThumbprint);
    }

    [Fact]
    public async Task Replayed_proof_is_rejected()
    {
        var t = BoundToken();
        var proof = Proof(t);
        Assert.True((await Auth(t, proof)).Succeeded);
        var r = await Auth(t, proof);
        Fails(r, AuthFailure.DpopReplay);
        Assert.Equal("invalid_dpop_proof", r.WwwAuthenticateError);
    }

    [Fact]
    public async Task Proof_for_another_url_is_rejected()
    {
        var t = BoundToken();
        Fails(await Auth(t, Proof(t, url: "https://fj.example/fhir/Patient/p2")), AuthFailure.DpopUrlMismatch);
        Fails(await Auth(t, Proof(t, url: "https://other.example/fhir/Patient/p1")), AuthFailure.DpopUrlMismatch);
    }

    [Fact]
    public async Task Htu_ignores_query_and_fragment_and_host_case()
    {
        var t = BoundToken();
        Assert.True((await Auth(t, Proof(t, url: "https://FJ.example/fhir/Patient/p1"), url: Url + "?_elements=name#x")).Succeeded);
    }

    [Fact]
    public async Task Proof_for_another_method_is_rejected()
    {
        var t = BoundToken();
        Fails(await Auth(t, Proof(t, method: "POST")), AuthFailure.DpopMethodMismatch);
    }

    [Fact]
    public async Task Wrong_ath_is_rejected()
    {
        var t = BoundToken();
        var other = BoundToken();
        Fails(await Auth(t, Proof(other)), AuthFailure.DpopAthMismatch);
    }

    [Fact]
    public async Task Proof_without_ath_is_rejected()
    {
        var t = BoundToken();
        Fails(await Auth(t, JwsWriter.CreateDpopProof(_clientKey, "GET", Url, null, _time.Now)), AuthFailure.DpopAthMismatch);
    }

    [Fact]
    public async Task Token_without_cnf_jkt_is_rejected_with_dpop()
    {
        var t = _issuer.Mint(DemoPersonas.Get("gp"));
        Fails(await Auth(t, Proof(t)), AuthFailure.DpopKeyMismatch);
    }

    [Fact]
    public async Task Proof_from_another_key_than_cnf_jkt_is_rejected()
    {
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var t = BoundToken();
        Fails(await Auth(t, Proof(t, key: otherKey)), AuthFailure.DpopKeyMismatch);
    }

    [Fact]
    public async Task Bound_token_used_as_bearer_is_rejected()
    {
        var t = BoundToken();
        Fails(await Auth(t, null, scheme: "Bearer"), AuthFailure.DpopRequired);
    }

    [Fact]
    public async Task Missing_proof_is_rejected()
    {
        Fails(await Auth(BoundToken(), null), AuthFailure.DpopRequired);
    }

    [Fact]
    public async Task Stale_and_future_proofs_are_rejected()
    {
        var t = BoundToken();
        Fails(await Auth(t, Proof(t, iat: _time.Now.AddMinutes(-5))), AuthFailure.DpopIatOutOfWindow);
        Fails(await Auth(t, Proof(t, iat: _time.Now.AddMinutes(5))), AuthFailure.DpopIatOutOfWindow);
    }

    [Fact]
    public async Task Proof_with_wrong_typ_is_rejected()
    {
        var t = BoundToken();
        var header = $$"""{"typ":"JWT","alg":"ES256","jwk":{{JwkKeys.PublicJwkJson(_clientKey)}}}""";
        var payload = $$"""{"jti":"x1","htm":"GET","htu":"{{Url}}","iat":{{_time.Now.ToUnixTimeSeconds()}},"ath":"{{Ath(t)}}"}""";
        Fails(await Auth(t, JwsWriter.SignEs256(header, payload, _clientKey)), AuthFailure.DpopProofInvalid);
    }

    [Fact]
    public async Task Proof_with_private_key_in_jwk_is_rejected()
    {
        var t = BoundToken();
        var d = Base64UrlEncoder.Encode(_clientKey.ExportParameters(true).D);
        var jwk = JwkKeys.PublicJwkJson(_clientKey).TrimEnd('}') + $$""","d":"{{d}}"}""";
        var header = $$"""{"typ":"dpop+jwt","alg":"ES256","jwk":{{jwk}}}""";
        var payload = $$"""{"jti":"x2","htm":"GET","htu":"{{Url}}","iat":{{_time.Now.ToUnixTimeSeconds()}},"ath":"{{Ath(t)}}"}""";
        var r = await Auth(t, JwsWriter.SignEs256(header, payload, _clientKey));
        Fails(r, AuthFailure.DpopProofInvalid);
        Assert.Contains("public key only", r.Message);
    }

    [Fact]
    public async Task Proof_signed_by_another_key_than_its_jwk_is_rejected()
    {
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var t = BoundToken();
        var header = $$"""{"typ":"dpop+jwt","alg":"ES256","jwk":{{JwkKeys.PublicJwkJson(_clientKey)}}}""";
        var payload = $$"""{"jti":"x3","htm":"GET","htu":"{{Url}}","iat":{{_time.Now.ToUnixTimeSeconds()}},"ath":"{{Ath(t)}}"}""";
        Fails(await Auth(t, JwsWriter.SignEs256(header, payload, signer)), AuthFailure.DpopProofInvalid);
    }

    [Fact]
    public async Task Issuer_requiring_dpop_refuses_bearer()
    {
        var issuers = _issuer.TrustedIssuers().Select(i => i with { RequireDpop = true }).ToList();
        var auth = new RequestAuthenticator(new TokenValidator(issuers, NorwegianIdChecks.Instance, _time), new DpopValidator(new DpopReplayCache(), _time));
        var t = _issuer.Mint(DemoPersonas.Get("gp"));
        Fails(await auth.AuthenticateAsync("Bearer " + t, null, "GET", new Uri(Url)), AuthFailure.DpopRequired);
    }

    [Fact]
    public async Task Plain_bearer_is_accepted_when_not_bound_and_not_required()
    {
        var t = _issuer.Mint(DemoPersonas.Get("citizen"));
        Assert.True((await Auth(t, null, scheme: "Bearer")).Succeeded);
    }

    [Fact]
    public void Replay_cache_admits_a_jti_once_under_concurrency()
    {
        var cache = new DpopReplayCache();
        var wins = 0;
        Parallel.For(0, 64, _ => { if (cache.TryUse("k|same", 1000, 10)) Interlocked.Increment(ref wins); });
        Assert.Equal(1, wins);
    }

    [Fact]
    public void Replay_cache_forgets_after_window_and_fails_closed_when_full()
    {
        var cache = new DpopReplayCache(capacity: 2);
        Assert.True(cache.TryUse("a", 100, 10));
        Assert.True(cache.TryUse("b", 100, 10));
        Assert.False(cache.TryUse("c", 100, 10)); // full of live entries
        Assert.False(cache.TryUse("a", 100, 50)); // still a replay
        Assert.True(cache.TryUse("c", 300, 200)); // a and b expired and were purged
        Assert.True(cache.TryUse("a", 300, 200)); // a may be used again once outside every window
    }

    [Fact]
    public void Jwk_thumbprint_matches_rfc7638_example()
    {
        const string jwk = """
            {"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}
            """;
        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", JwkKeys.Thumbprint(JsonDocument.Parse(jwk).RootElement));
    }

    private static string Ath(string token) => Base64UrlEncoder.Encode(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(token)));
}
