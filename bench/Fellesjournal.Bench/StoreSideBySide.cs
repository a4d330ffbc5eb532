using System.Diagnostics;
using Fellesjournal.Storage;
using Fellesjournal.Storage.Postgres;
using Fellesjournal.Storage.Sqlite;

namespace Fellesjournal.Bench;

/// <summary>
/// Import and basic reads on SQLite and PostgreSQL in one run, same data, same process:
/// <c>dotnet run -c Release --project bench/Fellesjournal.Bench -- stores --connection CS [--resources N]</c>.
/// The PostgreSQL database should be empty (a fresh one per run).
/// </summary>
public static class StoreSideBySide
{
    public static async Task RunAsync(string[] args)
    {
        string? Opt(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var n = int.TryParse(Opt("--resources"), out var r) ? r : 20_000;
        var connection = Opt("--connection");
        var data = StoreSyntheticData.Create(n);
        var dir = Path.Combine(Path.GetTempPath(), "fj-bench-" + Guid.NewGuid().ToString("N"));
        Console.WriteLine($"{n:N0} resources (1 Patient : 9 Observations), batches of 1,000, {Environment.ProcessorCount} cores");
        Console.WriteLine("| store | import resources/s | read by id /s | search /s (Observation?subject=&code=) |");
        Console.WriteLine("|---|---|---|---|");
        await using (var s = SqliteResourceStore.Open(dir)) await Measure("SQLite", s, data);
        if (connection is not null)
            await using (var p = await PostgresResourceStore.OpenAsync(connection)) await Measure("PostgreSQL", p, data);
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }

    private static async Task Measure(string name, IResourceStore store, (string Type, string Id, byte[] Json)[] data)
    {
        var sw = Stopwatch.StartNew();
        foreach (var chunk in data.Chunk(1000))
            await store.MergeAsync(chunk.Select(d => new ResourceWrite(d.Type, d.Id, d.Json)).ToList());
        var import = data.Length / sw.Elapsed.TotalSeconds;

        var ids = data.Select(d => (d.Type, d.Id)).ToArray();
        var rnd = new Random(1);
        const int reads = 4000, searches = 1000;
        sw.Restart();
        await Parallel.ForAsync(0, reads, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, ct) =>
        {
            var (t, i) = ids[Random.Shared.Next(ids.Length)];
            if (await store.GetAsync(t, i, ct) is null) throw new InvalidOperationException("missing " + i);
        });
        var readRate = reads / sw.Elapsed.TotalSeconds;

        var patients = data.Count(d => d.Type == "Patient");
        sw.Restart();
        await Parallel.ForAsync(0, searches, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (k, ct) =>
        {
            var q = new SearchQuery("Observation",
                [new SearchCriterion("subject", null, ["Patient/pat-" + (k * 7919 % patients)]), new SearchCriterion("code", null, ["8480-6"])]);
            await store.SearchAsync(q, ct);
        });
        var searchRate = searches / sw.Elapsed.TotalSeconds;
        Console.WriteLine($"| {name} | {import:N0} | {readRate:N0} | {searchRate:N0} |");
    }
}
