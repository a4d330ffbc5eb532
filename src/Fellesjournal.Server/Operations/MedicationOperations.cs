using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Server.Http;
using Fellesjournal.Server.Store;
using Fellesjournal.Services.Medication;

namespace Fellesjournal.Server.Operations;

/// <summary>
/// The medication chain's operations: thin adapters from <see cref="OperationCall"/> to <see cref="MedicationApi"/>.
/// The caller is the request's verified principal; the service checks the role rules (prescriber, pharmacist),
/// the HTTP layer the access to the patient.
/// </summary>
public abstract class MedicationOperation(MedicationApi api, string name, string? type, bool instance, params string[] methods) : IFhirOperation
{
    protected MedicationApi Api { get; } = api;
    public string Name { get; } = name;
    public string? ResourceType { get; } = type;
    public bool Instance { get; } = instance;
    public IReadOnlyList<string> Methods { get; } = methods;

    public async Task<FhirResponse> InvokeAsync(OperationCall call, CancellationToken ct)
    {
        // The services run their own store transactions (the prescription's version is the lock), which cannot nest
        // inside a transaction Bundle's.
        if (call.Ops is TransactionStoreOps)
            throw new FhirException(400, "not-supported", $"{Name} cannot run inside a transaction Bundle; call it directly or in a batch.", "Bundle.entry.request");
        try
        {
            var r = await RunAsync(call, ct);
            return new FhirResponse
            {
                Status = r.Status,
                Resource = FhirJsonBytes(r.Body),
                Location = r.Location is null ? null : $"{call.Request.BaseUrl}/{r.Location}",
                VersionId = r.Status == 200 && r.Body["resourceType"]?.GetValue<string>() == "MedicationRequest" ? r.VersionId : null,
            };
        }
        catch (MedicationException e)
        {
            return new FhirResponse { Status = e.Status, Outcome = e.Outcome };
        }
    }

    protected abstract Task<MedicationApiResult> RunAsync(OperationCall call, CancellationToken ct);

    private static byte[] FhirJsonBytes(JsonObject o) => System.Text.Encoding.UTF8.GetBytes(o.ToJsonString());

    /// <summary>The body as a JSON object; null when there is none.</summary>
    protected static JsonObject? Body(OperationCall call)
    {
        if (call.Request.Body is not { Length: > 0 } b) return null;
        try
        {
            return JsonNode.Parse(b.Span) as JsonObject ?? throw FhirException.BadRequest("The body must be a JSON object.", "$");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw FhirException.BadRequest("The body is not valid JSON: " + e.Message, "$");
        }
    }

    protected static JsonObject RequiredBody(OperationCall call, string what) =>
        Body(call) ?? throw FhirException.BadRequest($"{what} needs a request body.", "Parameters");
}

public sealed class MedicationPrescribeOperation(MedicationApi api) : MedicationOperation(api, "$prescribe", "MedicationRequest", false, "POST")
{
    protected override Task<MedicationApiResult> RunAsync(OperationCall call, CancellationToken ct) =>
        Api.PrescribeAsync(call.Request.Caller, RequiredBody(call, "$prescribe"), ct, call.Request.QueryValue("patient"));
}

public sealed class MedicationDispenseOperation(MedicationApi api) : MedicationOperation(api, "$dispense", "MedicationRequest", true, "POST")
{
    protected override Task<MedicationApiResult> RunAsync(OperationCall call, CancellationToken ct) =>
        Api.DispenseAsync(call.Request.Caller, call.Id!, Body(call), ct);
}

public sealed class MedicationRevokeOperation(MedicationApi api) : MedicationOperation(api, "$revoke", "MedicationRequest", true, "POST")
{
    protected override Task<MedicationApiResult> RunAsync(OperationCall call, CancellationToken ct) =>
        Api.RevokeAsync(call.Request.Caller, call.Id!, Body(call), ct);
}

public sealed class MedicationRenewOperation(MedicationApi api) : MedicationOperation(api, "$renew", "MedicationRequest", true, "POST")
{
    protected override Task<MedicationApiResult> RunAsync(OperationCall call, CancellationToken ct) =>
        Api.RenewAsync(call.Request.Caller, call.Id!, Body(call), ct);
}

public sealed class MedicationListOperation(MedicationApi api) : MedicationOperation(api, "$medication-list", "Patient", true, "GET")
{
    protected override Task<MedicationApiResult> RunAsync(OperationCall call, CancellationToken ct)
    {
        var history = call.Request.QueryValue("history") switch
        {
            null or "false" => false,
            "true" => true,
            var v => throw FhirException.BadRequest($"history must be true or false, not '{v}'.", "history"),
        };
        return Api.MedicationListAsync(call.Request.Caller, call.Id!, history, call.Request.BaseUrl, ct);
    }
}

public sealed class MedicationReconcileOperation(MedicationApi api) : MedicationOperation(api, "$reconcile", "Patient", true, "POST")
{
    protected override Task<MedicationApiResult> RunAsync(OperationCall call, CancellationToken ct) =>
        Api.ReconcileAsync(call.Request.Caller, call.Id!, RequiredBody(call, "$reconcile"), ct);
}
