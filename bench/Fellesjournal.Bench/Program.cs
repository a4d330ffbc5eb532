using BenchmarkDotNet.Running;

// Micro-benchmarks of the engine and store: dotnet run -c Release --project bench/Fellesjournal.Bench -- --filter '*'
// Store side by side (SQLite and PostgreSQL): ... -- stores --connection "Host=...;Database=..." [--resources N]
if (args.Length > 0 && args[0] == "stores") await Fellesjournal.Bench.StoreSideBySide.RunAsync(args);
else BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
