using Fellesjournal.Server.Http;
using Fellesjournal.Trust.Audit;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Server.Tests;

/// <summary>Audit records and requests for the access-log tests.</summary>
internal static class AuditTestData
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    public static AuditRecord Access(int minute, string patient, string hpr = "412345678", string org = "983710018",
        bool emergency = false, AuditAction action = AuditAction.Read, string? name = null) => new()
    {
        Time = T0.AddMinutes(minute),
        Action = action,
        AgentKind = PrincipalKind.Personnel,
        PersonName = name ?? "Doctor " + hpr,
        HprNumber = hpr,
        Organisation = org,
        Purpose = emergency ? "ETREAT" : "TREAT",
        Emergency = emergency,
        EmergencyReason = emergency ? "Unconscious on arrival" : null,
        PatientId = patient,
        Resources = [$"Observation/o{minute}"],
    };

    public static FhirRequest Get(string path, params (string, string)[] query) => new()
    {
        Method = "GET",
        Path = path,
        Query = query.Select(q => new KeyValuePair<string, string>(q.Item1, q.Item2)).ToList(),
        BaseUrl = "https://fj.example/fhir",
    };
}
