using Fellesjournal.Fhir.Search;
using Fellesjournal.Storage.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Fellesjournal.Storage.Postgres;

/// <summary>
/// Writes a batch inside an open transaction, set-based: one query for the current versions, one UPDATE to retire
/// them, one DELETE per index table, then binary COPY of the new version rows and index rows. Callers hold the
/// global writer lock (<see cref="LockAsync"/>) so seq and lastUpdated stay monotonic across servers, exactly
/// as on SQLite's single writer; the unique key on (type, id, version) is the second line of defence.
/// </summary>
internal static class PostgresWriter
{
    /// <summary>Advisory lock key of the writer (held until the transaction ends).</summary>
    private const long WriterLockKey = 0x46_4A_57_52_49; // "FJWRI"

    public static async Task LockAsync(NpgsqlConnection c, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({WriterLockKey})", c, tx);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private sealed class Current
    {
        public long Seq, Version, Updated;
        public bool Deleted, Exists, InBatch;
        public string PatientId = "";
        public byte[]? Compressed; // the stored JSON, loaded only for SkipIfUnchanged writes
        public int JsonLength;
        public int Row = -1; // index into the pending rows when written in this batch
    }

    private sealed record Row(long Seq, string PatientId, string Type, string Id, long Version, bool Deleted, byte[] Json, byte[]? Stored, ResourceIndex Index)
    {
        public bool IsCurrent { get; set; } = true;
    }

    public static async Task<IReadOnlyList<StoredResource>> MergeAsync(NpgsqlConnection c, NpgsqlTransaction tx,
        IReadOnlyList<PreparedWrite> batch, CancellationToken ct)
    {
        long lastSeq = 0, lastMs = 0;
        await using (var cmd = new NpgsqlCommand("SELECT seq, last_updated FROM resource_version ORDER BY seq DESC LIMIT 1", c, tx))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            if (await r.ReadAsync(ct).ConfigureAwait(false)) { lastSeq = r.GetInt64(0); lastMs = r.GetInt64(1); }
        var stampMs = Math.Max(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), lastMs);
        var stamp = DateTimeOffset.FromUnixTimeMilliseconds(stampMs);

        var current = await LoadCurrentAsync(c, tx, batch, ct).ConfigureAwait(false);
        var rows = new List<Row>(batch.Count);
        var retire = new List<long>();
        var dropIndex = new List<long>();
        var results = new StoredResource[batch.Count];
        var seq = lastSeq;
        for (var i = 0; i < batch.Count; i++)
        {
            var (w, index) = batch[i];
            var cur = current[(w.ResourceType, w.Id)];
            if (w.MustNotExist && cur.Exists)
                throw new VersionConflictException($"{w.ResourceType}/{w.Id} already exists.", w.ResourceType, w.Id);
            if (w.IfMatchVersion is { } expected && (!cur.Exists || cur.Version != expected))
                throw new VersionConflictException(
                    $"{w.ResourceType}/{w.Id}: expected version {expected}, current is {(cur.Exists ? cur.Version : "none")}.",
                    w.ResourceType, w.Id);
            if (w.IsDelete && (!cur.Exists || cur.Deleted))
            {
                results[i] = new StoredResource(w.ResourceType, w.Id, cur.Version,
                    cur.Exists ? DateTimeOffset.FromUnixTimeMilliseconds(cur.Updated) : stamp, true, ReadOnlyMemory<byte>.Empty);
                continue;
            }
            if (w.SkipIfUnchanged && cur.Exists && !cur.Deleted && !w.IsDelete &&
                CurrentJson(cur, rows) is { } currentJson &&
                UnchangedContent.Same(currentJson, w.Json!.Value.Span, cur.Version, DateTimeOffset.FromUnixTimeMilliseconds(cur.Updated)))
            {
                results[i] = new StoredResource(w.ResourceType, w.Id, cur.Version, DateTimeOffset.FromUnixTimeMilliseconds(cur.Updated),
                    false, currentJson, Unchanged: true);
                continue;
            }
            if (cur.Exists)
            {
                if (cur.InBatch) rows[cur.Row].IsCurrent = false; // superseded within this batch: never reaches the table as current
                else
                {
                    retire.Add(cur.Seq);
                    if (!cur.Deleted) dropIndex.Add(cur.Seq);
                }
            }
            var version = cur.Version + 1;
            byte[] json = [];
            byte[]? stored = null;
            if (!w.IsDelete)
            {
                json = MetaStamper.Stamp(w.Json!.Value.Span, version, stamp, w.ResourceType, w.Id);
                stored = JsonCodec.Compress(json);
            }
            // A tombstone stays in its resource's compartment (same shard as the versions before it).
            var patient = w.IsDelete ? cur.PatientId : index.PatientId ?? "";
            rows.Add(new Row(++seq, patient, w.ResourceType, w.Id, version, w.IsDelete, json, stored, index));
            results[i] = new StoredResource(w.ResourceType, w.Id, version, stamp, w.IsDelete, json, Created: !cur.Exists,
                PatientId: patient.Length == 0 ? null : patient);
            cur.Exists = true; cur.InBatch = true; cur.Row = rows.Count - 1; cur.Seq = seq; cur.Version = version;
            cur.Deleted = w.IsDelete; cur.Updated = stampMs; cur.PatientId = patient;
        }

        if (retire.Count > 0)
        {
            await using var up = new NpgsqlCommand("UPDATE resource_version SET is_current = 0 WHERE seq = ANY(@s)", c, tx);
            up.Parameters.AddWithValue("s", retire.ToArray());
            await up.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        if (dropIndex.Count > 0)
        {
            var sql = string.Join(";\n", SqliteSchema.IndexTables.Append("fts_text").Select(t => $"DELETE FROM {t} WHERE seq = ANY(@s)"));
            await using var del = new NpgsqlCommand(sql, c, tx);
            del.Parameters.AddWithValue("s", dropIndex.ToArray());
            await del.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        if (rows.Count > 0)
        {
            await CopyVersionsAsync(c, rows, stampMs, ct).ConfigureAwait(false);
            await PostgresIndexCopy.WriteAsync(c, rows.Where(r => r.IsCurrent && !r.Deleted)
                .Select(r => (r.Seq, r.PatientId, r.Type, r.Index)), ct).ConfigureAwait(false);
            await PostgresFullText.InsertAsync(c, tx, rows.Where(r => r.IsCurrent && !r.Deleted && r.Index.Text is not null)
                .Select(r => (r.Seq, r.Index.Text!)), ct).ConfigureAwait(false);
        }
        return results;
    }

    private static byte[]? CurrentJson(Current cur, List<Row> rows) =>
        cur.InBatch ? rows[cur.Row].Json
        : cur.Compressed is { } c ? JsonCodec.Decompress(c, cur.JsonLength) : null;

    private static async Task<Dictionary<(string, string), Current>> LoadCurrentAsync(NpgsqlConnection c, NpgsqlTransaction tx,
        IReadOnlyList<PreparedWrite> batch, CancellationToken ct)
    {
        var map = new Dictionary<(string, string), Current>();
        var withJson = false;
        foreach (var p in batch)
        {
            map.TryAdd((p.Write.ResourceType, p.Write.Id), new Current());
            withJson |= p.Write.SkipIfUnchanged;
        }
        // The stored JSON only travels when a write may turn out unchanged (bulk import).
        await using var cmd = new NpgsqlCommand($"""
            SELECT r.res_type, r.res_id, r.seq, r.version, r.deleted, r.last_updated, r.patient_id,
                   {(withJson ? "r.json_len, r.json" : "0, NULL::bytea")}
            FROM unnest(@t, @i) AS k(t, i) JOIN resource_version r ON r.res_type = k.t AND r.res_id = k.i
            WHERE r.is_current = 1
            """, c, tx);
        cmd.Parameters.AddWithValue("t", map.Keys.Select(k => k.Item1).ToArray());
        cmd.Parameters.AddWithValue("i", map.Keys.Select(k => k.Item2).ToArray());
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            var cur = map[(r.GetString(0), r.GetString(1))];
            cur.Exists = true;
            cur.Seq = r.GetInt64(2);
            cur.Version = r.GetInt64(3);
            cur.Deleted = r.GetInt16(4) != 0;
            cur.Updated = r.GetInt64(5);
            cur.PatientId = r.GetString(6);
            if (!r.IsDBNull(8)) { cur.JsonLength = r.GetInt32(7); cur.Compressed = r.GetFieldValue<byte[]>(8); }
        }
        return map;
    }

    private static async Task CopyVersionsAsync(NpgsqlConnection c, List<Row> rows, long stampMs, CancellationToken ct)
    {
        await using var w = await c.BeginBinaryImportAsync(
            "COPY resource_version (seq, patient_id, res_type, res_id, version, last_updated, deleted, is_current, json_len, json) FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false);
        // The synchronous row API: values go to the COPY buffer, which is flushed to the socket only when full.
        foreach (var r in rows)
        {
            w.StartRow();
            w.Write(r.Seq, NpgsqlDbType.Bigint);
            w.Write(r.PatientId, NpgsqlDbType.Text);
            w.Write(r.Type, NpgsqlDbType.Text);
            w.Write(r.Id, NpgsqlDbType.Text);
            w.Write(r.Version, NpgsqlDbType.Bigint);
            w.Write(stampMs, NpgsqlDbType.Bigint);
            w.Write((short)(r.Deleted ? 1 : 0), NpgsqlDbType.Smallint);
            w.Write((short)(r.IsCurrent ? 1 : 0), NpgsqlDbType.Smallint);
            w.Write(r.Json.Length, NpgsqlDbType.Integer);
            if (r.Stored is null) w.WriteNull();
            else w.Write(r.Stored, NpgsqlDbType.Bytea);
        }
        await w.CompleteAsync(ct).ConfigureAwait(false);
    }
}
