using Fellesjournal.Server.Audit;
using Fellesjournal.Trust.Audit;

namespace Fellesjournal.Server.Cli;

/// <summary>
/// fellesjournal audit verify|checkpoint [--data DIR | --store postgres --connection CS] [--key PEM]: recompute the access log's hash chain and check its
/// signed checkpoints (exit 1 naming the first altered, removed or reordered record), or sign the current head.
/// </summary>
public static class AuditCommand
{
    private const string Usage = "Usage: fellesjournal audit verify|checkpoint [--data DIR | --store postgres --connection CS] [--key PEM]";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("verify" or "checkpoint"))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] is "--data" or "--key" or "--store" or "--connection" && i + 1 < args.Length) { i++; continue; }
            Console.Error.WriteLine($"audit: unknown or incomplete option '{args[i]}'.");
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var dataDir = CommandLine.Option(args, "--data") ?? "./data";
        var store = CommandLine.Option(args, "--store")?.ToLowerInvariant();
        var postgres = store is "postgres" or "postgresql";
        if (store is not (null or "sqlite") && !postgres)
        {
            Console.Error.WriteLine($"audit: unknown store '{store}' (sqlite or postgres).");
            return 2;
        }
        var file = Path.Combine(dataDir, AccessAuditor.FileName);
        if (!postgres && !File.Exists(file))
        {
            Console.Error.WriteLine($"audit: no access log at {file}.");
            return 2;
        }
        var keyPath = args[0] == "verify"
            ? AuditKeyFile.FindForVerify(CommandLine.Option(args, "--key"), dataDir)
            : CommandLine.Option(args, "--key") ?? Path.Combine(dataDir, AuditKeyFile.LocalName);
        if (keyPath is null || !File.Exists(keyPath))
        {
            Console.Error.WriteLine($"audit: no audit key found ({keyPath ?? Path.Combine(dataDir, AuditKeyFile.PublicName)}); pass --key PEM.");
            return 2;
        }
        using var signer = AuditCheckpointSigner.FromPem(await File.ReadAllTextAsync(keyPath));
        using var pg = postgres ? OpenPostgres(args, signer, ensureSchema: args[0] == "checkpoint") : null;
        if (postgres && pg is null) return 2;
        if (args[0] == "checkpoint")
        {
            var cp = await (pg ?? (IAuditLog)new SqliteAuditLog(file, signer)).CheckpointAsync();
            Console.WriteLine(cp is null ? "The head is already signed (or the log is empty)." : $"Signed checkpoint at record {cp.Sequence} (key {cp.KeyId}).");
            return 0;
        }
        // Verifying the evidence must not change it: the file is opened read-only, the schema is not re-created.
        IReadOnlyList<string> missingTriggers;
        ChainVerification result;
        if (pg is not null)
        {
            missingTriggers = await pg.MissingTriggersAsync();
            result = await pg.VerifyAsync();
        }
        else result = SqliteAuditLog.VerifyFile(file, signer, out missingTriggers);
        if (missingTriggers.Count > 0)
            Console.WriteLine($"WARNING: the append-only triggers {string.Join(", ", missingTriggers)} are missing or disabled; someone changed the schema.");
        if (result.Ok)
        {
            Console.WriteLine($"OK: {result.RecordsChecked} records and {result.CheckpointsChecked} checkpoints checked (key {signer.KeyId}).");
            return 0;
        }
        Console.WriteLine($"FAILED ({result.Problem}) at record {result.Sequence}: {result.Message}");
        Console.WriteLine($"Checked before the failure: {result.RecordsChecked} records, {result.CheckpointsChecked} checkpoints.");
        return 1;
    }

    private static PostgresAuditLog? OpenPostgres(string[] args, AuditCheckpointSigner signer, bool ensureSchema)
    {
        var connection = CommandLine.Option(args, "--connection")
            ?? Environment.GetEnvironmentVariable(Fellesjournal.Storage.ResourceStoreFactory.ConnectionEnvironmentVariable);
        if (string.IsNullOrWhiteSpace(connection))
        {
            Console.Error.WriteLine($"audit: the postgres store needs --connection or {Fellesjournal.Storage.ResourceStoreFactory.ConnectionEnvironmentVariable}.");
            return null;
        }
        return new PostgresAuditLog(connection, signer, ensureSchema: ensureSchema);
    }
}
