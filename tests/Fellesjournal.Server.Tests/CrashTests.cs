using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Fellesjournal.Server.Tests;

/// <summary>
/// Durability: a child server process is killed with SIGKILL while clients write. After a restart
/// every acknowledged (2xx) write is present, transactions are all-or-nothing, and SQLite's
/// integrity check passes.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "fj-crash-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_data, true); } catch (IOException) { }
    }

    private sealed record Ack(string Type, string Id, long Version);

    [Fact]
    public async Task Acknowledged_writes_survive_sigkill()
    {
        var acked = new ConcurrentBag<Ack>();
        var transactions = new ConcurrentBag<int>(); // every transaction attempted (acked or not)
        var rnd = new Random(12345);
        var txCounter = 0;
        const int Cycles = 3;
        for (var cycle = 0; cycle < Cycles; cycle++)
        {
            var port = FreePort();
            using var child = StartChild(port);
            var baseUrl = $"http://127.0.0.1:{port}";
            using var c = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(10) };
            await WaitUntilUp(c, child);
            // Everything acknowledged before this crash must be there after the previous one.
            await VerifyAsync(c, acked, transactions);

            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                var n = 0;
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        if (n++ % 5 == 4)
                        {
                            var tx = Interlocked.Increment(ref txCounter);
                            transactions.Add(tx);
                            var entries = new JsonArray();
                            for (var k = 0; k < 5; k++)
                                entries.Add(new JsonObject
                                {
                                    ["resource"] = Fhir.Patient($"tx-{tx}-{k}"),
                                    ["request"] = new JsonObject { ["method"] = "PUT", ["url"] = $"Patient/tx-{tx}-{k}" },
                                });
                            var bundle = new JsonObject { ["resourceType"] = "Bundle", ["type"] = "transaction", ["entry"] = entries };
                            var r = await c.PostAsync("/fhir", Fhir.Json(bundle));
                            if (r.IsSuccessStatusCode)
                                for (var k = 0; k < 5; k++) acked.Add(new Ack("Patient", $"tx-{tx}-{k}", 1));
                        }
                        else
                        {
                            var r = await c.PostAsync("/fhir/Observation", Fhir.Json(new JsonObject
                            {
                                ["resourceType"] = "Observation", ["status"] = "final", ["code"] = new JsonObject { ["text"] = $"w{w}-{n}" },
                            }));
                            if (r.StatusCode == HttpStatusCode.Created)
                            {
                                var body = await Fhir.Body(r);
                                acked.Add(new Ack("Observation", (string)body["id"]!, long.Parse((string)body["meta"]!["versionId"]!)));
                            }
                        }
                    }
                    catch (HttpRequestException) { }
                    catch (TaskCanceledException) { }
                }
            })).ToArray();

            await Task.Delay(rnd.Next(500, 2000));
            child.Kill(); // SIGKILL on Unix: no shutdown hooks run
            await child.WaitForExitAsync();
            stop.Cancel();
            await Task.WhenAll(writers);
            output.WriteLine($"cycle {cycle}: {acked.Count} acknowledged writes so far");
        }

        var finalPort = FreePort();
        using (var last = StartChild(finalPort))
        {
            using var c = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{finalPort}") };
            await WaitUntilUp(c, last);
            await VerifyAsync(c, acked, transactions);
            last.Kill();
            await last.WaitForExitAsync();
        }
        Assert.True(acked.Count > 20, $"only {acked.Count} writes were acknowledged; the test did not exercise the server");

        await using var db = new SqliteConnection($"Data Source={Path.Combine(_data, "fellesjournal.db")};Pooling=False");
        await db.OpenAsync();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", (string?)await cmd.ExecuteScalarAsync());
    }

    /// <summary>Resource versions committed in a store file so far (0 while it does not exist or is busy). One
    /// connection is kept, so a tight loop sees a commit within a fraction of a millisecond.</summary>
    private static long CommittedVersions(string db, ref SqliteConnection? c)
    {
        if (!File.Exists(db)) return 0;
        try
        {
            if (c is null)
            {
                c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
                c.Open();
            }
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT count(*) FROM resource_version";
            return (long)cmd.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            // The schema is not there yet, or the file was locked for a moment: open afresh next time.
            c?.Dispose();
            c = null;
            return 0;
        }
    }

    [Fact]
    public async Task Killed_import_resumes_to_a_complete_consistent_store()
    {
        Directory.CreateDirectory(_data);
        var input = Path.Combine(_data, "patients.ndjson");
        // Several import transactions (5,000 resources each), so the kill lands between two of them.
        const int n = 20_000;
        await File.WriteAllLinesAsync(input, Enumerable.Range(0, n).Select(i => Fhir.Patient($"imp-{i}", $"F{i}").ToJsonString()));
        var dll = Path.Combine(AppContext.BaseDirectory, "fellesjournal.dll");
        var psi = new ProcessStartInfo("dotnet", $"\"{dll}\" import \"{input}\" --data \"{Path.Combine(_data, "db")}\"")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using (var child = Process.Start(psi)!)
        {
            child.OutputDataReceived += (_, _) => { };
            child.ErrorDataReceived += (_, _) => { };
            child.BeginOutputReadLine();
            child.BeginErrorReadLine();
            // Kill once the import has committed its first transaction, mid-way through (the WAL's size alone also
            // grows inside the first, uncommitted transaction of 5,000 resources).
            var file = Path.Combine(_data, "db", "fellesjournal.db");
            var sw = Stopwatch.StartNew();
            SqliteConnection? probe = null;
            while (!child.HasExited && sw.Elapsed < TimeSpan.FromSeconds(60) && CommittedVersions(file, ref probe) == 0)
                Thread.Sleep(1);
            if (!child.HasExited) child.Kill();
            probe?.Dispose();
            await child.WaitForExitAsync();
        }
        var defs = Fellesjournal.Fhir.Definitions.FhirDefinitions.Default;
        await using (var store = Fellesjournal.Server.Store.StoreFactory.Open(Path.Combine(_data, "db")))
        {
            var importer = new Fellesjournal.Server.Import.Importer(store, defs, Fellesjournal.Server.Validation.Validators.CreateDefault(defs));
            var report = await importer.ImportAsync([input]);
            output.WriteLine($"after the kill: {report.Unchanged} already there, {report.Loaded} loaded on resume");
            Assert.Empty(report.Rejected);
            Assert.True(report.Unchanged > 0, "the import was killed before it wrote anything");
            Assert.True(report.Loaded > 0, "the import finished before it was killed");
            Assert.Equal(n, report.Loaded + report.Unchanged);
            var all = await store.SearchAsync(new Fellesjournal.Storage.SearchQuery("Patient", [], Count: 0, IncludeTotal: true));
            Assert.Equal(n, all.Total);
            foreach (var i in new[] { 0, n / 2, n - 1 })
                Assert.Equal(1, (await store.GetAsync("Patient", $"imp-{i}"))!.VersionId);
        }
        await using var db = new SqliteConnection($"Data Source={Path.Combine(_data, "db", "fellesjournal.db")};Pooling=False");
        await db.OpenAsync();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", (string?)await cmd.ExecuteScalarAsync());
    }

    private async Task VerifyAsync(HttpClient c, IEnumerable<Ack> acked, IEnumerable<int> transactions)
    {
        foreach (var a in acked)
        {
            var r = await c.GetAsync($"/fhir/{a.Type}/{a.Id}/_history/{a.Version}");
            Assert.True(r.StatusCode == HttpStatusCode.OK, $"acknowledged {a.Type}/{a.Id} v{a.Version} is missing after the crash: {(int)r.StatusCode}");
        }
        foreach (var tx in transactions)
        {
            var present = 0;
            for (var k = 0; k < 5; k++)
                if ((await c.GetAsync($"/fhir/Patient/tx-{tx}-{k}")).StatusCode == HttpStatusCode.OK) present++;
            Assert.True(present is 0 or 5, $"transaction {tx} is partially present ({present}/5)");
        }
    }

    private Process StartChild(int port)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "fellesjournal.dll");
        var psi = new ProcessStartInfo("dotnet", $"\"{dll}\" serve --dev-identity --data \"{_data}\" --urls http://127.0.0.1:{port}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.WriteLine("child: " + e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>Waits for the first successful write (start-up plus the validator's first-use cost).</summary>
    private static async Task WaitUntilUp(HttpClient c, Process child)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(60))
        {
            Assert.False(child.HasExited, "the server process exited during start-up");
            try
            {
                // The child has its own development issuer: get a token from it once it answers.
                if (c.DefaultRequestHeaders.Authorization is null) c.As(await TestTokens.FetchAsync(c));
                var warmUp = Fhir.Json(new JsonObject { ["resourceType"] = "Observation", ["status"] = "final", ["code"] = new JsonObject { ["text"] = "warm-up" } });
                if ((await c.PostAsync("/fhir/Observation", warmUp)).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { } // the first write pays the validator's first use; on a loaded machine it can exceed the client timeout
            await Task.Delay(100);
        }
        throw new TimeoutException("server did not start");
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
