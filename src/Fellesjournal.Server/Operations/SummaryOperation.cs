using Fellesjournal.Fhir.Model;
using Fellesjournal.Server.Http;
using Fellesjournal.Server.Security;
using Fellesjournal.Services.Summary;

namespace Fellesjournal.Server.Operations;

/// <summary>
/// <c>GET Patient/{id}/$summary</c>: the summary care record as a signed FHIR document (docs/services/summary.md).
/// The server records denials (thrown as <see cref="AccessDeniedException"/>); each opening is recorded here, with the
/// summary's own decision (made with <c>SummaryRecord = true</c>: reservasjon, opened locks) and the resources the
/// document discloses, before the document is sent.
/// </summary>
public sealed class SummaryOperation(ISummaryRecord summary, IAccessAudit audit) : IFhirOperation
{
    public const string ConsentParameter = "consent-in-the-moment";

    public string Name => "$summary";
    public string? ResourceType => "Patient";
    public bool Instance => true;
    public IReadOnlyList<string> Methods { get; } = ["GET"];

    public async Task<FhirResponse> InvokeAsync(OperationCall call, CancellationToken ct)
    {
        var req = call.Request;
        var id = call.Id!;
        if (req.Caller is not { } caller)
            throw new FhirException(401, "login", "The summary care record requires an authenticated caller.", "Patient.id");
        var consent = false;
        if (req.QueryValue(ConsentParameter) is { } c && !bool.TryParse(c, out consent))
            throw FhirException.BadRequest($"'{ConsentParameter}' must be true or false.", ConsentParameter);

        var result = await summary.BuildAsync(id, new SummaryRequest { Caller = caller, ConsentInTheMoment = consent, BaseUrl = req.BaseUrl }, ct);
        var access = (call.Ops as GuardedStoreOps)?.Access;
        if (!result.Success)
        {
            var answer = new FhirException(result.Status, result.Outcome!);
            // A policy denial is recorded as denied (with the reason); a missing patient is a plain failure.
            if (result.Decision is { IsPermitted: false } denied) throw new AccessDeniedException(denied, answer);
            throw answer;
        }
        if (access is not null && result.Decision is { } decision)
        {
            access.PatientId = id;
            access.Decision = decision;
            access.Decisions[id] = decision;
            foreach (var r in result.Disclosed) access.Touched(r, id);
        }
        await audit.RecordAsync(Fellesjournal.Trust.Audit.AuditRecord.For(caller, result.Decision, Fellesjournal.Trust.Audit.AuditAction.Read, id,
            result.Disclosed, $"Patient/{id}/$summary" + (consent ? $"?{ConsentParameter}=true" : "")), ct);
        return new FhirResponse { Resource = result.Document };
    }
}
