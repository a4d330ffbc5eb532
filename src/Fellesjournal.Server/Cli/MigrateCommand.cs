using Fellesjournal.Storage;
using Fellesjournal.Storage.Postgres;
using Npgsql;

namespace Fellesjournal.Server.Cli;

/// <summary>fellesjournal migrate [--connection CS]: applies pending PostgreSQL migrations (safe while servers run).</summary>
public static class MigrateCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var cs = CommandLine.Option(args, "--connection") ?? Environment.GetEnvironmentVariable(ResourceStoreFactory.ConnectionEnvironmentVariable);
        if (string.IsNullOrWhiteSpace(cs))
        {
            Console.Error.WriteLine($"migrate: needs --connection or {ResourceStoreFactory.ConnectionEnvironmentVariable}.");
            return 2;
        }
        try
        {
            await using var ds = NpgsqlDataSource.Create(cs);
            var applied = await PostgresMigrator.MigrateAsync(ds);
            var version = await PostgresMigrator.CurrentVersionAsync(ds);
            Console.WriteLine(applied.Count == 0
                ? $"Schema is up to date (version {version})."
                : $"Applied {string.Join(", ", applied)}; schema version {version}.");
            return 0;
        }
        catch (NpgsqlException e)
        {
            Console.Error.WriteLine("migrate: " + e.Message);
            return 1;
        }
    }
}
