using Fellesjournal.Storage;

namespace Fellesjournal.Server.Store;

/// <summary>Opens the durable store in a data directory.</summary>
public static class StoreFactory
{
    public static IResourceStore Open(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        throw new StoreUnavailableException("The SQLite resource store is not available in this build yet.");
    }
}

/// <summary>The store cannot serve requests (not opened, disk failure, locked): HTTP 503.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
