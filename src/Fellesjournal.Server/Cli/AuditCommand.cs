using Fellesjournal.Server.Audit;
using Fellesjournal.Trust.Audit;

namespace Fellesjournal.Server.Cli;

/// <summary>
/// fellesjournal audit verify|checkpoint [--data DIR] [--key PEM]: recompute the access log's hash chain and check its
/// signed checkpoints (exit 1 naming the first altered, removed or reordered record), or sign the current head.
/// </summary>
public static class AuditCommand
{
    private const string Usage = "Usage: fellesjournal audit verify|checkpoint [--data DIR] [--key PEM]";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("verify" or "checkpoint"))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] is "--data" or "--key" && i + 1 < args.Length) { i++; continue; }
            Console.Error.WriteLine($"audit: unknown or incomplete option '{args[i]}'.");
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var dataDir = CommandLine.Option(args, "--data") ?? "./data";
        var file = Path.Combine(dataDir, AccessAuditor.FileName);
        if (!File.Exists(file))
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
        var log = new SqliteAuditLog(file, signer);
        if (args[0] == "checkpoint")
        {
            var cp = await log.CheckpointAsync();
            Console.WriteLine(cp is null ? "The head is already signed (or the log is empty)." : $"Signed checkpoint at record {cp.Sequence} (key {cp.KeyId}).");
            return 0;
        }
        var result = await log.VerifyAsync();
        if (result.Ok)
        {
            Console.WriteLine($"OK: {result.RecordsChecked} records and {result.CheckpointsChecked} checkpoints checked (key {signer.KeyId}).");
            return 0;
        }
        Console.WriteLine($"FAILED ({result.Problem}) at record {result.Sequence}: {result.Message}");
        Console.WriteLine($"Checked before the failure: {result.RecordsChecked} records, {result.CheckpointsChecked} checkpoints.");
        return 1;
    }
}
