using System.Threading.Channels;
using Fellesjournal.Server.Http;
using Fellesjournal.Trust.Audit;

namespace Fellesjournal.Server.Audit;

/// <summary>
/// The server's access log over a hash-chained <see cref="IAuditLog"/>: <see cref="SqliteAuditLog"/> at
/// <c>{data}/audit.db</c> by default, or <see cref="PostgresAuditLog"/> in the store's database when the store is
/// PostgreSQL (one chain for all nodes). Appends are group-committed: while one batch is being made durable,
/// concurrent records queue and go into the next transaction together, so many concurrent requests share one fsync
/// instead of queueing on it. The head is also signed every minute, so a cut-off tail is at most a minute's records.
/// </summary>
public sealed class AccessAuditor : IAccessAudit, IAsyncDisposable, IDisposable
{
    public const string FileName = "audit.db";
    public const int MaxBatch = 512;
    public static readonly TimeSpan CheckpointInterval = TimeSpan.FromMinutes(1);

    private sealed record Pending(AuditRecord Record, TaskCompletionSource<AuditRecord> Done);

    private readonly IAuditLog _log;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _checkpoints;
    private readonly bool _ownsLog;
    private readonly ILogger? _logger;
    private int _disposed;
    private long _batches;

    /// <summary>Transactions committed so far (how well appends were grouped).</summary>
    internal long Batches => Interlocked.Read(ref _batches);

    /// <param name="dataDir">The data directory; the log is <c>{dataDir}/audit.db</c>.</param>
    /// <param name="signer">The checkpoint key (see <see cref="AuditKeyFile"/>).</param>
    public AccessAuditor(string dataDir, AuditCheckpointSigner signer, TimeProvider? time = null, int checkpointEvery = 1000)
        : this(OpenFile(dataDir, signer, time, checkpointEvery), ownsLog: true) { }

    /// <summary>Over any log (e.g. <see cref="PostgresAuditLog"/>); <paramref name="ownsLog"/>: dispose it with the auditor.</summary>
    public AccessAuditor(IAuditLog log, bool ownsLog = false, ILogger? logger = null)
    {
        _log = log;
        _ownsLog = ownsLog;
        _logger = logger;
        _loop = Task.Run(LoopAsync);
        _checkpoints = Task.Run(CheckpointLoopAsync);
    }

    private static SqliteAuditLog OpenFile(string dataDir, AuditCheckpointSigner signer, TimeProvider? time, int checkpointEvery)
    {
        Directory.CreateDirectory(dataDir);
        return new SqliteAuditLog(Path.Combine(dataDir, FileName), signer, time) { CheckpointEvery = checkpointEvery };
    }

    /// <summary>True when the log goes into the PostgreSQL store's database (the default for that store;
    /// <c>Trust:AuditStore = file</c> keeps it in <c>{data}/audit.db</c>).</summary>
    public static bool UsesPostgres(ServerOptions options, IConfiguration config) =>
        options.Store?.ToLowerInvariant() is "postgres" or "postgresql" && config["Trust:AuditStore"]?.ToLowerInvariant() != "file";

    /// <summary>The DI factory: data directory from the server options, key from <c>Trust:AuditKeyPem</c> or a local key.</summary>
    public static AccessAuditor FromServices(IServiceProvider sp)
    {
        var options = sp.GetRequiredService<ServerOptions>();
        var config = sp.GetRequiredService<IConfiguration>();
        var logger = sp.GetRequiredService<ILogger<AccessAuditor>>();
        var signer = AuditKeyFile.LoadOrCreate(config[AuditKeyFile.ConfigKey], options.DataDir, out var local);
        if (local)
            logger.LogWarning(
                "Audit checkpoints are signed with a local key ({Path}, key id {KeyId}); configure {Config} with a managed key in production " +
                "(with several nodes on one PostgreSQL database, all must share it).",
                Path.Combine(options.DataDir, AuditKeyFile.LocalName), signer.KeyId, AuditKeyFile.ConfigKey);
        if (!UsesPostgres(options, config))
        {
            Directory.CreateDirectory(options.DataDir);
            var file = new SqliteAuditLog(Path.Combine(options.DataDir, FileName), signer);
            return new AccessAuditor(file, ownsLog: true, logger);
        }
        var connection = options.Connection ?? Environment.GetEnvironmentVariable(Fellesjournal.Storage.ResourceStoreFactory.ConnectionEnvironmentVariable)
            ?? throw new InvalidOperationException("The PostgreSQL audit log needs the store's connection string.");
        return new AccessAuditor(new PostgresAuditLog(connection, signer), ownsLog: true, logger);
    }

    /// <summary>Raised with each group of records once it is durable (after its requests were released), on the log's
    /// own loop: subscribers must only hand the records on (<see cref="CitizenNotifier"/> queues the few it needs).</summary>
    public event Action<IReadOnlyList<AuditRecord>>? Durable;

    /// <summary>The underlying log (verification, checkpoints, tests).</summary>
    public IAuditLog Log => _log;

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
                Interlocked.Increment(ref _batches);
                for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(stored[i]);
                try { Durable?.Invoke(stored); }
                catch (Exception e) { _logger?.LogError(e, "A subscriber to the access log's durable records failed."); }
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
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _logger?.LogError(e, "Signing an audit checkpoint failed; retried on the next tick.");
                }
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
        try { await _log.CheckpointAsync(); }
        catch (Exception e) { _logger?.LogError(e, "Signing the audit checkpoint at shutdown failed."); }
        _stop.Dispose();
        if (_ownsLog && _log is IDisposable d) d.Dispose();
    }

    /// <summary>For containers disposed synchronously: drains the queue the same way.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
