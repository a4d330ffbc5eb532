using Fellesjournal.Storage.Search;
using System.Net.Sockets;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Search;
using Fellesjournal.Storage.Sqlite;
using Npgsql;

namespace Fellesjournal.Storage.Postgres;

/// <summary>
/// The PostgreSQL store: the same contract and the same observable behaviour as the SQLite store. Writes run in a
/// transaction holding a cluster-wide advisory lock (one writer at a time across all servers on the database, as
/// SQLite has one writer per file), so versions, seq order and lastUpdated are monotonic and If-Match is exact.
/// Reads use pooled connections in parallel. Connection failures surface as <see cref="StoreUnavailableException"/>;
/// Npgsql's pool reconnects on the next call.
/// </summary>
public sealed class PostgresResourceStore : IResourceStore, ISearchIndexedStore, IChangeMarkers
{
    private readonly NpgsqlDataSource _dataSource;
    /// <summary>A streaming replica for reads and searches, or null (reads go to the primary).</summary>
    private readonly NpgsqlDataSource? _readSource;
    /// <summary>The primary on generic plans (<see cref="GenericPlans"/>), for the searches <see cref="GenericPlanChoice"/>
    /// picks (on the primary only: a replica's reads keep their own source and its read-your-writes check).</summary>
    private readonly NpgsqlDataSource _genericSource;
    /// <summary>WAL position after this store's last commit: the replica serves reads only once it has replayed
    /// it (read-your-writes for this server's own writes); 0 when nothing was written yet.</summary>
    private long _lastCommitLsn;
    private readonly ISearchIndexer _indexer;

    public ISearchIndexer Indexer => _indexer;

    private readonly FhirDefinitions _definitions;
    private readonly AsyncLocal<bool> _inTransaction = new();
    /// <summary>Writers of this process queue here, not on the database's advisory lock: a writer waiting inside
    /// the database would hold a pooled connection, and with a small pool the writer holding the lock could then
    /// find no connection for a read it needs (a transaction's policy facts). The advisory lock still orders the
    /// writers of several servers.</summary>
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private bool _disposed;

    private PostgresResourceStore(NpgsqlDataSource dataSource, NpgsqlDataSource genericSource, NpgsqlDataSource? readSource, ISearchIndexer indexer)
    {
        _genericSource = genericSource;
        _dataSource = dataSource;
        _readSource = readSource;
        _indexer = indexer;
        _definitions = indexer.Definitions;
    }

    /// <summary>Connects, applies pending migrations (under an advisory lock) and returns the store.</summary>
    /// <param name="readConnectionString">Optional streaming replica for reads and searches.</param>
    public static async Task<PostgresResourceStore> OpenAsync(string connectionString, ISearchIndexer? indexer = null, bool migrate = true,
        string? readConnectionString = null, CancellationToken ct = default)
    {
        var ds = new NpgsqlDataSourceBuilder(WithAutoPrepare(connectionString)).Build();
        indexer ??= new SearchIndexer(FhirDefinitions.Default);
        try
        {
            if (migrate) await Guard(() => PostgresMigrator.MigrateAsync(ds, ct)).ConfigureAwait(false);
            if (migrate) await Guard(() => PostgresFullText.BackfillAsync(ds, indexer.Definitions, ct)).ConfigureAwait(false);
            if (migrate) await Guard(() => BackfillContainedAsync(ds, indexer, ct)).ConfigureAwait(false);
        }
        catch
        {
            await ds.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var read = string.IsNullOrWhiteSpace(readConnectionString) ? null : new NpgsqlDataSourceBuilder(WithAutoPrepare(readConnectionString)).Build();
        var generic = new NpgsqlDataSourceBuilder(GenericPlans(WithAutoPrepare(connectionString))).Build();
        return new PostgresResourceStore(ds, generic, read, indexer);
    }

    /// <summary>ANALYZE the whole database. Autovacuum would do it too, but only after its next wake-up (a minute by
    /// default): until then the planner takes the freshly loaded tables for empty and picks nested loops over them
    /// (a summary at 20 patients took 400 ms instead of 17 ms).</summary>
    public async Task RefreshStatisticsAsync(CancellationToken ct = default)
    {
        await using var c = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("ANALYZE", c) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The contained resources' rows of versions written before migration 4 (only versions whose JSON
    /// mentions "contained" are parsed).</summary>
    private static Task<bool> BackfillContainedAsync(NpgsqlDataSource ds, ISearchIndexer indexer, CancellationToken ct) =>
        PostgresBackfill.RunAsync(ds, "contained_backfill", (conn, _, batch) =>
        {
            var rows = new List<(long, string, string, ResourceIndex)>();
            foreach (var (seq, patient, json) in batch)
                if (json.AsSpan().IndexOf("\"contained\""u8) >= 0 &&
                    indexer.Extract(ElementNode.Parse(json, indexer.Definitions)) is { Contained: not null } index)
                    rows.Add((seq, patient, "", index with { Values = [] })); // the version's own rows exist already
            return PostgresIndexCopy.WriteAsync(conn, rows, ct);
        }, ct);

    /// <summary>
    /// Connections per data source when the connection string does not say (Npgsql's own default is 100). Each
    /// statement is short, so a few busy backends keep the database's cores full; with one backend per concurrent
    /// request the backends spent their time switching and in the kernel (on 2 cores, 32 concurrent reads:
    /// 1,810–2,435/s with 100 connections, 3,323–3,351/s with 4–8). Requests beyond it wait in the pool's queue,
    /// in order. Sized from this machine's cores as a stand-in for the database's: a database server on other
    /// hardware sets <c>Maximum Pool Size</c> (about 2–4 × its cores) in the connection string.
    /// </summary>
    public static int DefaultPoolSize { get; } = Math.Max(8, 4 * Environment.ProcessorCount);

    /// <summary>
    /// Server-side prepared statements for the statements a connection runs repeatedly (reads, fact searches), so
    /// the server parses and plans them once per connection; a connection string that sets these keeps its own values.
    /// </summary>
    private static string WithAutoPrepare(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        if (b.MaxAutoPrepare == 0) b.MaxAutoPrepare = 256;
        if (!connectionString.Contains("Auto Prepare Min Usages", StringComparison.OrdinalIgnoreCase)) b.AutoPrepareMinUsages = 2;
        // The store leaves no session state behind (transaction-scoped locks only; the migrator releases its session
        // lock itself), so the pool need not reset a connection before reuse: that reset ran ahead of every
        // statement of a summary or a read, once per pooled open.
        if (!connectionString.Contains("No Reset On Close", StringComparison.OrdinalIgnoreCase)) b.NoResetOnClose = true;
        if (!connectionString.Contains("Pool Size", StringComparison.OrdinalIgnoreCase)) b.MaxPoolSize = DefaultPoolSize;
        return b.ConnectionString;
    }

    /// <summary>
    /// The same database with <c>plan_cache_mode = force_generic_plan</c>, for the searches
    /// <see cref="GenericPlanChoice"/> picks. With the default mode PostgreSQL re-planned the statements of chains,
    /// includes and identifier searches on every execution (its generic-plan estimate looked worse than the custom
    /// plans), and planning cost 2–15 times the execution: 0.23–1.5 ms against 0.02–0.5 ms (pg_stat_statements with
    /// track_planning, 1,000 patients). Their generic plans are the same index walks. No parallel workers: a generic
    /// plan's row estimates are averages, and for a chain over four target types they were large enough to start two
    /// workers, whose start-up (40 ms) was a hundred times the walk itself (0.25 ms at 10,000 patients).
    /// </summary>
    private static string GenericPlans(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        b.Options = ((b.Options ?? "") + " -c plan_cache_mode=force_generic_plan -c max_parallel_workers_per_gather=0").Trim();
        return b.ConnectionString;
    }

    public static PostgresResourceStore Open(string connectionString, ISearchIndexer? indexer = null, string? readConnectionString = null) =>
        OpenAsync(connectionString, indexer, readConnectionString: readConnectionString).GetAwaiter().GetResult();

    // ---- failure mapping ----

    /// <summary>True for errors that mean "the database is not reachable right now" rather than a bad request.</summary>
    public static bool IsUnavailable(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("57P", StringComparison.Ordinal)
                                || pg.SqlState == "53300", // too many connections
        NpgsqlException n => n.IsTransient || n.InnerException is SocketException or IOException or TimeoutException,
        SocketException or IOException => true,
        _ => false,
    };

    private static async Task<T> Guard<T>(Func<Task<T>> op)
    {
        try
        {
            return await op().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not StoreUnavailableException && IsUnavailable(e))
        {
            throw new StoreUnavailableException("The PostgreSQL database is unavailable: " + e.Message, e);
        }
    }

    // ---- writes ----

    public Task<IReadOnlyList<StoredResource>> MergeAsync(IReadOnlyList<ResourceWrite> batch, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (batch.Count == 0) return Task.FromResult<IReadOnlyList<StoredResource>>([]);
        ThrowIfInTransaction();
        var prepared = Prepare(batch);
        return Write(async () =>
        {
            await using var c = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var tx = await c.BeginTransactionAsync(ct).ConfigureAwait(false);
            await PostgresWriter.LockAsync(c, tx, ct).ConfigureAwait(false);
            var result = await PostgresWriter.MergeAsync(c, tx, prepared, ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            await NoteCommitAsync(c, ct).ConfigureAwait(false);
            return result;
        }, ct);
    }

    /// <summary>A write of this process, one at a time (<see cref="_writeGate"/>), with failures mapped by <see cref="Guard"/>.</summary>
    private Task<T> Write<T>(Func<Task<T>> op, CancellationToken ct) =>
        Guard(async () =>
        {
            await _writeGate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                return await op().ConfigureAwait(false);
            }
            finally
            {
                _writeGate.Release();
            }
        });

    public Task<T> InTransactionAsync<T>(Func<IStoreTransaction, Task<T>> work, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ThrowIfInTransaction();
        return Write(() => TransactionAsync(work, ct), ct);
    }

    private async Task<T> TransactionAsync<T>(Func<IStoreTransaction, Task<T>> work, CancellationToken ct)
    {
        await using var c = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await c.BeginTransactionAsync(ct).ConfigureAwait(false);
        // Taken up front (SQLite's BEGIN IMMEDIATE): a conditional create's search and its write are atomic.
        await PostgresWriter.LockAsync(c, tx, ct).ConfigureAwait(false);
        var scope = new Transaction(this, c, tx);
        _inTransaction.Value = true;
        try
        {
            var result = await work(scope).ConfigureAwait(false);
            scope.Complete();
            await tx.CommitAsync(ct).ConfigureAwait(false);
            await NoteCommitAsync(c, ct).ConfigureAwait(false);
            return result;
        }
        catch
        {
            scope.Complete();
            try { await tx.RollbackAsync(CancellationToken.None).ConfigureAwait(false); } catch (NpgsqlException) { }
            throw;
        }
        finally
        {
            _inTransaction.Value = false;
        }
    }

    private void ThrowIfInTransaction()
    {
        if (_inTransaction.Value)
            throw new InvalidOperationException("Inside InTransactionAsync, write through the IStoreTransaction, not the store.");
    }

    private PreparedWrite[] Prepare(IReadOnlyList<ResourceWrite> batch) => PreparedWrite.PrepareBatch(batch, _indexer, _definitions);

    // ---- reads ----

    private async Task NoteCommitAsync(NpgsqlConnection c, CancellationToken ct)
    {
        if (_readSource is null) return;
        await using var cmd = new NpgsqlCommand("SELECT pg_current_wal_insert_lsn()", c);
        var lsn = (long)(ulong)(NpgsqlTypes.NpgsqlLogSequenceNumber)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        long seen;
        while ((seen = Interlocked.Read(ref _lastCommitLsn)) < lsn && Interlocked.CompareExchange(ref _lastCommitLsn, lsn, seen) != seen) { }
    }

    /// <param name="primary">The primary's data source to use (default: <see cref="_dataSource"/>).</param>
    private Task<T> Read<T>(Func<NpgsqlConnection, Task<T>> op, CancellationToken ct, NpgsqlDataSource? primary = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Guard(async () =>
        {
            if (_readSource is not null)
            {
                await using var rc = await _readSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                var need = Interlocked.Read(ref _lastCommitLsn);
                if (need == 0 || await ReplayedAsync(rc, need, ct).ConfigureAwait(false))
                    return await op(rc).ConfigureAwait(false);
            }
            await using var c = await (primary ?? _dataSource).OpenConnectionAsync(ct).ConfigureAwait(false);
            return await op(c).ConfigureAwait(false);
        });
    }

    /// <summary>Has the replica replayed this server's last commit? If not, the read goes to the primary.</summary>
    private static async Task<bool> ReplayedAsync(NpgsqlConnection replica, long lsn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT coalesce(pg_last_wal_replay_lsn() >= @l, true)", replica);
        cmd.Parameters.AddWithValue("l", NpgsqlTypes.NpgsqlDbType.PgLsn, new NpgsqlTypes.NpgsqlLogSequenceNumber((ulong)lsn));
        return (bool)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    public Task<StoredResource?> GetAsync(string resourceType, string id, CancellationToken ct = default) =>
        Read(c => PostgresReads.GetAsync(c, null, resourceType, id, null, ct), ct);

    public Task<StoredResource?> GetVersionAsync(string resourceType, string id, long versionId, CancellationToken ct = default) =>
        Read(c => PostgresReads.GetAsync(c, null, resourceType, id, versionId, ct), ct);

    public Task<StoredResource?> GetAsync(string resourceType, string id, CompartmentAccess? access, CancellationToken ct = default) =>
        Read(c => PostgresReads.GetAsync(c, null, resourceType, id, null, ct, access), ct);

    public Task<StoredResource?> GetVersionAsync(string resourceType, string id, long versionId, CompartmentAccess? access, CancellationToken ct = default) =>
        Read(c => PostgresReads.GetAsync(c, null, resourceType, id, versionId, ct, access), ct);

    public Task<HistoryPage> HistoryAsync(HistoryQuery query, CancellationToken ct = default) =>
        Read(c => PostgresReads.HistoryAsync(c, query, ct), ct);

    public Task<SearchPage> SearchAsync(SearchQuery query, CancellationToken ct = default)
    {
        var sql = PostgresSearch.Translate(query, _definitions);
        return Read(c => PostgresReads.SearchAsync(c, null, sql, query, ct), ct, _readSource is null && GenericPlanChoice.Fits(query, _definitions) ? _genericSource : null);
    }

    public Task<ChangeMarker> ReferenceMarkerAsync(string targetId, IReadOnlyList<(string Type, string Param)> via,
        IReadOnlyList<(string Type, string Id)> resources, CancellationToken ct = default) =>
        Read(async c =>
        {
            await using var cmd = new NpgsqlCommand(ChangeMarkerSql.Reference(via.Count, resources.Count, "@p"), c);
            var n = 0;
            foreach (var a in ChangeMarkerSql.Arguments(targetId, via, resources)) cmd.Parameters.AddWithValue("p" + n++, a);
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await r.ReadAsync(ct).ConfigureAwait(false);
            var versions = new long[resources.Count];
            for (var i = 0; i < versions.Length; i++) versions[i] = r.GetInt64(2 + i);
            return new ChangeMarker(r.GetInt64(0), r.GetInt64(1), versions);
        }, ct);

    public Task<long> TypeMarkerAsync(string resourceType, CancellationToken ct = default) =>
        Read(async c =>
        {
            await using var cmd = new NpgsqlCommand(ChangeMarkerSql.Type + "@t", c);
            cmd.Parameters.AddWithValue("t", resourceType);
            return (long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, ct);

    public Task<long> StoreMarkerAsync(CancellationToken ct = default) =>
        Read(async c =>
        {
            await using var cmd = new NpgsqlCommand(ChangeMarkerSql.Store, c);
            return (long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, ct);

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        await _genericSource.DisposeAsync().ConfigureAwait(false);
        if (_readSource is not null) await _readSource.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Reads and writes on the transaction's connection.</summary>
    private sealed class Transaction(PostgresResourceStore store, NpgsqlConnection c, NpgsqlTransaction tx) : IStoreTransaction
    {
        private bool _completed;
        private int _savepoints;

        public void Complete() => _completed = true;

        private void Check()
        {
            if (_completed) throw new InvalidOperationException("The store transaction has ended.");
        }

        public Task<StoredResource?> GetAsync(string resourceType, string id, CancellationToken ct = default)
        {
            Check();
            return Guard(() => PostgresReads.GetAsync(c, tx, resourceType, id, null, ct));
        }

        public Task<StoredResource?> GetAsync(string resourceType, string id, CompartmentAccess? access, CancellationToken ct = default)
        {
            Check();
            return Guard(() => PostgresReads.GetAsync(c, tx, resourceType, id, null, ct, access));
        }

        public Task<SearchPage> SearchAsync(SearchQuery query, CancellationToken ct = default)
        {
            Check();
            var sql = PostgresSearch.Translate(query, store._definitions);
            return Guard(() => PostgresReads.SearchAsync(c, tx, sql, query, ct));
        }

        /// <summary>All or nothing through a savepoint, so a caller that catches a conflict can go on.</summary>
        public async Task<IReadOnlyList<StoredResource>> MergeAsync(IReadOnlyList<ResourceWrite> batch, CancellationToken ct = default)
        {
            Check();
            if (batch.Count == 0) return [];
            var prepared = store.Prepare(batch);
            var name = "merge_batch_" + ++_savepoints;
            return await Guard(async () =>
            {
                await tx.SaveAsync(name, ct).ConfigureAwait(false);
                try
                {
                    var result = await PostgresWriter.MergeAsync(c, tx, prepared, ct).ConfigureAwait(false);
                    await tx.ReleaseAsync(name, ct).ConfigureAwait(false);
                    return result;
                }
                catch (Exception e) when (!IsUnavailable(e))
                {
                    await tx.RollbackAsync(name, CancellationToken.None).ConfigureAwait(false);
                    throw;
                }
            }).ConfigureAwait(false);
        }
    }
}
