using Fellesjournal.Server.Cli;

// The fellesjournal command: one binary for the server and the tools.
return await CommandLine.RunAsync(args);
