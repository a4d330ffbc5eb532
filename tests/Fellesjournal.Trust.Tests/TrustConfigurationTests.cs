using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Trust.Tests;

public class TrustConfigurationTests
{
    [Fact]
    public void Dev_and_production_issuers_together_are_refused()
    {
        using var dev = new DevelopmentIssuer();
        var prod = new IssuerOptions { Name = "helseid", Kind = IssuerKind.HelseId, Issuer = "https://helseid.example", Audiences = ["api"], Jwks = dev.JwksJson };
        Assert.Throws<InvalidOperationException>(() => TrustConfiguration.BuildIssuers([prod], dev));
        Assert.Throws<InvalidOperationException>(() => TrustConfiguration.BuildIssuers([], null));
        Assert.Equal(3, TrustConfiguration.BuildIssuers([], dev).Count);
    }

    [Fact]
    public async Task Configured_issuer_validates_its_tokens()
    {
        using var signer = new DevelopmentIssuer("https://helseid.example");
        var prod = new IssuerOptions { Name = "helseid", Kind = IssuerKind.HelseId, Issuer = signer.HelseIdIssuer, Audiences = ["fellesjournal"], Jwks = signer.JwksJson, RequireDpop = true };
        var issuers = TrustConfiguration.BuildIssuers([prod], null);
        Assert.True(Assert.Single(issuers).RequireDpop);
        var r = await new TokenValidator(issuers).ValidateAsync(signer.Mint(DemoPersonas.Get("gp")));
        Assert.True(r.Succeeded, r.Message);
        Assert.Equal("helseid", r.Principal!.Issuer);
        // A citizen token from the same key but another issuer URL is not trusted.
        Assert.Equal(AuthFailure.UntrustedIssuer, (await new TokenValidator(issuers).ValidateAsync(signer.Mint(DemoPersonas.Get("citizen")))).Failure);
    }

    [Fact]
    public void Issuer_without_keys_is_refused()
    {
        var bad = new IssuerOptions { Name = "x", Kind = IssuerKind.IdPorten, Issuer = "https://x", Audiences = ["a"], Jwks = """{"keys":[]}""" };
        Assert.Throws<InvalidOperationException>(() => TrustConfiguration.BuildIssuers([bad], null));
    }

    [Fact]
    public async Task Oversized_token_is_rejected_before_decoding()
    {
        using var dev = new DevelopmentIssuer();
        var r = await new TokenValidator(dev.TrustedIssuers()).ValidateAsync(new string('a', JwtParts.MaxLength + 1));
        Assert.Equal(AuthFailure.MalformedToken, r.Failure);
    }
}
