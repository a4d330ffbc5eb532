using Fellesjournal.Server.Audit;
using Fellesjournal.Server.Cli;
using Microsoft.Data.Sqlite;
using static Fellesjournal.Server.Tests.AuditTestData;

namespace Fellesjournal.Server.Tests;

/// <summary>Console output is process-wide, so the tests that capture it do not run alongside others.</summary>
[CollectionDefinition("Console", DisableParallelization = true)]
public sealed class ConsoleCollection;

/// <summary>
/// <c>fellesjournal audit verify</c> through the CLI entry point, against a log tampered with directly in the SQLite
/// file (triggers dropped first, as someone with file access would).
/// </summary>
[Collection("Console")]
public sealed class AuditVerifyCommandTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fj-audit-cli-" + Guid.NewGuid().ToString("N"));
    private string DbFile => Path.Combine(_dir, AccessAuditor.FileName);

    public async Task InitializeAsync()
    {
        await using var auditor = new AccessAuditor(_dir, AuditKeyFile.LoadOrCreate(null, _dir, out _), checkpointEvery: 4);
        for (var i = 1; i <= 10; i++) await auditor.RecordAsync(Access(i, "p" + (i % 3)), default);
        SqliteConnection.ClearAllPools();
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private static async Task<(int Code, string Out)> Run(params string[] args)
    {
        var previous = Console.Out;
        var previousErr = Console.Error;
        using var w = new StringWriter();
        Console.SetOut(w);
        Console.SetError(w);
        try { return (await CommandLine.RunAsync(args), w.ToString()); }
        finally { Console.SetOut(previous); Console.SetError(previousErr); }
    }

    private void Tamper(string sql)
    {
        using var conn = new SqliteConnection($"Data Source={DbFile};Pooling=False");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; " + sql;
        cmd.ExecuteNonQuery();
    }

    [Fact]
    public async Task Intact_log_verifies()
    {
        var (code, output) = await Run("audit", "verify", "--data", _dir);
        Assert.True(code == 0, output);
        // 10 records; checkpoints at 4 and 8 plus the one signed on shutdown at 10.
        Assert.Contains("10 records and 3 checkpoints", output);
        Assert.DoesNotContain("WARNING", output);
    }

    [Fact]
    public async Task Altered_row_is_named()
    {
        Tamper("UPDATE audit_log SET record = replace(record, 'Observation/o6', 'Observation/zz') WHERE seq = 6");
        var (code, output) = await Run("audit", "verify", "--data", _dir);
        Assert.Equal(1, code);
        Assert.Contains("(Altered) at record 6", output);
        Assert.Contains("WARNING: the append-only triggers audit_log_no_update, audit_log_no_delete are missing", output);
    }

    [Fact]
    public async Task Removed_row_is_named()
    {
        Tamper("DELETE FROM audit_log WHERE seq = 3");
        var (code, output) = await Run("audit", "verify", "--data", _dir);
        Assert.Equal(1, code);
        Assert.Contains("(Removed) at record 3", output);
    }

    [Fact]
    public async Task Reordered_rows_are_named()
    {
        Tamper("UPDATE audit_log SET seq = -5 WHERE seq = 5; UPDATE audit_log SET seq = 5 WHERE seq = 7; UPDATE audit_log SET seq = 7 WHERE seq = -5;");
        var (code, output) = await Run("audit", "verify", "--data", _dir);
        Assert.Equal(1, code);
        Assert.Contains("(Reordered) at record 5", output);
    }

    [Fact]
    public async Task Checkpoint_verb_signs_the_head_and_missing_log_is_an_error()
    {
        var (code, output) = await Run("audit", "checkpoint", "--data", _dir);
        Assert.Equal(0, code);
        Assert.Contains("already signed", output); // the shutdown checkpoint covers record 10
        (code, _) = await Run("audit", "verify", "--data", Path.Combine(_dir, "nothing-here"));
        Assert.Equal(2, code);
        (code, _) = await Run("audit", "frobnicate");
        Assert.Equal(2, code);
    }
}
