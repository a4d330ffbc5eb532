using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace Fellesjournal.Trust.Audit;

/// <summary>
/// The audit log in PostgreSQL, in the same database as the resource store, so every server node appends to one
/// chain and every node can answer a citizen's log. Same rows, hashing, checkpoints and verification as
/// <see cref="SqliteAuditLog"/>. Appends from all nodes are serialised by a transaction-scoped advisory lock taken
/// before the chain head is read; triggers refuse UPDATE, DELETE and TRUNCATE.
/// </summary>
public sealed class PostgresAuditLog : IAuditLog, IDisposable
{
    /// <summary>Advisory lock key of the chain head ("fj-audit").</summary>
    private const long HeadLock = 0x666a2d6175646974;

    public const string Schema = """
        CREATE TABLE IF NOT EXISTS audit_log (
          seq bigint PRIMARY KEY,
          time bigint NOT NULL,
          patient_id text,
          record text NOT NULL,
          prev_hash bytea NOT NULL,
          hash bytea NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_audit_patient ON audit_log(patient_id, seq);
        CREATE TABLE IF NOT EXISTS audit_checkpoint (
          seq bigint PRIMARY KEY,
          hash bytea NOT NULL,
          time bigint NOT NULL,
          key_id text NOT NULL,
          signature bytea NOT NULL);
        CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
          $$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
        CREATE OR REPLACE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
          FOR EACH ROW EXECUTE FUNCTION audit_append_only();
        CREATE OR REPLACE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
          FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
        CREATE OR REPLACE TRIGGER audit_checkpoint_no_change BEFORE UPDATE OR DELETE ON audit_checkpoint
          FOR EACH ROW EXECUTE FUNCTION audit_append_only();
        CREATE OR REPLACE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint
          FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
        """;

    private static readonly byte[] Genesis = new byte[32];

    private readonly NpgsqlDataSource _db;
    private readonly AuditCheckpointSigner _signer;
    private readonly TimeProvider _time;

    /// <summary>Records between automatic checkpoints.</summary>
    public int CheckpointEvery { get; init; } = 1000;

    /// <param name="ensureSchema">False for verification: checking the evidence must not recreate what was removed.</param>
    public PostgresAuditLog(string connectionString, AuditCheckpointSigner signer, TimeProvider? time = null, bool ensureSchema = true)
    {
        // The log leaves no session state on its connections (transaction-scoped advisory lock only), so the pool
        // need not run DISCARD ALL before each reuse (one per group commit otherwise).
        var cs = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("No Reset On Close", StringComparison.OrdinalIgnoreCase)) cs.NoResetOnClose = true;
        _db = NpgsqlDataSource.Create(cs.ConnectionString);
        _signer = signer;
        _time = time ?? TimeProvider.System;
        if (!ensureSchema) return;
        using var conn = _db.OpenConnection();
        using var tx = conn.BeginTransaction();
        // Nodes starting together must not race on CREATE OR REPLACE.
        Exec(conn, tx, $"SELECT pg_advisory_xact_lock({HeadLock})");
        Exec(conn, tx, Schema);
        tx.Commit();
    }

    public async Task<AuditRecord> AppendAsync(AuditRecord record, CancellationToken ct = default) =>
        (await AppendBatchAsync([record], ct))[0];

    public async Task<IReadOnlyList<AuditRecord>> AppendBatchAsync(IReadOnlyList<AuditRecord> records, CancellationToken ct = default)
    {
        if (records.Count == 0) return [];
        await using var conn = await _db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await ExecAsync(conn, tx, $"SELECT pg_advisory_xact_lock({HeadLock})", ct);
        var (lastSeq, prev) = await HeadAsync(conn, tx, ct);
        var stored = new AuditRecord[records.Count];
        await using var batch = new NpgsqlBatch(conn, tx);
        for (var i = 0; i < records.Count; i++)
        {
            var rec = records[i] with { Sequence = ++lastSeq, Time = records[i].Time == default ? _time.GetUtcNow() : records[i].Time };
            var json = rec.ToCanonicalJson();
            var hash = SqliteAuditLog.ChainHash(prev, json);
            var cmd = new NpgsqlBatchCommand("INSERT INTO audit_log (seq, time, patient_id, record, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6)");
            cmd.Parameters.Add(new NpgsqlParameter { Value = rec.Sequence });
            cmd.Parameters.Add(new NpgsqlParameter { Value = rec.Time.ToUnixTimeMilliseconds() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)rec.PatientId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter { Value = Encoding.UTF8.GetString(json) });
            cmd.Parameters.Add(new NpgsqlParameter { Value = prev });
            cmd.Parameters.Add(new NpgsqlParameter { Value = hash });
            batch.BatchCommands.Add(cmd);
            if (CheckpointEvery > 0 && rec.Sequence % CheckpointEvery == 0)
                batch.BatchCommands.Add(CheckpointInsert(_signer.Sign(rec.Sequence, hash, _time.GetUtcNow())));
            stored[i] = rec;
            prev = hash;
        }
        await batch.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return stored;
    }

    public async Task<AuditCheckpoint?> CheckpointAsync(CancellationToken ct = default)
    {
        await using var conn = await _db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await ExecAsync(conn, tx, $"SELECT pg_advisory_xact_lock({HeadLock})", ct);
        var (seq, hash) = await HeadAsync(conn, tx, ct);
        if (seq == 0) return null;
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM audit_checkpoint WHERE seq = $1", conn, tx))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = seq });
            if (await exists.ExecuteScalarAsync(ct) is not null) { await tx.CommitAsync(ct); return null; }
        }
        var cp = _signer.Sign(seq, hash, _time.GetUtcNow());
        await using (var b = new NpgsqlBatch(conn, tx) { BatchCommands = { CheckpointInsert(cp) } })
            await b.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return cp;
    }

    public Task<IReadOnlyList<AuditRecord>> QueryByPatientAsync(string patientId, int limit = 1000, CancellationToken ct = default) =>
        QueryAsync([patientId], null, null, null, limit, ct);

    public async Task<IReadOnlyList<AuditRecord>> QueryAsync(IReadOnlyCollection<string> patientIds, DateTimeOffset? from, DateTimeOffset? to,
        long? beforeSequence, int limit, CancellationToken ct = default)
    {
        var list = new List<AuditRecord>();
        if (patientIds.Count == 0 || limit <= 0) return list;
        await using var conn = await _db.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT record FROM audit_log
            WHERE patient_id = ANY($1) AND ($2::bigint IS NULL OR time >= $2) AND ($3::bigint IS NULL OR time < $3)
              AND ($4::bigint IS NULL OR seq < $4)
            ORDER BY seq DESC LIMIT $5
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = patientIds.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)from?.ToUnixTimeMilliseconds() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)to?.ToUnixTimeMilliseconds() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)beforeSequence ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter { Value = limit });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(AuditRecord.FromJson(Encoding.UTF8.GetBytes(r.GetString(0))));
        return list;
    }

    public async Task<ChainVerification> VerifyAsync(CancellationToken ct = default)
    {
        await using var conn = await _db.OpenConnectionAsync(ct);
        // One snapshot for the whole walk, so appends during verification do not look like truncation.
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var checkpoints = new List<AuditCheckpoint>();
        await using (var cmd = new NpgsqlCommand("SELECT seq, hash, time, key_id, signature FROM audit_checkpoint ORDER BY seq", conn, tx))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                checkpoints.Add(new AuditCheckpoint(r.GetInt64(0), (byte[])r[1], DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)), r.GetString(3), (byte[])r[4]));
        // The position look-up needs its own connection while the walk's reader is open.
        var result = AuditChainVerifier.Verify(checkpoints, Rows(conn, tx), RecordExistsElsewhere, _signer, ct);
        await tx.CommitAsync(ct);
        return result;
    }

    private static IEnumerable<AuditRow> Rows(NpgsqlConnection conn, NpgsqlTransaction tx)
    {
        using var cmd = new NpgsqlCommand("SELECT seq, time, patient_id, record, prev_hash, hash FROM audit_log ORDER BY seq", conn, tx);
        using var r = cmd.ExecuteReader();
        while (r.Read())
            yield return new AuditRow(r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3), (byte[])r[4], (byte[])r[5]);
    }

    /// <summary>Canonical JSON starts with the sequence number, so a prefix match finds a record even among rows that
    /// are no longer valid JSON.</summary>
    private bool RecordExistsElsewhere(long seq)
    {
        using var conn = _db.OpenConnection();
        using var cmd = new NpgsqlCommand("SELECT 1 FROM audit_log WHERE starts_with(record, $1) LIMIT 1", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{{\"Sequence\":{seq},") });
        return cmd.ExecuteScalar() is not null;
    }

    /// <summary>The append-only triggers that are missing or disabled (a sign someone prepared to tamper).</summary>
    public async Task<IReadOnlyList<string>> MissingTriggersAsync(CancellationToken ct = default)
    {
        string[] expected = ["audit_log_no_change", "audit_log_no_truncate", "audit_checkpoint_no_change", "audit_checkpoint_no_truncate"];
        await using var conn = await _db.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT tgname FROM pg_trigger WHERE tgname = ANY($1) AND tgenabled <> 'D'", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = expected });
        var present = new HashSet<string>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) present.Add(r.GetString(0));
        return expected.Where(t => !present.Contains(t)).ToList();
    }

    private static async Task<(long Seq, byte[] Hash)> HeadAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var head = new NpgsqlCommand("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", conn, tx);
        await using var r = await head.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (r.GetInt64(0), (byte[])r[1]) : (0, Genesis);
    }

    private static NpgsqlBatchCommand CheckpointInsert(AuditCheckpoint cp)
    {
        var c = new NpgsqlBatchCommand("INSERT INTO audit_checkpoint (seq, hash, time, key_id, signature) VALUES ($1, $2, $3, $4, $5)");
        c.Parameters.Add(new NpgsqlParameter { Value = cp.Sequence });
        c.Parameters.Add(new NpgsqlParameter { Value = cp.Hash });
        c.Parameters.Add(new NpgsqlParameter { Value = cp.Time.ToUnixTimeMilliseconds() });
        c.Parameters.Add(new NpgsqlParameter { Value = cp.KeyId });
        c.Parameters.Add(new NpgsqlParameter { Value = cp.Signature });
        return c;
    }

    private static void Exec(NpgsqlConnection conn, NpgsqlTransaction tx, string sql)
    {
        using var c = new NpgsqlCommand(sql, conn, tx);
        c.ExecuteNonQuery();
    }

    private static async Task ExecAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var c = new NpgsqlCommand(sql, conn, tx);
        await c.ExecuteNonQueryAsync(ct);
    }

    public void Dispose() => _db.Dispose();
}
