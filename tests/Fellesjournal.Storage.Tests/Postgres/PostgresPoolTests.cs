using Fellesjournal.Storage.Postgres;
using static Fellesjournal.Storage.Tests.Postgres.PostgresFailureTests;

namespace Fellesjournal.Storage.Tests.Postgres;

/// <summary>The store on a small connection pool (<see cref="PostgresResourceStore.DefaultPoolSize"/>).</summary>
public class PostgresPoolTests
{
    /// <summary>
    /// Transactions that wait for the write lock must not hold pooled connections: with two connections and four
    /// transactions, the one holding the lock still gets a connection for a read it makes outside the transaction
    /// (as the server's policy reads facts inside a transaction Bundle). Waiting inside the database instead, the
    /// waiters took both connections and the lock holder's read failed after the pool's timeout.
    /// </summary>
    [Theory, PostgresStore]
    public async Task Queued_transactions_leave_a_connection_for_the_running_one(string store)
    {
        Assert.Equal("postgres", store);
        var server = PostgresServer.Instance;
        var db = server.CreateDatabase();
        try
        {
            var cs = server.ConnectionString(db).Replace("Maximum Pool Size=20", "Maximum Pool Size=2").Replace("Timeout=5", "Timeout=3");
            await using var s = await PostgresResourceStore.OpenAsync(cs);
            await s.MergeAsync([Patient("shared", 0)]);
            var runs = Enumerable.Range(0, 4).Select(i => Task.Run(() => s.InTransactionAsync(async tx =>
            {
                await Task.Delay(100);                                  // the others queue meanwhile
                var outside = await s.GetAsync("Patient", "shared");    // a second connection from the pool
                Assert.NotNull(outside);
                return (await tx.MergeAsync([Patient("p" + i, i)]))[0].VersionId;
            }))).ToArray();
            Assert.All(await Task.WhenAll(runs), v => Assert.Equal(1, v));
            for (var i = 0; i < 4; i++) Assert.NotNull(await s.GetAsync("Patient", "p" + i));
        }
        finally
        {
            server.DropDatabase(db);
        }
    }
}
