using Fellesjournal.Storage;
using Fellesjournal.Storage.Sqlite;

namespace Fellesjournal.Server.Store;

/// <summary>Opens the durable store in a data directory (SQLite, one file).</summary>
public static class StoreFactory
{
    public static IResourceStore Open(string dataDir)
    {
        try
        {
            return SqliteResourceStore.Open(dataDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            throw new StoreUnavailableException($"Cannot open the store in '{Path.GetFullPath(dataDir)}': {e.Message}", e);
        }
    }
}

/// <summary>The store cannot serve requests (not opened, disk failure, locked): HTTP 503.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
