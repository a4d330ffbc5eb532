using Fellesjournal.Storage.Search;
using Fellesjournal.Fhir.Search;

namespace Fellesjournal.Storage;

/// <summary>
/// The resource store: every version of every resource, the current version found without
/// scanning, and search-value index rows written in the same transaction as the resource.
/// Implementations: SQLite (embedded default) and PostgreSQL.
/// </summary>
public interface IResourceStore : IAsyncDisposable
{
    /// <summary>
    /// Writes a batch atomically (all or nothing) and durably: when the task completes the batch is on disk.
    /// The store assigns <c>meta.versionId</c> and <c>meta.lastUpdated</c> and returns the stored versions in batch order.
    /// Throws <see cref="VersionConflictException"/> when an <see cref="ResourceWrite.IfMatchVersion"/> or
    /// <see cref="ResourceWrite.MustNotExist"/> precondition fails (nothing is written then).
    /// </summary>
    Task<IReadOnlyList<StoredResource>> MergeAsync(IReadOnlyList<ResourceWrite> batch, CancellationToken ct = default);

    /// <summary>Runs <paramref name="work"/> inside one store transaction: reads and searches see the
    /// transaction's own writes, and everything commits or rolls back together (FHIR transaction Bundles,
    /// conditional operations).</summary>
    Task<T> InTransactionAsync<T>(Func<IStoreTransaction, Task<T>> work, CancellationToken ct = default);

    /// <summary>The current version (a deleted resource comes back with <see cref="StoredResource.IsDeleted"/>), or null if it never existed.</summary>
    Task<StoredResource?> GetAsync(string resourceType, string id, CancellationToken ct = default);

    /// <summary>A specific version, or null.</summary>
    Task<StoredResource?> GetVersionAsync(string resourceType, string id, long versionId, CancellationToken ct = default);

    /// <summary>The current version as <see cref="GetAsync(string, string, CancellationToken)"/>, or null when
    /// <paramref name="access"/> does not permit it (the same answer as for an id that never existed). The filter is
    /// part of the statement. <paramref name="access"/> null = unrestricted (server-authority reads).
    /// A store that does not filter (a test double) refuses restricted reads rather than ignoring them.</summary>
    Task<StoredResource?> GetAsync(string resourceType, string id, CompartmentAccess? access, CancellationToken ct = default) =>
        access is null || access.IsUnrestricted ? GetAsync(resourceType, id, ct)
            : throw new NotSupportedException($"{GetType().Name} does not filter reads by compartment access.");

    /// <summary>A specific version, or null when it does not exist or <paramref name="access"/> does not permit it
    /// (judged on that version's own compartment key).</summary>
    Task<StoredResource?> GetVersionAsync(string resourceType, string id, long versionId, CompartmentAccess? access, CancellationToken ct = default) =>
        access is null || access.IsUnrestricted ? GetVersionAsync(resourceType, id, versionId, ct)
            : throw new NotSupportedException($"{GetType().Name} does not filter reads by compartment access.");

    /// <summary>History, newest first: of one resource, of a type, or of the whole system (type and id null).</summary>
    Task<HistoryPage> HistoryAsync(HistoryQuery query, CancellationToken ct = default);

    /// <summary>Searches current, non-deleted resources.</summary>
    Task<SearchPage> SearchAsync(SearchQuery query, CancellationToken ct = default);

    /// <summary>
    /// Until the returned scope is disposed, reads on this async flow may share one read transaction: one consistent
    /// state of the store, and on SQLite one lock instead of one per statement. A write through the store on the same
    /// flow ends the shared transaction first, so later reads see it. For read-only requests; nested scopes are no-ops.
    /// </summary>
    IDisposable ReadSnapshot() => NoReadSnapshot.Instance;

    /// <summary>After a bulk load: brings the query planner's statistics up to date, so the first queries after an
    /// import are planned for the data now in the store rather than for the empty tables it started from.</summary>
    Task RefreshStatisticsAsync(CancellationToken ct = default) => Task.CompletedTask;
}

internal sealed class NoReadSnapshot : IDisposable
{
    public static readonly NoReadSnapshot Instance = new();
    public void Dispose() { }
}

/// <summary>Reads and writes that share one transaction.</summary>
public interface IStoreTransaction
{
    Task<StoredResource?> GetAsync(string resourceType, string id, CancellationToken ct = default);
    /// <summary>The current version, or null when it never existed or <paramref name="access"/> does not permit it.</summary>
    Task<StoredResource?> GetAsync(string resourceType, string id, CompartmentAccess? access, CancellationToken ct = default);
    Task<SearchPage> SearchAsync(SearchQuery query, CancellationToken ct = default);
    Task<IReadOnlyList<StoredResource>> MergeAsync(IReadOnlyList<ResourceWrite> batch, CancellationToken ct = default);
}

/// <summary>One write: a new version of a resource, or (with <see cref="Json"/> null) a delete tombstone.</summary>
/// <param name="Json">The resource JSON (UTF-8) without versionId/lastUpdated, or null for a delete.</param>
/// <param name="IfMatchVersion">Only write when the current version is this one (optimistic locking).</param>
/// <param name="MustNotExist">Only write when no version of the resource exists yet.</param>
public sealed record ResourceWrite(
    string ResourceType,
    string Id,
    ReadOnlyMemory<byte>? Json,
    long? IfMatchVersion = null,
    bool MustNotExist = false)
{
    public bool IsDelete => Json is null;

    /// <summary>Search values already extracted from <see cref="Json"/> with the store's own
    /// <see cref="ISearchIndexedStore.Indexer"/> (a bulk loader parses each resource once); null: the store extracts them.</summary>
    public ResourceIndex? Index { get; init; }

    /// <summary>When the current version has the same content (apart from versionId/lastUpdated), write nothing and
    /// return it with <see cref="StoredResource.Unchanged"/> set: idempotent re-import, decided inside the write transaction.</summary>
    public bool SkipIfUnchanged { get; init; }
}

/// <summary>A stored version. <see cref="Json"/> is exactly what is served (meta stamped), empty for a tombstone.
/// <see cref="PatientId"/> is the version's compartment key (null outside any compartment); a tombstone keeps the
/// key of the version it deletes.</summary>
public sealed record StoredResource(
    string ResourceType,
    string Id,
    long VersionId,
    DateTimeOffset LastUpdated,
    bool IsDeleted,
    ReadOnlyMemory<byte> Json,
    /// <summary>True when this write created the resource (no earlier version).</summary>
    bool Created = false,
    string? PatientId = null,
    /// <summary>True when a <see cref="ResourceWrite.SkipIfUnchanged"/> write found the same content and wrote nothing.</summary>
    bool Unchanged = false)
{
    /// <summary>Set on a contained resource returned by a search (<c>_containedType=contained</c>): its container as
    /// <c>Type/id</c>. <see cref="Json"/> is then the contained resource, <see cref="Id"/> its local id, and version,
    /// lastUpdated and compartment key are the container's.</summary>
    public string? Container { get; init; }
}

public sealed class VersionConflictException(string message, string resourceType, string id) : Exception(message)
{
    public string ResourceType { get; } = resourceType;
    public string Id { get; } = id;
}

/// <summary>History query; <c>Since</c>/<c>At</c> per FHIR's _since and _at; paging by cursor.
/// <c>Access</c> filters each version on its own compartment key (null = unrestricted); pages are filtered in
/// the statement, so a page is never short because of hidden versions unless history ends.</summary>
public sealed record HistoryQuery(
    string? ResourceType = null,
    string? Id = null,
    DateTimeOffset? Since = null,
    DateTimeOffset? At = null,
    int Count = 50,
    string? Cursor = null,
    CompartmentAccess? Access = null);

public sealed record HistoryPage(IReadOnlyList<StoredResource> Entries, string? NextCursor, long? Total);
