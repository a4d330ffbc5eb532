using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Fellesjournal.Trust.Audit;

/// <summary>
/// The audit log in SQLite: its own tables (in the store's database file or another), append-only by triggers,
/// each row carrying <c>hash = SHA-256(prev_hash || record)</c> where <c>record</c> is the canonical JSON, and a
/// signed checkpoint every <see cref="CheckpointEvery"/> records. Appends are serialised and read the chain head
/// inside their own transaction, so <see cref="AppendInTransaction"/> can join a store write's transaction.
/// </summary>
public sealed class SqliteAuditLog : IAuditLog, IDisposable
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS audit_log (
          seq INTEGER PRIMARY KEY,
          time INTEGER NOT NULL,            -- unix ms, copy of the record's Time (checked by Verify)
          patient_id TEXT,                  -- copy of the record's PatientId (checked by Verify)
          record TEXT NOT NULL,             -- canonical JSON, hashed byte for byte
          prev_hash BLOB NOT NULL,
          hash BLOB NOT NULL);
        -- The per-patient index is filled behind the appends, in batches (see IndexBehind): a patient's records
        -- up to audit_index_state.upto are found here, later ones by scanning the short unindexed tail.
        CREATE TABLE IF NOT EXISTS audit_patient (
          patient_id TEXT NOT NULL,
          seq INTEGER NOT NULL,
          PRIMARY KEY (patient_id, seq)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS audit_index_state (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          upto INTEGER NOT NULL);
        INSERT OR IGNORE INTO audit_index_state (id, upto) VALUES (1, 0);
        DROP INDEX IF EXISTS ix_audit_patient;
        CREATE TABLE IF NOT EXISTS audit_checkpoint (
          seq INTEGER PRIMARY KEY,          -- last record covered
          hash BLOB NOT NULL,
          time INTEGER NOT NULL,
          key_id TEXT NOT NULL,
          signature BLOB NOT NULL);
        CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
          BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
          BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS audit_patient_no_update BEFORE UPDATE ON audit_patient
          BEGIN SELECT RAISE(ABORT, 'audit_patient is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS audit_patient_no_delete BEFORE DELETE ON audit_patient
          BEGIN SELECT RAISE(ABORT, 'audit_patient is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS audit_checkpoint_no_update BEFORE UPDATE ON audit_checkpoint
          BEGIN SELECT RAISE(ABORT, 'audit_checkpoint is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS audit_checkpoint_no_delete BEFORE DELETE ON audit_checkpoint
          BEGIN SELECT RAISE(ABORT, 'audit_checkpoint is append-only'); END;
        """;

    private static readonly byte[] Genesis = new byte[32];

    private readonly string _connectionString;
    private readonly AuditCheckpointSigner _signer;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _appendLock = new(1, 1);
    // The appends' own connection and statements, kept open across group commits (appends are serialised by
    // _appendLock): opening a connection and preparing its statements for every batch was a visible share of the
    // access log's cost per request.
    private SqliteConnection? _appender;
    private AppendStatements? _appendStatements;

    /// <summary>Records between automatic checkpoints.</summary>
    public int CheckpointEvery { get; init; } = 1000;

    /// <summary>Unindexed records after which an append also fills the per-patient index (see <see cref="IndexBehind"/>).</summary>
    public int IndexEvery { get; init; } = 4096;

    /// <summary>Records indexed per index transaction at most (a log from before the index catches up in steps).</summary>
    public const int MaxIndexBatch = 16384;

    /// <param name="filePath">The database file (may be the resource store's).</param>
    public SqliteAuditLog(string filePath, AuditCheckpointSigner signer, TimeProvider? time = null)
    {
        Fellesjournal.Storage.Sqlite.SqliteEngine.Configure();
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(filePath),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _signer = signer;
        _time = time ?? TimeProvider.System;
        using var conn = Open();
        Exec(conn, null, "PRAGMA journal_mode = WAL;");
        EnsureSchema(conn);
    }

    public static void EnsureSchema(SqliteConnection conn) => Exec(conn, null, Schema);

    private SqliteConnection Open()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        Exec(c, null, "PRAGMA synchronous = FULL;");
        return c;
    }

    public async Task<AuditRecord> AppendAsync(AuditRecord record, CancellationToken ct = default) =>
        (await AppendBatchAsync([record], ct))[0];

    /// <summary>
    /// Appends several records in one transaction (one fsync), in list order, so a caller can group-commit
    /// concurrent appends. All or none are stored.
    /// </summary>
    public async Task<IReadOnlyList<AuditRecord>> AppendBatchAsync(IReadOnlyList<AuditRecord> records, CancellationToken ct = default)
    {
        if (records.Count == 0) return [];
        await _appendLock.WaitAsync(ct);
        try
        {
            var conn = _appender ??= Open();
            var begun = false;
            try
            {
                var st = _appendStatements ??= new AppendStatements(conn, ownTransaction: true);
                st.Begin!.ExecuteNonQuery(); // BEGIN IMMEDIATE: the head cannot move under us
                begun = true;
                var stored = AppendAllInTransaction(st, null, records, out var indexedUpto);
                st.Commit!.ExecuteNonQuery();
                begun = false;
                if (stored[^1].Sequence - indexedUpto >= IndexEvery) IndexBehind(st);
                return stored;
            }
            catch
            {
                // Nothing of the batch stays; the connection's state is unknown, so the next append opens a fresh one.
                if (begun)
                    try { Exec(conn, null, "ROLLBACK"); }
                    catch (SqliteException) { } // already rolled back by SQLite
                CloseAppender();
                throw;
            }
        }
        finally { _appendLock.Release(); }
    }

    /// <summary>
    /// Fills the per-patient index for the next records after <c>audit_index_state.upto</c>, in key order, in a
    /// transaction of its own. Why behind and not in the append: an index entry per record in the append put one
    /// random index page into every group commit per record (about 1.7 pages written per ≈ 600-byte record); in
    /// batches of thousands, a patient's new entries share pages. The records are durable already, and the index is
    /// derived from them (queries scan the unindexed tail), so a failure here loses nothing: the next append retries.
    /// </summary>
    private void IndexBehind(AppendStatements st)
    {
        try
        {
            st.Begin!.ExecuteNonQuery();
            st.IndexBatch!.ExecuteNonQuery();
            st.Commit!.ExecuteNonQuery();
        }
        catch (SqliteException)
        {
            try { Exec(st.Connection, null, "ROLLBACK"); }
            catch (SqliteException) { } // no transaction left to roll back
        }
    }

    private void CloseAppender()
    {
        _appendStatements?.Dispose();
        _appendStatements = null;
        _appender?.Dispose();
        _appender = null;
    }

    public void Dispose()
    {
        _appendLock.Wait();
        try { CloseAppender(); }
        finally { _appendLock.Release(); }
    }

    /// <summary>
    /// Appends inside a caller's transaction (e.g. the store's write transaction, so the audit record commits or
    /// rolls back with the write). The caller's transaction must be a write (IMMEDIATE) transaction.
    /// </summary>
    public AuditRecord AppendInTransaction(SqliteConnection conn, SqliteTransaction tx, AuditRecord record)
    {
        using var statements = new AppendStatements(conn, ownTransaction: false);
        return AppendAllInTransaction(statements, tx, [record], out _)[0];
    }

    /// <summary>The chain head query and the insert, with its parameters, on one connection; on the log's own
    /// connection also its transaction control (ADO.NET's transaction object prepares <c>BEGIN</c> and <c>COMMIT</c>
    /// again each time).</summary>
    private sealed class AppendStatements : IDisposable
    {
        public readonly SqliteConnection Connection;
        public readonly SqliteCommand Head, Insert;
        public readonly SqliteCommand? Begin, Commit, IndexBatch;
        public readonly SqliteParameter Seq, Time, Patient, Record, Prev, Hash;

        public AppendStatements(SqliteConnection conn, bool ownTransaction)
        {
            Connection = conn;
            if (ownTransaction)
            {
                Begin = Cmd(conn, null, "BEGIN IMMEDIATE");
                Commit = Cmd(conn, null, "COMMIT");
                IndexBatch = Cmd(conn, null, $$"""
                    INSERT INTO audit_patient (patient_id, seq)
                      SELECT patient_id, seq FROM audit_log
                      WHERE seq > (SELECT upto FROM audit_index_state) AND seq <= (SELECT upto FROM audit_index_state) + {{MaxIndexBatch}}
                        AND patient_id IS NOT NULL
                      ORDER BY patient_id, seq;
                    UPDATE audit_index_state SET upto = min(upto + {{MaxIndexBatch}}, coalesce((SELECT max(seq) FROM audit_log), 0));
                    """);
            }
            Head = Cmd(conn, null, "SELECT seq, hash, (SELECT upto FROM audit_index_state) FROM audit_log ORDER BY seq DESC LIMIT 1");
            Insert = Cmd(conn, null, "INSERT INTO audit_log (seq, time, patient_id, record, prev_hash, hash) VALUES ($s, $t, $p, $r, $ph, $h)");
            Seq = Insert.Parameters.Add("$s", SqliteType.Integer);
            Time = Insert.Parameters.Add("$t", SqliteType.Integer);
            Patient = Insert.Parameters.Add("$p", SqliteType.Text);
            Record = Insert.Parameters.Add("$r", SqliteType.Text);
            Prev = Insert.Parameters.Add("$ph", SqliteType.Blob);
            Hash = Insert.Parameters.Add("$h", SqliteType.Blob);
        }

        public void Dispose()
        {
            Head.Dispose();
            Insert.Dispose();
            Begin?.Dispose();
            Commit?.Dispose();
            IndexBatch?.Dispose();
        }
    }

    /// <summary>Appends records in list order inside the caller's write transaction: the chain head is read once
    /// and one insert statement is used for the whole group (a group commit of a busy server holds dozens; preparing
    /// two statements per record was a measurable share of every audited request).</summary>
    private AuditRecord[] AppendAllInTransaction(AppendStatements st, SqliteTransaction? tx, IReadOnlyList<AuditRecord> records,
        out long indexedUpto)
    {
        var conn = st.Connection;
        st.Head.Transaction = tx;
        st.Insert.Transaction = tx;
        long lastSeq = 0;
        var prev = Genesis;
        indexedUpto = 0;
        using (var r = st.Head.ExecuteReader())
            if (r.Read()) { lastSeq = r.GetInt64(0); prev = (byte[])r[1]; indexedUpto = r.IsDBNull(2) ? 0 : r.GetInt64(2); }

        var stored = new AuditRecord[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            var rec = records[i] with
            {
                Sequence = lastSeq + 1,
                Time = records[i].Time == default ? _time.GetUtcNow() : records[i].Time,
            };
            var json = rec.ToCanonicalJson();
            var hash = ChainHash(prev, json);
            st.Seq.Value = rec.Sequence;
            st.Time.Value = rec.Time.ToUnixTimeMilliseconds();
            st.Patient.Value = (object?)rec.PatientId ?? DBNull.Value;
            st.Record.Value = Encoding.UTF8.GetString(json);
            st.Prev.Value = prev;
            st.Hash.Value = hash;
            st.Insert.ExecuteNonQuery();
            if (CheckpointEvery > 0 && rec.Sequence % CheckpointEvery == 0)
                InsertCheckpoint(conn, tx, _signer.Sign(rec.Sequence, hash, _time.GetUtcNow()));
            stored[i] = rec;
            lastSeq = rec.Sequence;
            prev = hash;
        }
        return stored;
    }

    public async Task<AuditCheckpoint?> CheckpointAsync(CancellationToken ct = default)
    {
        await _appendLock.WaitAsync(ct);
        try
        {
            using var conn = Open();
            using var tx = conn.BeginTransaction();
            using var head = Cmd(conn, tx, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
            using var r = head.ExecuteReader();
            if (!r.Read()) return null;
            var seq = r.GetInt64(0);
            var hash = (byte[])r[1];
            r.Close();
            using (var exists = Cmd(conn, tx, "SELECT 1 FROM audit_checkpoint WHERE seq = $s"))
            {
                exists.Parameters.AddWithValue("$s", seq);
                if (exists.ExecuteScalar() is not null) { tx.Commit(); return null; }
            }
            var cp = _signer.Sign(seq, hash, _time.GetUtcNow());
            InsertCheckpoint(conn, tx, cp);
            tx.Commit();
            return cp;
        }
        finally { _appendLock.Release(); }
    }

    private static void InsertCheckpoint(SqliteConnection conn, SqliteTransaction? tx, AuditCheckpoint cp)
    {
        using var ins = Cmd(conn, tx, "INSERT INTO audit_checkpoint (seq, hash, time, key_id, signature) VALUES ($s, $h, $t, $k, $g)");
        ins.Parameters.AddWithValue("$s", cp.Sequence);
        ins.Parameters.AddWithValue("$h", cp.Hash);
        ins.Parameters.AddWithValue("$t", cp.Time.ToUnixTimeMilliseconds());
        ins.Parameters.AddWithValue("$k", cp.KeyId);
        ins.Parameters.AddWithValue("$g", cp.Signature);
        ins.ExecuteNonQuery();
    }

    public Task<IReadOnlyList<AuditRecord>> QueryByPatientAsync(string patientId, int limit = 1000, CancellationToken ct = default) =>
        QueryAsync([patientId], null, null, null, limit, ct);

    /// <summary>
    /// The records about any of <paramref name="patientIds"/>, newest first: optionally within [from, to) by record
    /// time, and only those before sequence <paramref name="beforeSequence"/> (a paging cursor). Records up to the
    /// index's watermark come from <c>audit_patient</c>, later ones from a scan of the unindexed tail; one statement,
    /// so both parts see the same snapshot.
    /// </summary>
    public Task<IReadOnlyList<AuditRecord>> QueryAsync(IReadOnlyCollection<string> patientIds, DateTimeOffset? from, DateTimeOffset? to,
        long? beforeSequence, int limit, CancellationToken ct = default)
    {
        var list = new List<AuditRecord>();
        if (patientIds.Count == 0 || limit <= 0) return Task.FromResult<IReadOnlyList<AuditRecord>>(list);
        using var conn = Open();
        using var cmd = Cmd(conn, null, """
            WITH w(upto) AS (SELECT upto FROM audit_index_state),
                 p(id) AS (SELECT value FROM json_each($p))
            SELECT record FROM (
              SELECT l.seq AS seq, l.time AS time, l.record AS record
                FROM audit_patient x JOIN audit_log l ON l.seq = x.seq
                WHERE x.patient_id IN (SELECT id FROM p) AND x.seq <= (SELECT upto FROM w)
                  AND ($before IS NULL OR x.seq < $before)
              UNION ALL
              SELECT seq, time, record FROM audit_log
                WHERE seq > (SELECT upto FROM w) AND patient_id IN (SELECT id FROM p)
                  AND ($before IS NULL OR seq < $before))
            WHERE ($from IS NULL OR time >= $from) AND ($to IS NULL OR time < $to)
            ORDER BY seq DESC LIMIT $n
            """);
        cmd.Parameters.AddWithValue("$p", System.Text.Json.JsonSerializer.Serialize(patientIds));
        cmd.Parameters.AddWithValue("$from", (object?)from?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$to", (object?)to?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$before", (object?)beforeSequence ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$n", limit);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            ct.ThrowIfCancellationRequested();
            list.Add(AuditRecord.FromJson(Encoding.UTF8.GetBytes(r.GetString(0))));
        }
        return Task.FromResult<IReadOnlyList<AuditRecord>>(list);
    }

    public Task<ChainVerification> VerifyAsync(CancellationToken ct = default)
    {
        using var conn = Open();
        return Task.FromResult(AuditChainVerifier.Verify(conn, _signer, ct));
    }

    /// <summary>
    /// Verifies a log file opened read-only, so checking the evidence never changes it (no schema, no pragmas
    /// written). <paramref name="missingTriggers"/> lists the append-only triggers that are gone: not proof of
    /// tampering by itself, but a sign that someone with file access prepared for it.
    /// </summary>
    public static ChainVerification VerifyFile(string filePath, AuditCheckpointSigner signer, out IReadOnlyList<string> missingTriggers,
        CancellationToken ct = default)
    {
        var cs = new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(filePath), Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var conn = new SqliteConnection(cs.ToString());
        conn.Open();
        var present = new HashSet<string>();
        using (var cmd = Cmd(conn, null, "SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) present.Add(r.GetString(0));
        missingTriggers = new[] { "audit_log_no_update", "audit_log_no_delete", "audit_checkpoint_no_update", "audit_checkpoint_no_delete" }
            .Where(t => !present.Contains(t)).ToList();
        return AuditChainVerifier.Verify(conn, signer, ct);
    }

    internal static byte[] ChainHash(byte[] prev, byte[] json)
    {
        var buf = new byte[prev.Length + json.Length];
        prev.CopyTo(buf, 0);
        json.CopyTo(buf, prev.Length);
        return SHA256.HashData(buf);
    }

    internal static SqliteCommand Cmd(SqliteConnection conn, SqliteTransaction? tx, string sql)
    {
        var c = conn.CreateCommand();
        c.Transaction = tx;
        c.CommandText = sql;
        return c;
    }

    private static void Exec(SqliteConnection conn, SqliteTransaction? tx, string sql)
    {
        using var c = Cmd(conn, tx, sql);
        c.ExecuteNonQuery();
    }
}
