using Fellesjournal.Server.Audit;
using Fellesjournal.Server.Http;
using Fellesjournal.Trust.Audit;
using Microsoft.Extensions.DependencyInjection;
using static Fellesjournal.Server.Tests.AuditTestData;

namespace Fellesjournal.Server.Tests;

/// <summary>The server's container gives the access log in the data directory (SQLite store) or in the store's
/// database (PostgreSQL store), with a local key in the data directory.</summary>
public class AuditWiringTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Server_resolves_the_access_log_in_its_data_directory()
    {
        _ = server.CreateClient(); // builds the host
        var audit = server.Services.GetRequiredService<IAccessAudit>();
        Assert.Same(server.Services.GetRequiredService<AccessAuditor>(), audit);
        await audit.RecordAsync(Access(1, "wired"), default);
        if (server.OnPostgres) Assert.IsType<PostgresAuditLog>(((AccessAuditor)audit).Log);
        else Assert.True(File.Exists(Path.Combine(server.DataDir, AccessAuditor.FileName)));
        Assert.Equal(server.OnPostgres, File.Exists(Path.Combine(server.DataDir, AccessAuditor.FileName)) is false);
        Assert.True(File.Exists(Path.Combine(server.DataDir, AuditKeyFile.LocalName)));
        Assert.True(File.Exists(Path.Combine(server.DataDir, AuditKeyFile.PublicName)));
        var v = await ((AccessAuditor)audit).Log.VerifyAsync();
        Assert.True(v.Ok, v.Message);
        Assert.Equal(1, v.RecordsChecked);
    }
}
