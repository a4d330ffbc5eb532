using Fellesjournal.Server.Audit;
using Fellesjournal.Server.Cli;
using Fellesjournal.Storage.Tests.Postgres;
using Fellesjournal.Trust.Audit;
using Npgsql;
using static Fellesjournal.Server.Tests.AuditTestData;

namespace Fellesjournal.Server.Tests;

/// <summary>The access log in PostgreSQL (the store's database): group commit, search, append-only triggers, and
/// <c>audit verify --store postgres</c> catching a row altered with the triggers disabled.</summary>
[Collection("Console")]
public sealed class AuditPostgresTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fj-audit-pg-" + Guid.NewGuid().ToString("N"));
    private string? _cs;

    private string Connection()
    {
        if (_cs is not null) return _cs;
        var pg = PostgresServer.Instance;
        return _cs = pg.ConnectionString(pg.CreateDatabase());
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private void Sql(string sql)
    {
        using var conn = new NpgsqlConnection(Connection());
        conn.Open();
        using var cmd = new NpgsqlCommand(sql, conn);
        cmd.ExecuteNonQuery();
    }

    [PostgresFact]
    public async Task Concurrent_appends_verify_and_read_back_by_patient()
    {
        using var signer = AuditKeyFile.LoadOrCreate(null, _dir, out _);
        using var log = new PostgresAuditLog(Connection(), signer) { CheckpointEvery = 50 };
        await using (var auditor = new AccessAuditor(log))
        {
            await Task.WhenAll(Enumerable.Range(1, 300).Select(i => Task.Run(() => auditor.RecordAsync(Access(i, "p" + (i % 3)), default))));
            Assert.True(auditor.Batches < 300, $"{auditor.Batches} transactions for 300 concurrent appends");
            var bundle = await auditor.SearchAuditEventsAsync(Get("AuditEvent", ("patient", "p1"), ("_count", "1000")), ["p1"], default);
            Assert.Equal(100, System.Text.Json.Nodes.JsonNode.Parse(bundle.Resource!.Value.Span)!["entry"]!.AsArray().Count);
            var mine = await log.QueryAsync(["p1"], null, null, null, 10);
            Assert.Equal(10, mine.Count);
            Assert.All(mine, r => Assert.Equal("p1", r.PatientId));
        }
        var v = await log.VerifyAsync();
        Assert.True(v.Ok, v.Message);
        Assert.Equal(300, v.RecordsChecked);
        Assert.Equal(6, v.CheckpointsChecked); // every 50; the shutdown checkpoint at 300 already exists
        Assert.Empty(await log.MissingTriggersAsync());
    }

    [PostgresFact]
    public async Task Triggers_refuse_changes()
    {
        using var signer = AuditCheckpointSigner.Generate();
        using var log = new PostgresAuditLog(Connection(), signer);
        await log.AppendAsync(Access(1, "p"));
        foreach (var sql in new[] { "UPDATE audit_log SET patient_id = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log" })
            Assert.Throws<PostgresException>(() => Sql(sql));
        Assert.True((await log.VerifyAsync()).Ok);
    }

    [PostgresFact]
    public async Task Verify_verb_names_a_row_altered_with_triggers_disabled()
    {
        using (var signer = AuditKeyFile.LoadOrCreate(null, _dir, out _))
        using (var log = new PostgresAuditLog(Connection(), signer) { CheckpointEvery = 4 })
            for (var i = 1; i <= 10; i++) await log.AppendAsync(Access(i, "p"));

        Assert.Equal(0, (await Run("audit", "verify", "--store", "postgres", "--connection", Connection(), "--data", _dir)).Code);
        Sql("ALTER TABLE audit_log DISABLE TRIGGER USER; UPDATE audit_log SET record = replace(record, 'Observation/o7', 'Observation/zz') WHERE seq = 7;");
        var (code, output) = await Run("audit", "verify", "--store", "postgres", "--connection", Connection(), "--data", _dir);
        Assert.Equal(1, code);
        Assert.Contains("(Altered) at record 7", output);
        Assert.Contains("WARNING: the append-only triggers audit_log_no_change, audit_log_no_truncate are missing or disabled", output);
    }

    private static async Task<(int Code, string Out)> Run(params string[] args)
    {
        var (o, e) = (Console.Out, Console.Error);
        using var w = new StringWriter();
        Console.SetOut(w);
        Console.SetError(w);
        try { return (await CommandLine.RunAsync(args), w.ToString()); }
        finally { Console.SetOut(o); Console.SetError(e); }
    }
}
