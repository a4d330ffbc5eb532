namespace Fellesjournal.Trust.Audit;

/// <summary>An append-only, tamper-evident access log.</summary>
public interface IAuditLog
{
    /// <summary>Appends (assigning <see cref="AuditRecord.Sequence"/>) and returns the stored record once durable.</summary>
    Task<AuditRecord> AppendAsync(AuditRecord record, CancellationToken ct = default);

    /// <summary>Appends several records in one transaction (group commit), in list order; all or none are stored.</summary>
    Task<IReadOnlyList<AuditRecord>> AppendBatchAsync(IReadOnlyList<AuditRecord> records, CancellationToken ct = default);

    /// <summary>The records about any of <paramref name="patientIds"/>, newest first, optionally within [from, to) and
    /// before sequence <paramref name="beforeSequence"/> (a paging cursor).</summary>
    Task<IReadOnlyList<AuditRecord>> QueryAsync(IReadOnlyCollection<string> patientIds, DateTimeOffset? from, DateTimeOffset? to,
        long? beforeSequence, int limit, CancellationToken ct = default);

    /// <summary>The records about one patient, newest first (the citizen's "innsyn i logg").</summary>
    Task<IReadOnlyList<AuditRecord>> QueryByPatientAsync(string patientId, int limit = 1000, CancellationToken ct = default);

    /// <summary>Signs the current chain head.</summary>
    Task<AuditCheckpoint?> CheckpointAsync(CancellationToken ct = default);

    /// <summary>Recomputes the chain and checks every checkpoint; names the first problem.</summary>
    Task<ChainVerification> VerifyAsync(CancellationToken ct = default);
}

/// <summary>A signed statement "the chain up to <see cref="Sequence"/> has head <see cref="Hash"/>".</summary>
public sealed record AuditCheckpoint(long Sequence, byte[] Hash, DateTimeOffset Time, string KeyId, byte[] Signature);

public enum ChainProblem { None, Altered, Removed, Reordered, CheckpointSignatureInvalid, CheckpointMismatch, Truncated, UnknownKey, IndexAltered }

/// <summary>The result of <see cref="IAuditLog.VerifyAsync"/>.</summary>
public sealed record ChainVerification(bool Ok, ChainProblem Problem, long? Sequence, string Message, long RecordsChecked, int CheckpointsChecked)
{
    public static ChainVerification Fail(ChainProblem p, long? seq, string msg, long records, int checkpoints) => new(false, p, seq, msg, records, checkpoints);
}
