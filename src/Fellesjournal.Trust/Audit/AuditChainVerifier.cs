using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Fellesjournal.Trust.Audit;

/// <summary>
/// Recomputes the audit hash chain in sequence order and checks each signed checkpoint when the pass reaches it,
/// so the first problem reported is the earliest one. Distinguishes: a missing sequence number (removed), a row
/// holding another position's record (reordered, or removed and renumbered), content that no longer matches its
/// hash (altered), a record whose successor's link no longer matches (altered and re-hashed), a chain rewritten
/// consistently (caught by the checkpoint hash), a forged checkpoint, and records cut off after a checkpoint.
/// </summary>
internal static class AuditChainVerifier
{
    public static ChainVerification Verify(SqliteConnection conn, AuditCheckpointSigner signer, CancellationToken ct)
    {
        var checkpoints = new List<AuditCheckpoint>();
        using (var cmd = SqliteAuditLog.Cmd(conn, null, "SELECT seq, hash, time, key_id, signature FROM audit_checkpoint ORDER BY seq"))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                checkpoints.Add(new AuditCheckpoint(r.GetInt64(0), (byte[])r[1], DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)), r.GetString(3), (byte[])r[4]));
        var chain = Verify(checkpoints, Rows(conn), seq => RecordExistsAt(conn, seq), signer, ct);
        return chain.Ok ? VerifyPatientIndex(conn, chain) : chain;
    }

    /// <summary>
    /// The per-patient index is derived data, but a citizen's view of who read their record goes through it: an
    /// entry removed or pointed at another patient would hide an access. Every indexed record must have exactly its
    /// entry. A log from before the index (no <c>audit_index_state</c>) has nothing to check.
    /// </summary>
    private static ChainVerification VerifyPatientIndex(SqliteConnection conn, ChainVerification chain)
    {
        using (var exists = SqliteAuditLog.Cmd(conn, null, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_index_state'"))
            if (exists.ExecuteScalar() is null) return chain;
        using var cmd = SqliteAuditLog.Cmd(conn, null, """
            WITH w(upto) AS (SELECT upto FROM audit_index_state)
            SELECT min(seq) FROM (
              SELECT l.seq FROM audit_log l
                WHERE l.seq <= (SELECT upto FROM w) AND l.patient_id IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM audit_patient x WHERE x.patient_id = l.patient_id AND x.seq = l.seq)
              UNION ALL
              SELECT x.seq FROM audit_patient x
                WHERE NOT EXISTS (SELECT 1 FROM audit_log l WHERE l.seq = x.seq AND l.patient_id = x.patient_id AND l.seq <= (SELECT upto FROM w)))
            """);
        if (cmd.ExecuteScalar() is not long seq) return chain;
        return ChainVerification.Fail(ChainProblem.IndexAltered, seq,
            $"The per-patient index of the audit log was altered at record {seq}: a citizen's view of their log would miss or misplace it.",
            chain.RecordsChecked, chain.CheckpointsChecked);
    }

    private static IEnumerable<AuditRow> Rows(SqliteConnection conn)
    {
        using var cmd = SqliteAuditLog.Cmd(conn, null, "SELECT seq, time, patient_id, record, prev_hash, hash FROM audit_log ORDER BY seq");
        using var r = cmd.ExecuteReader();
        while (r.Read())
            yield return new AuditRow(r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3), (byte[])r[4], (byte[])r[5]);
    }

    /// <summary>The chain check over any storage: <paramref name="rows"/> in sequence order, the checkpoints in
    /// sequence order, and a look-up telling whether the record that belongs at a position sits elsewhere.</summary>
    public static ChainVerification Verify(IReadOnlyList<AuditCheckpoint> checkpoints, IEnumerable<AuditRow> rows,
        Func<long, bool> recordExistsElsewhere, AuditCheckpointSigner signer, CancellationToken ct)
    {
        var cpIndex = 0;
        var running = new byte[32];
        long expected = 1, checkedCount = 0;
        foreach (var row in rows)
        {
            ct.ThrowIfCancellationRequested();
            var seq = row.Sequence;
            var json = Encoding.UTF8.GetBytes(row.Record);
            var prevStored = row.PrevHash;
            var hashStored = row.Hash;

            // Checkpoints for positions that no longer exist (a gap) are checked when the gap is reported.
            if (seq != expected)
                return Fail(ChainProblem.Removed, expected, $"Audit record {expected} is missing (the next record present is {seq}).");

            AuditRecord rec;
            try { rec = AuditRecord.FromJson(json); }
            catch (JsonException) { return Fail(ChainProblem.Altered, seq, $"Audit record {seq} was altered: it is no longer valid JSON."); }

            if (rec.Sequence != seq)
            {
                var problem = recordExistsElsewhere(seq) ? ChainProblem.Reordered : ChainProblem.Removed;
                return Fail(problem, seq, problem == ChainProblem.Reordered
                    ? $"Audit record {seq} is out of order: position {seq} holds record {rec.Sequence}."
                    : $"Audit record {seq} was removed and later records renumbered (position {seq} holds record {rec.Sequence}).");
            }
            if (!SqliteAuditLog.ChainHash(prevStored, json).AsSpan().SequenceEqual(hashStored))
                return Fail(ChainProblem.Altered, seq, $"Audit record {seq} was altered: its content does not match its hash.");
            if (!prevStored.AsSpan().SequenceEqual(running))
                return Fail(ChainProblem.Altered, seq - 1, $"Audit record {seq - 1} was altered and re-hashed: record {seq} no longer links to it.");
            if (row.TimeMs != rec.Time.ToUnixTimeMilliseconds() || row.PatientId != rec.PatientId)
                return Fail(ChainProblem.Altered, seq, $"Audit record {seq} was altered: its indexed time or patient differ from the hashed record.");

            running = hashStored;
            checkedCount++;
            expected = seq + 1;

            while (cpIndex < checkpoints.Count && checkpoints[cpIndex].Sequence <= seq)
            {
                var cp = checkpoints[cpIndex++];
                if (cp.KeyId != signer.KeyId)
                    return Fail(ChainProblem.UnknownKey, cp.Sequence, $"Checkpoint at record {cp.Sequence} is signed with an unknown key '{cp.KeyId}'.");
                if (!signer.Verify(cp))
                    return Fail(ChainProblem.CheckpointSignatureInvalid, cp.Sequence, $"Checkpoint at record {cp.Sequence} has an invalid signature.");
                if (cp.Sequence != seq)
                    return Fail(ChainProblem.Removed, cp.Sequence, $"Audit record {cp.Sequence} (covered by a signed checkpoint) is missing.");
                if (!cp.Hash.AsSpan().SequenceEqual(running))
                    return Fail(ChainProblem.CheckpointMismatch, cp.Sequence,
                        $"The chain up to record {cp.Sequence} does not match its signed checkpoint: records at or before {cp.Sequence} were altered and the chain recomputed.");
            }
        }
        if (cpIndex < checkpoints.Count)
        {
            var cp = checkpoints[cpIndex];
            if (!signer.Verify(cp))
                return Fail(ChainProblem.CheckpointSignatureInvalid, cp.Sequence, $"Checkpoint at record {cp.Sequence} has an invalid signature.");
            return Fail(ChainProblem.Truncated, expected,
                $"Audit records from {expected} were removed: a signed checkpoint covers record {cp.Sequence} but the log ends at {expected - 1}.");
        }
        return new ChainVerification(true, ChainProblem.None, null, $"Audit chain intact: {checkedCount} records, {checkpoints.Count} checkpoints.", checkedCount, checkpoints.Count);

        ChainVerification Fail(ChainProblem p, long? s, string m) => ChainVerification.Fail(p, s, m, checkedCount, cpIndex);
    }

    /// <summary>True when the record that belongs at <paramref name="seq"/> sits somewhere else in the table.</summary>
    private static bool RecordExistsAt(SqliteConnection conn, long seq)
    {
        using var cmd = SqliteAuditLog.Cmd(conn, null, "SELECT 1 FROM audit_log WHERE json_extract(record, '$.Sequence') = $s LIMIT 1");
        cmd.Parameters.AddWithValue("$s", seq);
        return cmd.ExecuteScalar() is not null;
    }
}

/// <summary>One stored audit row as the verifier reads it.</summary>
internal readonly record struct AuditRow(long Sequence, long TimeMs, string? PatientId, string Record, byte[] PrevHash, byte[] Hash);
