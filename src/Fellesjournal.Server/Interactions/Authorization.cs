using System.Text;
using Fellesjournal.Server.Http;
using Fellesjournal.Server.Security;
using Fellesjournal.Server.Store;
using Fellesjournal.Trust.Identity;

namespace Fellesjournal.Server.Interactions;

/// <summary>
/// Per request (and per Bundle entry): the scopes for the type and interaction, then the compartments the caller
/// may reach, as a <see cref="GuardedStoreOps"/> every interaction then works through. Mirrors the routes of
/// <see cref="FhirService.RouteAsync"/>; anything not matched here falls through with the caller's unnamed access.
/// </summary>
public sealed partial class FhirService
{
    private async Task<GuardedStoreOps> AuthorizeAsync(FhirRequest req, Principal p, IStoreOps ops, CancellationToken ct)
    {
        if (ops is GuardedStoreOps outer) ops = outer.Inner; // a Bundle entry decides on its own
        var seg = req.Path.Length == 0 ? [] : req.Path.Split('/');
        var m = req.Method;
        var g = guard!;
        RequestAccess access;
        switch (seg)
        {
            case [] when m == "GET":
            case ["_search"]:
                access = await SearchAccessAsync(req, p, null, ct);
                break;
            case ["_history"]:
                RequireSystemWide(p, Interaction.Search);
                access = await HistoryAccessAsync(p, ct);
                break;
            case ["Patient", var pid, "$everything"]:
                access = await g.ForPatientAsync(p, pid, ct);
                break;
            case ["Patient", var pid, var op] when op.StartsWith('$'):
                ScopeCheck.Require(p, "Patient", Interaction.Read);
                access = await g.ForPatientAsync(p, pid, ct);
                break;
            case [var t, var id, var op] when op.StartsWith('$'):
            {
                // Operations run their own store work: the target is read through the guard first, so the
                // policy decides for its patient (403/404) before the operation sees it.
                ScopeCheck.Require(p, t, Interaction.Read);
                var target = new GuardedStoreOps(ops, await g.ForUnnamedAsync(p, ct), g, audit!);
                if (await ops.GetAsync(t, id, ct) is not null && await target.GetAsync(t, id, ct) is null)
                    throw FhirException.NotFound($"{t}/{id} does not exist.");
                access = target.Access;
                break;
            }
            case [var t, var op] when op.StartsWith('$') && op != "$validate":
                ScopeCheck.Require(p, t, Interaction.Read);
                access = m == "POST" && SubjectOfBody(req) is { } subject
                    ? await g.ForPatientAsync(p, subject, ct)
                    : await SearchAccessAsync(req, p, t, ct, scope: Interaction.Read);
                break;
            case [var t] when defs.IsConcreteResourceType(t):
                switch (m)
                {
                    case "GET":
                        access = await SearchAccessAsync(req, p, t, ct);
                        break;
                    default:
                        var write = m switch { "POST" => Interaction.Create, "DELETE" => Interaction.Delete, _ => Interaction.Update };
                        ScopeCheck.Require(p, t, write);
                        if (m != "POST" || req.Header("If-None-Exist") is not null) ScopeCheck.Require(p, t, Interaction.Search);
                        access = await g.ForUnnamedAsync(p, ct);
                        break;
                }
                break;
            case [var t, "_search"]:
                access = await SearchAccessAsync(req, p, t, ct);
                break;
            case [var t, "_history"]:
                ScopeCheck.Require(p, t, Interaction.Search);
                access = await HistoryAccessAsync(p, ct);
                break;
            case [var t, _] when defs.IsConcreteResourceType(t):
                ScopeCheck.Require(p, t, m switch { "GET" => Interaction.Read, "DELETE" => Interaction.Delete, _ => Interaction.Update });
                access = await g.ForUnnamedAsync(p, ct);
                break;
            case [var t, _, "_history", ..]:
                ScopeCheck.Require(p, t, Interaction.Read);
                access = await g.ForUnnamedAsync(p, ct);
                break;
            case ["Patient", var pid, var target]:
                if (target != "*") ScopeCheck.Require(p, target, Interaction.Search);
                access = await g.ForPatientAsync(p, pid, ct);
                break;
            default:
                access = await g.ForUnnamedAsync(p, ct);
                break;
        }
        access.Query = AuditQuery(req);
        return new GuardedStoreOps(ops, access, g, audit!);
    }

    /// <summary>Scopes for every searched type; the named patient's compartment, or the caller's reach.</summary>
    private async Task<RequestAccess> SearchAccessAsync(FhirRequest req, Principal p, string? type, CancellationToken ct, Interaction scope = Interaction.Search)
    {
        var query = new List<KeyValuePair<string, string>>(req.Query);
        if (req.Method == "POST" && req.Body is { Length: > 0 } body && req.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
            query.AddRange(QueryParams.Parse(Encoding.UTF8.GetString(body.Span)));
        var types = type is not null ? [type]
            : query.Where(kv => kv.Key == "_type").SelectMany(kv => kv.Value.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToList();
        if (types.Count == 0) RequireSystemWide(p, scope);
        foreach (var t in types) ScopeCheck.Require(p, t, scope);

        // A system client's reach is every compartment whichever patient is named, so the patient is not looked up
        // (naming one by identifier would cost a search of its own).
        if (p.Kind == PrincipalKind.System) return await guard!.ForUnnamedAsync(p, ct);
        if (await guard!.NamedPatientAsync(type, query, ct) is { } patient)
            return await guard.ForPatientAsync(p, patient, ct);
        if (p.Kind == PrincipalKind.Personnel && (types.Count == 0 || types.Any(guard.IsCompartmentType)))
            throw new FhirException(403, "forbidden",
                "Name the patient (e.g. ?patient=Patient/<id>, or Patient?identifier=<system>|<number>): health personnel reach a patient's data only through a care relationship with that patient, and searching across patients (worklists) is not available yet.",
                type ?? "_type");
        return await guard.ForUnnamedAsync(p, ct);
    }

    /// <summary>The patient a type-level operation's body is about (<c>subject</c>/<c>patient</c> = Patient/x).</summary>
    private static string? SubjectOfBody(FhirRequest req)
    {
        if (req.Body is not { Length: > 0 } body) return null;
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != System.Text.Json.JsonValueKind.Object) return null;
            if (Subject(root) is { } direct) return direct;
            // A Parameters body: the resources it carries (e.g. the prescription).
            if (root.TryGetProperty("parameter", out var ps) && ps.ValueKind == System.Text.Json.JsonValueKind.Array)
                foreach (var prm in ps.EnumerateArray())
                    if (prm.ValueKind == System.Text.Json.JsonValueKind.Object && prm.TryGetProperty("resource", out var res)
                        && res.ValueKind == System.Text.Json.JsonValueKind.Object && Subject(res) is { } inner)
                        return inner;
        }
        catch (System.Text.Json.JsonException) { }
        return null;

        static string? Subject(System.Text.Json.JsonElement e)
        {
            foreach (var name in new[] { "subject", "patient" })
                if (e.TryGetProperty(name, out var r) && r.ValueKind == System.Text.Json.JsonValueKind.Object && r.TryGetProperty("reference", out var rf)
                    && rf.GetString() is { } s && s.StartsWith("Patient/", StringComparison.Ordinal) && s.Length > 8)
                    return s[8..];
            return null;
        }
    }

    /// <summary>History across resources: within the caller's reach (the store filters each version on its own compartment).</summary>
    private Task<RequestAccess> HistoryAccessAsync(Principal p, CancellationToken ct) => guard!.ForUnnamedAsync(p, ct);

    private static void RequireSystemWide(Principal p, Interaction i)
    {
        if (!ScopeCheck.AllowsEveryType(p, i)) throw ScopeCheck.Forbidden("*", i);
    }
}
