using System.Net;

namespace Fellesjournal.Server.Tests;

/// <summary>Concurrent writes through the group-commit path keep per-request preconditions and results.</summary>
public class ConcurrencyTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private readonly HttpClient _c = server.CreateClient();

    [Fact]
    public async Task Concurrent_if_match_updates_let_exactly_one_win()
    {
        var id = (string)(await Fhir.Create(_c, Fhir.Patient()))["id"]!;
        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            _c.SendAsync(Fhir.Request(HttpMethod.Put, $"/fhir/Patient/{id}", Fhir.Json(Fhir.Patient(id, $"Writer{i}")), ("If-Match", "W/\"1\"")))));
        Assert.Equal(1, results.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(11, results.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed));
        Assert.Equal("W/\"2\"", Fhir.ETag(await _c.GetAsync($"/fhir/Patient/{id}")));
    }

    [Fact]
    public async Task Concurrent_creates_and_updates_all_succeed_with_distinct_versions()
    {
        var creates = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => _c.PostAsync("/fhir/Patient", Fhir.Json(Fhir.Patient()))));
        Assert.All(creates, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var ids = await Task.WhenAll(creates.Select(async r => (string)(await Fhir.Body(r))["id"]!));
        Assert.Equal(40, ids.Distinct().Count());

        var id = ids[0];
        var updates = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => _c.PutAsync($"/fhir/Patient/{id}", Fhir.Json(Fhir.Patient(id, $"U{i}")))));
        Assert.All(updates, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var versions = updates.Select(Fhir.ETag).ToHashSet();
        Assert.Equal(20, versions.Count);
        Assert.Equal("W/\"21\"", Fhir.ETag(await _c.GetAsync($"/fhir/Patient/{id}")));
        // A mix where one write is invalid for the store: it fails alone.
        var mixed = await Task.WhenAll(
            _c.PutAsync($"/fhir/Patient/{ids[1]}", Fhir.Json(Fhir.Patient(ids[1], "Fine"))),
            _c.SendAsync(Fhir.Request(HttpMethod.Put, $"/fhir/Patient/{ids[2]}", Fhir.Json(Fhir.Patient(ids[2])), ("If-Match", "W/\"9\""))),
            _c.PutAsync($"/fhir/Patient/{ids[3]}", Fhir.Json(Fhir.Patient(ids[3], "Fine"))));
        Assert.Equal(HttpStatusCode.OK, mixed[0].StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, mixed[1].StatusCode);
        Assert.Equal(HttpStatusCode.OK, mixed[2].StatusCode);
    }
}

public sealed class WriteCoalescerTests
{
    [Fact]
    public async Task A_failing_write_does_not_fail_its_batch()
    {
        var dir = Path.Combine(Path.GetTempPath(), "fj-coalesce-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var store = Fellesjournal.Server.Store.StoreFactory.Open(dir);
            await using var coalescer = new Fellesjournal.Server.Store.WriteCoalescer(store);
            byte[] P(string id) => System.Text.Encoding.UTF8.GetBytes($$"""{"resourceType":"Patient","id":"{{id}}"}""");
            var tasks = Enumerable.Range(0, 50).Select(i => coalescer.WriteAsync(
                i % 10 == 5
                    ? new Fellesjournal.Storage.ResourceWrite("Patient", $"c{i}", P($"c{i}"), IfMatchVersion: 7)
                    : new Fellesjournal.Storage.ResourceWrite("Patient", $"c{i}", P($"c{i}"), MustNotExist: true))).ToList();
            for (var i = 0; i < tasks.Count; i++)
            {
                if (i % 10 == 5) await Assert.ThrowsAsync<Fellesjournal.Storage.VersionConflictException>(() => tasks[i]);
                else Assert.Equal(1, (await tasks[i]).VersionId);
            }
            Assert.Null(await store.GetAsync("Patient", "c5"));
            Assert.NotNull(await store.GetAsync("Patient", "c6"));
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }
}
