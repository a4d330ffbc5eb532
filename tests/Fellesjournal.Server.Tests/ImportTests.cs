using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Server.Cli;
using Fellesjournal.Server.Import;
using Fellesjournal.Server.Store;
using Fellesjournal.Server.Validation;

namespace Fellesjournal.Server.Tests;

public sealed class ImportTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fj-import-" + Guid.NewGuid().ToString("N"));
    private string Data => Path.Combine(_dir, "data");

    public ImportTests() => Directory.CreateDirectory(Path.Combine(_dir, "in"));

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private string WriteInput()
    {
        var input = Path.Combine(_dir, "in");
        var lines = new List<string>();
        for (var i = 0; i < 25; i++) lines.Add(Fhir.Patient($"imp-{i}", $"Family{i}").ToJsonString());
        lines.Add("""{"resourceType":"Patient","id":"bad-1","nmae":[]}""");
        lines.Add("not json at all");
        lines.Add("""{"resourceType":"Nope","id":"x"}""");
        lines.Add("""{"resourceType":"Observation","status":"final","code":{"text":"no id"}}""");
        File.WriteAllLines(Path.Combine(input, "a.ndjson"), lines);
        var bundle = new JsonObject
        {
            ["resourceType"] = "Bundle", ["type"] = "transaction",
            ["entry"] = new JsonArray(
                new JsonObject
                {
                    ["fullUrl"] = "urn:uuid:7f0c1a52-7a53-4d7e-9f5e-0c2d9a1b3c4d",
                    ["resource"] = new JsonObject { ["resourceType"] = "Patient", ["name"] = new JsonArray(new JsonObject { ["family"] = "Urn" }) },
                    ["request"] = new JsonObject { ["method"] = "POST", ["url"] = "Patient" },
                },
                new JsonObject
                {
                    ["resource"] = new JsonObject
                    {
                        ["resourceType"] = "Observation", ["id"] = "imp-obs", ["status"] = "final", ["code"] = new JsonObject { ["text"] = "x" },
                        ["subject"] = new JsonObject { ["reference"] = "urn:uuid:7f0c1a52-7a53-4d7e-9f5e-0c2d9a1b3c4d" },
                    },
                    ["request"] = new JsonObject { ["method"] = "PUT", ["url"] = "Observation/imp-obs" },
                }),
        };
        File.WriteAllText(Path.Combine(input, "b.json"), bundle.ToJsonString());
        return input;
    }

    [Fact]
    public async Task Import_loads_validates_reports_and_is_idempotent()
    {
        var input = WriteInput();
        var defs = FhirDefinitions.Default;
        Importer.Report first, second;
        await using (var store = StoreFactory.Open(Data))
        {
            var importer = new Importer(store, defs, Validators.CreateDefault(defs), batchSize: 10);
            first = await importer.ImportAsync(Importer.Files(input));
            Assert.Equal(28, first.Loaded);
            Assert.Equal(3, first.Rejected.Count);
            Assert.Contains(first.Rejected, r => r.Source.EndsWith("a.ndjson:26 (Patient/bad-1)") && r.Reason.Contains("Patient.nmae"));
            Assert.Contains(first.Rejected, r => r.Source.EndsWith("a.ndjson:27"));
            Assert.Contains(first.Rejected, r => r.Reason.Contains("Nope"));

            var obs = await store.GetAsync("Observation", "imp-obs");
            var subject = (string)JsonNode.Parse(obs!.Json.Span)!["subject"]!["reference"]!;
            Assert.StartsWith("Patient/", subject);
            Assert.NotNull(await store.GetAsync("Patient", subject["Patient/".Length..]));

            var again = new Importer(store, defs, Validators.CreateDefault(defs), batchSize: 10);
            second = await again.ImportAsync(Importer.Files(Path.Combine(input, "a.ndjson")));
            Assert.Equal(1, second.Loaded); // only the Observation without id is new again
            Assert.Equal(25, second.Unchanged);
            Assert.Equal(1, (await store.GetAsync("Patient", "imp-3"))!.VersionId);
        }
        Assert.Equal(1, await ImportCommand.RunAsync([input, "--data", Data]));
        Assert.Equal(2, await ImportCommand.RunAsync(["--data", Data]));
        Assert.Equal(2, await ImportCommand.RunAsync([Path.Combine(_dir, "missing.ndjson"), "--data", Data]));
    }

    [Fact]
    public async Task Import_stores_lines_as_given_and_splits_them_like_a_stream_reader()
    {
        var file = Path.Combine(_dir, "in", "c.ndjson");
        var text = "\uFEFF" +
                   """{"resourceType":"Patient","id":"as-given","name":[{"family":"Ås","given":["\u00d8ystein"]}]}""" + "\r\n" +
                   "   \r\n" +
                   """{"resourceType":"Patient","id":"dup","active":true,"active":false}""" + "\r" +
                   """{"resourceType":"Patient","id":"with-meta","meta":{"versionId":"7","lastUpdated":"not a date"},"active":true}""" + "\n" +
                   "\n" +
                   """{"resourceType":"Patient","id":"bad-2","gender":"sometimes"}""";
        File.WriteAllText(file, text, new System.Text.UTF8Encoding(false));
        var defs = FhirDefinitions.Default;
        await using var store = StoreFactory.Open(Data);
        var report = await new Importer(store, defs, Validators.CreateDefault(defs)).ImportAsync([file]);

        Assert.Equal(2, report.Loaded);
        Assert.Equal(2, report.Rejected.Count);
        Assert.Contains(report.Rejected, r => r.Source.EndsWith("c.ndjson:3") && r.Reason.Contains("not valid JSON"));
        Assert.Contains(report.Rejected, r => r.Source.EndsWith("c.ndjson:6 (Patient/bad-2)") && r.Reason.Contains("Patient.gender"));

        // The line's own bytes are stored (non-ASCII unescaped, escapes as written), with only meta added.
        var stored = System.Text.Encoding.UTF8.GetString((await store.GetAsync("Patient", "as-given"))!.Json.Span);
        Assert.StartsWith("""{"resourceType":"Patient","meta":{"versionId":"1",""", stored);
        Assert.EndsWith(""","id":"as-given","name":[{"family":"Ås","given":["\u00d8ystein"]}]}""", stored);
        // Client versionId/lastUpdated are dropped before validation, as before.
        var withMeta = (await store.GetAsync("Patient", "with-meta"))!;
        Assert.Equal(1, withMeta.VersionId);
        Assert.DoesNotContain("not a date", System.Text.Encoding.UTF8.GetString(withMeta.Json.Span));
    }

    [Fact]
    public async Task A_resource_twice_in_one_batch_keeps_input_order_while_the_batch_is_written_in_key_order()
    {
        // Mixed types, ids out of order, and "z-1" three times with different content inside one batch: the store gets
        // the batch sorted by type and id, and "z-1" must still end as its last line, at version 3.
        var file = Path.Combine(_dir, "in", "mixed.ndjson");
        File.WriteAllLines(file,
        [
            Fhir.Patient("z-1", "First").ToJsonString(),
            """{"resourceType":"Observation","id":"o-2","status":"final","code":{"text":"b"}}""",
            Fhir.Patient("a-1", "Alpha").ToJsonString(),
            Fhir.Patient("z-1", "Second").ToJsonString(),
            """{"resourceType":"Observation","id":"o-1","status":"final","code":{"text":"a"}}""",
            Fhir.Patient("z-1", "Third").ToJsonString(),
        ]);
        var defs = FhirDefinitions.Default;
        await using var store = StoreFactory.Open(Data);
        var report = await new Importer(store, defs, Validators.CreateDefault(defs)).ImportAsync([file]);

        Assert.Equal(6, report.Loaded);
        var z = (await store.GetAsync("Patient", "z-1"))!;
        Assert.Equal(3, z.VersionId);
        Assert.Contains("Third", System.Text.Encoding.UTF8.GetString(z.Json.Span));
        var first = (await store.GetVersionAsync("Patient", "z-1", 1))!;
        Assert.Contains("First", System.Text.Encoding.UTF8.GetString(first.Json.Span));
        Assert.Equal(1, (await store.GetAsync("Observation", "o-2"))!.VersionId);
    }

    [PostgresFact]
    public async Task Import_into_postgres_loads_and_is_idempotent()
    {
        var input = WriteInput();
        var defs = FhirDefinitions.Default;
        var cs = Storage.Tests.Postgres.PostgresServer.Instance.ConnectionString(Storage.Tests.Postgres.PostgresServer.Instance.CreateDatabase());
        await using var store = StoreFactory.Open(Data, "postgres", cs);
        var first = await new Importer(store, defs, Validators.CreateDefault(defs), batchSize: 10).ImportAsync(Importer.Files(input));
        Assert.Equal(28, first.Loaded);
        Assert.Equal(3, first.Rejected.Count);
        // The import ends with ANALYZE: the first queries after it are planned for the loaded rows, not for empty tables.
        await using (var c = new Npgsql.NpgsqlConnection(cs))
        {
            await c.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand("SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'resource_version'", c);
            Assert.True((bool)(await cmd.ExecuteScalarAsync())!);
        }
        var second = await new Importer(store, defs, Validators.CreateDefault(defs), batchSize: 7).ImportAsync(Importer.Files(Path.Combine(input, "a.ndjson")));
        Assert.Equal(1, second.Loaded);
        Assert.Equal(25, second.Unchanged);
        Assert.Equal(1, (await store.GetAsync("Patient", "imp-3"))!.VersionId);
    }
}
