using Fellesjournal.Server.Http;
using Fellesjournal.Server.Security;
using Fellesjournal.Server.Store;
using Fellesjournal.Trust.Access;
using Fellesjournal.Trust.Audit;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Server.Interactions;

/// <summary>
/// The access log's view of a request: one record per patient compartment the response touched (one without a
/// patient when it touched none), appended durably before the response leaves. Writes are recorded by
/// <see cref="GuardedStoreOps"/> before the store commits; denials and failures are recorded here.
/// </summary>
public sealed partial class FhirService
{
    private async Task<FhirResponse> HandleAuthorizedAsync(FhirRequest req, Principal caller, IStoreOps ops, CancellationToken ct)
    {
        GuardedStoreOps? guarded = null;
        Decision? denial = null;
        FhirResponse resp;
        try
        {
            if (IsAuditLogPath(req)) resp = await AuditLogAsync(req, caller, ct);
            else
            {
                // A read-only request's reads (access facts, markers, resources, includes) share one read transaction,
                // ended before the access log is written: a connection held across that wait is one more connection
                // per request in flight, and many connections cost more than the locks they save.
                using (ReadSnapshot(req))
                {
                    guarded = await AuthorizeAsync(req, caller, ops, ct);
                    resp = await RouteAsync(req, guarded, ct);
                }
            }
        }
        catch (Exception e) when (ToFhirException(e) is { } fe)
        {
            if (e is AccessDeniedException d) denial = d.Decision;
            resp = FhirResponse.FromError(fe);
        }
        // A Bundle's entries are recorded one by one; the envelope adds nothing.
        if (req.Path.Length == 0 && req.Method == "POST" && resp.Status < 400) return resp;
        if (guarded is { Access.WritesRecorded: > 0 }) return resp;
        // The summary record's operation records each opening itself, with its own decision (reservasjon, consent).
        if (resp.Status < 400 || denial is null)
            if (req.Path.EndsWith("/" + SummaryOperationName, StringComparison.Ordinal)) return resp;
        await RecordAsync(req, caller, guarded?.Access, denial, resp, ct);
        return resp;
    }

    private async Task RecordAsync(FhirRequest req, Principal caller, RequestAccess? access, Decision? denial, FhirResponse resp, CancellationToken ct)
    {
        var action = AuditRecord.ActionFor(req.Method, IsSearch(req));
        var query = AuditQuery(req);
        var decision = denial ?? access?.Decision;
        var records = new List<AuditRecord>();
        if (resp.Status >= 400)
        {
            var r = AuditRecord.For(caller, decision, action, denial is not null ? access?.PatientId ?? NamedPatientOf(req) : access?.PatientId, [], query);
            records.Add(r with
            {
                Outcome = resp.Status is 401 or 403 || denial is not null ? AuditOutcome.Denied : AuditOutcome.Failed,
                OutcomeDetail = $"{resp.Status}: {resp.Outcome?.Issues.FirstOrDefault()?.Diagnostics}",
            });
        }
        else if (access is null || access.PatientsTouched.Count == 0)
            records.Add(AuditRecord.For(caller, decision, action, access?.PatientId, access?.ResourcesTouched.Distinct().ToList() ?? [], query));
        else
            foreach (var patient in access.PatientsTouched)
                records.Add(AuditRecord.For(caller, access.DecisionFor(patient), action, patient,
                    access.ResourcesFor(patient), query));
        await Task.WhenAll(records.Select(r => audit!.RecordAsync(r, ct)));
    }

    private const string SummaryOperationName = "$summary";

    /// <summary>The summary writes its own access log entry, so it takes its own snapshot (<c>SummaryRecord</c>).</summary>
    private IDisposable? ReadSnapshot(FhirRequest req) =>
        req.Method is "GET" or "HEAD" && !req.Path.EndsWith("/" + SummaryOperationName, StringComparison.Ordinal) ? store.ReadSnapshot() : null;

    private static string? NamedPatientOf(FhirRequest req) =>
        req.Path.Split('/') is ["Patient", var id, ..] ? id : req.QueryValue("patient");

    private static bool IsSearch(FhirRequest req)
    {
        var seg = req.Path.Length == 0 ? [] : req.Path.Split('/');
        return seg switch
        {
            [] => req.Method == "GET",
            [_] => req.Method == "GET",
            [_, "_search"] or ["_search"] => true,
            [_, var second] => second.StartsWith('$') || second == "_history",
            ["Patient", _, _] => true,
            _ => false,
        };
    }

    private static string AuditQuery(FhirRequest req) =>
        req.Path + (req.Query.Count == 0 ? "" : "?" + QueryParams.Build(req.Query));

    private static bool IsAuditLogPath(FhirRequest req) => req.Path is "AuditEvent" || req.Path.StartsWith("AuditEvent/", StringComparison.Ordinal);

    /// <summary>
    /// The access log ("innsyn i logg"): citizens read the records about the compartments they may see (their own,
    /// their children's); system clients with <c>system/AuditEvent.rs</c> (by name, not <c>system/*</c>) read the
    /// patients they name; nobody else.
    /// </summary>
    private async Task<FhirResponse> AuditLogAsync(FhirRequest req, Principal p, CancellationToken ct)
    {
        if (req.Method != "GET")
        {
            // Written only by the server itself, whoever asks.
            var e = new FhirException(405, "not-supported", $"The access log is read-only; {req.Method} is not allowed (use GET).", "AuditEvent");
            e.Headers["Allow"] = "GET";
            throw e;
        }
        IReadOnlyCollection<string> permitted;
        switch (p.Kind)
        {
            case PrincipalKind.Citizen:
                ScopeCheck.Require(p, "AuditEvent", Interaction.Search);
                permitted = (await guard!.ForUnnamedAsync(p, ct)).Filter.PatientIds.ToList();
                break;
            // The log is granted by name: a wildcard scope for clinical data does not open it.
            case PrincipalKind.System when p.Scopes.Clinical.Any(s => s is { Context: ScopeContext.System, ResourceType: "AuditEvent" }
                                                                   && s.Covers("AuditEvent", Interaction.Read | Interaction.Search)):
                permitted = req.Query.Where(kv => kv.Key == "patient")
                    .SelectMany(kv => kv.Value.Split(',', StringSplitOptions.RemoveEmptyEntries))
                    .Select(v => v.StartsWith("Patient/", StringComparison.Ordinal) ? v["Patient/".Length..] : v).ToList();
                break;
            default:
                throw new FhirException(403, "forbidden",
                    "The access log is read by the citizen it concerns, and by system clients with system/AuditEvent.rs.", "AuditEvent");
        }
        return await audit!.SearchAuditEventsAsync(req, permitted, ct);
    }
}
