using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Search;
using Npgsql;

namespace Fellesjournal.Storage.Postgres;

/// <summary>The PostgreSQL side of the full-text index (<c>fts_text</c>, tsvector + GIN, 'simple' configuration):
/// rows written with the index rows, and the one-time backfill of databases from before it.</summary>
internal static class PostgresFullText
{
    private const string InsertSql = """
        INSERT INTO fts_text (seq, narrative, content)
        SELECT s, to_tsvector('simple', n), to_tsvector('simple', c) FROM unnest(@s, @n, @c) AS x(s, n, c)
        """;

    public static async Task InsertAsync(NpgsqlConnection c, NpgsqlTransaction? tx, IEnumerable<(long Seq, FullText Text)> rows, CancellationToken ct)
    {
        var list = rows.ToList();
        if (list.Count == 0) return;
        await using var cmd = new NpgsqlCommand(InsertSql, c, tx);
        cmd.Parameters.AddWithValue("s", list.Select(r => r.Seq).ToArray());
        cmd.Parameters.AddWithValue("n", list.Select(r => r.Text.Narrative).ToArray());
        cmd.Parameters.AddWithValue("c", list.Select(r => r.Text.Content).ToArray());
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Fills <c>fts_text</c> for the current versions when the migration left the task pending; the task row
    /// is removed in the same transaction (an interrupted backfill runs again). The writer lock keeps writes out.</summary>
    public static async Task<bool> BackfillAsync(NpgsqlDataSource ds, FhirDefinitions defs, CancellationToken ct)
    {
        await using var conn = await ds.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        await PostgresWriter.LockAsync(conn, tx, ct).ConfigureAwait(false);
        await using (var check = new NpgsqlCommand("DELETE FROM store_task WHERE name = 'fulltext_backfill'", conn, tx))
            if (await check.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 0) return false;
        // Keyset batches (one command at a time on the connection, bounded memory).
        for (long last = 0; ;)
        {
            var pending = new List<(long Seq, byte[] Json)>();
            await using (var read = new NpgsqlCommand(
                "SELECT seq, json_len, json FROM resource_version WHERE is_current = 1 AND deleted = 0 AND seq > @last ORDER BY seq LIMIT 1000", conn, tx))
            {
                read.Parameters.AddWithValue("last", last);
                await using var r = await read.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                    pending.Add((r.GetInt64(0), JsonCodec.Decompress((byte[])r.GetValue(2), r.GetInt32(1))));
            }
            if (pending.Count == 0) break;
            last = pending[^1].Seq;
            var texts = new List<(long, FullText)>();
            foreach (var (seq, json) in pending)
                if (FullTextExtractor.Extract(ElementNode.Parse(json, defs)) is { } text) texts.Add((seq, text));
            await InsertAsync(conn, tx, texts, ct).ConfigureAwait(false);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return true;
    }
}
