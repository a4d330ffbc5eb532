using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Fellesjournal.Storage.Sqlite;

/// <summary>
/// A statement prepared once on the writer connection and driven through the SQLite C API: binding by
/// position skips ADO.NET's per-execution parameter lookup by name, which measured ~40% of the cost of
/// an index-row insert. Runs inside whatever transaction the connection has open.
/// </summary>
internal sealed class RawStatement : IDisposable
{
    private readonly SqliteConnection _conn;
    private readonly sqlite3_stmt _stmt;

    public RawStatement(SqliteConnection conn, string sql)
    {
        _conn = conn;
        var rc = raw.sqlite3_prepare_v2(conn.Handle, sql, out _stmt);
        if (rc != raw.SQLITE_OK) throw Error(rc);
    }

    private SqliteException Error(int rc) => new(raw.sqlite3_errmsg(_conn.Handle).utf8_to_string(), rc, raw.sqlite3_extended_errcode(_conn.Handle));

    /// <summary>Binds positional arguments (long/int, double, string, byte[], null/DBNull), steps to completion, resets.</summary>
    public void Exec(params object?[] args)
    {
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                var p = i + 1;
                var rc = args[i] switch
                {
                    null or DBNull => raw.sqlite3_bind_null(_stmt, p),
                    long l => raw.sqlite3_bind_int64(_stmt, p, l),
                    int n => raw.sqlite3_bind_int64(_stmt, p, n),
                    double d => raw.sqlite3_bind_double(_stmt, p, d),
                    string s => raw.sqlite3_bind_text(_stmt, p, s),
                    byte[] b => raw.sqlite3_bind_blob(_stmt, p, b),
                    var other => throw new ArgumentException($"Unsupported parameter type {other.GetType().Name}."),
                };
                if (rc != raw.SQLITE_OK) throw Error(rc);
            }
            var step = raw.sqlite3_step(_stmt);
            if (step != raw.SQLITE_DONE && step != raw.SQLITE_ROW) throw Error(step);
        }
        finally
        {
            raw.sqlite3_reset(_stmt);
            raw.sqlite3_clear_bindings(_stmt);
        }
    }

    // Typed binding for the hot index-row inserts: no argument array, no boxing, and text goes in as UTF-16
    // (SQLite converts it in C) instead of through a managed UTF-8 copy. Positions are 1-based; every
    // parameter must be bound before Run, which resets the statement (bindings are overwritten next time).

    public RawStatement Int(int p, long v) => Check(raw.sqlite3_bind_int64(_stmt, p, v));

    public RawStatement Real(int p, double v) => Check(raw.sqlite3_bind_double(_stmt, p, v));

    public RawStatement Text(int p, string? v) =>
        Check(v is null ? raw.sqlite3_bind_null(_stmt, p)
            // An empty span may carry a null pointer, which SQLite would bind as NULL: "" goes the plain way.
            : v.Length == 0 ? raw.sqlite3_bind_text(_stmt, p, v)
            : raw.sqlite3_bind_text16(_stmt, p, v.AsSpan()));

    private RawStatement Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            var e = Error(rc);
            raw.sqlite3_reset(_stmt);
            throw e;
        }
        return this;
    }

    /// <summary>Steps the bound statement to completion and resets it.</summary>
    public void Run()
    {
        var step = raw.sqlite3_step(_stmt);
        var e = step != raw.SQLITE_DONE && step != raw.SQLITE_ROW ? Error(step) : null;
        raw.sqlite3_reset(_stmt);
        if (e is not null) throw e;
    }

    public void Dispose() => _stmt.Dispose();
}
