using System.Text;
using System.Text.Json.Nodes;
using Fellesjournal.Trust.Identity;
using Microsoft.IdentityModel.Tokens;

namespace Fellesjournal.Trust.Tests;

public class TokenValidatorTests : IDisposable
{
    private readonly ManualTime _time = new(DateTimeOffset.UtcNow);
    private readonly DevelopmentIssuer _issuer;
    private readonly TokenValidator _validator;

    public TokenValidatorTests()
    {
        _issuer = new DevelopmentIssuer(time: _time);
        _validator = new TokenValidator(_issuer.TrustedIssuers(), NorwegianIdChecks.Instance, _time);
    }

    public void Dispose() => _issuer.Dispose();

    private static DemoPersona P(string id) => DemoPersonas.Get(id);

    private static JsonObject Payload(string token) =>
        JsonNode.Parse(Base64UrlEncoder.Decode(token.Split('.')[1]))!.AsObject();

    private async Task<AuthResult> Fails(string token, AuthFailure expected, int status = 401)
    {
        var r = await _validator.ValidateAsync(token);
        Assert.False(r.Succeeded);
        Assert.Equal(expected, r.Failure);
        Assert.Equal(status, r.HttpStatus);
        Assert.False(string.IsNullOrWhiteSpace(r.Message));
        return r;
    }

    [Fact]
    public async Task Citizen_token_maps_pid_and_scopes()
    {
        var r = await _validator.ValidateAsync(_issuer.Mint(P("citizen")));
        Assert.True(r.Succeeded, r.Message);
        Assert.Equal(PrincipalKind.Citizen, r.Principal!.Kind);
        Assert.Equal("15038500047", r.Principal.Pid);
        Assert.Equal("Kari Nordmann", r.Principal.Name);
        Assert.True(r.Principal.Scopes.Allows("Observation", Interaction.Read, ScopeContext.Patient));
        Assert.Null(r.Principal.TrustFramework);
    }

    [Fact]
    public async Task HelseId_token_maps_personnel_and_trust_framework()
    {
        var token = _issuer.Mint(P("hospital-doctor"), new MintOptions { Purpose = PurposeOfUse.EmergencyTreat, PurposeDetails = "Unconscious patient", Patients = ["15038500047"] });
        var r = await _validator.ValidateAsync(token);
        Assert.True(r.Succeeded, r.Message);
        var p = r.Principal!;
        Assert.Equal(PrincipalKind.Personnel, p.Kind);
        Assert.Equal("23056800026", p.Pid);
        Assert.Equal("412345678", p.HprNumber);
        Assert.Equal("983710018", p.OrgNumberParent);
        Assert.Equal("991110003", p.OrgNumberChild);
        Assert.Equal("LE", p.TrustFramework!.AuthorizationCode);
        Assert.Equal("983710018", p.TrustFramework.LegalEntity);
        Assert.Equal("991110003", p.TrustFramework.PointOfCare);
        Assert.Equal("4208000", p.TrustFramework.Department);
        Assert.Equal(PurposeOfUse.EmergencyTreat, p.Purpose);
        Assert.Equal("Unconscious patient", p.TrustFramework.PurposeDetails);
        Assert.NotNull(p.TrustFramework.DecisionRefId);
        Assert.Equal(["15038500047"], p.TrustFramework.Patients);
        Assert.Equal("dev-helseid", p.Issuer);
    }

    [Fact]
    public async Task System_token_maps_client()
    {
        var r = await _validator.ValidateAsync(_issuer.Mint(P("registry")));
        Assert.True(r.Succeeded, r.Message);
        Assert.Equal(PrincipalKind.System, r.Principal!.Kind);
        Assert.Equal("demo-registry", r.Principal.ClientId);
        Assert.True(r.Principal.Scopes.Allows("Patient", Interaction.Search, ScopeContext.System));
    }

    [Fact]
    public async Task Expired_token_is_rejected()
    {
        var r = await Fails(_issuer.Mint(P("gp"), new MintOptions { IssuedAt = _time.Now.AddHours(-1) }), AuthFailure.Expired);
        Assert.Contains("expired", r.Message);
        Assert.Equal("invalid_token", r.WwwAuthenticateError);
    }

    [Fact]
    public async Task Expiry_within_clock_skew_is_accepted_and_beyond_is_not()
    {
        var token = _issuer.Mint(P("citizen"), new MintOptions { IssuedAt = _time.Now.AddMinutes(-10), Lifetime = TimeSpan.FromMinutes(10) });
        _time.Now = _time.Now.AddSeconds(20);
        Assert.True((await _validator.ValidateAsync(token)).Succeeded);
        _time.Now = _time.Now.AddSeconds(20);
        await Fails(token, AuthFailure.Expired);
    }

    [Fact]
    public async Task Not_yet_valid_token_is_rejected()
    {
        await Fails(_issuer.Mint(P("citizen"), new MintOptions { NotBefore = _time.Now.AddMinutes(5) }), AuthFailure.NotYetValid);
        await Fails(_issuer.Mint(P("citizen"), new MintOptions { IssuedAt = _time.Now.AddMinutes(5) }), AuthFailure.NotYetValid);
    }

    [Fact]
    public async Task Wrong_issuer_is_rejected()
    {
        var p = Payload(_issuer.Mint(P("citizen")));
        p["iss"] = "https://evil.example/idporten";
        var r = await Fails(_issuer.Sign(p), AuthFailure.UntrustedIssuer);
        Assert.Contains("evil.example", r.Message);
    }

    [Fact]
    public async Task Wrong_audience_is_rejected()
    {
        await Fails(_issuer.Mint(P("gp"), new MintOptions { Audience = "another-api" }), AuthFailure.WrongAudience);
    }

    [Fact]
    public async Task Wrong_signing_key_is_rejected()
    {
        using var impostor = new DevelopmentIssuer(time: _time); // same issuer URLs, another key
        await Fails(impostor.Mint(P("gp")), AuthFailure.InvalidSignature);
    }

    [Fact]
    public async Task Tampered_payload_is_rejected()
    {
        var token = _issuer.Mint(P("citizen"));
        var parts = token.Split('.');
        var p = Payload(token);
        p["pid"] = "03121100095";
        var forged = parts[0] + "." + Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(p.ToJsonString())) + "." + parts[2];
        await Fails(forged, AuthFailure.InvalidSignature);
    }

    [Fact]
    public async Task Alg_none_is_rejected()
    {
        var p = Payload(_issuer.Mint(P("citizen")));
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        var r = await Fails(header + "." + Base64UrlEncoder.Encode(p.ToJsonString()) + ".", AuthFailure.UnsignedToken);
        Assert.Contains("alg=none", r.Message);
    }

    [Fact]
    public async Task Symmetric_algorithm_is_rejected()
    {
        var p = Payload(_issuer.Mint(P("citizen")));
        var header = Base64UrlEncoder.Encode("""{"alg":"HS256","typ":"JWT"}""");
        var body = Base64UrlEncoder.Encode(p.ToJsonString());
        var sig = Base64UrlEncoder.Encode(System.Security.Cryptography.HMACSHA256.HashData(new byte[32], Encoding.ASCII.GetBytes(header + "." + body)));
        await Fails(header + "." + body + "." + sig, AuthFailure.InvalidSignature);
    }

    [Fact]
    public async Task Missing_and_malformed_tokens_are_rejected()
    {
        await Fails("", AuthFailure.MissingToken);
        await Fails("not-a-jwt", AuthFailure.MalformedToken);
        await Fails("a.b.c", AuthFailure.MalformedToken);
    }

    [Fact]
    public async Task Personnel_without_trust_framework_is_forbidden()
    {
        var r = await Fails(_issuer.Mint(P("gp"), new MintOptions { OmitTrustFramework = true }), AuthFailure.MissingTrustFramework, 403);
        Assert.Contains("nhn:tillitsrammeverk:parameters", r.Message);
        Assert.Equal("insufficient_scope", r.WwwAuthenticateError);
    }

    [Fact]
    public async Task Trust_framework_with_unknown_purpose_is_forbidden()
    {
        var p = Payload(_issuer.Mint(P("gp")));
        p["authorization_details"]![0]!["care_relationship"]!["purpose_of_use"]!["code"] = "HMARKT";
        var r = await Fails(_issuer.Sign(p), AuthFailure.InvalidTrustFramework, 403);
        Assert.Contains("HMARKT", r.Message);
    }

    [Fact]
    public async Task Trust_framework_without_legal_entity_is_forbidden()
    {
        var p = Payload(_issuer.Mint(P("gp")));
        p["authorization_details"]![0]!["practitioner"]!.AsObject().Remove("legal_entity");
        await Fails(_issuer.Sign(p), AuthFailure.InvalidTrustFramework, 403);
    }

    [Fact]
    public async Task Trust_framework_with_invalid_legal_entity_number_is_forbidden()
    {
        var p = Payload(_issuer.Mint(P("gp")));
        p["authorization_details"]![0]!["practitioner"]!["legal_entity"]!["id"] = "974380006";
        var r = await Fails(_issuer.Sign(p), AuthFailure.InvalidTrustFramework, 403);
        Assert.Contains("974380006", r.Message);
    }

    [Fact]
    public async Task Authorization_details_as_single_object_is_accepted()
    {
        var p = Payload(_issuer.Mint(P("gp")));
        p["authorization_details"] = p["authorization_details"]![0]!.DeepClone();
        var r = await _validator.ValidateAsync(_issuer.Sign(p));
        Assert.True(r.Succeeded, r.Message);
        Assert.Equal(PurposeOfUse.Treat, r.Principal!.Purpose);
    }

    [Fact]
    public async Task Invalid_fnr_in_citizen_pid_is_rejected()
    {
        var r = await Fails(_issuer.Mint(P("citizen"), new MintOptions { PidOverride = "15038500048" }), AuthFailure.InvalidPid);
        Assert.Contains("fødselsnummer", r.Message);
    }

    [Fact]
    public async Task Invalid_fnr_in_helseid_pid_is_rejected()
    {
        await Fails(_issuer.Mint(P("gp"), new MintOptions { PidOverride = "11117400280" }), AuthFailure.InvalidPid);
    }

    [Fact]
    public async Task Citizen_token_without_pid_is_rejected()
    {
        var p = Payload(_issuer.Mint(P("citizen")));
        p.Remove("pid");
        await Fails(_issuer.Sign(p), AuthFailure.MissingSubjectIdentity);
    }

    [Fact]
    public async Task Invalid_client_org_number_is_rejected()
    {
        var p = Payload(_issuer.Mint(P("gp")));
        p[TokenValidator.HelseIdOrgParent] = "123456789";
        await Fails(_issuer.Sign(p), AuthFailure.InvalidOrganisationNumber);
    }

    [Fact]
    public async Task Jwks_is_public_only_and_usable()
    {
        var jwks = System.Text.Json.JsonDocument.Parse(_issuer.JwksJson).RootElement;
        var key = jwks.GetProperty("keys")[0];
        Assert.Equal("EC", key.GetProperty("kty").GetString());
        Assert.False(key.TryGetProperty("d", out _));
        Assert.Single(TrustedIssuer.KeysFromJwks(_issuer.JwksJson));
    }

    [Theory]
    [InlineData("15038500048")] // citizen pid with the last digit changed
    [InlineData("11117400280")]
    [InlineData("31029900000")]
    public void Numbers_used_as_invalid_are_invalid(string pid) => Assert.False(NorwegianIdChecks.Instance.IsValidPersonNumber(pid));

    [Theory]
    [InlineData("974380006")]
    [InlineData("123456789")]
    public void Org_numbers_used_as_invalid_are_invalid(string org) => Assert.False(NorwegianIdChecks.Instance.IsValidOrganisationNumber(org));

    [Fact]
    public void Every_persona_has_valid_numbers()
    {
        var checks = NorwegianIdChecks.Instance;
        foreach (var p in DemoPersonas.All)
        {
            if (p.Pid is not null) Assert.True(checks.IsValidPersonNumber(p.Pid), p.Id);
            if (p.LegalEntity is not null) Assert.True(checks.IsValidOrganisationNumber(p.LegalEntity), p.Id);
        }
        Assert.Equal(DemoPersonas.All.Count, DemoPersonas.All.Select(p => p.Id).Distinct().Count());
    }
}
