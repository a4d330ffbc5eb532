using System.Text;
using Fellesjournal.Storage.Search;
using Fellesjournal.Storage.Tests.Postgres;

namespace Fellesjournal.Storage.Tests.Access;

/// <summary>
/// Writes a random mix (patients, shared organizations, conditions and observations with categories and codes,
/// updates that move resources between compartments or change their codes, deletes) and checks, for random
/// <see cref="CompartmentAccess"/> values, that every path returns exactly what
/// <see cref="CompartmentAccess.Permits(string?, string, IEnumerable{string}?)"/> allows: search with _total and
/// paging, _include, _revinclude, chaining, _has, system-level search, reads, vreads and history.
/// </summary>
public class AccessOracleTests
{
    private const string CatSys = "http://terminology.hl7.org/CodeSystem/observation-category";
    private const string CondCatSys = "http://terminology.hl7.org/CodeSystem/condition-category";
    private const string Snomed = "http://snomed.info/sct";
    private static readonly string[] Patients = ["p0", "p1", "p2", "p3", "p4"];
    private static readonly string[] Families = ["Aas", "Berg", "Dahl"];
    private static readonly string[] ObsCategories = ["laboratory", "vital-signs", "social-history"];
    private static readonly string[] CondCategories = ["problem-list-item", "encounter-diagnosis"];
    private static readonly string[] Codes = ["111", "222", "333", "444"];

    /// <summary>One stored version as the test wrote it.</summary>
    private sealed record Version(string Type, string Id, long VersionId, string? Patient, string[] Codings, bool Deleted)
    {
        public bool Current { get; set; } = true;
        /// <summary>Token keys as the store can see them: only the current, non-deleted version is indexed.</summary>
        public IEnumerable<string>? Keys => Current && !Deleted ? Codings : null;
        public bool VisibleTo(CompartmentAccess a) => a.Permits(Patient, Type, Keys);
    }

    private sealed class World
    {
        public readonly List<Version> Versions = [];
        public readonly Dictionary<(string, string), string> Json = [];
        public readonly Dictionary<string, string> Family = [];
        /// <summary>Observation/Condition id → subject (current version).</summary>
        public readonly Dictionary<(string, string), string> Subject = [];

        public IEnumerable<Version> Live => Versions.Where(v => v.Current && !v.Deleted);
        public Version? CurrentOf(string type, string id) => Versions.LastOrDefault(v => v.Type == type && v.Id == id);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Every_path_returns_exactly_what_Permits_allows(string store)
    {
        var rnd = new Random(4711);
        await using var t = new TempStore(store);
        var w = await WriteWorldAsync(t.Store, rnd);
        for (var iteration = 0; iteration < 30; iteration++)
        {
            var access = RandomAccess(rnd);
            var label = $"iteration {iteration}, access {Describe(access)}";
            await CheckSearchesAsync(t.Store, w, access, label, rnd);
            await CheckReadsAsync(t.Store, w, access, label);
            await CheckHistoryAsync(t.Store, w, access, label);
        }
    }

    private static async Task<World> WriteWorldAsync(IResourceStore s, Random rnd)
    {
        var w = new World();
        async Task Write(string type, string id, string? patient, string[] codings, string json)
        {
            var stored = (await s.MergeAsync([new ResourceWrite(type, id, Encoding.UTF8.GetBytes(json))]))[0];
            if (w.CurrentOf(type, id) is { } prev) prev.Current = false;
            w.Versions.Add(new Version(type, id, stored.VersionId, patient, codings, false));
            Assert.Equal(patient, stored.PatientId);
        }
        async Task Delete(string type, string id)
        {
            var prev = w.CurrentOf(type, id)!;
            var stored = (await s.MergeAsync([new ResourceWrite(type, id, null)]))[0];
            prev.Current = false;
            w.Versions.Add(new Version(type, id, stored.VersionId, prev.Patient, [], true));
        }
        foreach (var p in Patients)
        {
            var family = Families[rnd.Next(Families.Length)];
            w.Family[p] = family;
            await Write("Patient", p, p, [], $$"""{"resourceType":"Patient","id":"{{p}}","name":[{"family":"{{family}}"}]}""");
        }
        for (var i = 0; i < 3; i++)
            await Write("Organization", "org" + i, null, [], $$"""{"resourceType":"Organization","id":"org{{i}}","name":"Org {{i}}"}""");

        async Task WriteObservation(string id)
        {
            var p = Patients[rnd.Next(Patients.Length)];
            var cat = ObsCategories[rnd.Next(ObsCategories.Length)];
            var code = Codes[rnd.Next(Codes.Length)];
            var org = "org" + rnd.Next(3);
            w.Subject[("Observation", id)] = p;
            await Write("Observation", id, p, [CatSys + "|" + cat, Snomed + "|" + code],
                $$"""{"resourceType":"Observation","id":"{{id}}","status":"final","subject":{"reference":"Patient/{{p}}"},"performer":[{"reference":"Organization/{{org}}"}],"category":[{"coding":[{"system":"{{CatSys}}","code":"{{cat}}"}]}],"code":{"coding":[{"system":"{{Snomed}}","code":"{{code}}"}]} }""");
        }
        async Task WriteCondition(string id)
        {
            var p = Patients[rnd.Next(Patients.Length)];
            var cat = CondCategories[rnd.Next(CondCategories.Length)];
            var code = Codes[rnd.Next(Codes.Length)];
            w.Subject[("Condition", id)] = p;
            await Write("Condition", id, p, [CondCatSys + "|" + cat, Snomed + "|" + code],
                $$"""{"resourceType":"Condition","id":"{{id}}","subject":{"reference":"Patient/{{p}}"},"category":[{"coding":[{"system":"{{CondCatSys}}","code":"{{cat}}"}]}],"code":{"coding":[{"system":"{{Snomed}}","code":"{{code}}"}]} }""");
        }
        for (var i = 0; i < 40; i++) await WriteObservation("o" + i);
        for (var i = 0; i < 20; i++) await WriteCondition("c" + i);
        // Updates: a new subject (another compartment) and new codes.
        for (var i = 0; i < 15; i++) await WriteObservation("o" + rnd.Next(40));
        for (var i = 0; i < 8; i++) await WriteCondition("c" + rnd.Next(20));
        foreach (var id in new[] { "o3", "o17", "c5" })
            if (w.CurrentOf(id[0] == 'o' ? "Observation" : "Condition", id) is { Deleted: false })
                await Delete(id[0] == 'o' ? "Observation" : "Condition", id);
        return w;
    }

    private static CompartmentAccess RandomAccess(Random rnd)
    {
        var all = rnd.Next(4) == 0;
        var ids = Patients.Where(_ => rnd.Next(2) == 0).ToArray();
        var hidden = new List<HiddenSection>();
        for (var n = rnd.Next(4); n > 0; n--)
        {
            var p = Patients[rnd.Next(Patients.Length)];
            hidden.Add(rnd.Next(3) switch
            {
                0 => new HiddenSection(p, new[] { "Condition", "Observation", "Patient" }[rnd.Next(3)]),
                1 => new HiddenSection(p, CatSys + "|" + ObsCategories[rnd.Next(ObsCategories.Length)]),
                _ => new HiddenSection(p, Snomed + "|" + Codes[rnd.Next(Codes.Length)]),
            });
        }
        return rnd.Next(8) switch
        {
            0 => CompartmentAccess.Nobody,
            1 => CompartmentAccess.Everyone,
            _ => new CompartmentAccess(all, all ? [] : ids) { Hidden = hidden, IncludeShared = rnd.Next(4) != 0 },
        };
    }

    private static string Describe(CompartmentAccess a) =>
        $"All={a.All} Ids=[{string.Join(",", a.PatientIds)}] Shared={a.IncludeShared} Hidden=[{string.Join(", ", a.Hidden.Select(h => h.PatientId + ":" + h.Key))}]";

    private static string Key(string type, string id) => type + "/" + id;

    private static List<string> Sorted(IEnumerable<string> keys) => keys.Distinct().Order(StringComparer.Ordinal).ToList();

    private static SearchCriterion C(string code, string value) => new(code, null, [value]);

    /// <summary>Runs a search page by page (random page size); checks each page's includes against
    /// <paramref name="included"/> and returns the matches, with the total of the first page.</summary>
    private static async Task<(List<string> Matches, long? Total)> SearchAllAsync(IResourceStore s, SearchQuery q,
        Func<IReadOnlyList<StoredResource>, IEnumerable<string>>? included, string label)
    {
        var matches = new List<string>();
        long? total = null;
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await s.SearchAsync(q with { Cursor = cursor });
            if (pages++ == 0) total = page.Total;
            matches.AddRange(page.Resources.Select(r => Key(r.ResourceType, r.Id)));
            if (included is not null)
            {
                var own = page.Resources.Select(r => Key(r.ResourceType, r.Id)).ToHashSet();
                Assert.True(Sorted(included(page.Resources).Where(k => !own.Contains(k))).SequenceEqual(
                    Sorted((page.Included ?? []).Select(r => Key(r.ResourceType, r.Id)))), $"includes, {label}");
            }
            cursor = page.NextCursor;
        } while (cursor is not null && pages < 200);
        return (matches, total);
    }

    private static async Task CheckSearchesAsync(IResourceStore s, World w, CompartmentAccess a, string label, Random rnd)
    {
        var live = w.Live.ToList();
        bool Visible(string type, string id) => live.FirstOrDefault(v => v.Type == type && v.Id == id) is { } v && v.VisibleTo(a);
        var count = rnd.Next(2, 9);

        async Task Expect(string what, SearchQuery q, IEnumerable<string> expected,
            Func<IReadOnlyList<StoredResource>, IEnumerable<string>>? included = null)
        {
            var (matches, total) = await SearchAllAsync(s, q with { Count = count, IncludeTotal = true, Access = a }, included, what + ", " + label);
            var want = Sorted(expected);
            Assert.True(want.SequenceEqual(matches.Order(StringComparer.Ordinal)),
                $"{what}, {label}: expected [{string.Join(",", want)}], got [{string.Join(",", matches.Order(StringComparer.Ordinal))}]");
            Assert.True(want.Count == total, $"{what} _total, {label}: expected {want.Count}, got {total}");
        }

        // Root, count and paging; _include of the (compartment) subject and the (shared) performer.
        await Expect("Observation search", new SearchQuery("Observation", [],
                Includes: [new("_include", "Observation:subject"), new("_include", "Observation:performer")]),
            live.Where(v => v.Type == "Observation" && v.VisibleTo(a)).Select(v => Key(v.Type, v.Id)),
            page => page.SelectMany(o =>
            {
                var subject = w.Subject[("Observation", o.Id)];
                var json = Encoding.UTF8.GetString(o.Json.Span);
                var org = json[(json.IndexOf("Organization/", StringComparison.Ordinal) + 13)..].Split('"')[0];
                return new[] { ("Patient", subject), ("Organization", org) }.Where(x => Visible(x.Item1, x.Item2)).Select(x => Key(x.Item1, x.Item2));
            }));

        // A token criterion that a coding lock may hide.
        var code = Codes[rnd.Next(Codes.Length)];
        await Expect("Condition?code", new SearchQuery("Condition", [C("code", Snomed + "|" + code)]),
            live.Where(v => v.Type == "Condition" && v.Codings.Contains(Snomed + "|" + code) && v.VisibleTo(a)).Select(v => Key(v.Type, v.Id)));

        // _revinclude: each included Condition judged on its own key.
        await Expect("Patient?_revinclude", new SearchQuery("Patient", [], Includes: [new("_revinclude", "Condition:subject")]),
            live.Where(v => v.Type == "Patient" && v.VisibleTo(a)).Select(v => Key(v.Type, v.Id)),
            page => live.Where(v => v.Type == "Condition" && v.VisibleTo(a) && page.Any(p => w.Subject[("Condition", v.Id)] == p.Id))
                .Select(v => Key(v.Type, v.Id)));

        // Chain: the target Patient must be visible itself.
        var family = Families[rnd.Next(Families.Length)];
        await Expect("Observation?subject:Patient.name", new SearchQuery("Observation", [C("subject:Patient.name", family)]),
            live.Where(v => v.Type == "Observation" && v.VisibleTo(a) && w.Family[w.Subject[("Observation", v.Id)]] == family &&
                            Visible("Patient", w.Subject[("Observation", v.Id)])).Select(v => Key(v.Type, v.Id)));

        // _has: only visible Observations count as sources.
        var cat = ObsCategories[rnd.Next(ObsCategories.Length)];
        await Expect("Patient?_has", new SearchQuery("Patient", [C("_has:Observation:subject:category", cat)]),
            live.Where(v => v.Type == "Patient" && v.VisibleTo(a) && live.Any(o => o.Type == "Observation" && o.VisibleTo(a) &&
                            o.Codings.Contains(CatSys + "|" + cat) && w.Subject[("Observation", o.Id)] == v.Id)).Select(v => Key(v.Type, v.Id)));

        // System level: every type, shared rows included or not.
        await Expect("system search", new SearchQuery(null, []),
            live.Where(v => v.VisibleTo(a)).Select(v => Key(v.Type, v.Id)));
    }

    private static async Task CheckReadsAsync(IResourceStore s, World w, CompartmentAccess a, string label)
    {
        foreach (var current in w.Versions.Where(v => v.Current))
        {
            var got = await s.GetAsync(current.Type, current.Id, a);
            Assert.True(current.VisibleTo(a) == (got is not null), $"read {Key(current.Type, current.Id)}, {label}");
            if (got is not null) Assert.Equal(current.VersionId, got.VersionId);
        }
        foreach (var v in w.Versions)
        {
            var got = await s.GetVersionAsync(v.Type, v.Id, v.VersionId, a);
            Assert.True(v.VisibleTo(a) == (got is not null), $"vread {Key(v.Type, v.Id)}/_history/{v.VersionId}, {label}");
        }
    }

    private static async Task CheckHistoryAsync(IResourceStore s, World w, CompartmentAccess a, string label)
    {
        var got = new List<string>();
        string? cursor = null;
        do
        {
            var page = await s.HistoryAsync(new HistoryQuery(Count: 7, Cursor: cursor, Access: a));
            got.AddRange(page.Entries.Select(e => $"{e.ResourceType}/{e.Id}/{e.VersionId}"));
            cursor = page.NextCursor;
        } while (cursor is not null);
        var want = w.Versions.Where(v => v.VisibleTo(a)).Select(v => $"{v.Type}/{v.Id}/{v.VersionId}").Reverse().ToList();
        Assert.True(want.SequenceEqual(got), $"history, {label}: expected {want.Count} versions, got {got.Count}");
        foreach (var type in new[] { "Observation", "Condition" })
        {
            var typed = await s.HistoryAsync(new HistoryQuery(type, Count: 1000, Access: a));
            Assert.Equal(want.Where(k => k.StartsWith(type + "/", StringComparison.Ordinal)), typed.Entries.Select(e => $"{e.ResourceType}/{e.Id}/{e.VersionId}"));
        }
    }
}
