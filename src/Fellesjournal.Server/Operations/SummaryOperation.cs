using Fellesjournal.Fhir.Model;
using Fellesjournal.Server.Http;
using Fellesjournal.Services.Summary;
using Fellesjournal.Trust.Audit;

namespace Fellesjournal.Server.Operations;

/// <summary>
/// <c>GET Patient/{id}/$summary</c>: the summary care record as a signed FHIR document (docs/services/summary.md).
/// Every opening, denials included, is recorded in the access log before the response is sent.
/// </summary>
public sealed class SummaryOperation(ISummaryRecord summary, IServiceProvider services) : IFhirOperation
{
    public const string ConsentParameter = "consent-in-the-moment";

    public string Name => "$summary";
    public string? ResourceType => "Patient";
    public bool Instance => true;
    public IReadOnlyList<string> Methods { get; } = ["GET"];

    public async Task<FhirResponse> InvokeAsync(OperationCall call, CancellationToken ct)
    {
        var req = call.Request;
        if (req.Caller is not { } caller)
            return Fail(401, "login", "The summary care record requires an authenticated caller.", "Patient.id");
        var consent = false;
        if (req.QueryValue(ConsentParameter) is { } c && !bool.TryParse(c, out consent))
            return Fail(400, "invalid", $"'{ConsentParameter}' must be true or false.", ConsentParameter);

        var result = await summary.BuildAsync(call.Id!, new SummaryRequest { Caller = caller, ConsentInTheMoment = consent, BaseUrl = req.BaseUrl }, ct);
        // Optional until the access log is wired into the server; when present, nothing is shown unless it is recorded.
        if (services.GetService(typeof(IAccessAudit)) is IAccessAudit audit)
            await audit.RecordAsync(AuditRecord.For(caller, result.Decision, AuditAction.Read, call.Id, result.Disclosed,
                $"Patient/{call.Id}/$summary" + (consent ? $"?{ConsentParameter}=true" : "")), ct);
        return result.Success
            ? new FhirResponse { Resource = result.Document }
            : new FhirResponse { Status = result.Status, Outcome = result.Outcome };
    }

    private static FhirResponse Fail(int status, string code, string message, string location) =>
        new() { Status = status, Outcome = OperationOutcome.Single(IssueSeverity.Error, code, message, location) };
}
