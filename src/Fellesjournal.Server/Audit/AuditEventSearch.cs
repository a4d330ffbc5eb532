using System.Globalization;
using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Norway;
using Fellesjournal.Server.Http;
using Fellesjournal.Trust.Audit;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Server.Audit;

/// <summary>
/// The citizen's view of the access log ("innsyn i logg"):
/// <list type="bullet">
/// <item><c>GET AuditEvent?patient=&lt;id&gt;[&amp;date=geX&amp;date=leY][&amp;_count=N]</c>: a searchset of AuditEvent,
/// newest first, paged with <c>_cursor</c> (the next link carries it);</item>
/// <item><c>GET AuditEvent/&lt;id&gt;</c>: one record (the id is its sequence number);</item>
/// <item><c>GET AuditEvent/$access-summary?patient=&lt;id&gt;[&amp;date=...]</c>: a Parameters resource with one
/// <c>line</c> per organisation and person, emergency accesses first (<see cref="AuditSummaries.Build"/>).</item>
/// </list>
/// Only records about the permitted patients are ever read: a patient outside the set gives an empty result, the same
/// as a patient with no records, so the answer never reveals whether someone else's log exists.
/// </summary>
public static class AuditEventSearch
{
    public const string SummaryOperation = "$access-summary";
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 1000;
    /// <summary>Upper bound on the records a summary reads; older ones are left out (and the summary says so).</summary>
    public const int MaxSummaryRecords = 100_000;

    private static readonly HashSet<string> Ignored = ["_format", "_pretty"];

    public static async Task<FhirResponse> RunAsync(IAuditLog log, FhirRequest req, IReadOnlyCollection<string> permitted, CancellationToken ct)
    {
        try
        {
            var path = req.Path.Trim('/');
            // The log is written by the server only: no client creates, changes or deletes an AuditEvent.
            if (req.Method != "GET")
            {
                var e = new FhirException(405, "not-supported", $"The access log is written by the server only; {req.Method} is not allowed (use GET).");
                e.Headers["Allow"] = "GET";
                throw e;
            }
            var summary = path == "AuditEvent/" + SummaryOperation;
            if (path.Split('/') is ["AuditEvent", var id] && !summary) return await ReadAsync(log, req, id, permitted, ct);
            if (path != "AuditEvent" && !summary)
                throw FhirException.NotFound($"No such audit endpoint: {req.Path}. Use AuditEvent?patient=, AuditEvent/<id> or AuditEvent/{SummaryOperation}?patient=.");
            var q = ParseQuery(req, summary);
            var patients = q.Patients is null ? permitted.ToList() : q.Patients.Where(permitted.Contains).Distinct().ToList();
            return summary ? await SummaryAsync(log, req, patients, q, ct) : await SearchAsync(log, req, patients, q, ct);
        }
        catch (FhirException e)
        {
            return FhirResponse.FromError(e);
        }
    }

    /// <summary><c>GET AuditEvent/&lt;sequence&gt;</c>: one record, if it concerns a permitted patient; otherwise 404,
    /// the same as a sequence number that does not exist.</summary>
    private static async Task<FhirResponse> ReadAsync(IAuditLog log, FhirRequest req, string id, IReadOnlyCollection<string> permitted, CancellationToken ct)
    {
        if (long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) && seq < long.MaxValue)
        {
            var rows = await log.QueryAsync(permitted, null, null, seq + 1, 1, ct);
            if (rows.Count == 1 && rows[0].Sequence == seq)
                return new FhirResponse { Resource = ResourceJson.ToBytes(AuditEventMapper.ToAuditEvent(rows[0])) };
        }
        throw FhirException.NotFound($"AuditEvent/{id} is not known.");
    }

    private sealed record Query(List<string>? Patients, DateTimeOffset? From, DateTimeOffset? To, int Count, long? Before,
        List<KeyValuePair<string, string>> Used);

    private static Query ParseQuery(FhirRequest req, bool summary)
    {
        List<string>? patients = null;
        DateTimeOffset? from = null, to = null;
        int count = DefaultPageSize;
        long? before = null;
        var used = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in req.Query)
        {
            switch (name)
            {
                case "patient":
                    patients ??= [];
                    patients.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(PatientId));
                    used.Add(new(name, value));
                    break;
                case "date":
                    DateBound(value, ref from, ref to);
                    used.Add(new(name, value));
                    break;
                case "_count" when !summary:
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out count))
                        throw FhirException.BadRequest($"_count={value} is not a non-negative integer.", "_count", "value");
                    count = Math.Min(count, MaxPageSize);
                    used.Add(new(name, value));
                    break;
                case "_cursor" when !summary:
                    if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var b))
                        throw FhirException.BadRequest($"_cursor={value} is not a cursor of this search.", "_cursor", "value");
                    before = b;
                    break;
                default:
                    if (Ignored.Contains(name)) break;
                    // Lenient handling ignores unknown parameters (and leaves them out of the self link); strict refuses.
                    if (req.StrictHandling)
                        throw FhirException.BadRequest($"The parameter '{name}' is not supported here (patient, date{(summary ? "" : ", _count")}).", name, "not-supported");
                    break;
            }
        }
        return new Query(patients, from, to, count, before, used);
    }

    /// <summary>"123", "Patient/123" or an absolute URL ending in Patient/123.</summary>
    private static string PatientId(string value)
    {
        var i = value.LastIndexOf("Patient/", StringComparison.Ordinal);
        return i >= 0 ? value[(i + "Patient/".Length)..] : value;
    }

    /// <summary>Narrows [from, to) by one date parameter (prefixes eq, ge, gt, le, lt, sa, eb; precision makes the range).</summary>
    private static void DateBound(string value, ref DateTimeOffset? from, ref DateTimeOffset? to)
    {
        if (value.Contains(','))
            throw FhirException.BadRequest($"date={value}: alternatives (comma) are not supported for the access log; repeat date to combine bounds.", "date", "not-supported");
        var prefix = value.Length > 2 && char.IsLetter(value[0]) && char.IsLetter(value[1]) ? value[..2] : "eq";
        var text = prefix == "eq" && !value.StartsWith("eq", StringComparison.Ordinal) ? value : value[2..];
        if (!PartialDateTime.TryParse(text, out var d))
            throw FhirException.BadRequest($"date={value} is not a valid date or dateTime.", "date", "value");
        DateTimeOffset? lo = null, hi = null;
        switch (prefix)
        {
            case "eq": lo = d.LowerBound; hi = d.UpperBoundExclusive; break;
            case "ge": lo = d.LowerBound; break;
            case "gt" or "sa": lo = d.UpperBoundExclusive; break;
            case "le": hi = d.UpperBoundExclusive; break;
            case "lt" or "eb": hi = d.LowerBound; break;
            default: throw FhirException.BadRequest($"date prefix '{prefix}' is not supported for the access log (eq, ge, gt, le, lt, sa, eb).", "date", "not-supported");
        }
        if (lo is { } l && (from is null || l > from)) from = l;
        if (hi is { } h && (to is null || h < to)) to = h;
    }

    private static async Task<FhirResponse> SearchAsync(IAuditLog log, FhirRequest req, List<string> patients, Query q, CancellationToken ct)
    {
        // One extra row tells whether there is a next page.
        var rows = q.Count == 0 ? [] : await log.QueryAsync(patients, q.From, q.To, q.Before, q.Count + 1, ct);
        var page = rows.Take(q.Count).ToList();
        var self = Url(req.BaseUrl + "/AuditEvent", q.Used, q.Before);
        var links = new JsonArray(Link("self", self), Link("first", Url(req.BaseUrl + "/AuditEvent", q.Used, null)));
        if (rows.Count > q.Count) links.Add(Link("next", Url(req.BaseUrl + "/AuditEvent", q.Used, page[^1].Sequence)));
        var entries = new JsonArray();
        foreach (var r in page)
        {
            var ae = AuditEventMapper.ToAuditEvent(r);
            entries.Add(new JsonObject
            {
                ["fullUrl"] = $"{req.BaseUrl}/AuditEvent/{r.Sequence.ToString(CultureInfo.InvariantCulture)}",
                ["resource"] = ae,
                ["search"] = new JsonObject { ["mode"] = "match" },
            });
        }
        var bundle = new JsonObject
        {
            ["resourceType"] = "Bundle",
            ["type"] = "searchset",
            ["link"] = links,
        };
        if (entries.Count > 0) bundle["entry"] = entries;
        return new FhirResponse { Resource = ResourceJson.ToBytes(bundle) };
    }

    private static async Task<FhirResponse> SummaryAsync(IAuditLog log, FhirRequest req, List<string> patients, Query q, CancellationToken ct)
    {
        var records = await log.QueryAsync(patients, q.From, q.To, null, MaxSummaryRecords + 1, ct);
        // A citizen's own look-ups are left out of their summary; for anyone else every access counts.
        var citizenPid = req.Caller is { Kind: PrincipalKind.Citizen } c ? c.Pid : null;
        var lines = AuditSummaries.Build(records.Take(MaxSummaryRecords), citizenPid);
        var parameters = new JsonArray();
        foreach (var p in patients.Order(StringComparer.Ordinal))
            parameters.Add(new JsonObject { ["name"] = "patient", ["valueReference"] = new JsonObject { ["reference"] = "Patient/" + p } });
        if (records.Count > MaxSummaryRecords)
            parameters.Add(new JsonObject { ["name"] = "truncated", ["valueBoolean"] = true });
        foreach (var l in lines) parameters.Add(Line(l));
        var result = new JsonObject { ["resourceType"] = "Parameters" };
        if (parameters.Count > 0) result["parameter"] = parameters;
        return new FhirResponse { Resource = ResourceJson.ToBytes(result) };
    }

    private static JsonObject Line(AuditSummaryLine l)
    {
        var parts = new JsonArray();
        if (l.Organisation is { } org)
            parts.Add(Part("organisation", "valueIdentifier", new JsonObject { ["system"] = IdentifierSystems.OrgNumber, ["value"] = org }));
        if (l.OrganisationName is { } on) parts.Add(Part("organisationName", "valueString", on));
        if (l.Person is { } person) parts.Add(Part("person", "valueString", person));
        if (l.HprNumber is { } hpr)
            parts.Add(Part("hpr", "valueIdentifier", new JsonObject { ["system"] = IdentifierSystems.Hpr, ["value"] = hpr }));
        if (l.Role is { } role)
            parts.Add(Part("role", "valueCoding", new JsonObject { ["system"] = IdentifierSystems.HealthPersonnelCategory, ["code"] = role }));
        parts.Add(Part("emergency", "valueBoolean", l.EmergencyAccesses > 0));
        parts.Add(Part("accesses", "valueInteger", l.Accesses));
        parts.Add(Part("emergencyAccesses", "valueInteger", l.EmergencyAccesses));
        parts.Add(Part("writes", "valueInteger", l.Writes));
        parts.Add(Part("denied", "valueInteger", l.Denied));
        parts.Add(Part("first", "valueDateTime", Instant(l.First)));
        parts.Add(Part("last", "valueDateTime", Instant(l.Last)));
        foreach (var reason in l.EmergencyReasons) parts.Add(Part("emergencyReason", "valueString", reason));
        return new JsonObject { ["name"] = "line", ["part"] = parts };
    }

    private static JsonObject Part(string name, string valueKey, JsonNode? value) => new() { ["name"] = name, [valueKey] = value };

    private static string Instant(DateTimeOffset d) =>
        d.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static JsonObject Link(string relation, string url) => new() { ["relation"] = relation, ["url"] = url };

    private static string Url(string path, List<KeyValuePair<string, string>> used, long? cursor)
    {
        var pairs = new List<KeyValuePair<string, string>>(used);
        if (cursor is { } c) pairs.Add(new("_cursor", c.ToString(CultureInfo.InvariantCulture)));
        return pairs.Count == 0 ? path : path + "?" + QueryParams.Build(pairs);
    }
}
