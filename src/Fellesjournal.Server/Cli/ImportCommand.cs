using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Server.Import;
using Fellesjournal.Server.Store;
using Fellesjournal.Server.Validation;

namespace Fellesjournal.Server.Cli;

/// <summary>fellesjournal import &lt;file|dir&gt;... [--data DIR] [--batch N]: bulk load without HTTP.</summary>
public static class ImportCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var dataDir = CommandLine.Option(args, "--data") ?? "./data";
        var batch = int.TryParse(CommandLine.Option(args, "--batch"), out var b) && b > 0 ? b : Importer.DefaultBatch;
        var paths = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--data" or "--batch" or "--store" or "--connection") { i++; continue; }
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"import: unknown option '{args[i]}'.");
                return 2;
            }
            paths.Add(args[i]);
        }
        if (paths.Count == 0)
        {
            Console.Error.WriteLine("Usage: fellesjournal import <file|dir>... [--data DIR | --store postgres --connection CS] [--batch N]");
            return 2;
        }
        List<string> files;
        try
        {
            files = paths.SelectMany(Importer.Files).ToList();
        }
        catch (FileNotFoundException e)
        {
            Console.Error.WriteLine("import: " + e.Message);
            return 2;
        }
        var defs = FhirDefinitions.Default;
        await using var store = StoreFactory.Open(dataDir, CommandLine.Option(args, "--store"), CommandLine.Option(args, "--connection"));
        var importer = new Importer(store, defs, Validators.CreateDefault(defs), batch)
        {
            Progress = (n, rate) => Console.Error.Write($"\r{n:N0} resources, {rate:N0}/s   "),
        };
        var report = await importer.ImportAsync(files);
        Console.Error.WriteLine();
        Console.WriteLine($"Imported from {files.Count} file(s) into {Path.GetFullPath(dataDir)} in {report.Elapsed.TotalSeconds:N1} s ({report.PerSecond:N0} resources/s):");
        Console.WriteLine($"  loaded (new versions): {report.Loaded:N0}");
        Console.WriteLine($"  unchanged (skipped):   {report.Unchanged:N0}");
        Console.WriteLine($"  rejected:              {report.Rejected.Count:N0}");
        Console.WriteLine($"  preparing (parse, validate, index; all cores): {report.Preparing.TotalSeconds:N1} s; waiting for the store: {report.WaitingForStore.TotalSeconds:N1} s");
        foreach (var r in report.Rejected.Take(100)) Console.WriteLine($"    {r.Source}: {r.Reason}");
        if (report.Rejected.Count > 100) Console.WriteLine($"    ... and {report.Rejected.Count - 100} more");
        return report.Rejected.Count == 0 ? 0 : 1;
    }
}
