using Fellesjournal.Storage.Tests.Postgres;
using static Fellesjournal.Storage.Tests.TempStore;

namespace Fellesjournal.Storage.Tests.Access;

/// <summary>The compartment index the access semi-join seeks, on new and on existing databases.</summary>
public class AccessSchemaTests
{
    [Theory, SqliteStore, PostgresStore]
    public async Task The_compartment_index_exists(string store)
    {
        await using var t = new TempStore(store);
        await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"p1"}""")]);
        var sql = store == "sqlite"
            ? "SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'ix_rv_patient'"
            : "SELECT indexname FROM pg_indexes WHERE indexname = 'ix_rv_patient'";
        Assert.Single(t.Query(sql));
    }

    [Fact]
    public async Task An_existing_sqlite_database_gets_the_index_and_the_schema_version_on_open()
    {
        await using var t = new TempStore("sqlite");
        await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"p1"}""")]);
        await t.Store.DisposeAsync();
        // Make it look like a version-2 database.
        using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(t.Dir, Sqlite.SqliteResourceStore.DefaultFileName)};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "DROP INDEX ix_rv_patient; UPDATE store_info SET value = '2' WHERE key = 'schema_version'";
            cmd.ExecuteNonQuery();
        }
        await t.ReopenAsync();
        Assert.Single(t.Query("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'ix_rv_patient'"));
        Assert.Equal("4", t.Query("SELECT value FROM store_info WHERE key = 'schema_version'")[0][0]);
        Assert.NotNull(await t.Store.GetAsync("Patient", "p1", AccessReadTests.Only("p1")));
    }
}
