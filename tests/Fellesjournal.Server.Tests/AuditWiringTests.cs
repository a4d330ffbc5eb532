using Fellesjournal.Server.Audit;
using Fellesjournal.Server.Http;
using Microsoft.Extensions.DependencyInjection;
using static Fellesjournal.Server.Tests.AuditTestData;

namespace Fellesjournal.Server.Tests;

/// <summary>The server's container gives the access log in the data directory, with a local key beside it.</summary>
public sealed class AuditWiringTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Server_resolves_the_access_log_in_its_data_directory()
    {
        _ = server.CreateClient(); // builds the host
        var audit = server.Services.GetRequiredService<IAccessAudit>();
        Assert.Same(server.Services.GetRequiredService<AccessAuditor>(), audit);
        await audit.RecordAsync(Access(1, "wired"), default);
        Assert.True(File.Exists(Path.Combine(server.DataDir, AccessAuditor.FileName)));
        Assert.True(File.Exists(Path.Combine(server.DataDir, AuditKeyFile.LocalName)));
        Assert.True(File.Exists(Path.Combine(server.DataDir, AuditKeyFile.PublicName)));
        var v = await ((AccessAuditor)audit).Log.VerifyAsync();
        Assert.True(v.Ok, v.Message);
        Assert.Equal(1, v.RecordsChecked);
    }
}
