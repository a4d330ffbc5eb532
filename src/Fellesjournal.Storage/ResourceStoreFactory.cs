using Fellesjournal.Fhir.Search;
using Fellesjournal.Storage.Postgres;
using Fellesjournal.Storage.Sqlite;

namespace Fellesjournal.Storage;

/// <summary>Opens the configured store: "sqlite" (default, a file in the data directory) or "postgres" (a connection string).</summary>
public static class ResourceStoreFactory
{
    public const string ConnectionEnvironmentVariable = "FELLESJOURNAL_CONNECTION";

    public const string ReadConnectionEnvironmentVariable = "FELLESJOURNAL_READ_CONNECTION";

    /// <param name="readConnection">PostgreSQL only: a streaming replica for reads and searches.</param>
    public static IResourceStore Open(string? kind, string dataDir, string? connection, ISearchIndexer? indexer = null, string? readConnection = null)
    {
        switch ((kind ?? "sqlite").ToLowerInvariant())
        {
            case "sqlite":
                return SqliteResourceStore.Open(dataDir, indexer);
            case "postgres" or "postgresql":
                connection ??= Environment.GetEnvironmentVariable(ConnectionEnvironmentVariable);
                if (string.IsNullOrWhiteSpace(connection))
                    throw new ArgumentException($"The postgres store needs a connection string (--connection or {ConnectionEnvironmentVariable}).");
                readConnection ??= Environment.GetEnvironmentVariable(ReadConnectionEnvironmentVariable);
                return PostgresResourceStore.Open(connection, indexer, readConnection);
            default:
                throw new ArgumentException($"Unknown store '{kind}' (expected sqlite or postgres).");
        }
    }
}
