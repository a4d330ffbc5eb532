namespace Fellesjournal.Server.Http;

/// <summary>Server settings, from the command line or configuration section "Fellesjournal".</summary>
public sealed class ServerOptions
{
    public const long DefaultMaxBodyBytes = 16 * 1024 * 1024;

    public string DataDir { get; init; } = "./data";
    public bool Demo { get; init; }
    /// <summary>Size of the synthetic population loaded in demo mode.</summary>
    public int DemoPatients { get; init; } = 200;
    /// <summary>Request bodies above this are refused with 413.</summary>
    public long MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;

    public static ServerOptions From(IConfiguration config) => new()
    {
        DataDir = config["Fellesjournal:DataDir"] ?? "./data",
        Demo = bool.TryParse(config["Fellesjournal:Demo"], out var d) && d,
        DemoPatients = int.TryParse(config["Fellesjournal:DemoPatients"], out var dp) && dp > 0 ? dp : 200,
        MaxBodyBytes = long.TryParse(config["Fellesjournal:MaxBodyBytes"], out var m) && m > 0 ? m : DefaultMaxBodyBytes,
    };
}
