using Fellesjournal.Storage;

namespace Fellesjournal.Server.Store;

/// <summary>Opens the durable store: SQLite in a data directory (default) or PostgreSQL (<c>--store postgres</c>).</summary>
public static class StoreFactory
{
    public static IResourceStore Open(string dataDir, string? store = null, string? connection = null, string? readConnection = null)
    {
        try
        {
            return ResourceStoreFactory.Open(store, dataDir, connection, readConnection: readConnection);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            throw new StoreUnavailableException($"Cannot open the {store ?? "sqlite"} store: {e.Message}", e);
        }
    }
}
