using SQLitePCL;

namespace Fellesjournal.Storage.Sqlite;

/// <summary>
/// Process-wide SQLite settings, applied before the first connection opens (SQLite accepts them only before it
/// initialises). Memory statistics are switched off: with them on, every allocation of every connection takes one
/// global mutex, and the reader connections of a busy server queue on it.
/// </summary>
public static class SqliteEngine
{
    private const int SqliteConfigMemStatus = 9;   // SQLITE_CONFIG_MEMSTATUS
    private static readonly object Gate = new();
    private static bool _configured;

    /// <summary>Idempotent. When SQLite is already initialised (a connection was opened first), the setting is
    /// refused and SQLite keeps its defaults; correctness does not depend on it.</summary>
    public static void Configure()
    {
        if (Volatile.Read(ref _configured)) return;
        lock (Gate)
        {
            if (_configured) return;
            Batteries_V2.Init();
            raw.sqlite3_config(SqliteConfigMemStatus, 0);
            _configured = true;
        }
    }
}
