using Fellesjournal.Storage.Postgres;
using Npgsql;

namespace Fellesjournal.Storage.Tests.Postgres;

public class PostgresMigrationTests
{
    [Theory, PostgresStore]
    public async Task Servers_starting_at_once_apply_each_migration_once(string store)
    {
        Assert.Equal("postgres", store);
        var server = PostgresServer.Instance;
        var db = server.CreateDatabase();
        try
        {
            var cs = server.ConnectionString(db);
            var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => PostgresResourceStore.OpenAsync(cs))));
            foreach (var s in stores) await s.DisposeAsync();
            await using var ds = NpgsqlDataSource.Create(cs);
            Assert.Equal(PostgresMigrator.Scripts.Max(s => s.Version), await PostgresMigrator.CurrentVersionAsync(ds));
            await using var cmd = ds.CreateCommand("SELECT count(*), count(DISTINCT version) FROM schema_version");
            await using var r = await cmd.ExecuteReaderAsync();
            await r.ReadAsync();
            Assert.Equal(PostgresMigrator.Scripts.Count, r.GetInt64(0));
            Assert.Equal(r.GetInt64(0), r.GetInt64(1));
            // Running again applies nothing.
            Assert.Empty(await PostgresMigrator.MigrateAsync(ds));
        }
        finally
        {
            server.DropDatabase(db);
        }
    }
}
