using System.Text.Json.Nodes;
using Fellesjournal.Server.Http;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Server.Security;

/// <summary>
/// DEVELOPMENT ONLY (mapped only with --dev-identity / --demo): mints tokens for the demo personas. Anyone who can
/// reach <c>/dev/token</c> can act as anyone, which is why it is never on together with real issuers.
/// <c>GET|POST /dev/token?persona=gp[&amp;purpose=ETREAT&amp;reason=...][&amp;scope=...][&amp;jkt=...][&amp;patient=FNR]</c>,
/// <c>GET /dev/personas</c>, <c>GET /dev/jwks</c>.
/// </summary>
public static class DevIdentityEndpoints
{
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(1);

    public static void Map(WebApplication app, DevelopmentIssuer dev)
    {
        app.MapGet("/dev/jwks", () => Results.Content(dev.JwksJson, "application/json"));
        app.MapGet("/dev/personas", () =>
        {
            var list = new JsonArray();
            foreach (var p in DemoPersonas.All)
                list.Add(new JsonObject
                {
                    ["id"] = p.Id, ["kind"] = p.Kind.ToString(), ["name"] = p.Name, ["description"] = p.Description,
                    ["pid"] = p.Pid, ["hpr"] = p.HprNumber, ["organisation"] = p.LegalEntity, ["scope"] = p.Scopes,
                });
            return Results.Content(new JsonObject { ["developmentOnly"] = true, ["personas"] = list }.ToJsonString(), "application/json");
        });
        app.MapMethods("/dev/token", ["GET", "POST"], (HttpContext ctx) => TokenAsync(ctx, dev));
    }

    private static async Task TokenAsync(HttpContext ctx, DevelopmentIssuer dev)
    {
        var q = ctx.Request.Query;
        var form = ctx.Request.HasFormContentType ? await ctx.Request.ReadFormAsync(ctx.RequestAborted) : null;
        string? P(string name) => form?[name].FirstOrDefault() ?? q[name].FirstOrDefault();

        var personaId = P("persona");
        var persona = DemoPersonas.All.FirstOrDefault(p => p.Id == personaId);
        if (persona is null)
        {
            await FhirHttpHandler.WriteOutcomeAsync(ctx, 400, "invalid",
                $"Unknown persona '{personaId}'. Known: {string.Join(", ", DemoPersonas.All.Select(p => p.Id))} (GET /dev/personas).", "persona");
            return;
        }
        PurposeOfUse? purpose = P("purpose")?.ToUpperInvariant() switch
        {
            null or "" => null,
            "TREAT" => PurposeOfUse.Treat,
            "ETREAT" => PurposeOfUse.EmergencyTreat,
            "COC" => PurposeOfUse.CoordinationOfCare,
            _ => PurposeOfUse.None,
        };
        if (purpose == PurposeOfUse.None)
        {
            await FhirHttpHandler.WriteOutcomeAsync(ctx, 400, "invalid", $"Unknown purpose '{P("purpose")}' (TREAT, ETREAT, COC).", "purpose");
            return;
        }
        var scope = P("scope") ?? persona.Scopes;
        var token = dev.Mint(persona, new MintOptions
        {
            Lifetime = TokenLifetime,
            Purpose = purpose,
            PurposeDetails = P("reason"),
            Scopes = scope,
            DpopThumbprint = P("jkt"),
            Patients = P("patient") is { Length: > 0 } pids ? pids.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null,
        });
        var body = new JsonObject
        {
            ["access_token"] = token,
            ["token_type"] = P("jkt") is null ? "Bearer" : "DPoP",
            ["expires_in"] = (int)TokenLifetime.TotalSeconds,
            ["scope"] = scope,
            ["persona"] = persona.Id,
            ["warning"] = "DEVELOPMENT ONLY: self-issued token for a demo persona.",
        };
        ctx.Response.Headers.CacheControl = "no-store";
        await Results.Content(body.ToJsonString(), "application/json").ExecuteAsync(ctx);
    }
}
