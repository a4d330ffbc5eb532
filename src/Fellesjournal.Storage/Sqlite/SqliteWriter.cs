using Fellesjournal.Fhir.Search;
using Microsoft.Data.Sqlite;

namespace Fellesjournal.Storage.Sqlite;

/// <summary>A write with its search index, extracted before the writer lock is taken.</summary>

/// <summary>
/// The single writer connection with its prepared statements, reused for every batch. Not thread-safe:
/// the store serializes access with a semaphore. <c>seq</c> (the version row key) is assigned here, so an
/// insert needs no round trip for the rowid; the counter only advances when the transaction commits.
/// </summary>
internal sealed class SqliteWriter : IDisposable
{
    private readonly SqliteConnection _conn;
    private readonly Cmd _selectCurrent, _selectJson;
    private readonly RawStatement _retire, _insertVersion;
    private readonly RawStatement[] _deleteIndex;
    private readonly RawStatement _insText;
    private readonly SqliteIndexTable _insString, _insToken, _insDate, _insNumber, _insQuantity, _insReference, _insUri, _insComposite;
    private readonly SqliteIndexTable[] _indexTables;
    private long _committedSeq, _seq, _lastStampMs;

    public SqliteConnection Connection => _conn;

    public SqliteWriter(SqliteConnection conn)
    {
        _conn = conn;
        using (var c = conn.CreateCommand())
        {
            c.CommandText = "SELECT coalesce(max(seq), 0), coalesce(max(last_updated), 0) FROM resource_version";
            using var r = c.ExecuteReader();
            r.Read();
            _committedSeq = _seq = r.GetInt64(0);
            _lastStampMs = r.GetInt64(1);
        }
        _selectCurrent = new(conn, "SELECT seq, version, deleted, last_updated, patient_id FROM resource_version WHERE res_type = $a AND res_id = $b ORDER BY version DESC LIMIT 1", 2);
        _selectJson = new(conn, "SELECT json_len, json FROM resource_version WHERE seq = $a", 1);
        _retire = new(conn, "UPDATE resource_version SET is_current = 0 WHERE seq = $a");
        _insertVersion = new(conn, "INSERT INTO resource_version (seq, res_type, res_id, version, last_updated, deleted, is_current, patient_id, json_len, json) VALUES ($a, $b, $c, $d, $e, $f, 1, $g, $h, $i)");
        _deleteIndex = [.. SqliteSchema.IndexTables.Select(t => new RawStatement(conn, $"DELETE FROM {t} WHERE seq = $a")),
            new RawStatement(conn, SqliteFullText.Delete)];
        _insText = new(conn, SqliteFullText.Insert);
        _insString = new(conn, "idx_string", "norm, exact", (s, p, r) => s.Text(p, r.S1).Text(p + 1, r.S2));
        _insToken = new(conn, "idx_token", "h_sys_code, system, code, text",
            (s, p, r) => s.Int(p, r.I1).Text(p + 1, r.S1).Text(p + 2, r.S2).Text(p + 3, r.S3));
        _insDate = new(conn, "idx_date", "low, high", (s, p, r) => s.Int(p, r.I1).Int(p + 1, r.I2));
        _insNumber = new(conn, "idx_number", "value", (s, p, r) => s.Real(p, r.R));
        _insQuantity = new(conn, "idx_quantity", "value, system, code, unit",
            (s, p, r) => s.Real(p, r.R).Text(p + 1, r.S1).Text(p + 2, r.S2).Text(p + 3, r.S3));
        _insReference = new(conn, "idx_reference", "target_type, target_id, base_url",
            (s, p, r) => s.Text(p, r.S1).Text(p + 1, r.S2).Text(p + 2, r.S3));
        _insUri = new(conn, "idx_uri", "uri", (s, p, r) => s.Text(p, r.S1));
        _insComposite = new(conn, "idx_composite", "h_value, components", (s, p, r) => s.Int(p, r.I1).Text(p + 1, r.S1));
        _indexTables = [_insString, _insToken, _insDate, _insNumber, _insQuantity, _insReference, _insUri, _insComposite];
    }

    public SqliteTransaction Begin()
    {
        _seq = _committedSeq;
        return _conn.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: take the write lock up front
    }

    public void Commit(SqliteTransaction tx)
    {
        tx.Commit();
        _committedSeq = _seq;
    }

    public void Rollback(SqliteTransaction tx)
    {
        try { tx.Rollback(); } catch (SqliteException) { /* already rolled back by SQLite */ }
        _seq = _committedSeq;
    }

    /// <summary>Monotonic per store: the clock never runs backwards for lastUpdated, so history order by
    /// (last_updated, seq) is write order.</summary>
    private DateTimeOffset NextStamp()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        _lastStampMs = Math.Max(now, _lastStampMs);
        return DateTimeOffset.FromUnixTimeMilliseconds(_lastStampMs);
    }

    /// <summary>A batch inside a longer transaction: all or nothing through a savepoint, so a caller that
    /// catches a conflict can go on with the transaction without half a batch in it.</summary>
    public IReadOnlyList<StoredResource> MergeInSavepoint(SqliteTransaction tx, IReadOnlyList<PreparedWrite> batch)
    {
        var seq = _seq;
        Sql(tx, "SAVEPOINT merge_batch");
        try
        {
            var result = Merge(tx, batch);
            Sql(tx, "RELEASE merge_batch");
            return result;
        }
        catch
        {
            Sql(tx, "ROLLBACK TO merge_batch");
            Sql(tx, "RELEASE merge_batch");
            _seq = seq;
            throw;
        }
    }

    private void Sql(SqliteTransaction tx, string sql)
    {
        using var c = _conn.CreateCommand();
        c.Transaction = tx;
        c.CommandText = sql;
        c.ExecuteNonQuery();
    }

    /// <summary>Writes a batch inside the open transaction. Index rows are buffered per table and inserted in
    /// multi-row statements at the end (or before an index delete, so a resource written twice in one batch
    /// keeps only its last version's rows).</summary>
    public IReadOnlyList<StoredResource> Merge(SqliteTransaction tx, IReadOnlyList<PreparedWrite> batch)
    {
        try
        {
            var results = MergeRows(tx, batch);
            FlushIndex();
            return results;
        }
        catch
        {
            foreach (var t in _indexTables) t.Clear();
            throw;
        }
    }

    private void FlushIndex()
    {
        foreach (var t in _indexTables)
            if (t.Pending > 0) t.Flush();
    }

    private IReadOnlyList<StoredResource> MergeRows(SqliteTransaction tx, IReadOnlyList<PreparedWrite> batch)
    {
        var stamp = NextStamp();
        var stampMs = stamp.ToUnixTimeMilliseconds();
        var results = new StoredResource[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var (w, index) = batch[i];
            long curSeq = 0, curVersion = 0, curUpdated = 0;
            var exists = false;
            var curDeleted = false;
            string? curPatient = null;
            using (var r = _selectCurrent.Reader(tx, w.ResourceType, w.Id))
            {
                if (r.Read())
                {
                    exists = true;
                    curSeq = r.GetInt64(0);
                    curVersion = r.GetInt64(1);
                    curDeleted = r.GetInt64(2) != 0;
                    curUpdated = r.GetInt64(3);
                    curPatient = r.IsDBNull(4) ? null : r.GetString(4);
                }
            }
            if (w.MustNotExist && exists)
                throw new VersionConflictException($"{w.ResourceType}/{w.Id} already exists.", w.ResourceType, w.Id);
            if (w.IfMatchVersion is { } expected && (!exists || curVersion != expected))
                throw new VersionConflictException(
                    $"{w.ResourceType}/{w.Id}: expected version {expected}, current is {(exists ? curVersion : "none")}.",
                    w.ResourceType, w.Id);

            if (w.IsDelete && (!exists || curDeleted))
            {
                // Nothing to delete: no new version (deleting twice is idempotent).
                results[i] = new StoredResource(w.ResourceType, w.Id, curVersion,
                    exists ? DateTimeOffset.FromUnixTimeMilliseconds(curUpdated) : stamp, true, ReadOnlyMemory<byte>.Empty);
                continue;
            }

            if (w.SkipIfUnchanged && exists && !curDeleted && !w.IsDelete &&
                StoredJson(tx, curSeq) is { } current &&
                UnchangedContent.Same(current, w.Json!.Value.Span, curVersion, DateTimeOffset.FromUnixTimeMilliseconds(curUpdated)))
            {
                results[i] = new StoredResource(w.ResourceType, w.Id, curVersion, DateTimeOffset.FromUnixTimeMilliseconds(curUpdated),
                    false, current, Unchanged: true);
                continue;
            }

            if (exists)
            {
                _retire.Exec(curSeq);
                if (!curDeleted)
                {
                    FlushIndex();
                    foreach (var d in _deleteIndex) d.Exec(curSeq);
                }
            }

            var seq = ++_seq;
            var version = curVersion + 1;
            byte[] json = [];
            byte[]? stored = null;
            if (!w.IsDelete)
            {
                json = MetaStamper.Stamp(w.Json!.Value.Span, version, stamp, w.ResourceType, w.Id);
                stored = JsonCodec.Compress(json);
            }
            // A tombstone keeps the compartment of the version it deletes: access to its history and to the
            // fact of deletion (410) follows the same compartment.
            var patient = w.IsDelete ? curPatient : index.PatientId;
            _insertVersion.Exec(seq, w.ResourceType, w.Id, version, stampMs, w.IsDelete ? 1 : 0,
                (object?)patient ?? DBNull.Value, json.Length, (object?)stored ?? DBNull.Value);
            if (!w.IsDelete) InsertIndex(seq, w.ResourceType, patient, index);
            results[i] = new StoredResource(w.ResourceType, w.Id, version, stamp, w.IsDelete, json, Created: !exists, PatientId: patient);
        }
        return results;
    }

    private byte[]? StoredJson(SqliteTransaction tx, long seq)
    {
        using var r = _selectJson.Reader(tx, seq);
        return r.Read() && !r.IsDBNull(1) ? JsonCodec.Decompress((byte[])r.GetValue(1), r.GetInt32(0)) : null;
    }

    private void InsertIndex(long seq, string type, string? patient, ResourceIndex index)
    {
        if (index.Text is { } text) _insText.Exec(seq, text.Narrative, text.Content);
        var sink = new TableSink(_indexTables);
        IndexRows.Write(ref sink, seq, patient, type, index);
    }

    /// <summary>The buffered tables in <see cref="Search.IndexKind"/> order.</summary>
    private readonly struct TableSink(SqliteIndexTable[] tables) : IIndexRowSink
    {
        public void Add(Search.IndexKind kind, in IndexRow row) => tables[(int)kind].Add(row);
    }

    /// <summary>Adds the contained resources' rows of current versions written before contained resources were
    /// indexed (schema version 4), in one transaction with the version bump, so an interrupted upgrade runs again.
    /// Only versions whose JSON mentions "contained" are parsed.</summary>
    public int BackfillContained(ISearchIndexer indexer, int schemaVersion)
    {
        var tx = Begin();
        var n = 0;
        try
        {
            var pending = new List<(long Seq, string? Patient, byte[] Json)>();
            using (var read = _conn.CreateCommand())
            {
                read.Transaction = tx;
                read.CommandText = "SELECT seq, patient_id, json_len, json FROM resource_version WHERE is_current = 1 AND deleted = 0";
                using var r = read.ExecuteReader();
                while (r.Read())
                {
                    var json = JsonCodec.Decompress((byte[])r.GetValue(3), r.GetInt32(2));
                    if (json.AsSpan().IndexOf("\"contained\""u8) >= 0) pending.Add((r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1), json));
                }
            }
            var sink = new TableSink(_indexTables);
            foreach (var (seq, patient, json) in pending)
            {
                if (indexer.Extract(Fhir.Model.ElementNode.Parse(json, indexer.Definitions)).Contained is not { } contained) continue;
                IndexRows.WriteContained(ref sink, seq, patient, contained);
                n++;
            }
            FlushIndex();
            Sql(tx, $"UPDATE store_info SET value = '{schemaVersion}' WHERE key = 'schema_version'");
            Commit(tx);
            return n;
        }
        catch
        {
            foreach (var t in _indexTables) t.Clear();
            Rollback(tx);
            throw;
        }
        finally
        {
            tx.Dispose();
        }
    }

    private static object Db(string? s) => (object?)s ?? DBNull.Value;

    public void Dispose()
    {
        _selectCurrent.Dispose();
        _selectJson.Dispose();
        foreach (var c in new[] { _retire, _insertVersion, _insText }.Concat(_deleteIndex)) c.Dispose();
        foreach (var t in _indexTables) t.Dispose();
    }

    /// <summary>A prepared command with positional parameters $a, $b, ...</summary>
    private sealed class Cmd : IDisposable
    {
        private readonly SqliteCommand _cmd;
        private readonly SqliteParameter[] _params;

        public Cmd(SqliteConnection conn, string sql, int parameterCount)
        {
            _cmd = conn.CreateCommand();
            _cmd.CommandText = sql;
            _params = new SqliteParameter[parameterCount];
            for (var i = 0; i < parameterCount; i++)
                _params[i] = _cmd.Parameters.Add(new SqliteParameter("$" + (char)('a' + i), null));
        }

        private void Bind(SqliteTransaction tx, object?[] args)
        {
            _cmd.Transaction = tx;
            for (var i = 0; i < args.Length; i++) _params[i].Value = args[i] ?? DBNull.Value;
        }

        public SqliteDataReader Reader(SqliteTransaction tx, params object?[] args)
        {
            Bind(tx, args);
            return _cmd.ExecuteReader();
        }

        public void Dispose() => _cmd.Dispose();
    }
}
