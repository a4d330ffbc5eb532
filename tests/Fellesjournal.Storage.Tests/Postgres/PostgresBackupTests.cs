using Fellesjournal.Storage.Postgres;
using static Fellesjournal.Storage.Tests.TempStore;

namespace Fellesjournal.Storage.Tests.Postgres;

public class PostgresBackupTests
{
    [Theory, PostgresStore]
    public async Task Dump_and_restore_give_identical_search_results_and_history(string store)
    {
        await using var t = new TempStore(store);
        var writes = Enumerable.Range(0, 60).Select(i => Put($$"""{"resourceType":"Observation","id":"o{{i}}","status":"{{(i % 3 == 0 ? "final" : "preliminary")}}","code":{"coding":[{"system":"http://loinc.org","code":"{{(i % 2 == 0 ? "8480-6" : "8310-5")}}"}]},"subject":{"reference":"Patient/p{{i % 7}}"},"effectiveDateTime":"2024-05-{{1 + i % 28:D2}}","valueQuantity":{"value":{{100 + i}},"unit":"mmHg"} }""")).ToList();
        await t.Store.MergeAsync(writes);
        await t.Store.MergeAsync([new ResourceWrite("Observation", "o5", null), writes[7]]);
        var server = PostgresServer.Instance;
        var dump = Path.Combine(Path.GetTempPath(), $"fj-dump-{Guid.NewGuid():N}.pgdump");
        var restored = server.CreateDatabase();
        try
        {
            server.RunClient("pg_dump", "-Fc", "-f", dump, t.Database!);
            server.RunClient("pg_restore", "-d", restored, dump);
            await using var copy = await PostgresResourceStore.OpenAsync(server.ConnectionString(restored));
            SearchQuery[] queries =
            [
                new("Observation", [new SearchCriterion("code", null, ["http://loinc.org|8480-6"])], Count: 100),
                new("Observation", [new SearchCriterion("subject", null, ["Patient/p3"]), new SearchCriterion("status", null, ["final"])], Count: 100),
                new("Observation", [new SearchCriterion("date", null, ["ge2024-05-10"]), new SearchCriterion("value-quantity", null, ["gt130"])], Count: 100),
                new("Observation", [], Count: 7, IncludeTotal: true),
            ];
            foreach (var q in queries)
            {
                var a = await t.Store.SearchAsync(q);
                var b = await copy.SearchAsync(q);
                Assert.NotEmpty(a.Resources);
                Assert.Equal(a.Total, b.Total);
                Assert.Equal(a.NextCursor, b.NextCursor);
                Assert.Equal(a.Resources.Select(Text), b.Resources.Select(Text));
            }
            var h1 = await t.Store.HistoryAsync(new HistoryQuery(Count: 1000));
            var h2 = await copy.HistoryAsync(new HistoryQuery(Count: 1000));
            Assert.Equal(h1.Entries.Select(e => (e.Id, e.VersionId, e.IsDeleted, e.LastUpdated)), h2.Entries.Select(e => (e.Id, e.VersionId, e.IsDeleted, e.LastUpdated)));
            // The restored database takes writes and continues the sequences.
            Assert.Equal(3, (await copy.MergeAsync([writes[7]]))[0].VersionId);
        }
        finally
        {
            File.Delete(dump);
            server.DropDatabase(restored);
        }
    }
}
