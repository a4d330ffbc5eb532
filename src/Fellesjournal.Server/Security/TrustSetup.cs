using Fellesjournal.Server.Http;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Server.Security;

/// <summary>
/// The identity configuration the server runs with: the configured issuers (section <c>Trust</c>), or the
/// DEVELOPMENT issuer when <c>--dev-identity</c>/demo is on — never both (start-up fails), and never none
/// silently: without issuers the server runs but answers every patient-data request with 401 and says why.
/// </summary>
public sealed class TrustSetup : IDisposable
{
    public const string DefaultAudience = "fellesjournal";

    /// <summary>The development issuer, when on; null in production.</summary>
    public DevelopmentIssuer? Dev { get; }
    public IReadOnlyList<TrustedIssuer> Issuers { get; }
    /// <summary>Null when no issuer is configured (every request is refused).</summary>
    public RequestAuthenticator? Authenticator { get; }
    /// <summary>Why patient data is refused to everyone, when <see cref="Authenticator"/> is null.</summary>
    public string? RefusalReason { get; }
    private readonly bool _ownsDev;

    private TrustSetup(DevelopmentIssuer? dev, bool ownsDev, IReadOnlyList<TrustedIssuer> issuers, string? refusal)
    {
        Dev = dev;
        _ownsDev = ownsDev;
        Issuers = issuers;
        RefusalReason = refusal;
        if (issuers.Count > 0)
            Authenticator = new RequestAuthenticator(new TokenValidator(issuers, cache: new ValidatedTokenCache()), new DpopValidator(new DpopReplayCache()));
    }

    /// <param name="injectedDev">A development issuer registered in DI (tests share one so they can mint tokens
    /// without a running host); used only when dev identity is on.</param>
    public static TrustSetup Create(ServerOptions options, IConfiguration config, DevelopmentIssuer? injectedDev)
    {
        var audience = config["Trust:Audience"] ?? DefaultAudience;
        var configured = config.GetSection("Trust:Issuers").Get<List<IssuerOptions>>() ?? [];
        foreach (var o in configured)
            if (o.Audiences.Count == 0) o.Audiences.Add(audience);
        DevelopmentIssuer? dev = null;
        var owns = false;
        if (options.DevIdentity)
        {
            dev = injectedDev;
            if (dev is null)
            {
                dev = new DevelopmentIssuer((options.PublicBase ?? "http://localhost") + "/dev", audience);
                owns = true;
            }
        }
        if (dev is not null && configured.Count > 0)
            // Refuse to start: self-minted tokens must never be accepted next to real issuers.
            return Throw("The development identity (--dev-identity / --demo) cannot be enabled together with configured Trust:Issuers.");
        if (dev is null && configured.Count == 0)
            return new TrustSetup(null, false, [],
                "No token issuers are configured (Trust:Issuers) and development identity is off, so this server refuses all access to patient data.");
        return new TrustSetup(dev, owns, TrustConfiguration.BuildIssuers(configured, dev), null);
    }

    private static TrustSetup Throw(string message) => throw new InvalidOperationException(message);

    public void Dispose()
    {
        if (_ownsDev) Dev?.Dispose();
    }
}
