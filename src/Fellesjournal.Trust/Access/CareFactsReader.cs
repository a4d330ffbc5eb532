using System.Text.Json;
using Fellesjournal.Storage;

namespace Fellesjournal.Trust.Access;

/// <summary>
/// Derives <see cref="CareFacts"/> and <see cref="CitizenControls"/> for one patient from the store, using only
/// the basic search (reference parameters) and reads. Organisations and practitioners referenced by id are
/// resolved to their organisation / HPR numbers. Runs with the server's own authority, never the caller's.
/// When the store offers <see cref="IChangeMarkers"/>, the facts are cached per patient and every use is validated
/// against markers read from the database (one seek while nothing was written, one more statement otherwise), so a
/// change takes effect on the next request, also when another server process on the same database made it
/// (docs/decisions/0013-policy-facts-cache.md).
/// </summary>
public sealed class CareFactsReader(IResourceStore store)
{
    private static readonly HashSet<string> ActiveEncounter = ["arrived", "triaged", "in-progress", "onleave"];
    private static readonly HashSet<string> ActiveStatus = ["active"];
    private static readonly HashSet<string> ParentCodes = ["PRN", "FTH", "MTH", "NPRN", "NFTH", "NMTH", "ADOPTP", "ADOPTF", "ADOPTM", "STPPRN", "GUARD"];

    /// <summary>Every search the facts come from, as (type, reference parameter): the marker covers exactly these
    /// rows (of every status, so a status change is seen too).</summary>
    public static readonly IReadOnlyList<(string Type, string Param)> FactSearches =
    [
        ("Encounter", "patient"), ("EpisodeOfCare", "patient"), ("CareTeam", "patient"), ("ServiceRequest", "subject"),
        ("RelatedPerson", "patient"), ("Consent", "patient"),
    ];

    private readonly CareFactsCache? _cache = store is IChangeMarkers markers ? new CareFactsCache(markers) : null;

    /// <summary>The facts and controls of one patient as of this call (from the cache when still valid).</summary>
    public async Task<(CareFacts Facts, CitizenControls Controls)> ReadAsync(string patientId, CancellationToken ct = default)
    {
        if (_cache is null) return await ReadFromStoreAsync(patientId, new Reads(), ct);
        if (await _cache.GetValidAsync(patientId, ct) is { } hit) return (hit.Facts, hit.Controls);
        // The markers (the store's, then the searched rows') are read before the rows: a write in between leaves an
        // entry that the next validation finds changed (a miss), never one that is wrongly valid. Single reads record
        // the version used.
        var before = await _cache.MarkersBeforeReadAsync(patientId, ct);
        var reads = new Reads();
        var result = await ReadFromStoreAsync(patientId, reads, ct);
        _cache.Put(patientId, before, reads.Resources, reads.Versions, result.Facts, result.Controls);
        return result;
    }

    private async Task<(CareFacts Facts, CitizenControls Controls)> ReadFromStoreAsync(string patientId, Reads cache, CancellationToken ct)
    {
        var patientRef = "Patient/" + patientId;
        var patient = await cache.GetAsync(store, "Patient", patientId, ct);
        string? pid = null;
        DateOnly? born = null;
        var relations = new List<CareRelation>();
        if (patient is { IsDeleted: false })
        {
            var root = JsonDocument.Parse(patient.Json).RootElement;
            pid = IdentifierValue(root, NorwegianSystems.Fnr) ?? IdentifierValue(root, NorwegianSystems.Dnr);
            if (root.TryGetProperty("birthDate", out var bd) && bd.GetString() is { Length: 10 } s && DateOnly.TryParse(s, out var d)) born = d;
            foreach (var gp in Array(root, "generalPractitioner"))
            {
                var (hpr, org) = await ResolveActorAsync(gp, cache, ct);
                if (hpr is not null || org is not null)
                    relations.Add(new CareRelation(CareRelationKind.GeneralPractitioner, org, hpr, true, null, null, patientRef));
            }
        }

        foreach (var e in await SearchAllAsync("Encounter", "patient", patientRef, ct, ActiveEncounter))
        {
            var r = Parse(e);
            var active = ActiveEncounter.Contains(Str(r, "status") ?? "");
            var (start, end) = Period(r, "period");
            if (r.TryGetProperty("serviceProvider", out var sp))
            {
                var (_, org) = await ResolveActorAsync(sp, cache, ct);
                relations.Add(new CareRelation(CareRelationKind.Encounter, org, null, active, start, end, Ref(e)));
            }
            foreach (var part in Array(r, "participant"))
                if (part.TryGetProperty("individual", out var ind))
                {
                    var (hpr, _) = await ResolveActorAsync(ind, cache, ct);
                    if (hpr is not null) relations.Add(new CareRelation(CareRelationKind.Encounter, null, hpr, active, start, end, Ref(e)));
                }
        }

        foreach (var e in await SearchAllAsync("EpisodeOfCare", "patient", patientRef, ct, ActiveStatus))
        {
            var r = Parse(e);
            var active = Str(r, "status") == "active";
            var (start, end) = Period(r, "period");
            string? org = null, hpr = null;
            if (r.TryGetProperty("managingOrganization", out var mo)) org = (await ResolveActorAsync(mo, cache, ct)).Org;
            if (r.TryGetProperty("careManager", out var cm)) hpr = (await ResolveActorAsync(cm, cache, ct)).Hpr;
            relations.Add(new CareRelation(CareRelationKind.EpisodeOfCare, org, hpr, active, start, end, Ref(e)));
        }

        foreach (var e in await SearchAllAsync("CareTeam", "patient", patientRef, ct, ActiveStatus))
        {
            var r = Parse(e);
            var active = Str(r, "status") == "active";
            var (start, end) = Period(r, "period");
            foreach (var mo in Array(r, "managingOrganization"))
                relations.Add(new CareRelation(CareRelationKind.CareTeam, (await ResolveActorAsync(mo, cache, ct)).Org, null, active, start, end, Ref(e)));
            foreach (var part in Array(r, "participant"))
                if (part.TryGetProperty("member", out var m))
                {
                    var (hpr, org) = await ResolveActorAsync(m, cache, ct);
                    relations.Add(new CareRelation(CareRelationKind.CareTeam, org, hpr, active, start, end, Ref(e)));
                }
        }

        foreach (var e in await SearchAllAsync("ServiceRequest", "subject", patientRef, ct, ActiveStatus))
        {
            var r = Parse(e);
            var active = Str(r, "status") == "active";
            foreach (var perf in Array(r, "performer"))
            {
                var (hpr, org) = await ResolveActorAsync(perf, cache, ct);
                relations.Add(new CareRelation(CareRelationKind.Referral, org, hpr, active, null, null, Ref(e)));
            }
        }

        var parents = new List<ParentRelation>();
        foreach (var e in await SearchAllAsync("RelatedPerson", "patient", patientRef, ct))
        {
            var r = Parse(e);
            if (r.TryGetProperty("active", out var a) && a.ValueKind == JsonValueKind.False) continue;
            var isParent = Array(r, "relationship").SelectMany(cc => Array(cc, "coding")).Any(c => ParentCodes.Contains(Str(c, "code") ?? ""));
            var parentPid = IdentifierValue(r, NorwegianSystems.Fnr) ?? IdentifierValue(r, NorwegianSystems.Dnr);
            if (isParent && parentPid is not null) parents.Add(new ParentRelation(parentPid, Ref(e)));
        }

        var (controls, proxies) = await ReadControlsAsync(patientRef, cache, ct);
        var facts = new CareFacts { PatientId = patientId, PatientPid = pid, BirthDate = born, Relations = relations, Parents = parents, Proxies = proxies };
        return (facts, controls);
    }

    private async Task<(CitizenControls, List<ProxyGrant>)> ReadControlsAsync(string patientRef, Reads cache, CancellationToken ct)
    {
        var locks = new List<LockedSection>();
        var blocked = new HashSet<string>();
        var proxies = new List<ProxyGrant>();
        var reserved = false;
        foreach (var e in await SearchAllAsync("Consent", "patient", patientRef, ct))
        {
            var r = Parse(e);
            if (Str(r, "status") != "active") continue;
            var kind = Array(r, "category").SelectMany(cc => Array(cc, "coding"))
                .Where(c => Str(c, "system") == CitizenControlCodes.System).Select(c => Str(c, "code")).FirstOrDefault();
            if (kind is null) continue;
            var provision = r.TryGetProperty("provision", out var pv) ? pv : default;
            switch (kind)
            {
                case CitizenControlCodes.Reservasjon:
                    reserved = true;
                    break;
                case CitizenControlCodes.Sperring:
                    foreach (var cls in Array(provision, "class"))
                        if (Str(cls, "code") is { } t) locks.Add(new LockedSection(t, Ref(e)));
                    foreach (var code in Array(provision, "code"))
                        foreach (var c in Array(code, "coding"))
                            if (Str(c, "code") is { } cv) locks.Add(new LockedSection($"{Str(c, "system")}|{cv}", Ref(e)));
                    break;
                case CitizenControlCodes.Blokkering:
                    foreach (var actor in Array(provision, "actor"))
                        if (actor.TryGetProperty("reference", out var ar) && (await ResolveActorAsync(ar, cache, ct)).Hpr is { } hpr)
                            blocked.Add(hpr);
                    break;
                case CitizenControlCodes.Fullmakt:
                    var (start, end) = Period(provision, "period");
                    foreach (var actor in Array(provision, "actor"))
                        if (actor.TryGetProperty("reference", out var ar2) && await ResolvePersonPidAsync(ar2, cache, ct) is { } grantee)
                            proxies.Add(new ProxyGrant(grantee, start, end, Ref(e)));
                    break;
            }
        }
        return (new CitizenControls { Locks = locks, BlockedHpr = blocked, ReservedAgainstSummaryRecord = reserved }, proxies);
    }

    /// <summary>Every current match, following the cursor. <paramref name="statuses"/>: only these (a relation that is
    /// not ongoing never grants access, so a patient's finished encounters are not read on every request).</summary>
    private async Task<List<StoredResource>> SearchAllAsync(string type, string param, string reference, CancellationToken ct,
        IReadOnlyCollection<string>? statuses = null)
    {
        var all = new List<StoredResource>();
        string? cursor = null;
        List<SearchCriterion> criteria = [new SearchCriterion(param, null, [reference])];
        if (statuses is not null) criteria.Add(new SearchCriterion("status", null, [.. statuses]));
        do
        {
            var page = await store.SearchAsync(new SearchQuery(type, criteria, Count: 200, Cursor: cursor), ct);
            all.AddRange(page.Resources);
            cursor = page.NextCursor;
        } while (cursor is not null);
        return all;
    }

    /// <summary>HPR and/or organisation number of a Reference: from its identifier, or by reading the target.</summary>
    private async Task<(string? Hpr, string? Org)> ResolveActorAsync(JsonElement reference, Reads cache, CancellationToken ct)
    {
        if (reference.ValueKind != JsonValueKind.Object) return (null, null);
        if (reference.TryGetProperty("identifier", out var id))
        {
            var sys = Str(id, "system");
            var val = Str(id, "value");
            if (sys == NorwegianSystems.Hpr) return (val, null);
            if (sys == NorwegianSystems.OrgNr) return (null, val);
        }
        var r = Str(reference, "reference");
        if (r is null) return (null, null);
        var slash = r.IndexOf('/');
        if (slash <= 0) return (null, null);
        var type = r[..slash];
        var rid = r[(slash + 1)..];
        switch (type)
        {
            case "Practitioner": return (await IdentifierOfAsync(type, rid, NorwegianSystems.Hpr, cache, ct), null);
            case "Organization": return (null, await IdentifierOfAsync(type, rid, NorwegianSystems.OrgNr, cache, ct));
            case "PractitionerRole":
            {
                var role = await cache.GetAsync(store, type, rid, ct);
                if (role is null || role.IsDeleted) return (null, null);
                var root = Parse(role);
                string? hpr = null, org = null;
                if (root.TryGetProperty("practitioner", out var pr)) hpr = (await ResolveActorAsync(pr, cache, ct)).Hpr;
                if (root.TryGetProperty("organization", out var o)) org = (await ResolveActorAsync(o, cache, ct)).Org;
                return (hpr, org);
            }
            default: return (null, null);
        }
    }

    private async Task<string?> ResolvePersonPidAsync(JsonElement reference, Reads cache, CancellationToken ct)
    {
        if (reference.TryGetProperty("identifier", out var id) && Str(id, "system") is NorwegianSystems.Fnr or NorwegianSystems.Dnr)
            return Str(id, "value");
        var r = Str(reference, "reference");
        if (r is null || r.IndexOf('/') is var slash && slash <= 0) return null;
        var type = r[..slash];
        if (type is not ("RelatedPerson" or "Patient" or "Practitioner")) return null;
        return await IdentifierOfAsync(type, r[(slash + 1)..], NorwegianSystems.Fnr, cache, ct)
            ?? await IdentifierOfAsync(type, r[(slash + 1)..], NorwegianSystems.Dnr, cache, ct);
    }

    private async Task<string?> IdentifierOfAsync(string type, string id, string system, Reads cache, CancellationToken ct)
    {
        var key = $"{type}/{id}|{system}";
        if (cache.Identifiers.TryGetValue(key, out var hit)) return hit;
        var res = await cache.GetAsync(store, type, id, ct);
        var value = res is { IsDeleted: false } ? IdentifierValue(Parse(res), system) : null;
        cache.Identifiers[key] = value;
        return value;
    }

    private static JsonElement Parse(StoredResource r) => JsonDocument.Parse(r.Json).RootElement;
    private static string Ref(StoredResource r) => $"{r.ResourceType}/{r.Id}";

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static IEnumerable<JsonElement> Array(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var v)) return [];
        return v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().ToList() : [v];
    }

    private static string? IdentifierValue(JsonElement resource, string system) =>
        Array(resource, "identifier").Where(i => Str(i, "system") == system).Select(i => Str(i, "value")).FirstOrDefault(v => v is not null);

    private static (DateTimeOffset?, DateTimeOffset?) Period(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var p) || p.ValueKind != JsonValueKind.Object) return (null, null);
        return (Date(Str(p, "start")), Date(Str(p, "end"), endOfDay: true));
    }

    private static DateTimeOffset? Date(string? s, bool endOfDay = false)
    {
        if (s is null) return null;
        if (s.Length == 10 && DateOnly.TryParse(s, out var d))
            return new DateTimeOffset(d.ToDateTime(endOfDay ? new TimeOnly(23, 59, 59) : TimeOnly.MinValue), TimeSpan.Zero);
        return DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : null;
    }

    /// <summary>What one derivation read: resolved identifiers (each resource read once per derivation) and the
    /// version of every single resource read, in order (0: it did not exist).</summary>
    private sealed class Reads
    {
        public readonly Dictionary<string, string?> Identifiers = [];
        public readonly List<(string Type, string Id)> Resources = [];
        public readonly List<long> Versions = [];

        public async Task<StoredResource?> GetAsync(IResourceStore store, string type, string id, CancellationToken ct)
        {
            var res = await store.GetAsync(type, id, ct);
            var version = res?.VersionId ?? 0;
            var at = Resources.IndexOf((type, id));
            if (at < 0) { Resources.Add((type, id)); Versions.Add(version); }
            // The same resource read twice in different versions: the facts mix them, so the entry must not validate.
            else if (Versions[at] != version) Versions[at] = -1;
            return res;
        }
    }
}
