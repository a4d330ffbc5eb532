namespace Fellesjournal.Server.Cli;

/// <summary>Dispatches the verbs of the fellesjournal command. Each verb lives in its own file.</summary>
public static class CommandLine
{
    private static readonly (string Verb, string Usage, Func<string[], Task<int>> Run)[] Verbs =
    [
        ("serve", "serve [--data DIR | --store postgres --connection CS] [--urls URL] [--demo] [--dev-identity]  run the FHIR server (--demo: synthetic population; --dev-identity: DEVELOPMENT token issuer at /dev/token)", ServeCommand.RunAsync),
        ("migrate", "migrate [--connection CS]                  apply PostgreSQL schema migrations (or FELLESJOURNAL_CONNECTION)", MigrateCommand.RunAsync),
        ("import", "import <file|dir> [--data DIR]            load NDJSON files and Bundles into the store", ImportCommand.RunAsync),
        ("seed", "seed --patients N [--seed S] [--out DIR | --into-store [--data DIR]]  generate a synthetic Norwegian population", SeedCommand.RunAsync),
        ("fhirpath", "fhirpath '<expression>' <resource.json|xml> evaluate FHIRPath, print the result as JSON", FhirPathCommand.RunAsync),
        ("validate", "validate <file>                            validate a resource, print the OperationOutcome", ValidateCommand.RunAsync),
        ("audit", "audit verify|checkpoint [--data DIR] [--key PEM]  verify the access log's hash chain, or sign its head", AuditCommand.RunAsync),
        ("conformance", "conformance fhirpath <suite.xml>           run the official FHIRPath test suite", ConformanceCommand.RunAsync),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            PrintUsage(Console.Out);
            return args.Length == 0 ? 2 : 0;
        }
        foreach (var (verb, _, run) in Verbs)
        {
            if (verb == args[0]) return await run(args[1..]);
        }
        Console.Error.WriteLine($"Unknown command '{args[0]}'.");
        PrintUsage(Console.Error);
        return 2;
    }

    private static void PrintUsage(TextWriter w)
    {
        w.WriteLine("Usage: fellesjournal <command> [options]");
        foreach (var (_, usage, _) in Verbs) w.WriteLine("  " + usage);
    }

    /// <summary>The value after <paramref name="name"/> (e.g. --data DIR), or null.</summary>
    public static string? Option(string[] args, string name)
    {
        for (var i = 0; i < args.Length - 1; i++)
            if (args[i] == name) return args[i + 1];
        return null;
    }

    public static bool Flag(string[] args, string name) => args.Contains(name);
}
