using Fellesjournal.Trust.Audit;

namespace Fellesjournal.Server.Http;

/// <summary>
/// The server's access log ("innsyn i logg"): every read, search, write and denial is recorded through it,
/// and citizens read their own records through it. Implemented by <c>Audit/AccessAuditor</c> over the
/// hash-chained log.
/// </summary>
public interface IAccessAudit
{
    /// <summary>Appends one record durably; the request must not proceed (or respond) if this throws.</summary>
    Task RecordAsync(AuditRecord record, CancellationToken ct);

    /// <summary><c>GET AuditEvent?patient=...</c> (and the access-summary operation): a searchset of AuditEvent
    /// about the given patients only — the caller's permitted compartments, decided by the access layer.</summary>
    Task<FhirResponse> SearchAuditEventsAsync(FhirRequest req, IReadOnlyCollection<string> patientIds, CancellationToken ct);
}
