using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace Fellesjournal.Trust.Identity;

/// <summary>Per-token choices for <see cref="DevelopmentIssuer.Mint"/>.</summary>
public sealed record MintOptions
{
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Overrides "now" for iat/nbf/exp (tests of expired and not-yet-valid tokens).</summary>
    public DateTimeOffset? IssuedAt { get; init; }
    public DateTimeOffset? NotBefore { get; init; }
    /// <summary>Bind the token to this key (<c>cnf.jkt</c>); the key's RFC 7638 thumbprint.</summary>
    public string? DpopThumbprint { get; init; }
    public PurposeOfUse? Purpose { get; init; }
    /// <summary>The reason stated for emergency access (purpose_of_use_details).</summary>
    public string? PurposeDetails { get; init; }
    public IReadOnlyList<string>? Patients { get; init; }
    public string? Audience { get; init; }
    public string? Scopes { get; init; }
    /// <summary>Leave out the trust-framework authorization_details (tests of their absence).</summary>
    public bool OmitTrustFramework { get; init; }
    /// <summary>Replace the pid claim (tests of an invalid number).</summary>
    public string? PidOverride { get; init; }
}

/// <summary>
/// DEVELOPMENT ONLY. An in-memory token issuer with a fresh EC P-256 key per process: publishes a JWKS and mints
/// HelseID-, ID-porten- and system-shaped tokens for <see cref="DemoPersonas"/>. Anyone who can reach
/// <c>/dev/token</c> can become anyone, so the server must only enable it with <c>--dev-identity</c> / demo mode
/// and never together with production issuers.
/// </summary>
public sealed class DevelopmentIssuer : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly TimeProvider _time;

    public string BaseUrl { get; }
    public string Audience { get; }
    public string KeyId { get; }

    /// <param name="baseUrl">Issuer base, e.g. <c>http://localhost:8080/dev</c>; the three issuer URLs hang below it.</param>
    public DevelopmentIssuer(string baseUrl = "http://localhost:8080/dev", string audience = "fellesjournal", TimeProvider? time = null)
    {
        BaseUrl = baseUrl.TrimEnd('/');
        Audience = audience;
        _time = time ?? TimeProvider.System;
        KeyId = JwkKeys.Thumbprint(_key)[..16];
    }

    public string HelseIdIssuer => BaseUrl + "/helseid";
    public string IdPortenIssuer => BaseUrl + "/idporten";
    public string SystemIssuer => BaseUrl + "/system";

    /// <summary>The public key set, as served at <c>/dev/jwks</c>.</summary>
    public string JwksJson =>
        $$"""{"keys":[{{JwkKeys.PublicJwkJson(_key, KeyId).TrimEnd('}')}},"use":"sig","alg":"ES256"}]}""";

    /// <summary>Issuer configuration for the validator: one per token kind, all with this key.</summary>
    public IReadOnlyList<TrustedIssuer> TrustedIssuers()
    {
        var keys = TrustedIssuer.KeysFromJwks(JwksJson);
        return
        [
            new TrustedIssuer { Name = "dev-helseid", Kind = IssuerKind.HelseId, IssuerUrl = HelseIdIssuer, Audiences = [Audience], Keys = keys },
            new TrustedIssuer { Name = "dev-idporten", Kind = IssuerKind.IdPorten, IssuerUrl = IdPortenIssuer, Audiences = [Audience], Keys = keys },
            new TrustedIssuer { Name = "dev-system", Kind = IssuerKind.System, IssuerUrl = SystemIssuer, Audiences = [Audience], Keys = keys },
        ];
    }

    /// <summary>Mints an access token for a persona.</summary>
    public string Mint(DemoPersona persona, MintOptions? options = null)
    {
        var o = options ?? new MintOptions();
        var iat = o.IssuedAt ?? _time.GetUtcNow();
        var p = new JsonObject
        {
            ["iss"] = persona.Kind switch { PrincipalKind.Citizen => IdPortenIssuer, PrincipalKind.Personnel => HelseIdIssuer, _ => SystemIssuer },
            ["aud"] = o.Audience ?? Audience,
            ["iat"] = iat.ToUnixTimeSeconds(),
            ["nbf"] = (o.NotBefore ?? iat).ToUnixTimeSeconds(),
            ["exp"] = (iat + o.Lifetime).ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["scope"] = o.Scopes ?? persona.Scopes,
            ["client_id"] = persona.ClientId ?? (persona.Kind == PrincipalKind.Citizen ? "demo-helsenorge" : persona.Id),
        };
        var pid = o.PidOverride ?? persona.Pid;
        switch (persona.Kind)
        {
            case PrincipalKind.Citizen:
                p["sub"] = "idporten-" + persona.Id;
                p["pid"] = pid;
                p["name"] = persona.Name;
                p["acr"] = "idporten-loa-high";
                break;
            case PrincipalKind.Personnel:
                p["sub"] = "helseid-" + persona.Id;
                p[TokenValidator.HelseIdPid] = pid;
                p[TokenValidator.HelseIdHpr] = persona.HprNumber;
                p["name"] = persona.Name;
                p["helseid://claims/identity/assurance_level"] = "high";
                p[TokenValidator.HelseIdOrgParent] = persona.LegalEntity;
                if (persona.PointOfCare is { } poc && poc != persona.LegalEntity) p[TokenValidator.HelseIdOrgChild] = poc;
                if (!o.OmitTrustFramework) p["authorization_details"] = new JsonArray(TrustFramework(persona, o));
                break;
            default:
                p["sub"] = persona.ClientId;
                if (persona.LegalEntity is { } org) p[TokenValidator.HelseIdOrgParent] = org;
                break;
        }
        if (o.DpopThumbprint is { } jkt) p["cnf"] = new JsonObject { ["jkt"] = jkt };
        return Sign(p);
    }

    /// <summary>Signs any payload with the issuer key (tests craft odd tokens with it).</summary>
    public string Sign(JsonObject payload) =>
        JwsWriter.SignEs256($$"""{"alg":"ES256","typ":"at+jwt","kid":"{{KeyId}}"}""", payload.ToJsonString(), _key);

    private static JsonObject TrustFramework(DemoPersona persona, MintOptions o)
    {
        const string orgSystem = "urn:oid:2.16.578.1.12.4.1.4.101";
        var purpose = (o.Purpose ?? persona.Purpose) switch
        {
            PurposeOfUse.EmergencyTreat => "ETREAT",
            PurposeOfUse.CoordinationOfCare => "COC",
            _ => "TREAT",
        };
        var practitioner = new JsonObject
        {
            ["authorization"] = new JsonObject { ["code"] = persona.AuthorizationCode, ["system"] = "urn:oid:2.16.578.1.12.4.1.1.9060" },
            ["legal_entity"] = new JsonObject { ["id"] = persona.LegalEntity, ["system"] = orgSystem, ["name"] = persona.LegalEntityName },
            ["point_of_care"] = new JsonObject { ["id"] = persona.PointOfCare ?? persona.LegalEntity, ["system"] = orgSystem, ["name"] = persona.PointOfCareName },
        };
        if (persona.Department is { } dep)
            practitioner["department"] = new JsonObject { ["id"] = dep, ["system"] = "urn:oid:2.16.578.1.12.4.1.4.102" };
        var care = new JsonObject
        {
            ["healthcare_service"] = new JsonObject { ["code"] = "S03", ["system"] = "urn:oid:2.16.578.1.12.4.1.1.8655" },
            ["purpose_of_use"] = new JsonObject { ["code"] = purpose, ["system"] = "urn:oid:2.16.840.1.113883.1.11.20448" },
            ["decision_ref"] = new JsonObject { ["id"] = Guid.NewGuid().ToString("N"), ["user_selected"] = true },
        };
        if (o.PurposeDetails is { } why) care["purpose_of_use_details"] = new JsonObject { ["text"] = why };
        var patients = new JsonArray();
        foreach (var pid in o.Patients ?? [])
            patients.Add(new JsonObject { ["identifier"] = new JsonObject { ["id"] = pid, ["system"] = "urn:oid:2.16.578.1.12.4.1.4.1" } });
        return new JsonObject
        {
            ["type"] = TrustFrameworkParser.Type,
            ["practitioner"] = practitioner,
            ["care_relationship"] = care,
            ["patients"] = patients,
        };
    }

    public void Dispose() => _key.Dispose();
}
