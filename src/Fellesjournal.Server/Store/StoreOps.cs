using Fellesjournal.Storage;
using Fellesjournal.Storage.Search;

namespace Fellesjournal.Server.Store;

/// <summary>
/// The store operations an interaction needs, either directly on the store or inside a
/// transaction (where reads see the transaction's own writes).
/// </summary>
public interface IStoreOps
{
    Task<StoredResource?> GetAsync(string type, string id, CancellationToken ct);
    /// <summary>The current version, or null when <paramref name="access"/> does not permit it (filtered in the store).</summary>
    Task<StoredResource?> GetAsync(string type, string id, CompartmentAccess? access, CancellationToken ct);
    Task<SearchPage> SearchAsync(SearchQuery query, CancellationToken ct);
    Task<IReadOnlyList<StoredResource>> MergeAsync(IReadOnlyList<ResourceWrite> batch, CancellationToken ct);
    /// <summary>Version reads and history are not part of a store transaction; they see committed data.</summary>
    IResourceStore Store { get; }
}

/// <summary>Outside transactions: single writes go through the group-commit coalescer when there is one.</summary>
public sealed class DirectStoreOps(IResourceStore store, WriteCoalescer? coalescer = null) : IStoreOps
{
    public IResourceStore Store => store;
    public Task<StoredResource?> GetAsync(string type, string id, CancellationToken ct) => store.GetAsync(type, id, ct);
    public Task<StoredResource?> GetAsync(string type, string id, CompartmentAccess? access, CancellationToken ct) => store.GetAsync(type, id, access, ct);
    public Task<SearchPage> SearchAsync(SearchQuery query, CancellationToken ct) => store.SearchAsync(query, ct);

    public async Task<IReadOnlyList<StoredResource>> MergeAsync(IReadOnlyList<ResourceWrite> batch, CancellationToken ct) =>
        coalescer is not null && batch.Count == 1 ? [await coalescer.WriteAsync(batch[0], ct)] : await store.MergeAsync(batch, ct);
}

public sealed class TransactionStoreOps(IResourceStore store, IStoreTransaction tx) : IStoreOps
{
    public IResourceStore Store => store;
    public Task<StoredResource?> GetAsync(string type, string id, CancellationToken ct) => tx.GetAsync(type, id, ct);
    public Task<StoredResource?> GetAsync(string type, string id, CompartmentAccess? access, CancellationToken ct) => tx.GetAsync(type, id, access, ct);
    public Task<SearchPage> SearchAsync(SearchQuery query, CancellationToken ct) => tx.SearchAsync(query, ct);
    public Task<IReadOnlyList<StoredResource>> MergeAsync(IReadOnlyList<ResourceWrite> batch, CancellationToken ct) => tx.MergeAsync(batch, ct);
}
