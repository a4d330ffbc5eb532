using System.Diagnostics;
using Fellesjournal.Server.Store;
using Fellesjournal.Storage;
using Fellesjournal.Synthetic;

namespace Fellesjournal.Server.Cli;

/// <summary>
/// fellesjournal seed --patients N [--seed S] [--out DIR | --into-store [--data DIR]]: a deterministic synthetic
/// Norwegian population, as NDJSON per resource type or straight into the store.
/// </summary>
public static class SeedCommand
{
    private const string Usage = "Usage: fellesjournal seed --patients N [--seed S] [--out DIR [--workers N] | --into-store [--data DIR | --store postgres --connection CS] [--batch N]]";

    public static async Task<int> RunAsync(string[] args)
    {
        string[] known = ["--patients", "--seed", "--out", "--data", "--batch", "--workers", "--store", "--connection"];
        for (var i = 0; i < args.Length; i++)
        {
            if (known.Contains(args[i])) { i++; continue; }
            if (args[i] == "--into-store") continue;
            Console.Error.WriteLine($"seed: unknown argument '{args[i]}'.");
            Console.Error.WriteLine(Usage);
            return 2;
        }
        if (!int.TryParse(CommandLine.Option(args, "--patients"), out var patients) || patients < 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var seed = ulong.TryParse(CommandLine.Option(args, "--seed"), out var s) ? s : 1UL;
        var batch = int.TryParse(CommandLine.Option(args, "--batch"), out var b) && b > 0 ? b : 1000;
        var intoStore = CommandLine.Flag(args, "--into-store");
        var outDir = CommandLine.Option(args, "--out");
        if (intoStore == (outDir is not null))
        {
            Console.Error.WriteLine("seed: give either --out DIR or --into-store.");
            return 2;
        }
        var generator = new PopulationGenerator(seed, patients);
        var clock = Stopwatch.StartNew();
        if (outDir is not null)
        {
            var workers = int.TryParse(CommandLine.Option(args, "--workers"), out var wk) && wk > 0 ? wk : 1;   // parallel helps only on an idle machine
            var stats = generator.WriteNdjson(outDir, workers);
            var secs = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"Generated {patients:N0} patients (seed {seed}) into {Path.GetFullPath(outDir)} in {secs:N1} s: " +
                $"{stats.Resources:N0} resources, {stats.Bytes / 1e6:N1} MB, {stats.Resources / Math.Max(secs, 1e-9):N0} resources/s");
            foreach (var (type, (count, bytes)) in stats.ByType)
                Console.WriteLine($"  {type,-20} {count,12:N0} {bytes / (double)count,8:N0} bytes/resource");
            return 0;
        }
        var dataDir = CommandLine.Option(args, "--data") ?? "./data";
        await using var store = StoreFactory.Open(dataDir, CommandLine.Option(args, "--store"), CommandLine.Option(args, "--connection"));
        var total = await SeedIntoStoreAsync(store, generator, batch,
            n => Console.Error.Write($"\r{n:N0} resources, {n / clock.Elapsed.TotalSeconds:N0}/s   "));
        Console.Error.WriteLine();
        Console.WriteLine($"Seeded {patients:N0} patients (seed {seed}) into {Path.GetFullPath(dataDir)}: {total:N0} resources in {clock.Elapsed.TotalSeconds:N1} s " +
            $"({total / clock.Elapsed.TotalSeconds:N0} resources/s)");
        return 0;
    }

    /// <summary>
    /// Writes a generated population into the store in batches (MergeAsync, 1,000 per batch by default).
    /// The generator's output is valid FHIR (its tests validate it), so it is not validated again here.
    /// Re-running writes new versions of the same ids.
    /// </summary>
    public static async Task<long> SeedIntoStoreAsync(IResourceStore store, PopulationGenerator generator, int batchSize = 1000,
        Action<long>? progress = null, CancellationToken ct = default)
    {
        long done = 0;
        var total = await generator.WriteBatchesAsync(async batch =>
        {
            var writes = new ResourceWrite[batch.Count];
            for (var i = 0; i < batch.Count; i++) writes[i] = new ResourceWrite(batch[i].Type, batch[i].Id, batch[i].Json);
            await store.MergeAsync(writes, ct);
            done += writes.Length;
            progress?.Invoke(done);
        }, batchSize);
        await store.RefreshStatisticsAsync(ct);
        return total;
    }
}
