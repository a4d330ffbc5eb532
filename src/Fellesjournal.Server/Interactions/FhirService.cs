using System.Data.Common;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Server.Bundles;
using Fellesjournal.Server.Capabilities;
using Fellesjournal.Server.Http;
using Fellesjournal.Server.Operations;
using Fellesjournal.Server.Store;
using Fellesjournal.Server.Validation;
using Fellesjournal.Storage;

namespace Fellesjournal.Server.Interactions;

/// <summary>
/// Routes a <see cref="FhirRequest"/> to its interaction. Used for HTTP requests and for the
/// entries of batch/transaction Bundles alike. Split over partial files by interaction group.
/// </summary>
public sealed partial class FhirService(
    IResourceStore store,
    FhirDefinitions defs,
    IResourceValidator validator,
    CapabilityStatementBuilder capabilities,
    WriteCoalescer coalescer,
    IEnumerable<IFhirOperation> operations,
    ILogger<FhirService> logger,
    Security.AccessGuard? guard = null,
    IAccessAudit? audit = null)
{
    public FhirDefinitions Definitions => defs;
    public IResourceStore Store => store;

    /// <summary>Runs a request against the store; every failure becomes an OperationOutcome response.</summary>
    public async Task<FhirResponse> HandleAsync(FhirRequest req, CancellationToken ct) =>
        await HandleAsync(req, new DirectStoreOps(store, coalescer), ct);

    public async Task<FhirResponse> HandleAsync(FhirRequest req, IStoreOps ops, CancellationToken ct)
    {
        try
        {
            // Every request from outside carries its caller; only server-internal requests have none.
            if (req.Caller is { } caller)
            {
                if (guard is null || audit is null) throw new InvalidOperationException("The access policy and the access log are not configured.");
                return await HandleAuthorizedAsync(req, caller, ops, ct);
            }
            return await RouteAsync(req, ops, ct);
        }
        catch (Exception e) when (ToFhirException(e) is { } fe)
        {
            return FhirResponse.FromError(fe);
        }
    }

    /// <summary>Maps store and framework exceptions to statuses; null for the truly unexpected (logged, 500).</summary>
    public FhirException? ToFhirException(Exception e)
    {
        switch (e)
        {
            case FhirException fe: return fe;
            case Security.AccessDeniedException denied: return denied.Answer;
            case VersionConflictException vc:
                return new FhirException(409, "conflict", $"Version conflict on {vc.ResourceType}/{vc.Id}: {vc.Message}");
            case SearchException se:
                return FhirException.BadRequest(se.Message, se.Parameter, "processing");
            case StoreUnavailableException su:
                return new FhirException(503, "transient", su.Message);
            case DbException or IOException or TimeoutException:
                logger.LogError(e, "Store failure");
                return new FhirException(503, "transient", "The resource store is unavailable: " + e.Message);
            case OperationCanceledException:
                return new FhirException(503, "timeout", "The request was cancelled.");
            default:
                logger.LogError(e, "Unhandled error");
                return new FhirException(500, "exception", "Internal error: " + e.Message);
        }
    }

    private Task<FhirResponse> RouteAsync(FhirRequest req, IStoreOps ops, CancellationToken ct)
    {
        var seg = req.Path.Length == 0 ? [] : req.Path.Split('/');
        var m = req.Method;
        if (seg.Length == 0)
        {
            if (m == "POST") return ProcessBundleAsync(req, ct);
            if (m == "GET") return SearchAsync(req, null, ops, ct);
            throw MethodNotAllowed(m, "GET, POST");
        }
        if (seg.Any(s => s.Length == 0)) throw FhirException.NotFound($"No such endpoint: {req.Path}");
        if (seg is ["Patient", var patientId, "$everything"])
        {
            if (m is not ("GET" or "POST")) throw MethodNotAllowed(m, "GET, POST");
            CheckId(patientId);
            return EverythingAsync(req, patientId, ops, ct);
        }
        if (seg is [var vt, "$validate"] && defs.IsConcreteResourceType(vt))
        {
            if (m != "POST") throw MethodNotAllowed(m, "POST");
            return Task.FromResult(ValidateOperation(req, vt));
        }
        if (FindOperation(seg) is { } op)
        {
            if (!op.Methods.Contains(m)) throw MethodNotAllowed(m, string.Join(", ", op.Methods));
            var opId = op.Instance ? seg[1] : null;
            if (opId is not null) CheckId(opId);
            return op.InvokeAsync(new OperationCall(req, opId, ops), ct);
        }
        if (seg[0].StartsWith('$') || seg.Length > 1 && seg[^1].StartsWith('$'))
            throw new FhirException(501, "not-supported", $"Operation '{seg[^1]}' is not supported.");
        if (seg is ["metadata"])
        {
            if (m != "GET") throw MethodNotAllowed(m, "GET");
            return Task.FromResult(new FhirResponse { Resource = capabilities.Build(req.BaseUrl) });
        }
        if (seg is ["_history"])
        {
            if (m != "GET") throw MethodNotAllowed(m, "GET");
            return HistoryAsync(req, null, null, ops, ct);
        }
        if (seg is ["_search"])
        {
            if (m != "POST") throw MethodNotAllowed(m, "POST");
            return SearchAsync(req, null, ops, ct);
        }

        var type = seg[0];
        if (!defs.IsConcreteResourceType(type))
            throw FhirException.NotFound($"Unknown resource type '{type}'.");
        switch (seg.Length)
        {
            case 1:
                return m switch
                {
                    "GET" => SearchAsync(req, type, ops, ct),
                    "POST" => CreateAsync(req, type, ops, ct),
                    "PUT" => ConditionalUpdateAsync(req, type, ops, ct),
                    "DELETE" => ConditionalDeleteAsync(req, type, ops, ct),
                    "PATCH" => ConditionalPatchAsync(req, type, ops, ct),
                    _ => throw MethodNotAllowed(m, "GET, POST, PUT, DELETE, PATCH"),
                };
            case 2 when seg[1] == "_search":
                if (m != "POST") throw MethodNotAllowed(m, "POST");
                return SearchAsync(req, type, ops, ct);
            case 2 when seg[1] == "_history":
                if (m != "GET") throw MethodNotAllowed(m, "GET");
                return HistoryAsync(req, type, null, ops, ct);
            case 2:
                CheckId(seg[1], m is "PUT" or "PATCH");
                return m switch
                {
                    "GET" => ReadAsync(req, type, seg[1], ops, ct),
                    "PUT" => UpdateAsync(req, type, seg[1], ops, ct),
                    "DELETE" => DeleteAsync(req, type, seg[1], ops, ct),
                    "PATCH" => PatchAsync(req, type, seg[1], ops, ct),
                    _ => throw MethodNotAllowed(m, "GET, PUT, DELETE, PATCH"),
                };
            case 3 when type == "Patient" && seg[2] != "_history":
                CheckId(seg[1]);
                if (m != "GET") throw MethodNotAllowed(m, "GET");
                return CompartmentSearchAsync(req, seg[1], seg[2], ops, ct);
            case 3 when seg[2] == "_history":
                CheckId(seg[1]);
                if (m != "GET") throw MethodNotAllowed(m, "GET");
                return HistoryAsync(req, type, seg[1], ops, ct);
            case 4 when seg[2] == "_history":
                CheckId(seg[1]);
                if (m != "GET") throw MethodNotAllowed(m, "GET");
                return VReadAsync(req, type, seg[1], seg[3], ops, ct);
        }
        throw FhirException.NotFound($"No such endpoint: {req.Path}");
    }

    private readonly IFhirOperation[] _operations = operations.ToArray();

    /// <summary>The registered operation that <c>[Type/[id/]]$name</c> names, if any.</summary>
    private IFhirOperation? FindOperation(string[] seg) => seg switch
    {
        [var n] when n.StartsWith('$') => _operations.FirstOrDefault(o => o.Name == n && o.ResourceType is null),
        [var t, var n] when n.StartsWith('$') => _operations.FirstOrDefault(o => o.Name == n && o.ResourceType == t && !o.Instance),
        [var t, _, var n] when n.StartsWith('$') => _operations.FirstOrDefault(o => o.Name == n && o.ResourceType == t && o.Instance),
        _ => null,
    };

    /// <summary>Malformed ids cannot exist: 404 on reads, 400 on writes (the client sent something invalid).</summary>
    /// <summary>$validate (type level): the body, or the "resource" parameter of a Parameters body; always 200 with the outcome.</summary>
    private FhirResponse ValidateOperation(FhirRequest req, string type)
    {
        if (req.Body is not { Length: > 0 } body) throw FhirException.BadRequest("$validate needs a resource.", code: "required");
        var resource = ResourceJson.ParseObject(body);
        if (ResourceJson.GetString(resource, "resourceType") == "Parameters" && type != "Parameters")
        {
            resource = (resource["parameter"] as System.Text.Json.Nodes.JsonArray ?? [])
                .OfType<System.Text.Json.Nodes.JsonObject>()
                .FirstOrDefault(p => ResourceJson.GetString(p, "name") == "resource")?["resource"] as System.Text.Json.Nodes.JsonObject
                ?? throw FhirException.BadRequest("The Parameters have no 'resource' parameter.", "Parameters.parameter");
        }
        if (ResourceJson.GetString(resource, "resourceType") != type)
            throw FhirException.BadRequest($"The resource is not a {type}.", "resourceType");
        var bytes = ResourceJson.ToBytes(resource);
        var result = validator.Validate(resource, bytes);
        var outcome = result.Success ? Info("Validation found no errors.") : result.Outcome;
        return new FhirResponse { Resource = outcome.ToJsonBytes() };
    }

    private static void CheckId(string id, bool write = false)
    {
        if (ResourceIds.Pattern().IsMatch(id)) return;
        var message = $"'{id}' is not a valid resource id (1-64 characters A-Z a-z 0-9 - .).";
        throw write ? FhirException.BadRequest(message, "id", "value") : FhirException.NotFound(message);
    }

    private static FhirException MethodNotAllowed(string method, string allow)
    {
        var e = new FhirException(405, "not-supported", $"Method {method} is not allowed here; allowed: {allow}.");
        e.Headers["Allow"] = allow;
        return e;
    }

    private string Location(string baseUrl, StoredResource r) => $"{baseUrl}/{r.ResourceType}/{r.Id}/_history/{r.VersionId}";

    private static FhirResponse ResourceResponse(StoredResource r, int status = 200, string? location = null, bool write = false) => new()
    {
        Status = status,
        Resource = r.IsDeleted ? null : r.Json,
        VersionId = r.VersionId,
        LastModified = r.LastUpdated,
        Location = location,
        Subsettable = !write,
        IsWriteResult = write,
    };
}
