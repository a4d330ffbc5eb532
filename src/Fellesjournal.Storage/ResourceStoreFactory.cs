using Fellesjournal.Fhir.Search;
using Fellesjournal.Storage.Postgres;
using Fellesjournal.Storage.Sqlite;

namespace Fellesjournal.Storage;

/// <summary>Opens the configured store: "sqlite" (default, a file in the data directory) or "postgres" (a connection string).</summary>
public static class ResourceStoreFactory
{
    public const string ConnectionEnvironmentVariable = "FELLESJOURNAL_CONNECTION";

    public static IResourceStore Open(string? kind, string dataDir, string? connection, ISearchIndexer? indexer = null)
    {
        switch ((kind ?? "sqlite").ToLowerInvariant())
        {
            case "sqlite":
                return SqliteResourceStore.Open(dataDir, indexer);
            case "postgres" or "postgresql":
                connection ??= Environment.GetEnvironmentVariable(ConnectionEnvironmentVariable);
                if (string.IsNullOrWhiteSpace(connection))
                    throw new ArgumentException($"The postgres store needs a connection string (--connection or {ConnectionEnvironmentVariable}).");
                return PostgresResourceStore.Open(connection, indexer);
            default:
                throw new ArgumentException($"Unknown store '{kind}' (expected sqlite or postgres).");
        }
    }
}
