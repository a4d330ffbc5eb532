using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Fellesjournal.Trust.Identity;
using Microsoft.IdentityModel.Tokens;

namespace Fellesjournal.Trust.Tests;

/// <summary>The cache of validated tokens: a hit skips the signature check, but never outlives the token's exp on the
/// injected clock, never holds a failed token, and never replaces the per-request DPoP proof check.</summary>
public sealed class ValidatedTokenCacheTests : IDisposable
{
    private const string Url = "https://fj.example/fhir/Patient/p1";
    private readonly ManualTime _time = new(DateTimeOffset.UtcNow);
    private readonly DevelopmentIssuer _issuer;
    private readonly ValidatedTokenCache _cache = new();
    private readonly TokenValidator _validator;

    public ValidatedTokenCacheTests()
    {
        _issuer = new DevelopmentIssuer(time: _time);
        _validator = new TokenValidator(_issuer.TrustedIssuers(), NorwegianIdChecks.Instance, _time, _cache);
    }

    public void Dispose() => _issuer.Dispose();

    [Fact]
    public async Task A_valid_token_is_verified_once_and_then_served_from_the_cache()
    {
        var token = _issuer.Mint(DemoPersonas.Get("gp"));
        var first = await _validator.ValidateAsync(token);
        Assert.True(first.Succeeded, first.Message);
        Assert.Equal(1, _cache.Count);
        var second = await _validator.ValidateAsync(token);
        Assert.Same(first.Principal, second.Principal);
    }

    [Fact]
    public async Task An_expired_token_is_refused_even_though_it_was_cached()
    {
        var token = _issuer.Mint(DemoPersonas.Get("citizen"), new MintOptions { Lifetime = TimeSpan.FromMinutes(10) });
        Assert.True((await _validator.ValidateAsync(token)).Succeeded);
        Assert.Equal(1, _cache.Count);
        _time.Now = _time.Now.AddMinutes(10).AddSeconds(20); // past exp, inside the 30 s skew: still valid
        Assert.True((await _validator.ValidateAsync(token)).Succeeded);
        _time.Now = _time.Now.AddSeconds(15); // past exp + skew
        var r = await _validator.ValidateAsync(token);
        Assert.False(r.Succeeded);
        Assert.Equal(AuthFailure.Expired, r.Failure);
        Assert.Equal(0, _cache.Count);
    }

    [Fact]
    public async Task A_token_whose_signature_fails_is_never_cached()
    {
        var token = _issuer.Mint(DemoPersonas.Get("citizen"));
        var parts = token.Split('.');
        var payload = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!.AsObject();
        payload["pid"] = "03121100095";
        var forged = parts[0] + "." + Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payload.ToJsonString())) + "." + parts[2];
        for (var i = 0; i < 2; i++)
            Assert.Equal(AuthFailure.InvalidSignature, (await _validator.ValidateAsync(forged)).Failure);
        using var impostor = new DevelopmentIssuer(time: _time); // same issuer URLs, another key
        Assert.Equal(AuthFailure.InvalidSignature, (await _validator.ValidateAsync(impostor.Mint(DemoPersonas.Get("gp")))).Failure);
        // A correctly signed token whose claims fail is not remembered either.
        Assert.Equal(AuthFailure.InvalidPid, (await _validator.ValidateAsync(_issuer.Mint(DemoPersonas.Get("citizen"), new MintOptions { PidOverride = "15038500048" }))).Failure);
        Assert.Equal(0, _cache.Count);
        // The genuine token still validates (the forged one did not poison its entry).
        Assert.True((await _validator.ValidateAsync(token)).Succeeded);
    }

    [Fact]
    public async Task A_cached_dpop_bound_token_still_needs_a_fresh_proof_on_every_request()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var auth = new RequestAuthenticator(_validator, new DpopValidator(new DpopReplayCache(), _time));
        var token = _issuer.Mint(DemoPersonas.Get("gp"), new MintOptions { DpopThumbprint = JwkKeys.Thumbprint(key) });
        var proof = JwsWriter.CreateDpopProof(key, "GET", Url, token, _time.Now, null);
        Assert.True((await auth.AuthenticateAsync("DPoP " + token, proof, "GET", new Uri(Url))).Succeeded);
        Assert.Equal(1, _cache.Count);
        Assert.Equal(AuthFailure.DpopReplay, (await auth.AuthenticateAsync("DPoP " + token, proof, "GET", new Uri(Url))).Failure);
        Assert.Equal(AuthFailure.DpopRequired, (await auth.AuthenticateAsync("DPoP " + token, null, "GET", new Uri(Url))).Failure);
        Assert.Equal(AuthFailure.DpopRequired, (await auth.AuthenticateAsync("Bearer " + token, null, "GET", new Uri(Url))).Failure);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Equal(AuthFailure.DpopKeyMismatch, (await auth.AuthenticateAsync("DPoP " + token,
            JwsWriter.CreateDpopProof(other, "GET", Url, token, _time.Now, null), "GET", new Uri(Url))).Failure);
        Assert.True((await auth.AuthenticateAsync("DPoP " + token, JwsWriter.CreateDpopProof(key, "GET", Url, token, _time.Now, null), "GET", new Uri(Url))).Succeeded);
    }
}
