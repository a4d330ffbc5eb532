using Npgsql;

namespace Fellesjournal.Storage.Postgres;

/// <summary>One-time work over every current version that a migration leaves pending as a <c>store_task</c> row: the
/// row is removed in the same transaction as the work (an interrupted backfill runs again), and the writer lock keeps
/// writes out meanwhile.</summary>
internal static class PostgresBackfill
{
    public delegate Task Batch(NpgsqlConnection conn, NpgsqlTransaction tx, List<(long Seq, string PatientId, byte[] Json)> versions);

    /// <summary>False when the task was not pending.</summary>
    public static async Task<bool> RunAsync(NpgsqlDataSource ds, string task, Batch work, CancellationToken ct)
    {
        await using var conn = await ds.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        await PostgresWriter.LockAsync(conn, tx, ct).ConfigureAwait(false);
        await using (var check = new NpgsqlCommand("DELETE FROM store_task WHERE name = @n", conn, tx))
        {
            check.Parameters.AddWithValue("n", task);
            if (await check.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 0) return false;
        }
        // Keyset batches (one command at a time on the connection, bounded memory).
        for (long last = 0; ;)
        {
            var pending = new List<(long Seq, string PatientId, byte[] Json)>();
            await using (var read = new NpgsqlCommand(
                "SELECT seq, patient_id, json_len, json FROM resource_version WHERE is_current = 1 AND deleted = 0 AND seq > @last ORDER BY seq LIMIT 1000", conn, tx))
            {
                read.Parameters.AddWithValue("last", last);
                await using var r = await read.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                    pending.Add((r.GetInt64(0), r.GetString(1), JsonCodec.Decompress((byte[])r.GetValue(3), r.GetInt32(2))));
            }
            if (pending.Count == 0) break;
            last = pending[^1].Seq;
            await work(conn, tx, pending).ConfigureAwait(false);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return true;
    }
}
