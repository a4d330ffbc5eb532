using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Server.Bundles;
using Fellesjournal.Server.Http;
using Fellesjournal.Server.Store;
using Fellesjournal.Storage;

namespace Fellesjournal.Server.Interactions;

/// <summary>Batch and transaction Bundles (POST to the base).</summary>
public sealed partial class FhirService
{
    private sealed class Entry
    {
        public int Index;
        public required string Method;
        public required string Url;
        public string? FullUrl;
        public JsonObject? Resource;
        public JsonObject Request = null!;
        public string? AssignedId;
        /// <summary>Set when the entry is answered without running (conditional create that matched).</summary>
        public FhirResponse? Response;
    }

    private sealed class TransactionFailed(int index, FhirResponse response) : Exception
    {
        public int Index { get; } = index;
        public FhirResponse Response { get; } = response;
    }

    private static readonly string[] Order = ["DELETE", "POST", "PUT", "PATCH", "GET", "HEAD"];

    private async Task<FhirResponse> ProcessBundleAsync(FhirRequest req, CancellationToken ct)
    {
        if (req.Body is not { Length: > 0 } body) throw FhirException.BadRequest("POST to the base needs a batch or transaction Bundle.", code: "required");
        var bundle = ResourceJson.ParseObject(body, "Bundle");
        if (ResourceJson.GetString(bundle, "resourceType") != "Bundle")
            throw FhirException.BadRequest("POST to the base needs a Bundle.", "resourceType");
        var type = ResourceJson.GetString(bundle, "type");
        if (type is not ("batch" or "transaction"))
            throw FhirException.BadRequest($"Bundle.type must be batch or transaction, not '{type}'.", "Bundle.type");
        var entries = ReadEntries(bundle);
        var prefer = req.PreferReturn;

        FhirResponse[] responses;
        if (type == "batch")
        {
            responses = new FhirResponse[entries.Count];
            foreach (var e in entries)
            {
                try
                {
                    responses[e.Index] = e.Method == "INVALID"
                        ? throw FhirException.BadRequest(e.Url, $"Bundle.entry[{e.Index}].request")
                        : await HandleAsync(EntryRequest(req, e), new DirectStoreOps(store, coalescer), ct);
                }
                catch (FhirException fe) { responses[e.Index] = FhirResponse.FromError(fe); }
            }
        }
        else
        {
            try
            {
                // Conditional references and ifNoneExist resolve within the caller's reach, never the server's.
                var reach = req.Caller is { } caller ? await guard!.ForUnnamedAsync(caller, ct) : null;
                responses = await store.InTransactionAsync(tx =>
                {
                    IStoreOps txOps = new TransactionStoreOps(store, tx);
                    if (reach is not null) txOps = new Security.GuardedStoreOps(txOps, reach, guard!, audit!);
                    return RunTransactionAsync(req, entries, txOps, ct);
                }, ct);
            }
            catch (TransactionFailed tf)
            {
                var oc = tf.Response.Outcome ?? OperationOutcome.Single(IssueSeverity.Error, "processing", "Entry failed.");
                var wrapped = new OperationOutcome(oc.Issues.Select(i => i with
                {
                    Diagnostics = $"Bundle.entry[{tf.Index}] ({entries[tf.Index].Method} {entries[tf.Index].Url}): {i.Diagnostics}",
                    Location = $"Bundle.entry[{tf.Index}]" + (i.Location is null ? "" : ".resource." + i.Location),
                }));
                return new FhirResponse { Status = tf.Response.Status, Outcome = wrapped };
            }
        }

        using var bw = new Bundles.BundleWriter(type + "-response", null, [("self", req.BaseUrl)]);
        for (var i = 0; i < entries.Count; i++)
        {
            var r = responses[i];
            var fullUrl = r.VersionId is not null && r.Location is { } loc && loc.Contains("/_history/")
                ? loc[..loc.IndexOf("/_history/", StringComparison.Ordinal)] : null;
            bw.ResponseEntry(r, fullUrl, includeResource: prefer is null or "representation", includeOutcome: prefer == "OperationOutcome");
        }
        return new FhirResponse { Resource = bw.Finish() };
    }

    private List<Entry> ReadEntries(JsonObject bundle)
    {
        var list = new List<Entry>();
        if (bundle["entry"] is not JsonArray arr) return list;
        for (var i = 0; i < arr.Count; i++)
        {
            if (arr[i] is not JsonObject e) throw FhirException.BadRequest($"Bundle.entry[{i}] is not an object.", $"Bundle.entry[{i}]");
            var request = e["request"] as JsonObject;
            var method = ResourceJson.GetString(request, "method")?.ToUpperInvariant();
            var url = ResourceJson.GetString(request, "url");
            var entry = new Entry
            {
                Index = i,
                Method = method ?? "INVALID",
                Url = url ?? "",
                FullUrl = ResourceJson.GetString(e, "fullUrl"),
                Resource = e["resource"] as JsonObject,
                Request = request ?? new JsonObject(),
            };
            if (method is null || url is null || !Order.Contains(method))
            {
                entry.Method = "INVALID";
                entry.Url = $"Bundle.entry[{i}] needs request.method (GET, POST, PUT, PATCH, DELETE) and request.url.";
            }
            list.Add(entry);
        }
        return list;
    }

    private async Task<FhirResponse[]> RunTransactionAsync(FhirRequest req, List<Entry> entries, IStoreOps ops, CancellationToken ct)
    {
        var invalid = entries.FirstOrDefault(e => e.Method == "INVALID");
        if (invalid is not null)
            throw new TransactionFailed(invalid.Index, FhirResponse.FromError(FhirException.BadRequest(invalid.Url)));

        // 1. Identities: every fullUrl that a write entry will occupy → its Type/id.
        var identities = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            try
            {
                await ResolveIdentityAsync(req, e, identities, ops, ct);
            }
            catch (FhirException fe) { throw new TransactionFailed(e.Index, FhirResponse.FromError(fe)); }
        }

        // 2. Rewrite references: bundle-local identities, then conditional references (Type?criteria).
        foreach (var e in entries.Where(e => e.Resource is not null))
        {
            try
            {
                var conditional = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var reference in ReferenceRewriter.References(e.Resource).Where(r => r.Contains('?') && !r.StartsWith("urn:", StringComparison.Ordinal)).Distinct())
                {
                    var q = reference.IndexOf('?');
                    var rtype = reference[..q];
                    if (!defs.IsConcreteResourceType(rtype)) continue;
                    var matches = await ConditionalMatchesAsync(rtype, QueryParams.Parse(reference[(q + 1)..]), ops, ct);
                    if (matches.Count != 1)
                        throw new FhirException(412, "not-found", $"Conditional reference '{reference}' matches {matches.Count} resources; it must match exactly one.");
                    conditional[reference] = $"{rtype}/{matches[0].Id}";
                }
                ReferenceRewriter.Rewrite(e.Resource, s =>
                    identities.TryGetValue(s, out var to) ? to : conditional.TryGetValue(s, out var c) ? c
                    : s.StartsWith(req.BaseUrl + "/", StringComparison.Ordinal) && identities.ContainsKey(s) ? identities[s] : null, identities);
            }
            catch (FhirException fe) { throw new TransactionFailed(e.Index, FhirResponse.FromError(fe)); }
        }

        // 3. Run in the order the spec prescribes; the first failure rolls everything back.
        var responses = new FhirResponse[entries.Count];
        foreach (var method in Order)
        {
            foreach (var e in entries.Where(e => e.Method == method))
            {
                FhirRequest entryRequest;
                try
                {
                    entryRequest = EntryRequest(req, e);
                }
                catch (FhirException fe) { throw new TransactionFailed(e.Index, FhirResponse.FromError(fe)); }
                var resp = e.Response ?? await HandleAsync(entryRequest, ops, ct);
                if (resp.Status >= 400) throw new TransactionFailed(e.Index, resp);
                responses[e.Index] = resp;
            }
        }
        return responses;
    }

    private async Task ResolveIdentityAsync(FhirRequest req, Entry e, Dictionary<string, string> identities, IStoreOps ops, CancellationToken ct)
    {
        var (path, query) = SplitUrl(req.BaseUrl, e.Url);
        var type = path.Split('/')[0];
        string? target = null;
        if (e.Method == "POST" && e.Resource is not null && defs.IsConcreteResourceType(type))
        {
            if (ResourceJson.GetString(e.Request, "ifNoneExist") is { } ine)
            {
                var matches = await ConditionalMatchesAsync(type, QueryParams.Parse(ConditionQuery(ine)), ops, ct);
                if (matches.Count > 1) throw new FhirException(412, "duplicate", $"ifNoneExist '{ine}' matches {matches.Count} resources.");
                if (matches.Count == 1)
                {
                    e.Response = ResourceResponse(matches[0], 200, Location(req.BaseUrl, matches[0]), write: true);
                    target = $"{type}/{matches[0].Id}";
                }
            }
            if (target is null)
            {
                e.AssignedId = IdGenerator.NewId();
                target = $"{type}/{e.AssignedId}";
            }
        }
        else if (e.Method == "PUT" && defs.IsConcreteResourceType(type))
        {
            if (query.Length > 0 && !path.Contains('/'))
            {
                var matches = await ConditionalMatchesAsync(type, QueryParams.Parse(query), ops, ct);
                if (matches.Count > 1) throw new FhirException(412, "multiple-matches", $"Conditional update '{e.Url}' matches {matches.Count} resources.");
                var id = matches.Count == 1 ? matches[0].Id : ResourceJson.GetString(e.Resource, "id") ?? IdGenerator.NewId();
                e.AssignedId = id;
                target = $"{type}/{id}";
            }
            else target = path;
        }
        if (target is not null && e.FullUrl is { } fu)
        {
            if (identities.ContainsKey(fu)) throw FhirException.BadRequest($"fullUrl '{fu}' occurs more than once.", "fullUrl", "duplicate");
            identities[fu] = target;
        }
    }

    private static (string Path, string Query) SplitUrl(string baseUrl, string url)
    {
        if (url.StartsWith(baseUrl, StringComparison.Ordinal)) url = url[baseUrl.Length..];
        url = url.TrimStart('/');
        var q = url.IndexOf('?');
        return q < 0 ? (url, "") : (url[..q], url[(q + 1)..]);
    }

    private static FhirRequest EntryRequest(FhirRequest outer, Entry e)
    {
        var (path, query) = SplitUrl(outer.BaseUrl, e.Url);
        if (path.Length == 0 && e.Method != "GET")
            throw FhirException.BadRequest("Bundles inside Bundles are not processed; entry URLs must name a resource type.", $"Bundle.entry[{e.Index}].request.url");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        void Copy(string field, string header)
        {
            if (ResourceJson.GetString(e.Request, field) is { } v) headers[header] = v;
        }
        Copy("ifMatch", "If-Match");
        Copy("ifNoneMatch", "If-None-Match");
        Copy("ifModifiedSince", "If-Modified-Since");
        Copy("ifNoneExist", "If-None-Exist");
        if (outer.Header("Prefer") is { } prefer) headers["Prefer"] = prefer;

        ReadOnlyMemory<byte>? body = null;
        string? contentType = null;
        if (e.Resource is not null)
        {
            if (e.Method == "PATCH" && ResourceJson.GetString(e.Resource, "resourceType") == "Binary")
            {
                // JSON Patch travels as a Binary with the patch document base64-encoded.
                contentType = ResourceJson.GetString(e.Resource, "contentType") ?? "application/json-patch+json";
                try
                {
                    body = ResourceJson.GetString(e.Resource, "data") is { } data ? Convert.FromBase64String(data) : null;
                }
                catch (FormatException)
                {
                    throw FhirException.BadRequest("The patch Binary's data is not valid base64.", $"Bundle.entry[{e.Index}].resource.data");
                }
            }
            else
            {
                contentType = "application/fhir+json";
                body = ResourceJson.ToBytes(e.Resource);
            }
        }
        // A conditional update resolved while assigning identities now targets the resolved id.
        if (e.Method == "PUT" && query.Length > 0 && e.AssignedId is not null && !path.Contains('/'))
        {
            path = $"{path}/{e.AssignedId}";
            query = "";
            if (e.Resource is not null && ResourceJson.GetString(e.Resource, "id") is null)
            {
                e.Resource["id"] = e.AssignedId;
                body = ResourceJson.ToBytes(e.Resource);
            }
        }
        return new FhirRequest
        {
            Method = e.Method == "HEAD" ? "GET" : e.Method,
            Path = path,
            Query = QueryParams.Parse(query),
            Headers = headers,
            Body = body,
            ContentType = contentType,
            BaseUrl = outer.BaseUrl,
            AssignedId = e.AssignedId,
            Caller = outer.Caller,
        };
    }
}
