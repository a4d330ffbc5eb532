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

    private SqliteAuditLog Log(int checkpointEvery = 1000) => new(Path.Combine(_dir, "audit.db"), _signer) { CheckpointEvery = checkpointEvery };

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

    [Fact]
    public async Task Query_filters_patients_time_window_and_pages_newest_first()
    {
        var log = Log();
        await log.AppendBatchAsync(Enumerable.Range(1, 10).Select(i => Rec(i, i % 2 == 0 ? "even" : "odd")).ToList());

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
}
