using BenchmarkDotNet.Running;

// Micro-benchmarks of the engine and store: dotnet run -c Release --project bench/Fellesjournal.Bench -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
