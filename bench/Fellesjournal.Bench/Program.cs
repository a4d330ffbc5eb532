using BenchmarkDotNet.Running;
using Fellesjournal.Bench;

// Micro-benchmarks of the engine and store: dotnet run -c Release --project bench/Fellesjournal.Bench -- --filter '*'
// Quick CPU-time measurement of the store write path: ... -- quick [resources]
if (args.Length > 0 && args[0] == "validate")
{
    ValidationQuick.Run(args.Length > 1 ? args[1] : "patient", args.Length > 2 ? int.Parse(args[2]) : 20_000);
    return;
}
if (args.Length > 1 && args[0] == "validate-dump") { ValidationDump.Run(args[1]); return; }
if (args.Length > 0 && args[0] == "plans") { PlanDump.Run(); return; }
if (args.Length > 0 && args[0] == "extract")
{
    // For a profiler (perf with DOTNET_PerfMapEnabled=1): parse + extract only, repeatedly.
    var data = StoreSyntheticData.Create(20_000);
    var defs = Fellesjournal.Fhir.Definitions.FhirDefinitions.Default;
    var ix = new Fellesjournal.Fhir.Search.SearchIndexer(defs);
    for (var r = 0; r < (args.Length > 1 ? int.Parse(args[1]) : 5); r++)
        foreach (var d in data) ix.Extract(Fellesjournal.Fhir.Model.ElementNode.Parse(d.Json, defs), d.Id);
    return;
}
if (args.Length > 0 && args[0] == "merge")
{
    await StoreQuick.RunMerge(args.Length > 1 ? int.Parse(args[1]) : 20_000);
    return;
}
if (args.Length > 0 && args[0] == "quick")
{
    await StoreQuick.Run(args.Length > 1 ? int.Parse(args[1]) : 20_000);
    return;
}
// Store side by side (SQLite and PostgreSQL): ... -- stores --connection "Host=...;Database=..." [--resources N]
if (args.Length > 0 && args[0] == "stores") { await StoreSideBySide.RunAsync(args); return; }
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
