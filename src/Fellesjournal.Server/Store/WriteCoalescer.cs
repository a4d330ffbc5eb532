using System.Threading.Channels;
using Fellesjournal.Storage;

namespace Fellesjournal.Server.Store;

/// <summary>
/// Group commit for single-resource writes: while one batch is being made durable, concurrent
/// writes queue up and go to the store together in the next <see cref="IResourceStore.MergeAsync"/>
/// (one transaction, one fsync). Each caller still gets its own result or exception: when a batch
/// fails (e.g. one write's precondition), its writes are retried one by one so only the culprit fails.
/// A few batches may be in flight at once: the store extracts search values (CPU) before it takes its
/// write lock, so the next batch's extraction overlaps the current batch's commit.
/// </summary>
public sealed class WriteCoalescer : IAsyncDisposable
{
    public const int MaxBatch = 128;
    public static readonly int MaxInFlight = Math.Max(2, Environment.ProcessorCount);

    private sealed record Pending(ResourceWrite Write, TaskCompletionSource<StoredResource> Done);

    private readonly IResourceStore _store;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private readonly SemaphoreSlim _slots = new(MaxInFlight, MaxInFlight);
    private readonly List<Task> _inFlight = [];

    public WriteCoalescer(IResourceStore store)
    {
        _store = store;
        _loop = Task.Run(LoopAsync);
    }

    public Task<StoredResource> WriteAsync(ResourceWrite write, CancellationToken ct = default)
    {
        var done = new TaskCompletionSource<StoredResource>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Pending(write, done)))
            throw new StoreUnavailableException("The server is shutting down.");
        // The write is not cancelled once queued: a client that goes away must not leave it half-known.
        return done.Task;
    }

    private async Task LoopAsync()
    {
        var keys = new HashSet<(string, string)>();
        Pending? carry = null;
        while (carry is not null || await _queue.Reader.WaitToReadAsync())
        {
            // Wait for a free slot first: meanwhile more writes queue up and join this batch.
            await _slots.WaitAsync();
            var batch = new List<Pending>(MaxBatch);
            keys.Clear();
            if (carry is not null) { batch.Add(carry); keys.Add((carry.Write.ResourceType, carry.Write.Id)); carry = null; }
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var p))
            {
                // Two writes to the same resource go to separate batches so their preconditions apply in order.
                if (!keys.Add((p.Write.ResourceType, p.Write.Id))) { carry = p; break; }
                batch.Add(p);
            }
            if (batch.Count == 0) { _slots.Release(); continue; }
            var task = CommitAsync(batch).ContinueWith(_ => _slots.Release(), TaskScheduler.Default);
            lock (_inFlight)
            {
                _inFlight.RemoveAll(t => t.IsCompleted);
                _inFlight.Add(task);
            }
        }
        Task[] pending;
        lock (_inFlight) pending = [.. _inFlight];
        await Task.WhenAll(pending);
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        try
        {
            var stored = await _store.MergeAsync(batch.Select(p => p.Write).ToList());
            for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(stored[i]);
            return;
        }
        catch (Exception e) when (batch.Count == 1)
        {
            batch[0].Done.TrySetException(e);
            return;
        }
        catch
        {
            // Fall through: isolate the failing write(s).
        }
        foreach (var p in batch)
        {
            try
            {
                p.Done.TrySetResult((await _store.MergeAsync([p.Write]))[0]);
            }
            catch (Exception e)
            {
                p.Done.TrySetException(e);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }
}
