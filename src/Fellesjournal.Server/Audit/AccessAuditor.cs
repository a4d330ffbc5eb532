using System.Threading.Channels;
using Fellesjournal.Server.Http;
using Fellesjournal.Trust.Audit;

namespace Fellesjournal.Server.Audit;

/// <summary>
/// The server's access log over the hash-chained <see cref="SqliteAuditLog"/> at <c>{data}/audit.db</c> (whatever the
/// resource store is). Appends are group-committed: while one batch is being made durable, concurrent records queue
/// and go into the next transaction together, so many concurrent requests share one fsync instead of queueing on it.
/// The head is also signed every minute, so a cut-off tail is at most a minute's records.
/// </summary>
public sealed class AccessAuditor : IAccessAudit, IAsyncDisposable
{
    public const string FileName = "audit.db";
    public const int MaxBatch = 512;
    public static readonly TimeSpan CheckpointInterval = TimeSpan.FromMinutes(1);

    private sealed record Pending(AuditRecord Record, TaskCompletionSource<AuditRecord> Done);

    private readonly SqliteAuditLog _log;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _checkpoints;
    private int _disposed;

    /// <param name="dataDir">The data directory; the log is <c>{dataDir}/audit.db</c>.</param>
    /// <param name="signer">The checkpoint key (see <see cref="AuditKeyFile"/>).</param>
    public AccessAuditor(string dataDir, AuditCheckpointSigner signer, TimeProvider? time = null, int checkpointEvery = 1000)
    {
        Directory.CreateDirectory(dataDir);
        _log = new SqliteAuditLog(Path.Combine(dataDir, FileName), signer, time) { CheckpointEvery = checkpointEvery };
        _loop = Task.Run(LoopAsync);
        _checkpoints = Task.Run(CheckpointLoopAsync);
    }

    /// <summary>The DI factory: data directory from the server options, key from <c>Trust:AuditKeyPem</c> or a local key.</summary>
    public static AccessAuditor FromServices(IServiceProvider sp)
    {
        var options = sp.GetRequiredService<ServerOptions>();
        var config = sp.GetRequiredService<IConfiguration>();
        var signer = AuditKeyFile.LoadOrCreate(config[AuditKeyFile.ConfigKey], options.DataDir, out var local);
        if (local)
            sp.GetRequiredService<ILogger<AccessAuditor>>().LogWarning(
                "Audit checkpoints are signed with a local key ({Path}, key id {KeyId}); configure {Config} with a managed key in production.",
                Path.Combine(options.DataDir, AuditKeyFile.LocalName), signer.KeyId, AuditKeyFile.ConfigKey);
        return new AccessAuditor(options.DataDir, signer);
    }

    /// <summary>The underlying log (verification, checkpoints, tests).</summary>
    public SqliteAuditLog Log => _log;

    public Task RecordAsync(AuditRecord record, CancellationToken ct) => AppendAsync(record, ct);

    /// <summary>Appends and returns the stored record (with its sequence number) once it is durable.</summary>
    public Task<AuditRecord> AppendAsync(AuditRecord record, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var done = new TaskCompletionSource<AuditRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Pending(record, done)))
            throw new ObjectDisposedException(nameof(AccessAuditor), "The access log is closed.");
        // Not cancellable once queued: the record may already be in the committing batch.
        return done.Task;
    }

    public Task<FhirResponse> SearchAuditEventsAsync(FhirRequest req, IReadOnlyCollection<string> patientIds, CancellationToken ct) =>
        AuditEventSearch.RunAsync(_log, req, patientIds, ct);

    private async Task LoopAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var p)) batch.Add(p);
            try
            {
                var stored = await _log.AppendBatchAsync(batch.Select(p => p.Record).ToList());
                for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(stored[i]);
            }
            catch (Exception e)
            {
                // Nothing of the batch was stored (one transaction): every waiting request fails.
                foreach (var p in batch) p.Done.TrySetException(e);
            }
        }
    }

    private async Task CheckpointLoopAsync()
    {
        using var timer = new PeriodicTimer(CheckpointInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try { await _log.CheckpointAsync(_stop.Token); }
                catch (Exception e) when (e is not OperationCanceledException) { /* retried on the next tick */ }
            }
        }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _queue.Writer.TryComplete();
        await _loop;
        await _stop.CancelAsync();
        await _checkpoints;
        // Sign the head on a clean shutdown so nothing written so far can be cut off unnoticed.
        try { await _log.CheckpointAsync(); } catch (Exception) { }
        _stop.Dispose();
    }
}
