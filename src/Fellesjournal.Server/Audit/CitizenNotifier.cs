using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Fellesjournal.Storage;
using Fellesjournal.Trust.Audit;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Server.Audit;

/// <summary>
/// Varsling: when personnel use emergency access (ETREAT) or open a patient's locked sections, the patient gets a
/// notice, a FHIR <c>Communication</c> in their own compartment (subject and recipient the Patient), which they read
/// like the rest of their record. It is derived from the access log after the log's record is durable, one notice
/// per patient, person, organisation, kind and day (the id is a hash of these, written with
/// <see cref="ResourceWrite.MustNotExist"/>), so a busy emergency does not flood the citizen and another node or a
/// restart does not repeat it. The notice is written with the server's own authority and, like every write of
/// patient data, is recorded in the access log first. Notices are queued in memory: records still queued when the
/// process stops are not notified (the access log keeps them, with emergency accesses first in the citizen's
/// summary).
/// </summary>
public sealed class CitizenNotifier : BackgroundService
{
    public const string System = "urn:fellesjournal:varsling";
    public const string EmergencyCode = "akuttilgang";
    public const string LockOpenedCode = "sperring-apnet";
    public const string ClientId = "fellesjournal-varsling";
    private const int MaxRemembered = 100_000;

    private readonly IResourceStore _store;
    private readonly AccessAuditor _audit;
    private readonly ILogger<CitizenNotifier>? _logger;
    private readonly TimeZoneInfo _zone = NorwegianTime();
    private readonly Channel<AuditRecord> _queue = Channel.CreateBounded<AuditRecord>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    // Notices queued or written: a busy emergency repeats the same key for every request, and only the first is
    // queued (checked on the log's loop, so the repeats cost a lookup and no hand-over).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _seen = new(StringComparer.Ordinal);
    private int _remembered; // counted here: ConcurrentDictionary.Count takes every lock; only the log's loop adds

    /// <summary>Set to <c>false</c> where notices are delivered by another service; on by default.</summary>
    public const string ConfigKey = "Trust:Varsling";

    public CitizenNotifier(IResourceStore store, AccessAuditor audit, IConfiguration config, ILogger<CitizenNotifier>? logger = null)
    {
        _store = store;
        _audit = audit;
        _logger = logger;
        if (!string.Equals(config[ConfigKey], "false", StringComparison.OrdinalIgnoreCase)) audit.Durable += Observe;
    }

    /// <summary>Whether a record calls for a notice: personnel reached a patient's data by emergency access or through
    /// a locked section.</summary>
    public static bool Notifies(AuditRecord r) =>
        r.PatientId is not null && r.AgentKind == PrincipalKind.Personnel && r.Outcome == AuditOutcome.Success
        && (r.Emergency || r.LockedSectionsOpened);

    private void Observe(IReadOnlyList<AuditRecord> stored)
    {
        foreach (var r in stored)
        {
            if (!Notifies(r)) continue;
            var key = Key(r);
            if (!_seen.TryAdd(key, 0)) continue;
            if (++_remembered > MaxRemembered) { _seen.Clear(); _remembered = 0; }
            if (!_queue.Writer.TryWrite(r))
            {
                _seen.TryRemove(key, out _);
                _logger?.LogWarning("Notice queue full: access log record {Sequence} was not notified.", r.Sequence);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var record in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                try { await NotifyAsync(record, stoppingToken); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _seen.TryRemove(Key(record), out _); // a later access retries
                    _logger?.LogError(e, "Notifying the patient of access log record {Sequence} failed.", record.Sequence);
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Writes the notice for one access-log record, unless it exists already.</summary>
    private async Task NotifyAsync(AuditRecord record, CancellationToken ct)
    {
        var patient = record.PatientId!;
        var kind = Kind(record);
        var local = TimeZoneInfo.ConvertTime(record.Time, _zone);
        var id = NoticeId(record);
        var json = Encoding.UTF8.GetBytes(Notice(id, patient, kind, record, local).ToJsonString());
        var audited = await _audit.AppendAsync(new AuditRecord
        {
            Time = DateTimeOffset.UtcNow,
            Action = AuditAction.Create,
            Outcome = AuditOutcome.Success,
            AgentKind = PrincipalKind.System,
            ClientId = ClientId,
            Basis = "SystemClient",
            PatientId = patient,
            Resources = ["Communication/" + id],
            Query = "Communication/" + id,
        }, ct);
        try
        {
            await _store.MergeAsync([new ResourceWrite("Communication", id, json, MustNotExist: true)], ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Nothing was written, and the log says so: the notice existed already (another node, or before a
            // restart), or the store failed (then a later access tries again).
            var exists = e is VersionConflictException;
            await _audit.AppendAsync(audited with
            {
                Sequence = 0, Time = DateTimeOffset.UtcNow, Outcome = AuditOutcome.Failed,
                OutcomeDetail = exists ? "The notice exists already; nothing was written." : "The notice was not written: " + e.Message,
            }, ct);
            if (!exists) throw;
        }
    }

    private static string Kind(AuditRecord r) => r.Emergency ? EmergencyCode : LockOpenedCode;

    /// <summary>One notice per patient, person, organisation, kind and (Norwegian) day.</summary>
    private string Key(AuditRecord r) =>
        $"{r.PatientId}\n{r.HprNumber ?? r.PersonPid}\n{r.Organisation}\n{Kind(r)}\n{TimeZoneInfo.ConvertTime(r.Time, _zone):yyyy-MM-dd}";

    private string NoticeId(AuditRecord r) =>
        "varsel-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key(r))).AsSpan(0, 12));

    private static JsonObject Notice(string id, string patient, string kind, AuditRecord r, DateTimeOffset local)
    {
        var who = r.PersonName ?? "Helsepersonell";
        if (r.HprNumber is { } hpr) who += $" (HPR-nummer {hpr})";
        if ((r.OrganisationName ?? (r.Organisation is { } org ? "organisasjonsnummer " + org : null)) is { } where) who += ", " + where;
        var at = $"{local:dd.MM.yyyy} kl. {local:HH:mm}";
        var text = kind == EmergencyCode
            ? $"Journalen din ble åpnet med akuttilgang {at} av {who}."
              + (r.EmergencyReason is { Length: > 0 } reason ? $" Begrunnelse: «{reason}»." : "")
            : $"Sperrede opplysninger i journalen din ble åpnet {at} av {who}.";
        text += " Alle oppslag står i loggen over hvem som har sett journalen din.";
        return new JsonObject
        {
            ["resourceType"] = "Communication",
            ["id"] = id,
            ["status"] = "completed",
            ["category"] = new JsonArray(new JsonObject
            {
                ["coding"] = new JsonArray(new JsonObject
                {
                    ["system"] = System, ["code"] = kind,
                    ["display"] = kind == EmergencyCode ? "Varsel om akuttilgang" : "Varsel om åpnet sperring",
                }),
            }),
            ["subject"] = new JsonObject { ["reference"] = "Patient/" + patient },
            ["recipient"] = new JsonArray(new JsonObject { ["reference"] = "Patient/" + patient }),
            ["sent"] = r.Time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
            ["payload"] = new JsonArray(new JsonObject { ["contentString"] = text }),
        };
    }

    /// <summary>Norwegian time for the notice's day and text; UTC where the machine has no time-zone data.</summary>
    private static TimeZoneInfo NorwegianTime()
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById("Europe/Oslo"); }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException) { return TimeZoneInfo.Utc; }
    }
}
