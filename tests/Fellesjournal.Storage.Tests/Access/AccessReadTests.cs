using Fellesjournal.Storage.Search;
using Fellesjournal.Storage.Tests.Postgres;
using static Fellesjournal.Storage.Tests.TempStore;

namespace Fellesjournal.Storage.Tests.Access;

/// <summary>Reads, vreads and history under a <see cref="CompartmentAccess"/>: hidden rows come back as null
/// (the same answer as for an id that never existed) and are absent from history pages.</summary>
public class AccessReadTests
{
    public const string LabCategory = "http://terminology.hl7.org/CodeSystem/observation-category|laboratory";

    public static CompartmentAccess Only(params string[] patients) => new(false, patients);

    internal static async Task SeedAsync(IResourceStore s) => await s.MergeAsync([
        Put("""{"resourceType":"Patient","id":"p1","name":[{"family":"En"}]}"""),
        Put("""{"resourceType":"Patient","id":"p2","name":[{"family":"To"}]}"""),
        Put("""{"resourceType":"Organization","id":"org1","name":"Legekontoret"}"""),
        Put("""{"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/p1"},"code":{"text":"x"}}"""),
        Put("""{"resourceType":"Observation","id":"o1","status":"final","subject":{"reference":"Patient/p1"},"code":{"text":"hb"},"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}]}"""),
        Put("""{"resourceType":"Observation","id":"o2","status":"final","subject":{"reference":"Patient/p2"},"code":{"text":"bp"}}"""),
    ]);

    [Theory, SqliteStore, PostgresStore]
    public async Task Read_returns_only_permitted_rows(string store)
    {
        await using var t = new TempStore(store);
        await SeedAsync(t.Store);
        var s = t.Store;
        var c1 = await s.GetAsync("Condition", "c1", Only("p1"));
        Assert.NotNull(c1);
        Assert.Equal("p1", c1.PatientId);
        Assert.Null(await s.GetAsync("Observation", "o2", Only("p1")));
        Assert.NotNull(await s.GetAsync("Organization", "org1", Only("p1")));
        Assert.Null((await s.GetAsync("Organization", "org1", Only("p1")))!.PatientId);
        Assert.NotNull(await s.GetAsync("Organization", "org1", CompartmentAccess.Nobody));
        Assert.Null(await s.GetAsync("Patient", "p1", CompartmentAccess.Nobody));
        Assert.Null(await s.GetAsync("Organization", "org1", Only("p1") with { IncludeShared = false }));
        Assert.Null(await s.GetAsync("Organization", "org1", CompartmentAccess.Everyone with { IncludeShared = false }));
        Assert.NotNull(await s.GetAsync("Observation", "o2", CompartmentAccess.Everyone));
        Assert.NotNull(await s.GetAsync("Observation", "o2", null));
        Assert.Null(await s.GetVersionAsync("Observation", "o2", 1, Only("p1")));
        Assert.NotNull(await s.GetVersionAsync("Observation", "o2", 1, Only("p2")));
        // Inside a transaction too.
        var inTx = await s.InTransactionAsync(async tx => (await tx.GetAsync("Observation", "o2", Only("p1")), await tx.GetAsync("Observation", "o2", Only("p2"))));
        Assert.Null(inTx.Item1);
        Assert.NotNull(inTx.Item2);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Locked_sections_hide_by_type_and_by_coding(string store)
    {
        await using var t = new TempStore(store);
        await SeedAsync(t.Store);
        var s = t.Store;
        var typeLock = Only("p1", "p2") with { Hidden = [new HiddenSection("p1", "Condition")] };
        Assert.Null(await s.GetAsync("Condition", "c1", typeLock));
        Assert.NotNull(await s.GetAsync("Observation", "o1", typeLock));
        var codingLock = CompartmentAccess.Everyone with { Hidden = [new HiddenSection("p1", LabCategory)] };
        Assert.Null(await s.GetAsync("Observation", "o1", codingLock));
        Assert.Null(await s.GetVersionAsync("Observation", "o1", 1, codingLock));
        Assert.NotNull(await s.GetAsync("Condition", "c1", codingLock));
        // A lock of another patient's section does not hide this one.
        var otherPatient = CompartmentAccess.Everyone with { Hidden = [new HiddenSection("p2", LabCategory), new HiddenSection("p2", "Condition")] };
        Assert.NotNull(await s.GetAsync("Observation", "o1", otherPatient));
        Assert.NotNull(await s.GetAsync("Condition", "c1", otherPatient));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_hidden_current_version_never_falls_back_to_an_older_one(string store)
    {
        await using var t = new TempStore(store);
        await SeedAsync(t.Store);
        var s = t.Store;
        // c1 moves from p1's compartment to p2's.
        await s.MergeAsync([Put("""{"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/p2"},"code":{"text":"x"}}""")]);
        Assert.Null(await s.GetAsync("Condition", "c1", Only("p1")));
        Assert.Equal("p2", (await s.GetAsync("Condition", "c1", Only("p2")))!.PatientId);
        // Each version keeps its own compartment.
        Assert.NotNull(await s.GetVersionAsync("Condition", "c1", 1, Only("p1")));
        Assert.Null(await s.GetVersionAsync("Condition", "c1", 2, Only("p1")));
        Assert.Null(await s.GetVersionAsync("Condition", "c1", 1, Only("p2")));
        var h1 = await s.HistoryAsync(new HistoryQuery("Condition", "c1", Access: Only("p1")));
        Assert.Equal([1L], h1.Entries.Select(e => e.VersionId));
        var h2 = await s.HistoryAsync(new HistoryQuery("Condition", "c1", Access: Only("p2")));
        Assert.Equal([2L], h2.Entries.Select(e => e.VersionId));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_tombstone_stays_in_its_compartment(string store)
    {
        await using var t = new TempStore(store);
        await SeedAsync(t.Store);
        var s = t.Store;
        var deleted = (await s.MergeAsync([new ResourceWrite("Observation", "o2", null)]))[0];
        Assert.Equal("p2", deleted.PatientId);
        Assert.Null(await s.GetAsync("Observation", "o2", Only("p1")));
        Assert.True((await s.GetAsync("Observation", "o2", Only("p2")))!.IsDeleted);
        var h = await s.HistoryAsync(new HistoryQuery("Observation", Access: Only("p1")));
        Assert.Equal(["o1"], h.Entries.Select(e => e.Id));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Coding_locks_hide_versions_whose_codes_are_not_indexed(string store)
    {
        await using var t = new TempStore(store);
        await SeedAsync(t.Store);
        var s = t.Store;
        // o1 v2 drops the lab category: v2 is visible, v1 (superseded, not indexed) stays hidden under the lock.
        await s.MergeAsync([Put("""{"resourceType":"Observation","id":"o1","status":"final","subject":{"reference":"Patient/p1"},"code":{"text":"hb"}}""")]);
        var locked = Only("p1") with { Hidden = [new HiddenSection("p1", LabCategory)] };
        Assert.Equal(2, (await s.GetAsync("Observation", "o1", locked))!.VersionId);
        Assert.Null(await s.GetVersionAsync("Observation", "o1", 1, locked));
        var h = await s.HistoryAsync(new HistoryQuery("Observation", "o1", Access: locked));
        Assert.Equal([2L], h.Entries.Select(e => e.VersionId));
        var open = await s.HistoryAsync(new HistoryQuery("Observation", "o1", Access: Only("p1")));
        Assert.Equal([2L, 1L], open.Entries.Select(e => e.VersionId));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task History_pages_are_filtered_in_the_statement(string store)
    {
        await using var t = new TempStore(store);
        await SeedAsync(t.Store);
        var s = t.Store;
        for (var i = 0; i < 10; i++)
            await s.MergeAsync([Put($$"""{"resourceType":"Observation","id":"x{{i}}","status":"final","subject":{"reference":"Patient/p{{i % 2 + 1}}"},"code":{"text":"t"} }""")]);
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await s.HistoryAsync(new HistoryQuery("Observation", Count: 2, Cursor: cursor, Access: Only("p2")));
            // Full pages until the end: hidden versions never make a page short.
            if (page.NextCursor is not null) Assert.Equal(2, page.Entries.Count);
            seen.AddRange(page.Entries.Select(e => e.Id));
            cursor = page.NextCursor;
        } while (cursor is not null);
        Assert.Equal(["x9", "x7", "x5", "x3", "x1", "o2"], seen);
    }
}
