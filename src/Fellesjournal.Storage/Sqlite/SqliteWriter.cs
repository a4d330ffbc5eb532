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
    private readonly Cmd _selectCurrent;
    private readonly RawStatement _retire, _insertVersion;
    private readonly RawStatement[] _deleteIndex;
    private readonly RawStatement _insText;
    private readonly RawStatement _insString, _insToken, _insDate, _insNumber, _insQuantity, _insReference, _insUri, _insComposite;
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
        _retire = new(conn, "UPDATE resource_version SET is_current = 0 WHERE seq = $a");
        _insertVersion = new(conn, "INSERT INTO resource_version (seq, res_type, res_id, version, last_updated, deleted, is_current, patient_id, json_len, json) VALUES ($a, $b, $c, $d, $e, $f, 1, $g, $h, $i)");
        _deleteIndex = [.. SqliteSchema.IndexTables.Select(t => new RawStatement(conn, $"DELETE FROM {t} WHERE seq = $a")),
            new RawStatement(conn, SqliteFullText.Delete)];
        _insText = new(conn, SqliteFullText.Insert);
        const string common = "seq, ord, patient_id, h_ident";
        _insString = new(conn, $"INSERT INTO idx_string ({common}, norm, exact) VALUES ($a, $b, $c, $d, $e, $f)");
        _insToken = new(conn, $"INSERT INTO idx_token ({common}, h_sys_code, system, code, text) VALUES ($a, $b, $c, $d, $e, $f, $g, $h)");
        _insDate = new(conn, $"INSERT INTO idx_date ({common}, low, high) VALUES ($a, $b, $c, $d, $e, $f)");
        _insNumber = new(conn, $"INSERT INTO idx_number ({common}, value) VALUES ($a, $b, $c, $d, $e)");
        _insQuantity = new(conn, $"INSERT INTO idx_quantity ({common}, value, system, code, unit) VALUES ($a, $b, $c, $d, $e, $f, $g, $h)");
        _insReference = new(conn, $"INSERT INTO idx_reference ({common}, target_type, target_id, base_url) VALUES ($a, $b, $c, $d, $e, $f, $g)");
        _insUri = new(conn, $"INSERT INTO idx_uri ({common}, uri) VALUES ($a, $b, $c, $d, $e)");
        _insComposite = new(conn, $"INSERT INTO idx_composite ({common}, h_value, components) VALUES ($a, $b, $c, $d, $e, $f)");
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

    public IReadOnlyList<StoredResource> Merge(SqliteTransaction tx, IReadOnlyList<PreparedWrite> batch)
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

            if (exists)
            {
                _retire.Exec(curSeq);
                if (!curDeleted)
                    foreach (var d in _deleteIndex) d.Exec(curSeq);
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

    private void InsertIndex(long seq, string type, string? patient, ResourceIndex index)
    {
        if (index.Text is { } text) _insText.Exec(seq, text.Narrative, text.Content);
        var ord = 0;
        foreach (var v in index.Values)
        {
            var ident = IndexHash.Of(type, v.Param);
            var o = ord++;
            switch (v)
            {
                case StringIndexValue s:
                    Common(_insString, seq, o, patient, ident).Text(5, s.Normalized).Text(6, s.Exact).Run();
                    break;
                case TokenIndexValue t:
                    Common(_insToken, seq, o, patient, ident).Int(5, IndexHash.Of(type, t.Param, t.System, t.Code))
                        .Text(6, t.System).Text(7, t.Code).Text(8, t.Text).Run();
                    break;
                case DateIndexValue d:
                    Common(_insDate, seq, o, patient, ident).Int(5, SqliteValues.Millis(d.Low)).Int(6, SqliteValues.Millis(d.High)).Run();
                    break;
                case NumberIndexValue n:
                    Common(_insNumber, seq, o, patient, ident).Real(5, (double)n.Value).Run();
                    break;
                case QuantityIndexValue q:
                    Common(_insQuantity, seq, o, patient, ident).Real(5, (double)q.Value).Text(6, q.System).Text(7, q.Code).Text(8, q.Unit).Run();
                    break;
                case ReferenceIndexValue r:
                    Common(_insReference, seq, o, patient, ident).Text(5, r.TargetType).Text(6, r.TargetId).Text(7, r.BaseUrl).Run();
                    break;
                case UriIndexValue u:
                    Common(_insUri, seq, o, patient, ident).Text(5, u.Uri).Run();
                    break;
                case CompositeIndexValue c:
                    Common(_insComposite, seq, o, patient, ident).Int(5, IndexHash.Of(type, c.Param, CompositeKeys.KeyOf(c)))
                        .Text(6, CompositeKeys.Describe(c)).Run();
                    break;
            }
        }
    }

    private static RawStatement Common(RawStatement s, long seq, int ord, string? patient, long ident) =>
        s.Int(1, seq).Int(2, ord).Text(3, patient).Int(4, ident);

    private static object Db(string? s) => (object?)s ?? DBNull.Value;

    public void Dispose()
    {
        _selectCurrent.Dispose();
        foreach (var c in new[] { _retire, _insertVersion, _insText, _insString, _insToken, _insDate, _insNumber,
                     _insQuantity, _insReference, _insUri, _insComposite }.Concat(_deleteIndex))
            c.Dispose();
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
