using Fellesjournal.Storage.Tests.Postgres;

namespace Fellesjournal.Server.Tests.Authorization;

/// <summary>A server with the matrix world written once through the API by a system client.</summary>
public class MatrixServer : IAsyncLifetime
{
    public ServerFixture Server { get; }

    public MatrixServer() : this("sqlite") { }

    // Without varsling: its notices land in the compartments asynchronously, and the rows assert exact sets.
    protected MatrixServer(string store) => Server = new() { DefaultToken = null, Store = store, Varsling = false };

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (Server.OnPostgres && PostgresServer.SkipReason is not null) return; // xUnit builds fixtures of skipped classes too
        var admin = Server.CreateClient().As(TestTokens.System());
        foreach (var r in MatrixWorld.Writes())
        {
            var resp = await admin.PutAsync($"/fhir/{r["resourceType"]}/{r["id"]}", Fhir.Json(r));
            Assert.True(resp.IsSuccessStatusCode, $"{r["resourceType"]}/{r["id"]}: {await resp.Content.ReadAsStringAsync()}");
        }
        Client = Server.CreateClient();
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
