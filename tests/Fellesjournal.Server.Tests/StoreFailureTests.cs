using Fellesjournal.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Fellesjournal.Server.Tests;

/// <summary>Store failures map to 503, unexpected errors to 500 — both still OperationOutcomes.</summary>
public sealed class StoreFailureTests
{
    private sealed class BrokenStore(Exception error) : IResourceStore
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        public Task<IReadOnlyList<StoredResource>> MergeAsync(IReadOnlyList<ResourceWrite> batch, CancellationToken ct = default) => throw error;
        public Task<T> InTransactionAsync<T>(Func<IStoreTransaction, Task<T>> work, CancellationToken ct = default) => throw error;
        public Task<StoredResource?> GetAsync(string resourceType, string id, CancellationToken ct = default) => throw error;
        public Task<StoredResource?> GetVersionAsync(string resourceType, string id, long versionId, CancellationToken ct = default) => throw error;
        public Task<HistoryPage> HistoryAsync(HistoryQuery query, CancellationToken ct = default) => throw error;
        public Task<SearchPage> SearchAsync(SearchQuery query, CancellationToken ct = default) => throw error;
    }

    private static WebApplicationFactory<Program> With(IResourceStore store) =>
        new ServerFixture().WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton(store)));

    [Fact]
    public async Task Io_failure_is_503()
    {
        await using var f = With(new BrokenStore(new IOException("disk on fire")));
        var c = f.CreateClient();
        await Fhir.AssertOutcome(await c.GetAsync("/fhir/Patient/x"), 503);
        await Fhir.AssertOutcome(await c.PostAsync("/fhir/Patient", Fhir.Json(Fhir.Patient())), 503);
        await Fhir.AssertOutcome(await c.GetAsync("/fhir/Patient?_id=x"), 503);
        // The home page still renders and says the store does not answer.
        Assert.Contains("Lageret svarer ikke", await c.GetStringAsync("/"));
    }

    [Fact]
    public async Task Unexpected_failure_is_500_with_an_outcome()
    {
        await using var f = With(new BrokenStore(new InvalidOperationException("bug")));
        var c = f.CreateClient();
        var oo = await Fhir.AssertOutcome(await c.GetAsync("/fhir/Patient/x"), 500);
        Assert.Equal("exception", (string?)oo["issue"]![0]!["code"]);
    }
}
