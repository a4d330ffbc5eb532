using System.Text.Json.Nodes;
using Fellesjournal.Server.Http;
using Fellesjournal.Server.Patch;
using Fellesjournal.Server.Store;
using Fellesjournal.Storage;

namespace Fellesjournal.Server.Interactions;

public sealed partial class FhirService
{
    private async Task<FhirResponse> PatchAsync(FhirRequest req, string type, string id, IStoreOps ops, CancellationToken ct)
    {
        var current = await ops.GetAsync(type, id, ct) ?? throw FhirException.NotFound($"{type}/{id} does not exist.");
        return await PatchCurrentAsync(req, current, ops, ct);
    }

    private async Task<FhirResponse> ConditionalPatchAsync(FhirRequest req, string type, IStoreOps ops, CancellationToken ct)
    {
        if (req.Query.Count == 0) throw MethodNotAllowed("PATCH", "GET, POST (PATCH needs an id or search criteria)");
        var matches = await ConditionalMatchesAsync(type, req.Query, ops, ct);
        if (matches.Count == 0) throw FhirException.NotFound("No resource matches the conditional patch criteria.");
        if (matches.Count > 1) throw new FhirException(412, "multiple-matches", $"The criteria match {matches.Count} resources.");
        return await PatchCurrentAsync(req, matches[0], ops, ct);
    }

    private async Task<FhirResponse> PatchCurrentAsync(FhirRequest req, StoredResource current, IStoreOps ops, CancellationToken ct)
    {
        var (type, id) = (current.ResourceType, current.Id);
        if (current.IsDeleted) throw Gone(current);
        var ifMatch = IfMatch(req);
        if (ifMatch is not null && ifMatch != current.VersionId) throw Stale(type, id, ifMatch.Value, current.VersionId);
        if (req.Body is not { Length: > 0 } body) throw FhirException.BadRequest("The PATCH request has no body.", code: "required");
        var mediaType = (req.ContentType ?? "").Split(';')[0].Trim().ToLowerInvariant();

        JsonObject patched;
        if (mediaType == "application/json-patch+json")
        {
            var resource = ResourceJson.ParseObject(current.Json);
            try
            {
                patched = JsonPatch.Apply(resource, JsonPatch.ParseOperations(body)) as JsonObject
                          ?? throw FhirException.BadRequest("The patch result is not a resource.", code: "processing");
            }
            catch (JsonPatchException e)
            {
                // A failed "test" is a precondition that does not hold; other errors are malformed patches.
                throw new FhirException(e.TestFailed ? 422 : 400, "processing", e.Message, e.Operation >= 0 ? $"operation[{e.Operation}]" : null);
            }
        }
        else if (mediaType is "application/fhir+json" or "application/json")
        {
            var parameters = ResourceJson.ParseObject(body, "patch");
            if (ResourceJson.GetString(parameters, "resourceType") != "Parameters")
                throw FhirException.BadRequest("A FHIRPath Patch body must be a Parameters resource.", "resourceType");
            patched = FhirPathPatch.Apply(defs, ResourceJson.ParseObject(current.Json), parameters);
        }
        else
        {
            throw new FhirException(415, "not-supported",
                $"PATCH takes application/json-patch+json (JSON Patch) or application/fhir+json (FHIRPath Patch), not '{mediaType}'.");
        }

        if (ResourceJson.GetString(patched, "resourceType") != type)
            throw new FhirException(422, "processing", "A patch must not change resourceType.", "resourceType");
        if (ResourceJson.GetString(patched, "id") != id)
            throw new FhirException(422, "processing", "A patch must not change the resource id.", "id");
        var stored = await WriteAsync(ops, type, id, patched, current.VersionId, false, ct);
        return ResourceResponse(stored, 200, Location(req.BaseUrl, stored), write: true);
    }
}
