using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Server.Http;
using Fellesjournal.Server.Store;
using Fellesjournal.Storage;

namespace Fellesjournal.Server.Interactions;

public sealed partial class FhirService
{
    private async Task<FhirResponse> CreateAsync(FhirRequest req, string type, IStoreOps ops, CancellationToken ct)
    {
        var resource = ParseBody(req, type);
        if (req.Header("If-None-Exist") is { } ifNoneExist)
        {
            var matches = await ConditionalMatchesAsync(type, QueryParams.Parse(ConditionQuery(ifNoneExist)), ops, ct);
            if (matches.Count > 1)
                throw new FhirException(412, "duplicate", $"If-None-Exist '{ifNoneExist}' matches {matches.Count} resources.");
            if (matches.Count == 1)
                return ResourceResponse(matches[0], 200, Location(req.BaseUrl, matches[0]), write: true);
        }
        var id = req.AssignedId ?? IdGenerator.NewId();
        resource["id"] = id;
        var stored = await WriteAsync(ops, type, id, resource, null, mustNotExist: true, ct);
        return ResourceResponse(stored, 201, Location(req.BaseUrl, stored), write: true);
    }

    private async Task<FhirResponse> UpdateAsync(FhirRequest req, string type, string id, IStoreOps ops, CancellationToken ct)
    {
        var resource = ParseBody(req, type);
        var bodyId = ResourceJson.GetString(resource, "id");
        if (bodyId is null) throw FhirException.BadRequest("The resource in an update must have an id.", "id", "required");
        if (bodyId != id) throw FhirException.BadRequest($"The id in the body ({bodyId}) does not match the URL ({id}).", "id");
        var ifMatch = IfMatch(req);
        if (ifMatch is not null) await CheckIfMatchAsync(type, id, ifMatch.Value, ops, ct);
        var stored = await WriteAsync(ops, type, id, resource, ifMatch, mustNotExist: false, ct);
        var created = stored.Created || stored.VersionId == 1;
        return ResourceResponse(stored, created ? 201 : 200, Location(req.BaseUrl, stored), write: true);
    }

    private async Task<FhirResponse> ConditionalUpdateAsync(FhirRequest req, string type, IStoreOps ops, CancellationToken ct)
    {
        if (req.Query.Count == 0) throw MethodNotAllowed("PUT", "GET, POST (PUT needs an id or search criteria)");
        var matches = await ConditionalMatchesAsync(type, req.Query, ops, ct);
        if (matches.Count > 1)
            throw new FhirException(412, "multiple-matches", $"The criteria match {matches.Count} resources; conditional update needs at most one.");
        var resource = ParseBody(req, type);
        var bodyId = ResourceJson.GetString(resource, "id");
        if (matches.Count == 1)
        {
            if (bodyId is not null && bodyId != matches[0].Id)
                throw FhirException.BadRequest($"The id in the body ({bodyId}) differs from the matched resource ({matches[0].Id}).", "id");
            resource["id"] = matches[0].Id;
            var stored = await WriteAsync(ops, type, matches[0].Id, resource, IfMatch(req) ?? matches[0].VersionId, false, ct);
            return ResourceResponse(stored, 200, Location(req.BaseUrl, stored), write: true);
        }
        var id = bodyId ?? req.AssignedId ?? IdGenerator.NewId();
        resource["id"] = id;
        var created = await WriteAsync(ops, type, id, resource, null, mustNotExist: bodyId is null, ct);
        return ResourceResponse(created, 201, Location(req.BaseUrl, created), write: true);
    }

    private async Task<FhirResponse> DeleteAsync(FhirRequest req, string type, string id, IStoreOps ops, CancellationToken ct)
    {
        var current = await ops.GetAsync(type, id, ct);
        var ifMatch = IfMatch(req);
        if (ifMatch is not null)
        {
            if (current is null) throw new FhirException(412, "conflict", $"If-Match given but {type}/{id} does not exist.");
            if (current.VersionId != ifMatch) throw Stale(type, id, ifMatch.Value, current.VersionId);
        }
        if (current is null || current.IsDeleted)
            return new FhirResponse { Status = 204, VersionId = current?.VersionId, IsWriteResult = true, Outcome = Info($"{type}/{id} does not exist (or is already deleted); nothing to do.") };
        var tomb = (await ops.MergeAsync([new ResourceWrite(type, id, null, current.VersionId)], ct))[0];
        return new FhirResponse { Status = 204, VersionId = tomb.VersionId, LastModified = tomb.LastUpdated, IsWriteResult = true, Outcome = Info($"Deleted {type}/{id}.") };
    }

    private async Task<FhirResponse> ConditionalDeleteAsync(FhirRequest req, string type, IStoreOps ops, CancellationToken ct)
    {
        if (req.Query.Count == 0) throw MethodNotAllowed("DELETE", "GET, POST (DELETE needs an id or search criteria)");
        var matches = await ConditionalMatchesAsync(type, req.Query, ops, ct);
        if (matches.Count > 1)
            throw new FhirException(412, "multiple-matches", $"The criteria match {matches.Count} resources; only single conditional delete is supported.");
        if (matches.Count == 0)
            return new FhirResponse { Status = 204, IsWriteResult = true, Outcome = Info("No resource matched; nothing deleted.") };
        var m = matches[0];
        var tomb = (await ops.MergeAsync([new ResourceWrite(type, m.Id, null, m.VersionId)], ct))[0];
        return new FhirResponse { Status = 204, VersionId = tomb.VersionId, LastModified = tomb.LastUpdated, IsWriteResult = true, Outcome = Info($"Deleted {type}/{m.Id}.") };
    }

    /// <summary>The resources matching conditional criteria (at most 2 fetched: 0, 1 or "many").</summary>
    internal async Task<IReadOnlyList<StoredResource>> ConditionalMatchesAsync(string type, List<KeyValuePair<string, string>> query, IStoreOps ops, CancellationToken ct)
    {
        var criteria = SearchParameters.ParseCriteria(defs, type, query, strict: true, out _);
        if (criteria.Count == 0) throw FhirException.BadRequest("Conditional interactions need at least one search criterion.", code: "processing");
        var search = new SearchQuery(type, criteria, Count: 2);
        if (ops is Security.GuardedStoreOps guarded) search = search with { Access = await guarded.ConditionalAccessAsync(type, query, ct) };
        var page = await ops.SearchAsync(search, ct);
        return page.Resources;
    }

    /// <summary>If-None-Exist is a query ("identifier=x"); some clients send "Patient?identifier=x".</summary>
    internal static string ConditionQuery(string condition) =>
        condition.IndexOf('?') is var q and >= 0 ? condition[(q + 1)..] : condition;

    private JsonObject ParseBody(FhirRequest req, string type)
    {
        if (req.Body is not { Length: > 0 } body) throw FhirException.BadRequest("The request has no resource body.", code: "required");
        var resource = ResourceJson.ParseObject(body);
        var rt = ResourceJson.GetString(resource, "resourceType");
        if (rt != type)
            throw FhirException.BadRequest($"The body's resourceType '{rt}' does not match the URL type '{type}'.", "resourceType");
        return resource;
    }

    /// <summary>Validates and writes one resource; the store stamps meta.</summary>
    private async Task<StoredResource> WriteAsync(IStoreOps ops, string type, string id, JsonObject resource, long? ifMatch, bool mustNotExist, CancellationToken ct)
    {
        ResourceJson.StripServerMeta(resource);
        var bytes = ResourceJson.ToBytes(resource);
        Validate(resource, bytes);
        try
        {
            return (await ops.MergeAsync([new ResourceWrite(type, id, bytes, ifMatch, mustNotExist)], ct))[0];
        }
        catch (VersionConflictException e) when (ifMatch is not null)
        {
            throw new FhirException(412, "conflict", $"{type}/{id} was changed by someone else: {e.Message}");
        }
    }

    internal void Validate(JsonObject resource, ReadOnlyMemory<byte> bytes)
    {
        var result = validator.Validate(resource, bytes);
        if (!result.Success) throw new FhirException(result.IsStructural ? 400 : 422, result.Outcome);
    }

    private static long? IfMatch(FhirRequest req)
    {
        var h = req.Header("If-Match");
        if (h is null) return null;
        return ParseETag(h) ?? throw FhirException.BadRequest($"If-Match '{h}' is not a version ETag like W/\"1\".", code: "value");
    }

    private static async Task CheckIfMatchAsync(string type, string id, long ifMatch, IStoreOps ops, CancellationToken ct)
    {
        var current = await ops.GetAsync(type, id, ct);
        if (current is null) throw new FhirException(412, "conflict", $"If-Match given but {type}/{id} does not exist.");
        if (current.VersionId != ifMatch) throw Stale(type, id, ifMatch, current.VersionId);
    }

    private static FhirException Stale(string type, string id, long expected, long actual) =>
        new(412, "conflict", $"{type}/{id} is at version {actual}, not {expected} (If-Match).");

    private static OperationOutcome Info(string text) => OperationOutcome.Single(IssueSeverity.Information, "informational", text);
}
