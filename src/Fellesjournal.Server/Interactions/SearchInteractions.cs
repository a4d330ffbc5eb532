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

    private async Task<FhirResponse> SearchAsync(FhirRequest req, string? type, IStoreOps ops, CancellationToken ct)
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
        var criteria = SearchParameters.ParseCriteria(defs, type, query, req.StrictHandling, out var ignored);
        var cursor = query.LastOrDefault(kv => kv.Key == "_cursor").Value;
        var total = summary == "count" || query.Any(kv => kv.Key == "_total" && kv.Value is "accurate" or "estimate");
        var page = await ops.SearchAsync(new SearchQuery(type, criteria, summary == "count" ? 0 : count, cursor, total), ct);

        // The self link shows the parameters actually used (ignored ones left out).
        var used = query.Where(kv => !ignored.Contains(kv.Key) && kv.Key != "_cursor" && kv.Key != "_format").ToList();
        var path = type is null ? req.BaseUrl : $"{req.BaseUrl}/{type}";
        var links = new List<(string, string)> { ("self", Url(path, used, cursor)) };
        if (page.NextCursor is not null && summary != "count") links.Add(("next", Url(path, used, page.NextCursor)));
        using var bw = new BundleWriter("searchset", page.Total, links);
        if (summary != "count")
        {
            var elements = query.LastOrDefault(kv => kv.Key == "_elements").Value;
            foreach (var r in page.Resources)
            {
                // _summary/_elements apply to each matched resource (the handler leaves Bundles whole).
                var subset = summary is "true" or "text" or "data" || elements is not null
                    ? Subsetting.Apply(defs, r.Json, summary, elements) : null;
                bw.SearchEntry(req.BaseUrl, r, json: subset is null ? null : (ReadOnlyMemory<byte>?)ResourceJson.ToBytes(subset));
            }
        }
        var outcome = ignored.Count == 0 ? null
            : Fellesjournal.Fhir.Model.OperationOutcome.Single(Fellesjournal.Fhir.Model.IssueSeverity.Warning, "not-supported",
                $"Ignored unknown search parameters: {string.Join(", ", ignored)}.");
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

    private async Task<FhirResponse> HistoryAsync(FhirRequest req, string? type, string? id, IStoreOps ops, CancellationToken ct)
    {
        var count = PageSize(req.Query);
        var since = Instant(req, "_since");
        var at = Instant(req, "_at");
        var cursor = req.QueryValue("_cursor");
        if (id is not null && await ops.GetAsync(type!, id, ct) is null) throw FhirException.NotFound($"{type}/{id} does not exist.");
        var page = await ops.Store.HistoryAsync(new HistoryQuery(type, id, since, at, count, cursor), ct);
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
