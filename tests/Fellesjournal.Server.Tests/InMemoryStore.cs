using System.Text.Json.Nodes;
using Fellesjournal.Storage;

namespace Fellesjournal.Server.Tests;

/// <summary>Test double of the store until the SQLite store is on main: versions, tombstones, history, _id search.</summary>
public sealed class InMemoryStore : IResourceStore
{
    private readonly object _lock = new();
    private List<StoredResource> _versions = [];
    private readonly SemaphoreSlim _tx = new(1, 1);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public async Task<IReadOnlyList<StoredResource>> MergeAsync(IReadOnlyList<ResourceWrite> batch, CancellationToken ct = default)
    {
        await _tx.WaitAsync(ct);
        try { lock (_lock) return Merge(_versions, batch); }
        finally { _tx.Release(); }
    }

    private static List<StoredResource> Merge(List<StoredResource> versions, IReadOnlyList<ResourceWrite> batch)
    {
        var staged = new List<StoredResource>(versions);
        var result = new List<StoredResource>();
        foreach (var w in batch)
        {
            var current = Current(staged, w.ResourceType, w.Id);
            if (w.MustNotExist && current is not null) throw new VersionConflictException("exists", w.ResourceType, w.Id);
            if (w.IfMatchVersion is { } v && current?.VersionId != v) throw new VersionConflictException("stale", w.ResourceType, w.Id);
            var version = (current?.VersionId ?? 0) + 1;
            var now = DateTimeOffset.UtcNow;
            ReadOnlyMemory<byte> json = ReadOnlyMemory<byte>.Empty;
            if (w.Json is { } j)
            {
                var node = JsonNode.Parse(j.Span)!.AsObject();
                var meta = node["meta"] as JsonObject ?? new JsonObject();
                node.Remove("meta");
                meta["versionId"] = version.ToString();
                meta["lastUpdated"] = now.ToString("yyyy-MM-ddTHH:mm:ss.fffZ");
                var ordered = new JsonObject();
                foreach (var (k, val) in node.ToList())
                {
                    node.Remove(k);
                    ordered[k] = val;
                    if (k == "id") ordered["meta"] = meta;
                }
                if (!ordered.ContainsKey("meta")) ordered["meta"] = meta;
                json = System.Text.Encoding.UTF8.GetBytes(ordered.ToJsonString());
            }
            var stored = new StoredResource(w.ResourceType, w.Id, version, now, w.IsDelete, json, current is null);
            staged.Add(stored);
            result.Add(stored);
        }
        versions.Clear();
        versions.AddRange(staged);
        return result;
    }

    private static StoredResource? Current(List<StoredResource> versions, string type, string id) =>
        versions.LastOrDefault(v => v.ResourceType == type && v.Id == id);

    public async Task<T> InTransactionAsync<T>(Func<IStoreTransaction, Task<T>> work, CancellationToken ct = default)
    {
        await _tx.WaitAsync(ct);
        try
        {
            List<StoredResource> copy;
            lock (_lock) copy = [.. _versions];
            var result = await work(new Tx(copy));
            lock (_lock) _versions = copy;
            return result;
        }
        finally { _tx.Release(); }
    }

    private sealed class Tx(List<StoredResource> versions) : IStoreTransaction
    {
        public Task<StoredResource?> GetAsync(string resourceType, string id, CancellationToken ct = default) =>
            Task.FromResult(Current(versions, resourceType, id));
        public Task<SearchPage> SearchAsync(SearchQuery query, CancellationToken ct = default) => Task.FromResult(Search(versions, query));
        public Task<IReadOnlyList<StoredResource>> MergeAsync(IReadOnlyList<ResourceWrite> batch, CancellationToken ct = default) =>
            Task.FromResult<IReadOnlyList<StoredResource>>(Merge(versions, batch));
    }

    public Task<StoredResource?> GetAsync(string resourceType, string id, CancellationToken ct = default)
    {
        lock (_lock) return Task.FromResult(Current(_versions, resourceType, id));
    }

    public Task<StoredResource?> GetVersionAsync(string resourceType, string id, long versionId, CancellationToken ct = default)
    {
        lock (_lock) return Task.FromResult(_versions.FirstOrDefault(v => v.ResourceType == resourceType && v.Id == id && v.VersionId == versionId));
    }

    public Task<HistoryPage> HistoryAsync(HistoryQuery q, CancellationToken ct = default)
    {
        lock (_lock)
        {
            var all = _versions.Select((v, i) => (v, i)).Reverse()
                .Where(x => (q.ResourceType is null || x.v.ResourceType == q.ResourceType) && (q.Id is null || x.v.Id == q.Id))
                .Where(x => q.Since is null || x.v.LastUpdated >= q.Since)
                .Where(x => q.At is null || x.v.LastUpdated <= q.At)
                .ToList();
            var skip = q.Cursor is null ? 0 : int.Parse(q.Cursor);
            var page = all.Skip(skip).Take(q.Count).Select(x => x.v).ToList();
            var next = skip + q.Count < all.Count ? (skip + q.Count).ToString() : null;
            return Task.FromResult(new HistoryPage(page, next, all.Count));
        }
    }

    public Task<SearchPage> SearchAsync(SearchQuery query, CancellationToken ct = default)
    {
        lock (_lock) return Task.FromResult(Search(_versions, query));
    }

    private static SearchPage Search(List<StoredResource> versions, SearchQuery q)
    {
        var current = versions.GroupBy(v => (v.ResourceType, v.Id)).Select(g => g.Last()).Where(v => !v.IsDeleted)
            .Where(v => q.ResourceType is null || v.ResourceType == q.ResourceType).ToList();
        foreach (var c in q.Criteria)
        {
            current = c.Code switch
            {
                "_id" => current.Where(v => c.Values.Contains(v.Id)).ToList(),
                _ => throw new SearchException($"The in-memory store cannot search by '{c.Code}'.", c.Code),
            };
        }
        var skip = q.Cursor is null ? 0 : int.Parse(q.Cursor);
        var page = current.Skip(skip).Take(q.Count).ToList();
        var next = skip + q.Count < current.Count && q.Count > 0 ? (skip + q.Count).ToString() : null;
        return new SearchPage(page, next, q.IncludeTotal ? current.Count : null);
    }
}
