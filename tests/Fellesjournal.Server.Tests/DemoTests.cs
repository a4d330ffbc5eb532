using System.Net;
using Fellesjournal.Server.Demo;
using Microsoft.Extensions.DependencyInjection;

namespace Fellesjournal.Server.Tests;

public sealed class DemoTests
{
    [Fact]
    public async Task Demo_population_loads_once_and_its_personas_show_on_the_home_page()
    {
        var dir = Path.Combine(Path.GetTempPath(), "fj-demo-" + Guid.NewGuid().ToString("N"));
        try
        {
            long loaded = 0;
            for (var start = 0; start < 2; start++)
            {
                await using var server = await SocketServer.StartAsync(dir, demo: true, demoPatients: 8);
                var demo = server.Services.GetRequiredService<DemoPopulation>();
                await demo.WhenLoaded.WaitAsync(TimeSpan.FromMinutes(2));
                Assert.Equal(DemoPopulation.LoadState.Done, demo.State);
                Assert.True(demo.Loaded > 8 * 20, $"only {demo.Loaded} resources for 8 patients");
                if (start == 0) loaded = demo.Loaded;
                else Assert.Equal(loaded, demo.Loaded); // the second start finds the marker and loads nothing

                using var c = server.CreateClient();
                var persona = demo.Personas.First(p => p.Kind == "citizen");
                var read = await c.GetAsync("/fhir/" + persona.Reference);
                Assert.Equal(HttpStatusCode.OK, read.StatusCode);
                Assert.Equal("W/\"1\"", Fhir.ETag(read)); // a second start writes no new version
                var html = await c.GetStringAsync("/");
                Assert.Contains("Demobrukere", html);
                Assert.Contains("/fhir/" + persona.Reference, html);
                Assert.Contains(WebUtility.HtmlEncode(persona.Name), html);
            }
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }
}
