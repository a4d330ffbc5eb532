using Fellesjournal.Server.Cli;

// WebApplicationFactory (tests) runs the entry point with only host settings ("--key=value"): that means "serve".
if (args.Length > 0 && args[0].StartsWith("--", StringComparison.Ordinal)) args = ["serve", .. args];

// The fellesjournal command: one binary for the server and the tools.
return await CommandLine.RunAsync(args);

/// <summary>Visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
