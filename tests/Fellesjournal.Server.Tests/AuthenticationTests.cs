using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Fellesjournal.Trust.Identity;
using Microsoft.AspNetCore.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace Fellesjournal.Server.Tests;

/// <summary>Issue 7's token cases over HTTP: each refused with 401 (or 403) and an OperationOutcome that says why.</summary>
public class AuthenticationTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private HttpClient Anonymous()
    {
        var c = server.CreateClient();
        c.DefaultRequestHeaders.Authorization = null;
        return c;
    }

    private async Task<JsonObject> Refused(HttpResponseMessage r, int status, string contains)
    {
        var oo = await Fhir.AssertOutcome(r, status);
        var issue = oo["issue"]![0]!;
        Assert.Contains(contains, (string?)issue["diagnostics"], StringComparison.OrdinalIgnoreCase);
        Assert.Equal("http.Authorization", (string?)issue["expression"]?[0] ?? (string?)issue["location"]?[0]);
        Assert.True(r.Headers.WwwAuthenticate.Count > 0, "WWW-Authenticate missing");
        return oo;
    }

    private async Task<HttpResponseMessage> GetWith(string token, string path = "/fhir/Patient")
    {
        var c = Anonymous();
        c.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return await c.GetAsync(path);
    }

    [Fact]
    public async Task The_normal_build_has_no_benchmark_path_around_the_access_layer()
    {
        // Only a bench build (-p:BenchOpen=true, bench/authz/run.sh) may skip authentication, policy and audit.
        Assert.False(Security.BenchOpenBuild.AccessLayerOff);
        var r = await Anonymous().GetAsync("/fhir/Observation?patient=Patient/anyone");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, r.StatusCode);
    }

    [Fact]
    public async Task No_token_is_401_with_a_challenge_and_public_paths_answer_without_one()
    {
        var c = Anonymous();
        foreach (var path in new[] { "/fhir/Patient", "/fhir/Patient/x", "/fhir", "/fhir/_history", "/fhir/Patient/x/$everything" })
        {
            var r = await c.GetAsync(path);
            await Refused(r, 401, "access token is required");
            Assert.Contains("Bearer", r.Headers.WwwAuthenticate.ToString());
            Assert.Contains("DPoP", r.Headers.WwwAuthenticate.ToString());
        }
        await Refused(await c.PostAsync("/fhir/Patient", Fhir.Json(Fhir.Patient())), 401, "access token");
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync("/fhir/metadata")).StatusCode);
        var smart = await Fhir.Body(await c.GetAsync("/fhir/.well-known/smart-configuration"));
        Assert.EndsWith("/dev/token", (string?)smart["token_endpoint"]);
        Assert.Contains("permission-v2", smart["capabilities"]!.AsArray().Select(x => (string?)x));
    }

    [Fact]
    public async Task Without_issuers_every_request_is_refused_and_dev_with_real_issuers_does_not_start()
    {
        await using (var none = new ServerFixture { Store = server.Store }.WithWebHostBuilder(b => b.UseSetting("Fellesjournal:DevIdentity", "false")))
        {
            var c = none.CreateClient();
            var r = await c.GetAsync("/fhir/Patient");
            await Refused(r, 401, "No token issuers are configured");
            Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync("/dev/token?persona=registry")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await c.GetAsync("/fhir/metadata")).StatusCode);
        }
        await using var both = new ServerFixture { Store = server.Store }.WithWebHostBuilder(b =>
        {
            b.UseSetting("Trust:Issuers:0:Name", "helseid");
            b.UseSetting("Trust:Issuers:0:Kind", "HelseId");
            b.UseSetting("Trust:Issuers:0:Issuer", "https://helseid-sts.nhn.no");
            b.UseSetting("Trust:Issuers:0:Jwks", TestTokens.Issuer.JwksJson);
        });
        var e = Assert.ThrowsAny<Exception>(() => both.CreateClient());
        Assert.Contains("cannot be enabled together", e.ToString());
    }

    [Fact]
    public async Task Dev_token_endpoint_issues_working_tokens_for_personas()
    {
        var c = Anonymous();
        var personas = await Fhir.Body(await c.GetAsync("/dev/personas"));
        Assert.Contains("gp", personas["personas"]!.AsArray().Select(p => (string?)p!["id"]));
        var issued = await Fhir.Body(await c.GetAsync("/dev/token?persona=registry"));
        Assert.Equal("system/*.rs", (string?)issued["scope"]);
        var r = await GetWith((string)issued["access_token"]!, "/fhir/Organization");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var form = await c.PostAsync("/dev/token", new FormUrlEncodedContent(new Dictionary<string, string> { ["persona"] = "gp", ["purpose"] = "ETREAT", ["reason"] = "Bevisstløs" }));
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        await Fhir.AssertOutcome(await c.GetAsync("/dev/token?persona=nobody"), 400);
        await Fhir.AssertOutcome(await c.GetAsync("/dev/token?persona=gp&purpose=SNOOP"), 400);
        Assert.Contains("UTVIKLINGSMODUS", await c.GetStringAsync("/"));
    }

    [Fact]
    public async Task Expired_and_not_yet_valid_tokens_are_401()
    {
        var expired = TestTokens.For("registry", new MintOptions { IssuedAt = DateTimeOffset.UtcNow.AddHours(-2), Lifetime = TimeSpan.FromMinutes(5) });
        await Refused(await GetWith(expired), 401, "expired");
        var early = TestTokens.For("registry", new MintOptions { NotBefore = DateTimeOffset.UtcNow.AddHours(1) });
        await Refused(await GetWith(early), 401, "not yet valid");
    }

    [Fact]
    public async Task Wrong_issuer_audience_signature_and_alg_none_are_401()
    {
        using var stranger = new DevelopmentIssuer("http://elsewhere.example/dev", TestTokens.Audience);
        await Refused(await GetWith(stranger.Mint(DemoPersonas.Get("registry"))), 401, "not a trusted issuer");

        await Refused(await GetWith(TestTokens.For("registry", new MintOptions { Audience = "another-api" })), 401, "audience");

        using var forger = new DevelopmentIssuer(TestTokens.Issuer.BaseUrl, TestTokens.Audience); // same iss, other key
        await Refused(await GetWith(forger.Mint(DemoPersonas.Get("registry"))), 401, "signature");

        var good = TestTokens.System().Split('.');
        var none = Base64UrlEncoder.Encode("""{"alg":"none","typ":"at+jwt"}""") + "." + good[1] + ".";
        await Refused(await GetWith(none), 401, "alg=none");
        await Refused(await GetWith("not-a-jwt"), 401, "well-formed");
    }

    [Fact]
    public async Task Personnel_token_without_trust_framework_is_403_and_invalid_pid_is_401()
    {
        var noDetails = await GetWith(TestTokens.For("gp", new MintOptions { OmitTrustFramework = true }));
        await Refused(noDetails, 403, "");
        Assert.Contains("insufficient_scope", noDetails.Headers.WwwAuthenticate.ToString());
        await Refused(await GetWith(TestTokens.For("citizen", new MintOptions { PidOverride = "15038500048" })), 401, "pid");
        await Refused(await GetWith(TestTokens.For("gp", new MintOptions { PidOverride = "12345678901" })), 401, "pid");
    }

    [Fact]
    public async Task Dpop_bound_tokens_need_a_fresh_proof_for_this_url()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = TestTokens.For("registry", new MintOptions { Scopes = TestTokens.SystemScopes, DpopThumbprint = JwkKeys.Thumbprint(key) });
        var c = Anonymous();
        const string url = "http://localhost/fhir/Organization";

        HttpRequestMessage Req(string proof, string path = "/fhir/Organization", string scheme = "DPoP")
        {
            var m = new HttpRequestMessage(HttpMethod.Get, path);
            m.Headers.TryAddWithoutValidation("Authorization", $"{scheme} {token}");
            m.Headers.TryAddWithoutValidation("DPoP", proof);
            return m;
        }

        var proof = JwsWriter.CreateDpopProof(key, "GET", url, token, DateTimeOffset.UtcNow);
        Assert.Equal(HttpStatusCode.OK, (await c.SendAsync(Req(proof))).StatusCode);

        var replay = await c.SendAsync(Req(proof));
        await Refused(replay, 401, "");
        Assert.Contains("invalid_dpop_proof", replay.Headers.WwwAuthenticate.ToString());

        var other = JwsWriter.CreateDpopProof(key, "GET", "http://localhost/fhir/Patient", token, DateTimeOffset.UtcNow);
        await Refused(await c.SendAsync(Req(other)), 401, "htu");

        var asBearer = JwsWriter.CreateDpopProof(key, "GET", url, token, DateTimeOffset.UtcNow);
        await Refused(await c.SendAsync(Req(asBearer, scheme: "Bearer")), 401, "DPoP");

        var stale = JwsWriter.CreateDpopProof(key, "GET", url, token, DateTimeOffset.UtcNow.AddMinutes(-10));
        await Refused(await c.SendAsync(Req(stale)), 401, "");
    }
}
