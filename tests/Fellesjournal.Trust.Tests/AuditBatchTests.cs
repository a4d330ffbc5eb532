using Fellesjournal.Trust.Audit;
using Fellesjournal.Trust.Identity;
using Microsoft.Data.Sqlite;

namespace Fellesjournal.Trust.Tests;

/// <summary>Group-committed appends and the filtered, paged patient query of <see cref="SqliteAuditLog"/>.</summary>
public sealed class AuditBatchTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fj-auditbatch-" + Guid.NewGuid().ToString("N"));
    private readonly AuditCheckpointSigner _signer = AuditCheckpointSigner.Generate();
    private readonly DateTimeOffset _t0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    public AuditBatchTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        _signer.Dispose();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private string File => Path.Combine(_dir, "audit.db");

    private SqliteAuditLog Log(int checkpointEvery = 1000, int indexEvery = 4096) =>
        new(File, _signer) { CheckpointEvery = checkpointEvery, IndexEvery = indexEvery };

    /// <summary>Runs SQL directly on the file (as someone with file access would); returns the first value.</summary>
    private object? Sql(string sql)
    {
        using var conn = new SqliteConnection($"Data Source={File};Pooling=False");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    private long IndexedUpto() => (long)Sql("SELECT upto FROM audit_index_state")!;

    private AuditRecord Rec(int minute, string patient) => new()
    {
        Time = _t0.AddMinutes(minute),
        Action = AuditAction.Read,
        AgentKind = PrincipalKind.Personnel,
        HprNumber = "412345678",
        PatientId = patient,
        Resources = [$"Observation/o{minute}"],
    };

    [Fact]
    public async Task Batch_appends_in_order_and_checkpoints_inside_the_batch()
    {
        var log = Log(checkpointEvery: 4);
        var first = await log.AppendBatchAsync([Rec(1, "a"), Rec(2, "b"), Rec(3, "a")]);
        var second = await log.AppendBatchAsync([Rec(4, "b"), Rec(5, "a")]);
        Assert.Equal([1L, 2, 3], first.Select(r => r.Sequence));
        Assert.Equal([4L, 5], second.Select(r => r.Sequence));
        var v = await log.VerifyAsync();
        Assert.True(v.Ok, v.Message);
        Assert.Equal(5, v.RecordsChecked);
        Assert.Equal(1, v.CheckpointsChecked); // the one at record 4, signed in the second batch's transaction
    }

    /// <summary>The same answers whether the records are all in the unindexed tail, all indexed, or split.</summary>
    [Theory]
    [InlineData(4096, 10, 0)]
    [InlineData(1, 10, 10)]
    [InlineData(5, 6, 6)]
    public async Task Query_filters_patients_time_window_and_pages_newest_first(int indexEvery, int firstBatch, long indexed)
    {
        var log = Log(indexEvery: indexEvery);
        var records = Enumerable.Range(1, 10).Select(i => Rec(i, i % 2 == 0 ? "even" : "odd")).ToList();
        await log.AppendBatchAsync(records[..firstBatch]);
        if (firstBatch < records.Count) await log.AppendBatchAsync(records[firstBatch..]);
        Assert.Equal(indexed, IndexedUpto());

        var evens = await log.QueryAsync(["even"], null, null, null, 100);
        Assert.Equal([10L, 8, 6, 4, 2], evens.Select(r => r.Sequence));

        var both = await log.QueryAsync(["even", "odd", "nobody"], null, null, null, 3);
        Assert.Equal([10L, 9, 8], both.Select(r => r.Sequence));
        var nextPage = await log.QueryAsync(["even", "odd"], null, null, both[^1].Sequence, 3);
        Assert.Equal([7L, 6, 5], nextPage.Select(r => r.Sequence));

        // [minute 3, minute 7): records 3..6
        var window = await log.QueryAsync(["even", "odd"], _t0.AddMinutes(3), _t0.AddMinutes(7), null, 100);
        Assert.Equal([6L, 5, 4, 3], window.Select(r => r.Sequence));

        Assert.Empty(await log.QueryAsync([], null, null, null, 100));
        Assert.Empty(await log.QueryAsync(["nobody"], null, null, null, 100));
    }

    [Fact]
    public async Task The_index_fills_behind_the_appends_in_batches()
    {
        var log = Log(indexEvery: 3);
        await log.AppendBatchAsync([Rec(1, "a"), Rec(2, "b")]);
        Assert.Equal(0, IndexedUpto()); // two unindexed records: below the threshold, the appends wrote no index entry
        Assert.Equal(0L, Sql("SELECT count(*) FROM audit_patient"));
        await log.AppendBatchAsync([Rec(3, "a"), new AuditRecord { Time = _t0.AddMinutes(4), Action = AuditAction.Search }]);
        Assert.Equal(4, IndexedUpto()); // a record without a patient has no entry
        Assert.Equal(3L, Sql("SELECT count(*) FROM audit_patient"));
        Assert.Equal([3L, 1], (await log.QueryByPatientAsync("a")).Select(r => r.Sequence));
        Assert.True((await log.VerifyAsync()).Ok);
    }

    [Theory]
    [InlineData("DELETE FROM audit_patient WHERE seq = 3", 3)]
    [InlineData("UPDATE audit_patient SET patient_id = 'b' WHERE seq = 3", 3)]
    [InlineData("INSERT INTO audit_patient VALUES ('a', 2)", 2)]
    public async Task Verify_names_an_altered_index_entry(string tamper, long at)
    {
        var log = Log(indexEvery: 1);
        await log.AppendBatchAsync([Rec(1, "a"), Rec(2, "b"), Rec(3, "a"), Rec(4, "b")]);
        Assert.True((await log.VerifyAsync()).Ok);
        Sql("DROP TRIGGER audit_patient_no_update; DROP TRIGGER audit_patient_no_delete; " + tamper);
        var v = await log.VerifyAsync();
        Assert.False(v.Ok);
        Assert.Equal(ChainProblem.IndexAltered, v.Problem);
        Assert.Equal(at, v.Sequence);
    }

    [Fact]
    public async Task A_log_from_before_the_index_is_queried_at_once_and_indexed_by_the_next_appends()
    {
        using (var before = Log())
            await before.AppendBatchAsync([Rec(1, "a"), Rec(2, "b"), Rec(3, "a")]);
        // The earlier layout: an index on audit_log itself, no index tables.
        Sql("DROP TABLE audit_patient; DROP TABLE audit_index_state; CREATE INDEX ix_audit_patient ON audit_log(patient_id, seq);");
        SqliteConnection.ClearAllPools();

        var log = Log(indexEvery: 2);
        Assert.Null(Sql("SELECT 1 FROM sqlite_master WHERE name = 'ix_audit_patient'"));
        Assert.Equal([3L, 1], (await log.QueryByPatientAsync("a")).Select(r => r.Sequence));
        await log.AppendAsync(Rec(4, "a"));
        Assert.Equal(4, IndexedUpto());
        Assert.Equal([4L, 3, 1], (await log.QueryByPatientAsync("a")).Select(r => r.Sequence));
        var v = await log.VerifyAsync();
        Assert.True(v.Ok, v.Message);
    }
}
