namespace Fellesjournal.Server.Http;

/// <summary>Server settings, from the command line or configuration section "Fellesjournal".</summary>
public sealed class ServerOptions
{
    public const long DefaultMaxBodyBytes = 16 * 1024 * 1024;

    public string DataDir { get; init; } = "./data";
    public bool Demo { get; init; }
    /// <summary>"sqlite" (default) or "postgres"; <see cref="Connection"/> is the PostgreSQL connection string.</summary>
    public string? Store { get; init; }
    public string? Connection { get; init; }
    /// <summary>PostgreSQL streaming replica for reads and searches (optional).</summary>
    public string? ReadConnection { get; init; }
    /// <summary>Size of the synthetic population loaded in demo mode.</summary>
    public int DemoPatients { get; init; } = 200;
    /// <summary>Request bodies above this are refused with 413.</summary>
    public long MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;
    /// <summary>DEVELOPMENT ONLY: the built-in token issuer (/dev/token) for demo personas. Demo mode turns it on.</summary>
    public bool DevIdentity { get; init; }
    /// <summary>The public origin clients address (scheme://host[:port]), behind a proxy; DPoP proofs are checked
    /// against it. Null: the request's own scheme and host.</summary>
    public string? PublicBase { get; init; }

    public static ServerOptions From(IConfiguration config) => new()
    {
        DataDir = config["Fellesjournal:DataDir"] ?? "./data",
        Store = config["Fellesjournal:Store"],
        Connection = config["Fellesjournal:Connection"],
        ReadConnection = config["Fellesjournal:ReadConnection"],
        Demo = bool.TryParse(config["Fellesjournal:Demo"], out var d) && d,
        DemoPatients = int.TryParse(config["Fellesjournal:DemoPatients"], out var dp) && dp > 0 ? dp : 200,
        MaxBodyBytes = long.TryParse(config["Fellesjournal:MaxBodyBytes"], out var m) && m > 0 ? m : DefaultMaxBodyBytes,
        DevIdentity = bool.TryParse(config["Fellesjournal:DevIdentity"], out var dev) && dev
                      || bool.TryParse(config["Fellesjournal:Demo"], out var demo) && demo,
        PublicBase = config["Fellesjournal:PublicBase"]?.TrimEnd('/'),
    };
}
