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

    // The runtime runs this once, before the first call to Configure, on whichever thread comes first.
    static SqliteEngine()
    {
        Batteries_V2.Init();
        raw.sqlite3_config(SqliteConfigMemStatus, 0);
    }

    /// <summary>Applies the settings (once per process). When SQLite is already initialised (a connection was opened
    /// first), the setting is refused and SQLite keeps its defaults; correctness does not depend on it.</summary>
    public static void Configure() { }
}
