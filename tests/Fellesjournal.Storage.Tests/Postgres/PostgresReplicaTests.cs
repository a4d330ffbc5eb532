using System.Text;
using Fellesjournal.Storage.Postgres;

namespace Fellesjournal.Storage.Tests.Postgres;

/// <summary>Reads from a real streaming replica, with read-your-writes for the store's own writes.</summary>
public class PostgresReplicaTests
{
    private static ResourceWrite Patient(string id) =>
        new("Patient", id, Encoding.UTF8.GetBytes($$"""{"resourceType":"Patient","id":"{{id}}","gender":"female"}"""));

    private static void Sql(PostgresServer s, string db, string sql)
    {
        using var c = new Npgsql.NpgsqlConnection(s.ConnectionString(db));
        c.Open();
        using var cmd = new Npgsql.NpgsqlCommand(sql, c);
        cmd.ExecuteNonQuery();
    }

    [Theory, PostgresStore]
    public async Task Reads_go_to_the_replica_except_this_stores_unreplayed_writes(string store)
    {
        Assert.Equal("postgres", store);
        using var primary = new PostgresServer();
        var db = primary.CreateDatabase();
        await using var writerOnly = await PostgresResourceStore.OpenAsync(primary.ConnectionString(db));
        await writerOnly.MergeAsync([Patient("base")]);
        using var replica = PostgresServer.ReplicaOf(primary);
        await using var withReplica = await PostgresResourceStore.OpenAsync(primary.ConnectionString(db), migrate: false,
            readConnectionString: replica.ConnectionString(db));
        async Task<bool> Sees(string id) => await withReplica.GetAsync("Patient", id) is not null;
        Assert.True(await Sees("base"));

        // Freeze the replica: another server's new write is then invisible through it, which proves reads use it.
        Sql(replica, db, "SELECT pg_wal_replay_pause()");
        await writerOnly.MergeAsync([Patient("other")]);
        Assert.False(await Sees("other"));
        Assert.Empty((await withReplica.SearchAsync(new SearchQuery("Patient", [new SearchCriterion("_id", null, ["other"])]))).Resources);

        // This store's own write is visible at once (the replica has not replayed it: the read goes to the primary).
        await withReplica.MergeAsync([Patient("mine")]);
        Assert.True(await Sees("mine"));
        Assert.True(await Sees("other")); // the primary answers while the replica is behind this store's write

        Sql(replica, db, "SELECT pg_wal_replay_resume()");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        await using var fresh = await PostgresResourceStore.OpenAsync(primary.ConnectionString(db), migrate: false,
            readConnectionString: replica.ConnectionString(db));
        while (await fresh.GetAsync("Patient", "mine") is null && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.NotNull(await fresh.GetAsync("Patient", "mine"));
    }
}
