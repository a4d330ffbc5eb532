using Microsoft.AspNetCore.Hosting;

namespace Fellesjournal.Server.Tests;

public sealed class DemoTests
{
    [Fact]
    public async Task Demo_data_loads_idempotently_and_shows_on_the_home_page()
    {
        var dir = Path.Combine(Path.GetTempPath(), "fj-demo-" + Guid.NewGuid().ToString("N"));
        try
        {
            for (var start = 0; start < 2; start++)
            {
                await using var server = await SocketServerWithDemo(dir);
                using var c = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
                var read = await c.GetAsync("/fhir/Patient/demo-kari-nordmann");
                Assert.Equal("W/\"1\"", Fhir.ETag(read)); // a second start writes no new version
                var html = await c.GetStringAsync("/");
                Assert.Contains("Demopasienter", html);
                Assert.Contains("/fhir/Patient/demo-aase-haugen", html);
                Assert.Contains("&#197;se Haugen", html);
            }
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    private static async Task<SocketServer> SocketServerWithDemo(string dir) =>
        await SocketServer.StartAsync(dir, demo: true);
}
