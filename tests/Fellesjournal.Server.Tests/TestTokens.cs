using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Server.Tests;

/// <summary>
/// Tokens for tests. Every test host (in-process and socket) runs with dev identity on and this one shared
/// development issuer, so tokens can be minted without a running host: <c>TestTokens.For("gp")</c>.
/// </summary>
public static class TestTokens
{
    public const string Audience = "fellesjournal";
    public static readonly DevelopmentIssuer Issuer = new("http://localhost/dev", Audience);
    /// <summary>Long enough for the slowest test run on a loaded machine.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);
    /// <summary>What the test hosts' default clients carry: a system client with every interaction on every type.</summary>
    public const string SystemScopes = "system/*.cruds";

    /// <summary>A token for a demo persona (ids as in <see cref="DemoPersonas.All"/>: citizen, parent, gp, hospital-doctor,
    /// nurse, pharmacist, registry); <paramref name="options"/> overrides purpose, reason, scopes, lifetime, DPoP binding.</summary>
    public static string For(string persona, MintOptions? options = null)
    {
        var o = options ?? new MintOptions();
        // Unless a test asks for another lifetime (expiry tests), outlive the test run.
        if (o.Lifetime == DefaultMintLifetime) o = o with { Lifetime = Lifetime };
        return Issuer.Mint(DemoPersonas.Get(persona), o);
    }

    private static readonly TimeSpan DefaultMintLifetime = new MintOptions().Lifetime;

    /// <summary>The default test identity: the registry system client with <see cref="SystemScopes"/>.</summary>
    public static string System() => For("registry", new MintOptions { Scopes = SystemScopes });

    public static HttpClient As(this HttpClient c, string token)
    {
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return c;
    }

    /// <summary>Fetches a token from a running server's <c>/dev/token</c> (child processes have their own issuer).</summary>
    public static async Task<string> FetchAsync(HttpClient c, string persona = "registry", string? scope = SystemScopes)
    {
        var url = $"/dev/token?persona={persona}" + (scope is null ? "" : "&scope=" + Uri.EscapeDataString(scope));
        var body = await c.GetFromJsonAsync<JsonObject>(url);
        return (string)body!["access_token"]!;
    }
}
