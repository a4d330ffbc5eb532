using System.Security.Cryptography;
using System.Text;
using Fellesjournal.Trust.Access;
using Fellesjournal.Trust.Audit;
using Fellesjournal.Trust.Identity;
using Microsoft.Data.Sqlite;

namespace Fellesjournal.Trust.Tests;

public sealed class AuditChainTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fj-audit-" + Guid.NewGuid().ToString("N"));
    private readonly string _file;
    private readonly AuditCheckpointSigner _signer = AuditCheckpointSigner.Generate();
    private readonly ManualTime _time = new(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));

    public AuditChainTests()
    {
        Directory.CreateDirectory(_dir);
        _file = Path.Combine(_dir, "fellesjournal.db");
    }

    public void Dispose()
    {
        _signer.Dispose();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private SqliteAuditLog Log(int checkpointEvery = 1000) => new(_file, _signer, _time) { CheckpointEvery = checkpointEvery };

    private AuditRecord Rec(int i, string patient = "p1", bool emergency = false, string hpr = "412345678", string org = "983710018") => new()
    {
        Time = _time.Now.AddMinutes(i),
        Action = AuditAction.Read,
        AgentKind = PrincipalKind.Personnel,
        PersonName = "Doctor " + hpr,
        HprNumber = hpr,
        Organisation = org,
        Purpose = emergency ? "ETREAT" : "TREAT",
        Emergency = emergency,
        EmergencyReason = emergency ? "Unconscious" : null,
        PatientId = patient,
        Resources = [$"Observation/o{i}"],
    };

    private async Task<SqliteAuditLog> Filled(int n, int checkpointEvery = 1000)
    {
        var log = Log(checkpointEvery);
        for (var i = 1; i <= n; i++) await log.AppendAsync(Rec(i));
        return log;
    }

    /// <summary>Runs SQL directly on the file, the way someone with file access would (triggers dropped first).</summary>
    private void Sql(string sql, params (string, object)[] args)
    {
        using var conn = new SqliteConnection($"Data Source={_file};Pooling=False");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = """
            DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;
            DROP TRIGGER IF EXISTS audit_checkpoint_no_update; DROP TRIGGER IF EXISTS audit_checkpoint_no_delete;
            """ + sql;
        foreach (var (k, v) in args) cmd.Parameters.AddWithValue(k, v);
        cmd.ExecuteNonQuery();
    }

    private byte[] Blob(string sql)
    {
        using var conn = new SqliteConnection($"Data Source={_file};Pooling=False");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return (byte[])cmd.ExecuteScalar()!;
    }

    private static void AssertProblem(ChainVerification v, ChainProblem p, long seq)
    {
        Assert.False(v.Ok, v.Message);
        Assert.Equal(p, v.Problem);
        Assert.Equal(seq, v.Sequence);
        Assert.Contains(seq.ToString(), v.Message);
    }

    [Fact]
    public async Task Intact_chain_verifies()
    {
        var log = await Filled(10, checkpointEvery: 4);
        var v = await log.VerifyAsync();
        Assert.True(v.Ok, v.Message);
        Assert.Equal(10, v.RecordsChecked);
        Assert.Equal(2, v.CheckpointsChecked);
    }

    [Fact]
    public async Task Sequences_are_assigned_in_order()
    {
        var log = Log();
        var a = await log.AppendAsync(Rec(1));
        var b = await log.AppendAsync(Rec(2));
        Assert.Equal(1, a.Sequence);
        Assert.Equal(2, b.Sequence);
    }

    [Fact]
    public async Task Triggers_refuse_update_and_delete_through_sql()
    {
        await Filled(2);
        using var conn = new SqliteConnection($"Data Source={_file};Pooling=False");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "UPDATE audit_log SET patient_id = 'x' WHERE seq = 1";
        Assert.Contains("append-only", Assert.Throws<SqliteException>(() => cmd.ExecuteNonQuery()).Message);
        cmd.CommandText = "DELETE FROM audit_log WHERE seq = 1";
        Assert.Throws<SqliteException>(() => cmd.ExecuteNonQuery());
    }

    [Fact]
    public async Task Altered_row_is_named()
    {
        var log = await Filled(6);
        Sql("UPDATE audit_log SET record = replace(record, 'Observation/o3', 'Observation/zz') WHERE seq = 3");
        AssertProblem(await log.VerifyAsync(), ChainProblem.Altered, 3);
    }

    [Fact]
    public async Task Altered_and_rehashed_row_is_named()
    {
        var log = await Filled(6);
        Sql("UPDATE audit_log SET record = replace(record, 'TREAT', 'COC') WHERE seq = 3");
        var prev = Blob("SELECT prev_hash FROM audit_log WHERE seq = 3");
        var json = Blob("SELECT CAST(record AS BLOB) FROM audit_log WHERE seq = 3");
        var hash = SHA256.HashData(prev.Concat(json).ToArray());
        Sql("UPDATE audit_log SET hash = $h WHERE seq = 3", ("$h", hash));
        AssertProblem(await log.VerifyAsync(), ChainProblem.Altered, 3);
    }

    [Fact]
    public async Task Indexed_patient_column_change_is_caught()
    {
        var log = await Filled(4);
        Sql("UPDATE audit_log SET patient_id = 'someone-else' WHERE seq = 2");
        AssertProblem(await log.VerifyAsync(), ChainProblem.Altered, 2);
    }

    [Fact]
    public async Task Deleted_row_is_named()
    {
        var log = await Filled(6);
        Sql("DELETE FROM audit_log WHERE seq = 4");
        AssertProblem(await log.VerifyAsync(), ChainProblem.Removed, 4);
    }

    [Fact]
    public async Task Deleted_and_renumbered_rows_are_named()
    {
        var log = await Filled(6);
        Sql("DELETE FROM audit_log WHERE seq = 4; UPDATE audit_log SET seq = seq - 1 WHERE seq > 4;");
        AssertProblem(await log.VerifyAsync(), ChainProblem.Removed, 4);
    }

    [Fact]
    public async Task Reordered_rows_are_named()
    {
        var log = await Filled(6);
        // Swap positions 2 and 5 with everything they carry.
        Sql("UPDATE audit_log SET seq = -2 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 5; UPDATE audit_log SET seq = 5 WHERE seq = -2;");
        AssertProblem(await log.VerifyAsync(), ChainProblem.Reordered, 2);
    }

    [Fact]
    public async Task Truncated_tail_after_checkpoint_is_caught()
    {
        var log = await Filled(6);
        await log.CheckpointAsync();
        Sql("DELETE FROM audit_log WHERE seq >= 5");
        AssertProblem(await log.VerifyAsync(), ChainProblem.Truncated, 5);
    }

    [Fact]
    public async Task Consistently_rewritten_chain_is_caught_by_checkpoint()
    {
        var log = await Filled(6, checkpointEvery: 5);
        // Alter record 2 and recompute every hash after it, as someone knowing the algorithm (but not the key) could.
        Sql("UPDATE audit_log SET record = replace(record, 'Observation/o2', 'Observation/zz') WHERE seq = 2");
        var prev = Blob("SELECT hash FROM audit_log WHERE seq = 1");
        for (var s = 2; s <= 6; s++)
        {
            var json = Blob($"SELECT CAST(record AS BLOB) FROM audit_log WHERE seq = {s}");
            var hash = SHA256.HashData(prev.Concat(json).ToArray());
            Sql($"UPDATE audit_log SET prev_hash = $p, hash = $h WHERE seq = {s}", ("$p", prev), ("$h", hash));
            prev = hash;
        }
        AssertProblem(await log.VerifyAsync(), ChainProblem.CheckpointMismatch, 5);
    }

    [Fact]
    public async Task Tampered_checkpoint_signature_is_caught()
    {
        var log = await Filled(4, checkpointEvery: 2);
        var sig = Blob("SELECT signature FROM audit_checkpoint WHERE seq = 2");
        sig[10] ^= 0x01;
        Sql("UPDATE audit_checkpoint SET signature = $s WHERE seq = 2", ("$s", sig));
        AssertProblem(await log.VerifyAsync(), ChainProblem.CheckpointSignatureInvalid, 2);
    }

    [Fact]
    public async Task Checkpoint_moved_to_forged_hash_is_caught()
    {
        var log = await Filled(4, checkpointEvery: 2);
        Sql("UPDATE audit_checkpoint SET hash = zeroblob(32) WHERE seq = 4");
        AssertProblem(await log.VerifyAsync(), ChainProblem.CheckpointSignatureInvalid, 4);
    }

    [Fact]
    public async Task Checkpoint_from_another_key_is_rejected()
    {
        var log = await Filled(3, checkpointEvery: 3);
        using var other = AuditCheckpointSigner.Generate();
        var v = await new SqliteAuditLog(_file, other, _time).VerifyAsync();
        AssertProblem(v, ChainProblem.UnknownKey, 3);
        Assert.True((await log.VerifyAsync()).Ok);
    }

    [Fact]
    public async Task Verify_only_public_key_verifies_checkpoints()
    {
        await Filled(3, checkpointEvery: 3);
        using var publicOnly = AuditCheckpointSigner.FromPem(_signer.PublicKeyPem());
        var v = await new SqliteAuditLog(_file, publicOnly, _time).VerifyAsync();
        Assert.True(v.Ok, v.Message);
        Assert.Equal(1, v.CheckpointsChecked);
    }

    [Fact]
    public async Task Concurrent_appends_form_one_chain()
    {
        var log = Log(checkpointEvery: 7);
        await Task.WhenAll(Enumerable.Range(1, 40).Select(i => Task.Run(() => log.AppendAsync(Rec(i)))));
        var v = await log.VerifyAsync();
        Assert.True(v.Ok, v.Message);
        Assert.Equal(40, v.RecordsChecked);
        Assert.Equal(5, v.CheckpointsChecked);
    }

    [Fact]
    public async Task Append_in_caller_transaction_rolls_back_with_it()
    {
        var log = await Filled(2);
        using (var conn = new SqliteConnection($"Data Source={_file}"))
        {
            conn.Open();
            using var tx = conn.BeginTransaction();
            var rec = log.AppendInTransaction(conn, tx, Rec(3));
            Assert.Equal(3, rec.Sequence);
            tx.Rollback();
        }
        var next = await log.AppendAsync(Rec(4));
        Assert.Equal(3, next.Sequence);
        Assert.True((await log.VerifyAsync()).Ok);
    }

    [Fact]
    public async Task The_logs_own_connection_continues_the_chain_after_appends_on_other_connections()
    {
        // The group commit keeps its connection and statements between batches; the head must still be read from
        // the file each time, since a store write transaction may have appended in between.
        using var log = await Filled(2);
        using (var conn = new SqliteConnection($"Data Source={_file}"))
        {
            conn.Open();
            using var tx = conn.BeginTransaction();
            Assert.Equal(3, log.AppendInTransaction(conn, tx, Rec(3)).Sequence);
            tx.Commit();
        }
        var next = await log.AppendBatchAsync([Rec(4), Rec(5)]);
        Assert.Equal([4L, 5L], next.Select(r => r.Sequence));
        var v = await log.VerifyAsync();
        Assert.True(v.Ok, v.Message);
        Assert.Equal(5, v.RecordsChecked);
    }

    [Fact]
    public async Task A_failed_batch_leaves_nothing_and_the_next_append_continues_the_chain()
    {
        using var log = await Filled(2);
        Sql("CREATE TRIGGER refuse BEFORE INSERT ON audit_log WHEN NEW.patient_id = 'refused' BEGIN SELECT RAISE(ABORT, 'refused'); END;");
        await Assert.ThrowsAsync<SqliteException>(() => log.AppendBatchAsync([Rec(3), Rec(4, patient: "refused")]));
        Sql("DROP TRIGGER refuse;");
        Assert.Equal(3, (await log.AppendAsync(Rec(5))).Sequence);
        var v = await log.VerifyAsync();
        Assert.True(v.Ok, v.Message);
        Assert.Equal(3, v.RecordsChecked);
    }

    [Fact]
    public async Task Citizen_view_by_patient_and_summary_puts_emergencies_first()
    {
        var log = Log();
        await log.AppendAsync(Rec(1, "kari", hpr: "1001", org: "974380005"));
        await log.AppendAsync(Rec(2, "kari", hpr: "1001", org: "974380005"));
        await log.AppendAsync(Rec(3, "kari", emergency: true, hpr: "2002", org: "983710018"));
        await log.AppendAsync(Rec(4, "kari", hpr: "3003", org: "983710018"));
        await log.AppendAsync(Rec(5, "ola", hpr: "1001", org: "974380005"));
        await log.AppendAsync(Rec(6, "kari", hpr: "1001", org: "974380005") with { Action = AuditAction.Update });

        var records = await log.QueryByPatientAsync("kari");
        Assert.Equal([6, 4, 3, 2, 1], records.Select(r => (int)r.Sequence));
        Assert.All(records, r => Assert.Equal("kari", r.PatientId));

        var summary = AuditSummaries.Build(records);
        Assert.Equal(3, summary.Count);
        Assert.Equal("2002", summary[0].HprNumber);
        Assert.Equal(1, summary[0].EmergencyAccesses);
        Assert.Equal(["Unconscious"], summary[0].EmergencyReasons);
        Assert.Equal("1001", summary[1].HprNumber); // most recent next
        Assert.Equal(3, summary[1].Accesses);
        Assert.Equal(1, summary[1].Writes);
        Assert.Equal("3003", summary[2].HprNumber);
    }

    [Fact]
    public void Record_for_principal_and_decision_carries_who_why_and_what()
    {
        var p = new Principal
        {
            Kind = PrincipalKind.Personnel, Pid = "23056800026", Name = "Per Overlege", HprNumber = "412345678", ClientId = "ehr", TokenId = "t1",
            TrustFramework = new TrustFrameworkDetails
            {
                AuthorizationCode = "LE", LegalEntity = "983710018", LegalEntityName = "Demo HF", PointOfCare = "991110003",
                PurposeOfUse = PurposeOfUse.EmergencyTreat, PurposeDetails = "Unconscious", DecisionRefId = "d-1",
            },
        };
        var decision = Decision.Permit(AccessBasis.Emergency, "Emergency", AccessFlags.Emergency | AccessFlags.NotifyCitizen | AccessFlags.LockedOpenedByEmergency);
        var r = AuditRecord.For(p, decision, AuditAction.Search, "p1", ["Observation/o1"], "Observation?patient=p1", _time.Now);
        Assert.Equal(("412345678", "LE", "983710018", "991110003", "ETREAT"), (r.HprNumber, r.Role, r.Organisation, r.PointOfCare, r.Purpose));
        Assert.True(r.Emergency);
        Assert.True(r.LockedSectionsOpened);
        Assert.Equal("Unconscious", r.EmergencyReason);
        Assert.Equal("d-1", r.DecisionRef);
        Assert.Equal(AuditOutcome.Success, r.Outcome);

        var denied = AuditRecord.For(p, Decision.Deny(DenyReason.Blocked, "blocked"), AuditAction.Read, "p1");
        Assert.Equal(AuditOutcome.Denied, denied.Outcome);
        Assert.False(denied.Emergency);
        Assert.Equal("blocked", denied.OutcomeDetail);
    }

    [Fact]
    public void Canonical_json_round_trips()
    {
        var r = Rec(1) with { Sequence = 7, Query = "Observation?code=æøå" };
        var json = r.ToCanonicalJson();
        var back = AuditRecord.FromJson(json);
        Assert.Equal(json, back.ToCanonicalJson());
        Assert.Contains("æøå", Encoding.UTF8.GetString(json));
    }

    [Fact]
    public async Task Failed_authentication_is_recorded_without_a_principal()
    {
        var log = Log();
        var fail = AuthResult.Fail(AuthFailure.Expired, "The access token has expired.");
        var r = await log.AppendAsync(AuditRecord.ForUnauthenticated(fail, AuditRecord.ActionFor("GET", isSearch: true), "/fhir/Observation?patient=p1", _time.Now));
        Assert.Equal(AuditOutcome.Failed, r.Outcome);
        Assert.Equal(AuditAction.Search, r.Action);
        Assert.Contains("Expired", r.OutcomeDetail);
        Assert.Null(r.PatientId);
        Assert.Equal("8", (string?)AuditEventMapper.ToAuditEvent(r)["outcome"]);
        Assert.True((await log.VerifyAsync()).Ok);
    }

    [Theory]
    [InlineData("GET", false, AuditAction.Read)]
    [InlineData("GET", true, AuditAction.Search)]
    [InlineData("POST", true, AuditAction.Search)]
    [InlineData("POST", false, AuditAction.Create)]
    [InlineData("PUT", false, AuditAction.Update)]
    [InlineData("PATCH", false, AuditAction.Update)]
    [InlineData("DELETE", false, AuditAction.Delete)]
    public void Http_methods_map_to_audit_actions(string method, bool search, AuditAction expected) =>
        Assert.Equal(expected, AuditRecord.ActionFor(method, search));
}
