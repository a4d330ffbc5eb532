using System.Diagnostics;
using System.Text.Json.Nodes;
using Fellesjournal.Server.Audit;
using Fellesjournal.Server.Http;
using Fellesjournal.Trust.Audit;
using Fellesjournal.Trust.Identity;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;
using static Fellesjournal.Server.Tests.AuditTestData;

namespace Fellesjournal.Server.Tests;

/// <summary><see cref="AccessAuditor"/> directly: durable appends, the citizen's search and summary, group commit.</summary>
public sealed class AuditAccessAuditorTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fj-audit-srv-" + Guid.NewGuid().ToString("N"));
    private AccessAuditor _auditor = null!;

    public Task InitializeAsync()
    {
        _auditor = new AccessAuditor(_dir, AuditKeyFile.LoadOrCreate(null, _dir, out _));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _auditor.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static JsonObject Body(FhirResponse r) => JsonNode.Parse(r.Resource!.Value.Span)!.AsObject();

    private static List<JsonObject> Events(JsonObject bundle) =>
        (bundle["entry"] as JsonArray ?? []).Select(e => e!["resource"]!.AsObject()).ToList();

    [Fact]
    public async Task Recorded_access_reads_back_as_an_AuditEvent()
    {
        await _auditor.RecordAsync(Access(1, "p1", emergency: true), default);
        var r = await _auditor.SearchAuditEventsAsync(Get("AuditEvent", ("patient", "p1")), ["p1"], default);
        Assert.Equal(200, r.Status);
        var bundle = Body(r);
        Assert.Equal("searchset", (string?)bundle["type"]);
        var ae = Assert.Single(Events(bundle));
        Assert.Equal("AuditEvent", (string?)ae["resourceType"]);
        Assert.Equal("1", (string?)ae["id"]);
        Assert.Equal("ETREAT", (string?)ae["purposeOfEvent"]![0]!["coding"]![0]!["code"]);
        Assert.Equal("Unconscious on arrival", (string?)ae["purposeOfEvent"]![0]!["text"]);
        Assert.Equal("Patient/p1", (string?)ae["entity"]![0]!["what"]!["reference"]);
        Assert.Equal("https://fj.example/fhir/AuditEvent/1", (string?)bundle["entry"]![0]!["fullUrl"]);
    }

    [Fact]
    public async Task Only_permitted_patients_are_returned_and_others_look_empty()
    {
        await _auditor.RecordAsync(Access(1, "mine"), default);
        await _auditor.RecordAsync(Access(2, "other"), default);
        await _auditor.RecordAsync(Access(3, "mine"), default);

        var own = Events(Body(await _auditor.SearchAuditEventsAsync(Get("AuditEvent", ("patient", "Patient/mine")), ["mine"], default)));
        Assert.Equal(["3", "1"], own.Select(e => (string?)e["id"]));

        // Asking for someone else's log: the same empty 200 as a patient without records, never an error.
        var probe = await _auditor.SearchAuditEventsAsync(Get("AuditEvent", ("patient", "other")), ["mine"], default);
        Assert.Equal(200, probe.Status);
        Assert.Empty(Events(Body(probe)));
        var none = await _auditor.SearchAuditEventsAsync(Get("AuditEvent", ("patient", "nobody")), ["mine"], default);
        Assert.Equal(Body(probe)["entry"]?.ToJsonString(), Body(none)["entry"]?.ToJsonString());

        // Mixed: only the permitted part; no patient parameter: all permitted compartments.
        var mixed = Events(Body(await _auditor.SearchAuditEventsAsync(Get("AuditEvent", ("patient", "other,mine")), ["mine"], default)));
        Assert.Equal(["3", "1"], mixed.Select(e => (string?)e["id"]));
        var all = Events(Body(await _auditor.SearchAuditEventsAsync(Get("AuditEvent"), ["mine", "other"], default)));
        Assert.Equal(["3", "2", "1"], all.Select(e => (string?)e["id"]));
        Assert.Empty(Events(Body(await _auditor.SearchAuditEventsAsync(Get("AuditEvent"), [], default))));
    }

    [Fact]
    public async Task Date_bounds_and_paging_newest_first()
    {
        for (var i = 1; i <= 7; i++) await _auditor.RecordAsync(Access(i, "p"), default);

        // Minutes 2..5 inclusive at minute precision.
        var window = Events(Body(await _auditor.SearchAuditEventsAsync(Get("AuditEvent", ("patient", "p"),
            ("date", "ge2026-11-22T10:02:00Z"), ("date", "le2026-11-22T10:05:00Z")), ["p"], default)));
        Assert.Equal(["5", "4", "3", "2"], window.Select(e => (string?)e["id"]));

        var ids = new List<string?>();
        FhirRequest? req = Get("AuditEvent", ("patient", "p"), ("_count", "3"));
        var pages = 0;
        while (req is not null)
        {
            var bundle = Body(await _auditor.SearchAuditEventsAsync(req, ["p"], default));
            pages++;
            ids.AddRange(Events(bundle).Select(e => (string?)e["id"]));
            var next = (bundle["link"] as JsonArray)!.FirstOrDefault(l => (string?)l!["relation"] == "next");
            req = next is null ? null : FromUrl((string)next["url"]!);
        }
        Assert.Equal(3, pages);
        Assert.Equal(["7", "6", "5", "4", "3", "2", "1"], ids);
    }

    private static FhirRequest FromUrl(string url)
    {
        var u = new Uri(url);
        return new FhirRequest
        {
            Method = "GET",
            Path = u.AbsolutePath["/fhir/".Length..],
            Query = QueryParams.Parse(u.Query.TrimStart('?')),
            BaseUrl = "https://fj.example/fhir",
        };
    }

    [Fact]
    public async Task Bad_parameters_are_400_with_a_location()
    {
        var r = await _auditor.SearchAuditEventsAsync(Get("AuditEvent", ("patient", "p"), ("date", "ge2026-13")), ["p"], default);
        Assert.Equal(400, r.Status);
        Assert.Equal("date", r.Outcome!.Issues[0].Location);
        r = await _auditor.SearchAuditEventsAsync(Get("AuditEvent", ("_count", "-1")), ["p"], default);
        Assert.Equal(400, r.Status);
        Assert.Equal("_count", r.Outcome!.Issues[0].Location);
        var post = new FhirRequest { Method = "POST", Path = "AuditEvent", BaseUrl = "https://fj.example/fhir" };
        Assert.Equal(405, (await _auditor.SearchAuditEventsAsync(post, ["p"], default)).Status);
        var put = new FhirRequest { Method = "PUT", Path = "AuditEvent/example", BaseUrl = "https://fj.example/fhir" };
        Assert.Equal(405, (await _auditor.SearchAuditEventsAsync(put, ["p"], default)).Status);
    }

    [Fact]
    public async Task Read_by_id_only_for_permitted_patients()
    {
        await _auditor.RecordAsync(Access(1, "mine"), default);
        await _auditor.RecordAsync(Access(2, "other"), default);
        var r = await _auditor.SearchAuditEventsAsync(Get("AuditEvent/1"), ["mine"], default);
        Assert.Equal(200, r.Status);
        Assert.Equal("1", (string?)Body(r)["id"]);
        // Someone else's record and a record that does not exist look the same.
        Assert.Equal(404, (await _auditor.SearchAuditEventsAsync(Get("AuditEvent/2"), ["mine"], default)).Status);
        Assert.Equal(404, (await _auditor.SearchAuditEventsAsync(Get("AuditEvent/99"), ["mine"], default)).Status);
        Assert.Equal(404, (await _auditor.SearchAuditEventsAsync(Get("AuditEvent/abc"), ["mine"], default)).Status);
    }

    [Fact]
    public async Task Summary_groups_by_organisation_and_person_with_emergency_first()
    {
        await _auditor.RecordAsync(Access(1, "p", hpr: "1111111", org: "983710018"), default);
        await _auditor.RecordAsync(Access(2, "p", hpr: "1111111", org: "983710018", action: AuditAction.Update), default);
        await _auditor.RecordAsync(Access(3, "p", hpr: "2222222", org: "974589095", emergency: true), default);
        await _auditor.RecordAsync(Access(9, "p", hpr: "3333333", org: "983710018"), default);
        await _auditor.RecordAsync(Access(10, "not-permitted", hpr: "4444444"), default);

        var r = await _auditor.SearchAuditEventsAsync(Get("AuditEvent/$access-summary", ("patient", "p")), ["p"], default);
        Assert.Equal(200, r.Status);
        var parameters = Body(r);
        Assert.Equal("Parameters", (string?)parameters["resourceType"]);
        var lines = parameters["parameter"]!.AsArray().Where(p => (string?)p!["name"] == "line")
            .Select(p => p!["part"]!.AsArray().ToDictionary(x => (string)x!["name"]!, x => x!)).ToList();
        Assert.Equal(3, lines.Count);
        // Emergency first, then most recent.
        Assert.Equal("2222222", (string?)lines[0]["hpr"]["valueIdentifier"]!["value"]);
        Assert.True((bool)lines[0]["emergency"]["valueBoolean"]!);
        Assert.Equal("Unconscious on arrival", (string?)lines[0]["emergencyReason"]["valueString"]);
        Assert.Equal("3333333", (string?)lines[1]["hpr"]["valueIdentifier"]!["value"]);
        Assert.Equal("1111111", (string?)lines[2]["hpr"]["valueIdentifier"]!["value"]);
        Assert.Equal(2, (int)lines[2]["accesses"]["valueInteger"]!);
        Assert.Equal(1, (int)lines[2]["writes"]["valueInteger"]!);
        Assert.Equal("983710018", (string?)lines[2]["organisation"]["valueIdentifier"]!["value"]);

        // Not permitted: an empty summary, like a patient with no accesses.
        var hidden = Body(await _auditor.SearchAuditEventsAsync(Get("AuditEvent/$access-summary", ("patient", "not-permitted")), ["p"], default));
        Assert.Null(hidden["parameter"]);
    }

    [Fact]
    public async Task Summary_leaves_out_the_citizens_own_accesses()
    {
        const string pid = "01017012345";
        await _auditor.RecordAsync(Access(1, "p") with { AgentKind = PrincipalKind.Citizen, PersonPid = pid, HprNumber = null, Organisation = null }, default);
        await _auditor.RecordAsync(Access(2, "p"), default);
        var req = Get("AuditEvent/$access-summary", ("patient", "p"));
        req.Caller = new Principal { Kind = PrincipalKind.Citizen, Pid = pid };
        var lines = Body(await _auditor.SearchAuditEventsAsync(req, ["p"], default))["parameter"]!.AsArray()
            .Where(p => (string?)p!["name"] == "line").ToList();
        Assert.Single(lines);
    }

    [Fact]
    public async Task Concurrent_appends_are_grouped_and_the_chain_verifies()
    {
        const int n = 400;
        await Task.WhenAll(Enumerable.Range(1, n).Select(i => Task.Run(() => _auditor.RecordAsync(Access(i, "p" + (i % 7)), default))));
        var v = await _auditor.Log.VerifyAsync();
        Assert.True(v.Ok, v.Message);
        Assert.Equal(n, v.RecordsChecked);
        Assert.True(_auditor.Batches < n, $"{_auditor.Batches} transactions for {n} concurrent appends: nothing was grouped");
        // Every sequence number once: no record lost or duplicated under concurrency.
        var total = 0;
        for (var p = 0; p < 7; p++) total += (await _auditor.Log.QueryAsync(["p" + p], null, null, null, n)).Count;
        Assert.Equal(n, total);
    }

    [Fact]
    public void Local_key_is_created_once_with_owner_only_permissions()
    {
        var dir = Path.Combine(_dir, "keys");
        using var first = AuditKeyFile.LoadOrCreate(null, dir, out var local);
        Assert.True(local);
        var path = Path.Combine(dir, AuditKeyFile.LocalName);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        using var again = AuditKeyFile.LoadOrCreate(null, dir, out _);
        Assert.Equal(first.KeyId, again.KeyId);
        using var configured = AuditKeyFile.LoadOrCreate(path, Path.Combine(_dir, "elsewhere"), out var local2);
        Assert.False(local2);
        Assert.Equal(first.KeyId, configured.KeyId);
        Assert.Throws<FileNotFoundException>(() => AuditKeyFile.LoadOrCreate(Path.Combine(dir, "missing.pem"), dir, out _));
    }

    /// <summary>Appends/s one at a time vs. 32 concurrent writers (figures for docs/performance.md; run with FJ_AUDIT_BENCH=1).</summary>
    [Fact]
    public async Task Throughput_single_vs_concurrent()
    {
        if (Environment.GetEnvironmentVariable("FJ_AUDIT_BENCH") != "1") return;
        output.WriteLine("sqlite: " + await MeasureAsync(_auditor));
    }

    [PostgresFact]
    public async Task Throughput_single_vs_concurrent_postgres()
    {
        if (Environment.GetEnvironmentVariable("FJ_AUDIT_BENCH") != "1") return;
        var pg = Fellesjournal.Storage.Tests.Postgres.PostgresServer.Instance;
        using var log = new PostgresAuditLog(pg.ConnectionString(pg.CreateDatabase()), AuditCheckpointSigner.Generate());
        await using var auditor = new AccessAuditor(log);
        output.WriteLine("postgres: " + await MeasureAsync(auditor));
    }

    private static async Task<string> MeasureAsync(AccessAuditor auditor)
    {
        const int n = 2000;
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < n; i++) await auditor.RecordAsync(Access(i, "p"), default);
        var single = n / sw.Elapsed.TotalSeconds;

        var batchesBefore = auditor.Batches;
        sw.Restart();
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) <= n * 5) await auditor.RecordAsync(Access(1, "p"), default);
        })));
        var concurrent = n * 5 / sw.Elapsed.TotalSeconds;
        var v = await auditor.Log.VerifyAsync();
        Assert.True(v.Ok, v.Message);
        return $"single: {single:F0} appends/s; 32 concurrent: {concurrent:F0} appends/s " +
               $"({(double)n * 5 / (auditor.Batches - batchesBefore):F1} records per transaction); load {File.ReadAllText("/proc/loadavg").Trim()}";
    }
}
