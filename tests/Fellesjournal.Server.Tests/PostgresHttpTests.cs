using System.Net;
using System.Net.Http.Headers;
using Fellesjournal.Storage.Tests.Postgres;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Fellesjournal.Server.Tests;

/// <summary>A fact that is reported as skipped (with the reason) when PostgreSQL is not installed.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public override string? Skip { get => PostgresServer.SkipReason; set { } }
}

/// <summary>The server on <c>--store postgres</c> over HTTP: CRUD, If-Match, search, history, and 503 while the
/// database is down. Runs its own PostgreSQL server, since it stops it.</summary>
public sealed class PostgresHttpTests
{
    [PostgresFact]
    public async Task Server_on_postgres_serves_fhir_and_answers_503_while_the_database_is_down()
    {
        using var pg = new PostgresServer();
        var db = pg.CreateDatabase();
        await using var f = new ServerFixture().WithWebHostBuilder(b =>
        {
            b.UseSetting("Fellesjournal:Store", "postgres");
            b.UseSetting("Fellesjournal:Connection", pg.ConnectionString(db));
        });
        var c = f.CreateClient();

        var created = await c.PutAsync("/fhir/Patient/pg1", Fhir.Json(Fhir.Patient("pg1", "Postgres")));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var update = new HttpRequestMessage(HttpMethod.Put, "/fhir/Patient/pg1") { Content = Fhir.Json(Fhir.Patient("pg1", "Berg")) };
        update.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\"", isWeak: true));
        Assert.Equal(HttpStatusCode.OK, (await c.SendAsync(update)).StatusCode);
        var stale = new HttpRequestMessage(HttpMethod.Put, "/fhir/Patient/pg1") { Content = Fhir.Json(Fhir.Patient("pg1", "Lost")) };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\"", isWeak: true));
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await c.SendAsync(stale)).StatusCode);
        var bundle = await Fhir.Body(await c.GetAsync("/fhir/Patient?family=berg"));
        Assert.Equal("pg1", (string?)bundle["entry"]![0]!["resource"]!["id"]);
        var history = await Fhir.Body(await c.GetAsync("/fhir/Patient/pg1/_history"));
        Assert.Equal(2, history["entry"]!.AsArray().Count);

        pg.StopImmediate();
        await Fhir.AssertOutcome(await c.GetAsync("/fhir/Patient/pg1"), 503);
        await Fhir.AssertOutcome(await c.PostAsync("/fhir/Patient", Fhir.Json(Fhir.Patient())), 503);
        await Fhir.AssertOutcome(await c.GetAsync("/fhir/Patient?family=berg"), 503);

        pg.Start();
        HttpResponseMessage? back = null;
        for (var i = 0; i < 3 && back?.StatusCode != HttpStatusCode.OK; i++)
            back = await c.GetAsync("/fhir/Patient/pg1"); // the first calls may meet pooled connections from before
        Assert.Equal(HttpStatusCode.OK, back!.StatusCode);
        Assert.Contains("Berg", await back.Content.ReadAsStringAsync());
    }
}
