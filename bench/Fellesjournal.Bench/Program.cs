using BenchmarkDotNet.Running;
using Fellesjournal.Bench;

// Micro-benchmarks of the engine and store: dotnet run -c Release --project bench/Fellesjournal.Bench -- --filter '*'
// Quick CPU-time measurement of the store write path: ... -- quick [resources]
if (args.Length > 0 && args[0] == "quick")
{
    await StoreQuick.Run(args.Length > 1 ? int.Parse(args[1]) : 20_000);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
