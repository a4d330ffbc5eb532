namespace Fellesjournal.Trust.Audit;

/// <summary>One line of the citizen's log summary: an organisation and a person (or system client) that accessed the record.</summary>
public sealed record AuditSummaryLine(
    string? Organisation,
    string? OrganisationName,
    string? Person,
    string? HprNumber,
    string? Role,
    int Accesses,
    int EmergencyAccesses,
    int Writes,
    int Denied,
    DateTimeOffset First,
    DateTimeOffset Last,
    IReadOnlyList<string> EmergencyReasons);

public static class AuditSummaries
{
    /// <summary>Groups by organisation and person; lines with emergency access first, then most recent first.
    /// The citizen's own accesses are left out (they know about those).</summary>
    public static IReadOnlyList<AuditSummaryLine> Build(IEnumerable<AuditRecord> records, string? citizenPid = null) =>
        records
            .Where(r => citizenPid is null || r.PersonPid != citizenPid)
            .GroupBy(r => (r.Organisation, Who: r.HprNumber ?? r.PersonPid ?? r.ClientId))
            .Select(g => new AuditSummaryLine(
                g.Key.Organisation,
                g.Select(r => r.OrganisationName).FirstOrDefault(n => n is not null),
                g.Select(r => r.PersonName).FirstOrDefault(n => n is not null) ?? g.Select(r => r.ClientId).FirstOrDefault(),
                g.Select(r => r.HprNumber).FirstOrDefault(n => n is not null),
                g.Select(r => r.Role).FirstOrDefault(n => n is not null),
                g.Count(),
                g.Count(r => r.Emergency),
                g.Count(r => r.IsWrite && r.Outcome == AuditOutcome.Success),
                g.Count(r => r.Outcome == AuditOutcome.Denied),
                g.Min(r => r.Time),
                g.Max(r => r.Time),
                g.Where(r => r.Emergency && r.EmergencyReason is not null).Select(r => r.EmergencyReason!).Distinct().ToList()))
            .OrderByDescending(l => l.EmergencyAccesses > 0)
            .ThenByDescending(l => l.Last)
            .ToList();
}
