using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fellesjournal.Storage;
using Fellesjournal.Storage.Tests.Postgres;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Fellesjournal.Server.Tests;

/// <summary>The server in-process (TestServer) on a fresh store: SQLite in a temp data directory, or with
/// <see cref="Store"/> "postgres" a fresh database on the test run's shared PostgreSQL server (the data directory
/// still holds the audit key). The database is created when the host is built and dropped on dispose.</summary>
public class ServerFixture : WebApplicationFactory<Program>
{
    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "fj-server-" + Guid.NewGuid().ToString("N"));
    public long? MaxBodyBytes { get; init; }

    /// <summary>"sqlite" (default) or "postgres".</summary>
    public string Store { get; init; } = "sqlite";

    public bool OnPostgres => Store == "postgres";

    /// <summary>The PostgreSQL database of this fixture, once the host is built.</summary>
    public string? Database { get; private set; }

    /// <summary>The token the clients from <c>CreateClient()</c> carry; null for none.</summary>
    public string? DefaultToken { get; init; } = TestTokens.System();

    /// <summary>Whether emergency accesses notify the patient (<c>Trust:Varsling</c>); on by default, as in production.</summary>
    public bool Varsling { get; init; } = true;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        if (!Varsling) builder.UseSetting(Fellesjournal.Server.Audit.CitizenNotifier.ConfigKey, "false");
        builder.UseSetting("Fellesjournal:DataDir", DataDir);
        builder.UseSetting("Fellesjournal:DevIdentity", "true");
        builder.ConfigureTestServices(s => s.AddSingleton(TestTokens.Issuer));
        if (MaxBodyBytes is { } m) builder.UseSetting("Fellesjournal:MaxBodyBytes", m.ToString());
        if (OnPostgres)
        {
            // Lazily, so a fixture of a skipped class (PostgreSQL absent) never touches the server.
            Database ??= PostgresServer.Instance.CreateDatabase();
            builder.UseSetting("Fellesjournal:Store", "postgres");
            builder.UseSetting("Fellesjournal:Connection", PostgresServer.Instance.ConnectionString(Database));
        }
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        if (DefaultToken is not null) client.As(DefaultToken);
    }

    /// <summary>A client carrying a token for the demo persona.</summary>
    public HttpClient ClientFor(string persona, Fellesjournal.Trust.Identity.MintOptions? options = null) =>
        CreateClient().As(TestTokens.For(persona, options));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try { Directory.Delete(DataDir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        if (Database is not null) PostgresServer.Instance.DropDatabase(Database);
    }
}

/// <summary>The class fixture of the PostgreSQL runs (a type of its own, so xUnit keeps it apart from the SQLite one).</summary>
public sealed class PostgresServerFixture : ServerFixture
{
    public PostgresServerFixture() => Store = "postgres";
}

/// <summary>Helpers for FHIR HTTP calls in tests.</summary>
public static class Fhir
{
    public static StringContent Json(string json, string mediaType = "application/fhir+json") =>
        new(json, Encoding.UTF8, mediaType);

    public static StringContent Json(JsonNode node) => Json(node.ToJsonString());

    public static async Task<JsonObject> Body(HttpResponseMessage r)
    {
        var text = await r.Content.ReadAsStringAsync();
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Asserts the status and that the body is an OperationOutcome with an error issue; returns it.</summary>
    public static async Task<JsonObject> AssertOutcome(HttpResponseMessage r, int status)
    {
        var text = await r.Content.ReadAsStringAsync();
        Assert.True((int)r.StatusCode == status, $"expected {status}, got {(int)r.StatusCode}: {text}");
        Assert.Equal("application/fhir+json", r.Content.Headers.ContentType?.MediaType);
        var oo = JsonNode.Parse(text)!.AsObject();
        Assert.Equal("OperationOutcome", (string?)oo["resourceType"]);
        Assert.NotEmpty(oo["issue"]!.AsArray());
        return oo;
    }

    public static JsonObject Patient(string? id = null, string family = "Nordmann")
    {
        var p = new JsonObject { ["resourceType"] = "Patient" };
        if (id is not null) p["id"] = id;
        p["name"] = new JsonArray(new JsonObject { ["family"] = family, ["given"] = new JsonArray("Kari") });
        p["gender"] = "female";
        return p;
    }

    public static async Task<JsonObject> Create(HttpClient c, JsonObject resource)
    {
        var r = await c.PostAsync($"/fhir/{resource["resourceType"]}", Json(resource));
        Assert.Equal(201, (int)r.StatusCode);
        return await Body(r);
    }

    public static string ETag(HttpResponseMessage r) => r.Headers.ETag?.ToString() ?? "";

    public static HttpRequestMessage Request(HttpMethod m, string url, HttpContent? content = null, params (string, string)[] headers)
    {
        var req = new HttpRequestMessage(m, url) { Content = content };
        foreach (var (k, v) in headers) req.Headers.TryAddWithoutValidation(k, v);
        return req;
    }
}
