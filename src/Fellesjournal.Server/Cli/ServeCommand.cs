using Fellesjournal.Server.Http;

namespace Fellesjournal.Server.Cli;

/// <summary>fellesjournal serve [--data DIR | --store postgres --connection CS [--read-connection CS]] [--urls URL] [--demo [--demo-patients N]] [--dev-identity] [--public-base URL] [--max-body BYTES]</summary>
public static class ServeCommand
{
    public const string DefaultUrls = "http://127.0.0.1:8080";

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = new Dictionary<string, string?>();
        var hostArgs = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--data" when i + 1 < args.Length: settings["Fellesjournal:DataDir"] = args[++i]; break;
                case "--urls" when i + 1 < args.Length: settings["urls"] = args[++i]; break;
                case "--max-body" when i + 1 < args.Length: settings["Fellesjournal:MaxBodyBytes"] = args[++i]; break;
                case "--store" when i + 1 < args.Length: settings["Fellesjournal:Store"] = args[++i]; break;
                case "--connection" when i + 1 < args.Length: settings["Fellesjournal:Connection"] = args[++i]; break;
                case "--read-connection" when i + 1 < args.Length: settings["Fellesjournal:ReadConnection"] = args[++i]; break;
                case "--demo": settings["Fellesjournal:Demo"] = "true"; break;
                case "--dev-identity": settings["Fellesjournal:DevIdentity"] = "true"; break;
                case "--public-base" when i + 1 < args.Length: settings["Fellesjournal:PublicBase"] = args[++i]; break;
                case "--demo-patients" when i + 1 < args.Length: settings["Fellesjournal:DemoPatients"] = args[++i]; break;
                default:
                    if (!args[i].StartsWith("--", StringComparison.Ordinal) || !args[i].Contains('='))
                    {
                        Console.Error.WriteLine($"serve: unknown option '{args[i]}'.");
                        Console.Error.WriteLine("Usage: fellesjournal serve [--data DIR | --store postgres --connection CS [--read-connection CS]] [--urls URL] [--demo [--demo-patients N]] [--dev-identity] [--public-base URL] [--max-body BYTES]");
                        return 2;
                    }
                    hostArgs.Add(args[i]); // host settings (--key=value), e.g. from WebApplicationFactory
                    break;
            }
        }
        settings.TryGetValue("urls", out var urls);
        if (urls is null && Environment.GetEnvironmentVariable("ASPNETCORE_URLS") is null) urls = DefaultUrls;
        await using var app = await ServerApp.BuildAsync(settings, urls, hostArgs.ToArray());
        var options = app.Services.GetRequiredService<ServerOptions>();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var url in app.Urls)
                Console.WriteLine($"Fellesjournal FHIR R4 server: {url.TrimEnd('/')}{FhirHttpHandler.BasePath} (data: {Path.GetFullPath(options.DataDir)}{(options.Demo ? ", demo" : "")})");
        });
        await app.RunAsync();
        return 0;
    }
}
