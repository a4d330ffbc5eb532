using System.Text.Json.Nodes;
using Fellesjournal.Server.Http;

namespace Fellesjournal.Server.Security;

/// <summary>
/// SMART App Launch discovery (<c>/fhir/.well-known/smart-configuration</c>): where to get tokens and what this
/// server accepts (SMART v2 scopes, DPoP). Endpoints come from <c>Trust:AuthorizationEndpoint</c> /
/// <c>Trust:TokenEndpoint</c>, or the development issuer's <c>/dev/token</c>.
/// </summary>
public static class SmartConfiguration
{
    public static string Build(HttpContext ctx, TrustSetup trust, ServerOptions options, IConfiguration config)
    {
        var origin = options.PublicBase ?? $"{ctx.Request.Scheme}://{ctx.Request.Host}{ctx.Request.PathBase}";
        var doc = new JsonObject
        {
            ["issuer"] = trust.Dev?.HelseIdIssuer ?? config["Trust:Issuers:0:Issuer"],
            ["authorization_endpoint"] = config["Trust:AuthorizationEndpoint"],
            ["token_endpoint"] = trust.Dev is not null ? origin + "/dev/token" : config["Trust:TokenEndpoint"],
            ["jwks_uri"] = trust.Dev is not null ? origin + "/dev/jwks" : config["Trust:JwksUri"],
            ["grant_types_supported"] = new JsonArray("authorization_code", "client_credentials"),
            ["token_endpoint_auth_methods_supported"] = new JsonArray("private_key_jwt"),
            ["token_endpoint_auth_signing_alg_values_supported"] = new JsonArray("ES256", "RS256", "PS256"),
            ["dpop_signing_alg_values_supported"] = new JsonArray("ES256", "ES384", "RS256", "PS256"),
            ["scopes_supported"] = new JsonArray("openid", "fhirUser", "patient/*.cruds", "user/*.cruds", "system/*.cruds"),
            ["response_types_supported"] = new JsonArray("code"),
            ["code_challenge_methods_supported"] = new JsonArray("S256"),
            ["capabilities"] = new JsonArray("permission-v2", "permission-patient", "permission-user", "client-confidential-asymmetric",
                "context-standalone-patient"),
        };
        if (trust.Dev is not null) doc["development_only"] = true;
        return doc.ToJsonString();
    }
}
