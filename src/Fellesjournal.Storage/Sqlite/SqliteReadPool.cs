using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Fellesjournal.Storage.Sqlite;

/// <summary>
/// Reader connections kept open between requests, each with its own prepared statements. SQLite spent most of a
/// read request in preparing statements (parsing and planning the same SQL text again each time: the ADO.NET pool
/// keeps the handle but not the statements), so a statement is prepared once per connection and reused.
/// </summary>
internal sealed class SqliteReadPool(string connectionString) : IDisposable
{
    /// <summary>Idle connections kept; more than this are closed on return (a burst does not pin them all). A read-only
    /// request holds its connection for the whole request (<see cref="SqliteReadSnapshot"/>), so the pool is sized for
    /// the concurrent requests of a busy server, not for the cores: reopening costs far more than the snapshot saves.</summary>
    private static readonly int MaxIdle = Math.Max(128, Environment.ProcessorCount * 16);
    private readonly ConcurrentBag<SqliteConnection> _idle = [];
    private int _idleCount;
    private volatile bool _disposed;

    public Lease Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryTake(out var c))
        {
            Interlocked.Decrement(ref _idleCount);
            return new Lease(this, c);
        }
        c = new SqliteConnection(connectionString);
        c.Open();
        using (var pragma = c.CreateCommand())
        {
            // Readers see the database file through a memory map: a page is read where the kernel cached it rather
            // than copied by pread into each connection's own small page cache (pread, its copies and the cache
            // lookups were about 5 % of a profiled search load). Pages still in the WAL are read as before. SQLite
            // clamps the size to its compiled maximum (2 GiB by default); beyond it reads fall back to pread.
            pragma.CommandText = "PRAGMA mmap_size = 2147418112";
            pragma.ExecuteNonQuery();
        }
        SqliteStatements.Enable(c);
        return new Lease(this, c);
    }

    private void Return(SqliteConnection c)
    {
        if (_disposed || Interlocked.Increment(ref _idleCount) > MaxIdle)
        {
            if (!_disposed) Interlocked.Decrement(ref _idleCount);
            Close(c);
            return;
        }
        _idle.Add(c);
        // Disposed meanwhile: drain what Dispose may have missed.
        if (_disposed) Dispose();
    }

    private static void Close(SqliteConnection c)
    {
        SqliteStatements.Release(c);
        c.Dispose();
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var c)) Close(c);
    }

    /// <summary>One rented connection; disposing it returns the connection to the pool. A lease on a request's
    /// <see cref="SqliteReadSnapshot"/> has no pool: disposing it hands the connection back to the snapshot.</summary>
    public readonly struct Lease(SqliteReadPool? pool, SqliteConnection connection, SqliteReadSnapshot? snapshot = null) : IDisposable
    {
        public SqliteConnection Connection => connection;

        /// <summary>The request's snapshot this lease reads in, or null for a connection of its own.</summary>
        public SqliteReadSnapshot? Snapshot => snapshot;

        public void Dispose()
        {
            if (snapshot is not null) snapshot.Exit();
            else pool!.Return(connection);
        }

        /// <summary>Closes the connection instead of returning it (its state is unknown after a failure).</summary>
        public void Discard() => Close(connection);
    }
}

/// <summary>
/// Runs a built command through a statement prepared once per pooled reader connection (keyed by its SQL text);
/// commands on other connections, or inside a transaction, run as they are.
/// </summary>
internal static class SqliteStatements
{
    /// <summary>Distinct statements kept per connection; search SQL varies with the criteria, so the cache is bounded.</summary>
    private const int MaxPerConnection = 256;
    private static readonly ConditionalWeakTable<SqliteConnection, Dictionary<string, SqliteCommand>> Caches = new();

    public static void Enable(SqliteConnection c) => Caches.Add(c, new Dictionary<string, SqliteCommand>(StringComparer.Ordinal));

    public static void Release(SqliteConnection c)
    {
        if (!Caches.TryGetValue(c, out var cache)) return;
        foreach (var cmd in cache.Values) cmd.Dispose();
        cache.Clear();
        Caches.Remove(c);
    }

    public static SqliteDataReader Reader(SqliteCommand built) => Traced(For(built)).ExecuteReader();

    public static object? Scalar(SqliteCommand built) => Traced(For(built)).ExecuteScalar();

    /// <summary>A parameterless statement (transaction control) through the connection's prepared statements.</summary>
    public static void NonQuery(SqliteConnection c, string sql)
    {
        using var built = c.CreateCommand();
        built.CommandText = sql;
        For(built).ExecuteNonQuery();
    }

    /// <summary>FELLESJOURNAL_TRACE_SQL=1 prints every read statement (searches, counts, includes, reads) with its
    /// parameters to stderr; <c>=plan</c> also prints its <c>EXPLAIN QUERY PLAN</c>, planned by the same SQLite library
    /// and connection as the statement.</summary>
    private static readonly string? Trace = Environment.GetEnvironmentVariable("FELLESJOURNAL_TRACE_SQL") is "1" or "plan" ? Environment.GetEnvironmentVariable("FELLESJOURNAL_TRACE_SQL") : null;

    private static SqliteCommand Traced(SqliteCommand cmd)
    {
        if (Trace is null) return cmd;
        var text = new System.Text.StringBuilder("SQL: ").Append(cmd.CommandText).Append(" -- ")
            .AppendJoin(", ", cmd.Parameters.Cast<SqliteParameter>().Select(p => $"{p.ParameterName}={p.Value}"));
        if (Trace == "plan")
        {
            using var explain = cmd.Connection!.CreateCommand();
            explain.Transaction = cmd.Transaction;
            explain.CommandText = "EXPLAIN QUERY PLAN " + cmd.CommandText;
            foreach (SqliteParameter p in cmd.Parameters) explain.Parameters.Add(new SqliteParameter(p.ParameterName, p.SqliteType) { Value = p.Value });
            using var r = explain.ExecuteReader();
            var depth = new Dictionary<long, int> { [0] = 0 };
            while (r.Read())
            {
                var d = depth.GetValueOrDefault(r.GetInt64(1)) + 1;
                depth[r.GetInt64(0)] = d;
                text.Append('\n').Append(' ', 2 * d).Append(r.GetString(3));
            }
        }
        Console.Error.WriteLine(text);
        return cmd;
    }

    private static SqliteCommand For(SqliteCommand built)
    {
        // A rented connection is used by one request at a time, so its cache needs no lock.
        if (built.Transaction is not null || built.Connection is not { } c || !Caches.TryGetValue(c, out var cache)) return built;
        if (!cache.TryGetValue(built.CommandText, out var cached))
        {
            if (cache.Count >= MaxPerConnection)
            {
                foreach (var old in cache.Values) old.Dispose();
                cache.Clear();
            }
            cached = c.CreateCommand();
            cached.CommandText = built.CommandText;
            cache.Add(built.CommandText, cached);
        }
        cached.Parameters.Clear();
        foreach (SqliteParameter p in built.Parameters) cached.Parameters.Add(new SqliteParameter(p.ParameterName, p.SqliteType) { Value = p.Value });
        return cached;
    }
}
