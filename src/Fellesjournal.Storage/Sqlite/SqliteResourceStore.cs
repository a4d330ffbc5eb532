using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Search;
using Fellesjournal.Storage.Search;
using Microsoft.Data.Sqlite;

namespace Fellesjournal.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode with <c>synchronous=FULL</c>. One writer connection
/// (serialized by a semaphore, transactions begin IMMEDIATE), readers on pooled connections in parallel.
/// Search values are extracted before the write lock is taken and written in the same transaction as the resource.
/// </summary>
public sealed class SqliteResourceStore : IResourceStore, ISearchIndexedStore, IChangeMarkers
{
    public const string DefaultFileName = "fellesjournal.db";

    private readonly string _readConnectionString;
    private readonly SqliteReadPool _reads;
    private readonly SqliteConnection _writeConnection;
    private readonly SqliteWriter _writer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ISearchIndexer _indexer;
    private readonly FhirDefinitions _definitions;
    private readonly AsyncLocal<bool> _inTransaction = new();
    private readonly AsyncLocal<SqliteReadSnapshot?> _snapshot = new();
    private bool _disposed;

    public string FilePath { get; }

    public ISearchIndexer Indexer => _indexer;

    /// <summary>Opens (creating if needed) <c>&lt;dataDir&gt;/fellesjournal.db</c>.</summary>
    public static SqliteResourceStore Open(string dataDir, ISearchIndexer? indexer = null)
    {
        Directory.CreateDirectory(dataDir);
        return new SqliteResourceStore(Path.Combine(dataDir, DefaultFileName), indexer);
    }

    /// <param name="filePath">The database file.</param>
    /// <param name="indexer">Search-value extraction; defaults to one over <see cref="FhirDefinitions.Default"/>.</param>
    public SqliteResourceStore(string filePath, ISearchIndexer? indexer = null)
    {
        SqliteEngine.Configure();
        FilePath = Path.GetFullPath(filePath);
        _indexer = indexer ?? new SearchIndexer(FhirDefinitions.Default);
        _definitions = _indexer.Definitions;
        var b = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        };
        _readConnectionString = b.ToString();
        b.Pooling = false;
        _reads = new SqliteReadPool(b.ToString());
        // The writer gets its own (unpooled) connection: it lives as long as the store.
        b.Pooling = false;
        _writeConnection = new SqliteConnection(b.ToString());
        _writeConnection.Open();
        Execute(_writeConnection, """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            PRAGMA temp_store = MEMORY;
            PRAGMA cache_size = -32768;
            """);
        Execute(_writeConnection, SqliteSchema.Create);
        var previous = StoredSchemaVersion(_writeConnection);
        // A database from before version 4 gets its contained resources indexed first (the backfill sets the version).
        var backfill = previous is > 0 and < SqliteSchema.ContainedSinceVersion;
        if (!backfill)
            Execute(_writeConnection,
                $"INSERT INTO store_info (key, value) VALUES ('schema_version', '{SqliteSchema.Version}')" +
                $" ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE CAST(value AS INTEGER) < {SqliteSchema.Version}");
        SqliteFullText.Ensure(_writeConnection, _definitions);
        _writer = new SqliteWriter(_writeConnection);
        if (backfill) _writer.BackfillContained(_indexer, SqliteSchema.Version);
    }

    /// <summary>The schema version the database was written with (0 for a new one).</summary>
    private static int StoredSchemaVersion(SqliteConnection conn)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT CAST(value AS INTEGER) FROM store_info WHERE key = 'schema_version'";
        return cmd.ExecuteScalar() is long v ? (int)v : 0;
    }

    private static void Execute(SqliteConnection conn, string sql)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    // ---- writes ----

    public async Task<IReadOnlyList<StoredResource>> MergeAsync(IReadOnlyList<ResourceWrite> batch, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (batch.Count == 0) return [];
        ThrowIfInTransaction();
        _snapshot.Value?.Restart();
        var prepared = Prepare(batch);
        // The SQLite work (and the fsync at commit) runs off the caller's thread, so the returned task is
        // really in flight: the caller (importer, write coalescer) prepares its next batch meanwhile.
        // Without this, an uncontended lock made the whole write synchronous and nothing overlapped.
        await Task.Yield();
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var tx = _writer.Begin();
            try
            {
                var result = _writer.Merge(tx, prepared);
                _writer.Commit(tx);
                return result;
            }
            catch
            {
                _writer.Rollback(tx);
                throw;
            }
            finally
            {
                tx.Dispose();
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<T> InTransactionAsync<T>(Func<IStoreTransaction, Task<T>> work, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ThrowIfInTransaction();
        _snapshot.Value?.Restart();
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var tx = _writer.Begin();
            var scope = new Transaction(this, tx);
            _inTransaction.Value = true;
            try
            {
                var result = await work(scope).ConfigureAwait(false);
                scope.Complete();
                _writer.Commit(tx);
                return result;
            }
            catch
            {
                scope.Complete();
                _writer.Rollback(tx);
                throw;
            }
            finally
            {
                _inTransaction.Value = false;
                tx.Dispose();
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Writing through the store (not the transaction) inside InTransactionAsync would wait for the
    /// lock the transaction holds: fail fast instead of deadlocking.</summary>
    private void ThrowIfInTransaction()
    {
        if (_inTransaction.Value)
            throw new InvalidOperationException("Inside InTransactionAsync, write through the IStoreTransaction, not the store.");
    }

    private PreparedWrite[] Prepare(IReadOnlyList<ResourceWrite> batch) => PreparedWrite.PrepareBatch(batch, _indexer, _definitions);

    // ---- reads ----

    /// <summary>The flow's snapshot connection when a <see cref="ReadSnapshot"/> is open and free, else a pooled one.</summary>
    private SqliteReadPool.Lease OpenRead() =>
        _snapshot.Value is { } s && s.Enter() is { } c ? new SqliteReadPool.Lease(null, c, s) : _reads.Rent();

    public IDisposable ReadSnapshot()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_snapshot.Value is not null) return NoReadSnapshot.Instance; // nested: the outer scope ends it
        var snapshot = new SqliteReadSnapshot(_reads.Rent());
        _snapshot.Value = snapshot;
        return new SnapshotScope(this, snapshot);
    }

    private sealed class SnapshotScope(SqliteResourceStore store, SqliteReadSnapshot snapshot) : IDisposable
    {
        public void Dispose()
        {
            if (store._snapshot.Value == snapshot) store._snapshot.Value = null;
            snapshot.Dispose();
        }
    }

    public Task<StoredResource?> GetAsync(string resourceType, string id, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var lease = OpenRead();
        var c = lease.Connection;
        return Task.FromResult(SqliteReads.Get(c, null, resourceType, id, null));
    }

    public Task<StoredResource?> GetVersionAsync(string resourceType, string id, long versionId, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var lease = OpenRead();
        var c = lease.Connection;
        return Task.FromResult(SqliteReads.Get(c, null, resourceType, id, versionId));
    }

    public Task<StoredResource?> GetAsync(string resourceType, string id, CompartmentAccess? access, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var lease = OpenRead();
        var c = lease.Connection;
        return Task.FromResult(SqliteReads.Get(c, null, resourceType, id, null, access));
    }

    public Task<StoredResource?> GetVersionAsync(string resourceType, string id, long versionId, CompartmentAccess? access, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var lease = OpenRead();
        var c = lease.Connection;
        return Task.FromResult(SqliteReads.Get(c, null, resourceType, id, versionId, access));
    }

    public Task<HistoryPage> HistoryAsync(HistoryQuery query, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var lease = OpenRead();
        var c = lease.Connection;
        return Task.FromResult(SqliteReads.History(c, query));
    }

    public Task<SearchPage> SearchAsync(SearchQuery query, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var sql = SqliteSearchTranslator.Translate(query, _definitions);
        using var lease = OpenRead();
        var c = lease.Connection;
        return Task.FromResult(SqliteReads.Search(c, null, sql, query));
    }

    public Task<ChangeMarker> ReferenceMarkerAsync(string targetId, IReadOnlyList<(string Type, string Param)> via,
        IReadOnlyList<(string Type, string Id)> resources, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var lease = OpenRead();
        using var cmd = lease.Connection.CreateCommand();
        cmd.CommandText = ChangeMarkerSql.Reference(via.Count, resources.Count, "$p");
        var n = 0;
        foreach (var a in ChangeMarkerSql.Arguments(targetId, via, resources)) cmd.Parameters.AddWithValue("$p" + n++, a);
        using var r = SqliteStatements.Reader(cmd);
        r.Read();
        var versions = new long[resources.Count];
        for (var i = 0; i < versions.Length; i++) versions[i] = r.GetInt64(2 + i);
        return Task.FromResult(new ChangeMarker(r.GetInt64(0), r.GetInt64(1), versions));
    }

    public Task<long> TypeMarkerAsync(string resourceType, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var lease = OpenRead();
        using var cmd = lease.Connection.CreateCommand();
        cmd.CommandText = ChangeMarkerSql.Type + "$t";
        cmd.Parameters.AddWithValue("$t", resourceType);
        return Task.FromResult((long)SqliteStatements.Scalar(cmd)!);
    }

    public Task<long> StoreMarkerAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_snapshot.Value?.StoreMarker is { } known) return Task.FromResult(known);
        using var lease = OpenRead();
        using var cmd = lease.Connection.CreateCommand();
        cmd.CommandText = ChangeMarkerSql.Store;
        var value = (long)SqliteStatements.Scalar(cmd)!;
        lease.Snapshot?.RememberStoreMarker(value); // only a value read inside the snapshot's transaction
        return Task.FromResult(value);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            _disposed = true;
            _writer.Dispose();
            _reads.Dispose();
            _writeConnection.Close();
            _writeConnection.Dispose();
            using var c = new SqliteConnection(_readConnectionString);
            SqliteConnection.ClearPool(c); // release the file (temp dirs, reopen)
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Reads and writes on the writer connection inside the open transaction.</summary>
    private sealed class Transaction(SqliteResourceStore store, SqliteTransaction tx) : IStoreTransaction
    {
        private bool _completed;

        public void Complete() => _completed = true;

        private void Check()
        {
            if (_completed) throw new InvalidOperationException("The store transaction has ended.");
        }

        public Task<StoredResource?> GetAsync(string resourceType, string id, CancellationToken ct = default)
        {
            Check();
            return Task.FromResult(SqliteReads.Get(store._writeConnection, tx, resourceType, id, null));
        }

        public Task<StoredResource?> GetAsync(string resourceType, string id, CompartmentAccess? access, CancellationToken ct = default)
        {
            Check();
            return Task.FromResult(SqliteReads.Get(store._writeConnection, tx, resourceType, id, null, access));
        }

        public Task<SearchPage> SearchAsync(SearchQuery query, CancellationToken ct = default)
        {
            Check();
            var sql = SqliteSearchTranslator.Translate(query, store._definitions);
            return Task.FromResult(SqliteReads.Search(store._writeConnection, tx, sql, query));
        }

        public Task<IReadOnlyList<StoredResource>> MergeAsync(IReadOnlyList<ResourceWrite> batch, CancellationToken ct = default)
        {
            Check();
            if (batch.Count == 0) return Task.FromResult<IReadOnlyList<StoredResource>>([]);
            return Task.FromResult(store._writer.MergeInSavepoint(tx, store.Prepare(batch)));
        }
    }
}
