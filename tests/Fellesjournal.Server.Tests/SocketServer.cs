using Fellesjournal.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Fellesjournal.Server.Tests;

/// <summary>The server on a real Kestrel socket (127.0.0.1, free port).</summary>
public sealed class SocketServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    public string BaseUrl { get; }
    public string DataDir { get; }
    private bool _ownsDataDir;

    private SocketServer(WebApplication app, string dataDir)
    {
        _app = app;
        DataDir = dataDir;
        BaseUrl = app.Urls.First().TrimEnd('/');
    }

    /// <summary>Starts on a fresh SQLite store in a temp dir (or on <paramref name="dataDir"/>).</summary>
    public static async Task<SocketServer> StartAsync(string? dataDir = null, bool demo = false, int demoPatients = 200)
    {
        var dir = dataDir ?? Path.Combine(Path.GetTempPath(), "fj-sock-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?> { ["Fellesjournal:DataDir"] = dir, ["Fellesjournal:Demo"] = demo ? "true" : "false",
            ["Fellesjournal:DemoPatients"] = demoPatients.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Fellesjournal:DevIdentity"] = "true" };
        var app = await ServerApp.BuildAsync(settings, "http://127.0.0.1:0", overrideServices: s => s.AddSingleton(TestTokens.Issuer));
        await app.StartAsync();
        return new SocketServer(app, dir) { _ownsDataDir = dataDir is null };
    }

    public IServiceProvider Services => _app.Services;

    /// <summary>A client on the socket carrying <paramref name="token"/> (default: the system token with every scope).</summary>
    public HttpClient CreateClient(string? token = null) =>
        new HttpClient { BaseAddress = new Uri(BaseUrl) }.As(token ?? TestTokens.System());

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsDataDir) try { Directory.Delete(DataDir, true); } catch (IOException) { }
    }
}
