using Fellesjournal.Fhir.FhirPath.Conformance;

namespace Fellesjournal.Server.Cli;

/// <summary>conformance fhirpath &lt;suite.xml&gt; [--verbose]: runs the official FHIRPath suite and prints the failures.</summary>
public static class ConformanceCommand
{
    public static Task<int> RunAsync(string[] args)
    {
        if (args.Length < 2 || args[0] != "fhirpath")
        {
            Console.Error.WriteLine("Usage: conformance fhirpath <suite.xml> [--verbose]");
            return Task.FromResult(2);
        }
        var suite = FhirPathCommand.ResolvePath(args[1]);
        if (!File.Exists(suite))
        {
            Console.Error.WriteLine($"Suite file not found: {args[1]}");
            return Task.FromResult(2);
        }
        var verbose = CommandLine.Flag(args, "--verbose");
        var run = FhirPathSuite.Run(suite);
        foreach (var r in run.Results)
        {
            if (r.Status == SuiteStatus.Passed && !verbose) continue;
            var tag = r.Status switch { SuiteStatus.Passed => "PASS", SuiteStatus.Failed => "FAIL", _ => "SKIP" };
            Console.WriteLine($"{tag} {r.Name}: {r.Expression.ReplaceLineEndings(" ").Trim()}{(r.Reason is null ? "" : " -- " + r.Reason)}");
        }
        Console.WriteLine($"{run.Passed} passed, {run.Failed} failed, {run.Skipped} skipped");
        return Task.FromResult(run.Failed == 0 ? 0 : 1);
    }
}
