using System.Text.Json;
using System.Text.Json.Serialization;
using Fellesjournal.Trust.Access;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Trust.Audit;

public enum AuditAction { Read, Search, Create, Update, Delete, Execute }

public enum AuditOutcome { Success, Denied, Failed }

/// <summary>
/// One access, as the citizen will see it: who (person, HPR, role), for which organisation and point of care,
/// why (purpose, emergency and its reason, basis), what (patient, resources, query), outcome and time.
/// Its JSON (<see cref="ToCanonicalJson"/>) is what the hash chain covers, byte for byte.
/// </summary>
public sealed record AuditRecord
{
    /// <summary>Position in the chain, assigned by the log (1-based).</summary>
    public long Sequence { get; init; }
    public DateTimeOffset Time { get; init; }
    public AuditAction Action { get; init; }
    public AuditOutcome Outcome { get; init; }
    public string? OutcomeDetail { get; init; }

    public PrincipalKind AgentKind { get; init; }
    public string? PersonPid { get; init; }
    public string? PersonName { get; init; }
    public string? HprNumber { get; init; }
    /// <summary>9060 authorization code (role).</summary>
    public string? Role { get; init; }
    public string? ClientId { get; init; }
    public string? Organisation { get; init; }
    public string? OrganisationName { get; init; }
    public string? PointOfCare { get; init; }
    public string? PointOfCareName { get; init; }
    public string? Department { get; init; }

    /// <summary>TREAT, ETREAT, COC, or null (citizens, system clients).</summary>
    public string? Purpose { get; init; }
    public bool Emergency { get; init; }
    public string? EmergencyReason { get; init; }
    public string? DecisionRef { get; init; }
    /// <summary>The policy's basis (Self, ParentOfChild, CareRelationship, Emergency, ...).</summary>
    public string? Basis { get; init; }
    public bool LockedSectionsOpened { get; init; }

    /// <summary>The patient compartment (Patient id) concerned, if any.</summary>
    public string? PatientId { get; init; }
    public IReadOnlyList<string> Resources { get; init; } = [];
    /// <summary>The request as received (path and query), for searches.</summary>
    public string? Query { get; init; }
    public string? TokenId { get; init; }

    private static readonly JsonSerializerOptions Canonical = new()
    {
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The stored form; property order is declaration order, so it is stable for a given record.</summary>
    public byte[] ToCanonicalJson() => JsonSerializer.SerializeToUtf8Bytes(this, Canonical);

    public static AuditRecord FromJson(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<AuditRecord>(json, Canonical) ?? throw new JsonException("Empty audit record.");

    public bool IsWrite => Action is AuditAction.Create or AuditAction.Update or AuditAction.Delete;

    /// <summary>A record for a request that failed authentication (no principal): kept so probing is visible.</summary>
    public static AuditRecord ForUnauthenticated(AuthResult failure, AuditAction action, string? query, DateTimeOffset? time = null) => new()
    {
        Time = time ?? DateTimeOffset.UtcNow,
        Action = action,
        Outcome = AuditOutcome.Failed,
        OutcomeDetail = $"{failure.Failure}: {failure.Message}",
        AgentKind = PrincipalKind.System,
        Query = query,
    };

    /// <summary>The audit action of an HTTP method (GET on a type or with a query is a search).</summary>
    public static AuditAction ActionFor(string method, bool isSearch) => method switch
    {
        "GET" or "HEAD" => isSearch ? AuditAction.Search : AuditAction.Read,
        "POST" => isSearch ? AuditAction.Search : AuditAction.Create,
        "PUT" or "PATCH" => AuditAction.Update,
        "DELETE" => AuditAction.Delete,
        _ => AuditAction.Execute,
    };

    /// <summary>A record for a request by <paramref name="p"/> with the policy's <paramref name="decision"/>.</summary>
    public static AuditRecord For(Principal p, Decision? decision, AuditAction action, string? patientId,
        IReadOnlyList<string>? resources = null, string? query = null, DateTimeOffset? time = null)
    {
        var tf = p.TrustFramework;
        var emergency = decision is not null && (decision.Flags & AccessFlags.Emergency) != 0;
        return new AuditRecord
        {
            Time = time ?? DateTimeOffset.UtcNow,
            Action = action,
            Outcome = decision is null || decision.IsPermitted ? AuditOutcome.Success : AuditOutcome.Denied,
            OutcomeDetail = decision is { IsPermitted: false } ? decision.Reason : null,
            AgentKind = p.Kind,
            PersonPid = p.Kind == PrincipalKind.System ? null : p.Pid,
            PersonName = p.Name,
            HprNumber = p.HprNumber,
            Role = tf?.AuthorizationCode,
            ClientId = p.ClientId,
            Organisation = p.LegalEntity,
            OrganisationName = tf?.LegalEntityName,
            PointOfCare = tf?.PointOfCare ?? p.OrgNumberChild,
            PointOfCareName = tf?.PointOfCareName,
            Department = tf?.Department,
            Purpose = tf?.PurposeOfUse switch
            {
                PurposeOfUse.Treat => "TREAT",
                PurposeOfUse.EmergencyTreat => "ETREAT",
                PurposeOfUse.CoordinationOfCare => "COC",
                _ => null,
            },
            Emergency = emergency,
            EmergencyReason = emergency ? tf?.PurposeDetails : null,
            DecisionRef = tf?.DecisionRefId,
            Basis = decision?.Basis.ToString(),
            LockedSectionsOpened = decision is not null && (decision.Flags & (AccessFlags.LockedOpenedByConsent | AccessFlags.LockedOpenedByEmergency)) != 0,
            PatientId = patientId,
            Resources = resources ?? [],
            Query = query,
            TokenId = p.TokenId,
        };
    }
}
