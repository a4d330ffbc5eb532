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
            ["Fellesjournal:DemoPatients"] = demoPatients.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var app = await ServerApp.BuildAsync(settings, "http://127.0.0.1:0");
        await app.StartAsync();
        return new SocketServer(app, dir) { _ownsDataDir = dataDir is null };
    }

    public IServiceProvider Services => _app.Services;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsDataDir) try { Directory.Delete(DataDir, true); } catch (IOException) { }
    }
}
