using System.Globalization;
using System.Text;
using Fellesjournal.Server.Bundles;
using Fellesjournal.Server.Http;
using Fellesjournal.Server.Store;
using Fellesjournal.Storage;

namespace Fellesjournal.Server.Interactions;

public sealed partial class FhirService
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 1000;

    private Task<FhirResponse> SearchAsync(FhirRequest req, string? type, IStoreOps ops, CancellationToken ct) =>
        SearchAsync(req, type, null, ops, ct);

    /// <summary>Type, system and compartment search (<paramref name="compartment"/> = Patient id of Patient/123/Type or /*).</summary>
    private async Task<FhirResponse> SearchAsync(FhirRequest req, string? type, string? compartment, IStoreOps ops, CancellationToken ct,
        string? pathOverride = null, IReadOnlyList<string>? compartmentTypes = null)
    {
        var query = new List<KeyValuePair<string, string>>(req.Query);
        if (req.Method == "POST" && req.Body is { Length: > 0 } body)
        {
            // POST _search: parameters in an application/x-www-form-urlencoded body, merged with the URL's.
            if (req.ContentType is { } ctype && !ctype.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
                throw new FhirException(415, "not-supported", "POST _search takes application/x-www-form-urlencoded parameters.");
            query.AddRange(QueryParams.Parse(Encoding.UTF8.GetString(body.Span)));
        }
        var count = PageSize(query);
        var summary = query.LastOrDefault(kv => kv.Key == "_summary").Value;
        if (!Subsetting.IsValidSummary(summary)) throw FhirException.BadRequest($"_summary={summary} is not valid.", "_summary");
        var totalMode = query.LastOrDefault(kv => kv.Key == "_total").Value;
        if (totalMode is not (null or "none" or "estimate" or "accurate"))
            throw FhirException.BadRequest($"_total={totalMode} is not valid (none, estimate or accurate).", "_total");
        var parsed = SearchParameters.Parse(defs, type, query, req.StrictHandling);
        var types = parsed.Types ?? (IReadOnlyList<string>?)compartmentTypes;
        if (parsed.Types is not null && compartmentTypes is not null)
            types = parsed.Types.Where(compartmentTypes.Contains).DefaultIfEmpty("Patient").ToList();
        var cursor = query.LastOrDefault(kv => kv.Key == "_cursor").Value;
        var total = summary == "count" || totalMode is "accurate" or "estimate";
        var page = await ops.SearchAsync(new SearchQuery(type, parsed.Criteria, summary == "count" ? 0 : count, cursor, total,
            Sort: parsed.Sort, Compartment: compartment, Types: types, Includes: parsed.Includes,
            EstimateTotal: totalMode == "estimate" && summary != "count") { Contained = parsed.Contained, ReturnContained = parsed.ReturnContained }, ct);

        // The self link shows the parameters actually used (ignored ones left out).
        var used = query.Where(kv => !parsed.Ignored.Contains(kv.Key) && kv.Key != "_cursor" && kv.Key != "_format").ToList();
        var path = pathOverride ?? (type is null ? req.BaseUrl : $"{req.BaseUrl}/{type}");
        var links = new List<(string, string)> { ("self", Url(path, used, cursor)), ("first", Url(path, used, null)) };
        if (summary != "count")
        {
            if (page.PreviousCursor is not null) links.Add(("previous", Url(path, used, page.PreviousCursor)));
            if (page.NextCursor is not null) links.Add(("next", Url(path, used, page.NextCursor)));
            // The last page is read backwards from the end: as cheap as the first.
            links.Add(("last", Url(path, used, SearchPage.LastPageCursor)));
        }
        using var bw = new BundleWriter("searchset", page.Total, links);
        if (summary != "count")
        {
            var elements = query.LastOrDefault(kv => kv.Key == "_elements").Value;
            void Entry(StoredResource r, string mode)
            {
                // _summary/_elements apply to each returned resource (the handler leaves Bundles whole).
                var subset = summary is "true" or "text" or "data" || elements is not null
                    ? Subsetting.Apply(defs, r.Json, summary, elements) : null;
                bw.SearchEntry(req.BaseUrl, r, mode, json: subset is null ? null : (ReadOnlyMemory<byte>?)ResourceJson.ToBytes(subset));
            }
            foreach (var r in page.Resources) Entry(r, "match");
            foreach (var r in page.Included ?? []) Entry(r, "include");
        }
        var outcome = parsed.Ignored.Count == 0 ? null
            : Fellesjournal.Fhir.Model.OperationOutcome.Single(Fellesjournal.Fhir.Model.IssueSeverity.Warning, "not-supported",
                $"Ignored unknown search parameters: {string.Join(", ", parsed.Ignored)}.");
        if (outcome is not null)
        {
            bw.Writer.WriteStartObject();
            bw.Writer.WritePropertyName("resource");
            outcome.WriteTo(bw.Writer);
            bw.Writer.WriteStartObject("search");
            bw.Writer.WriteString("mode", "outcome");
            bw.Writer.WriteEndObject();
            bw.Writer.WriteEndObject();
        }
        return new FhirResponse { Resource = bw.Finish() };
    }

    /// <summary>Patient/123/* and Patient/123/Type: a search restricted to the patient's compartment.</summary>
    private async Task<FhirResponse> CompartmentSearchAsync(FhirRequest req, string patientId, string target, IStoreOps ops, CancellationToken ct)
    {
        if (await ops.GetAsync("Patient", patientId, ct) is not { IsDeleted: false }) throw FhirException.NotFound($"Patient/{patientId} does not exist.");
        var path = $"{req.BaseUrl}/Patient/{patientId}/{target}";
        if (target == "*")
            return await SearchAsync(req, null, patientId, ops, ct, path, CompartmentTypes(req));
        if (!defs.IsConcreteResourceType(target)) throw FhirException.NotFound($"Unknown resource type '{target}'.");
        if (target != "Patient" && !defs.PatientCompartment.ContainsKey(target))
            throw FhirException.BadRequest($"{target} is not part of the Patient compartment.", target);
        return await SearchAsync(req, target, patientId, ops, ct, path);
    }

    /// <summary>Patient/123/$everything (_since, _type, _count): every resource of the compartment, paged.</summary>
    private async Task<FhirResponse> EverythingAsync(FhirRequest req, string patientId, IStoreOps ops, CancellationToken ct)
    {
        if (await ops.GetAsync("Patient", patientId, ct) is not { IsDeleted: false }) throw FhirException.NotFound($"Patient/{patientId} does not exist.");
        var since = req.QueryValue("_since");
        var rewritten = req.Query.Where(kv => kv.Key is "_count" or "_cursor" or "_type" or "_format").ToList();
        if (since is not null) rewritten.Add(new("_lastUpdated", "ge" + since));
        var types = CompartmentTypes(req);
        return await SearchAsync(new FhirRequest { Method = "GET", Path = req.Path, Query = rewritten, Headers = req.Headers, BaseUrl = req.BaseUrl, Caller = req.Caller }, null, patientId, ops, ct,
            $"{req.BaseUrl}/Patient/{patientId}/$everything", types);
    }

    /// <summary>The Patient compartment's types, narrowed to those the caller's scopes let them search.</summary>
    private List<string> CompartmentTypes(FhirRequest req)
    {
        List<string> all = ["Patient", .. defs.PatientCompartment.Where(kv => kv.Value.Count > 0).Select(kv => kv.Key).Where(defs.IsConcreteResourceType)];
        if (req.Caller is not { } p) return all;
        var allowed = all.Where(t => Security.ScopeCheck.Allows(p, t, Fellesjournal.Trust.Identity.Interaction.Search)).ToList();
        return allowed.Count > 0 ? allowed : throw Security.ScopeCheck.Forbidden("*", Fellesjournal.Trust.Identity.Interaction.Search);
    }

    private async Task<FhirResponse> HistoryAsync(FhirRequest req, string? type, string? id, IStoreOps ops, CancellationToken ct)
    {
        var count = PageSize(req.Query);
        var since = Instant(req, "_since");
        var at = Instant(req, "_at");
        var cursor = req.QueryValue("_cursor");
        if (id is not null && await ops.GetAsync(type!, id, ct) is null) throw FhirException.NotFound($"{type}/{id} does not exist.");
        var query = new HistoryQuery(type, id, since, at, count, cursor);
        var page = ops is Security.GuardedStoreOps guarded ? await guarded.HistoryAsync(query, ct) : await ops.Store.HistoryAsync(query, ct);
        var path = req.BaseUrl + (type is null ? "" : "/" + type) + (id is null ? "" : "/" + id) + "/_history";
        var used = req.Query.Where(kv => kv.Key is "_count" or "_since" or "_at").ToList();
        var links = new List<(string, string)> { ("self", Url(path, used, cursor)) };
        if (page.NextCursor is not null) links.Add(("next", Url(path, used, page.NextCursor)));
        using var bw = new BundleWriter("history", page.Total, links);
        foreach (var r in page.Entries) bw.HistoryEntry(req.BaseUrl, r);
        return new FhirResponse { Resource = bw.Finish() };
    }

    private static string Url(string path, List<KeyValuePair<string, string>> used, string? cursor)
    {
        var pairs = new List<KeyValuePair<string, string>>(used);
        if (cursor is not null) pairs.Add(new("_cursor", cursor));
        return pairs.Count == 0 ? path : path + "?" + QueryParams.Build(pairs);
    }

    private static int PageSize(IEnumerable<KeyValuePair<string, string>> query)
    {
        var c = query.LastOrDefault(kv => kv.Key == "_count").Value;
        if (c is null) return DefaultPageSize;
        if (!int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw FhirException.BadRequest($"_count={c} is not a non-negative integer.", "_count");
        return Math.Min(n, MaxPageSize);
    }

    private static DateTimeOffset? Instant(FhirRequest req, string name)
    {
        var v = req.QueryValue(name);
        if (v is null) return null;
        if (DateTimeOffset.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d)) return d;
        if (v.Length == 4 && int.TryParse(v, out var y)) return new DateTimeOffset(y, 1, 1, 0, 0, 0, TimeSpan.Zero);
        if (v.Length == 7 && DateTimeOffset.TryParseExact(v, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out d)) return d;
        throw FhirException.BadRequest($"{name}={v} is not a valid instant.", name, "value");
    }
}
