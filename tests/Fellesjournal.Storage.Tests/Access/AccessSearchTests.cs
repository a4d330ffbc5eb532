using Fellesjournal.Storage.Search;
using Fellesjournal.Storage.Tests.Postgres;
using static Fellesjournal.Storage.Tests.Access.AccessReadTests;

namespace Fellesjournal.Storage.Tests.Access;

/// <summary>Locked sections and shared rows on each search path, one explicit case per path (both stores).</summary>
public class AccessSearchTests
{
    private static readonly CompartmentAccess LabLocked = Only("p1", "p2") with { Hidden = [new HiddenSection("p1", LabCategory)] };
    private static readonly CompartmentAccess ConditionLocked = Only("p1", "p2") with { Hidden = [new HiddenSection("p1", "Condition")] };

    private static async Task<SearchPage> Search(IResourceStore s, string? type, CompartmentAccess access, IReadOnlyList<SearchCriterion>? criteria = null,
        params (string, string)[] includes) =>
        await s.SearchAsync(new SearchQuery(type, criteria ?? [], Count: 100, IncludeTotal: true, Access: access,
            Includes: includes.Select(i => new KeyValuePair<string, string>(i.Item1, i.Item2)).ToList()));

    private static string Ids(IEnumerable<StoredResource>? rows) =>
        string.Join(",", (rows ?? []).Select(r => r.ResourceType + "/" + r.Id).Order(StringComparer.Ordinal));

    [Theory, SqliteStore, PostgresStore]
    public async Task Root_and_total_leave_out_locked_sections(string store)
    {
        await using var t = new TempStore(store);
        await SeedAsync(t.Store);
        var page = await Search(t.Store, "Observation", LabLocked);
        Assert.Equal("Observation/o2", Ids(page.Resources));
        Assert.Equal(1, page.Total);
        var cond = await Search(t.Store, "Condition", ConditionLocked);
        Assert.Equal(0, cond.Total);
        // A token criterion on the locked code itself finds nothing, and counts nothing.
        var byCategory = await Search(t.Store, "Observation", LabLocked, [new SearchCriterion("category", null, ["laboratory"])]);
        Assert.Empty(byCategory.Resources);
        Assert.Equal(0, byCategory.Total);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Shared_rows_follow_IncludeShared(string store)
    {
        await using var t = new TempStore(store);
        await SeedAsync(t.Store);
        Assert.Equal("Organization/org1", Ids((await Search(t.Store, null, CompartmentAccess.Nobody)).Resources));
        var noShared = await Search(t.Store, null, Only("p2") with { IncludeShared = false });
        Assert.Equal("Observation/o2,Patient/p2", Ids(noShared.Resources));
        Assert.Equal(2, noShared.Total);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Includes_check_each_included_row(string store)
    {
        await using var t = new TempStore(store);
        await SeedAsync(t.Store);
        // p1 is visible, its Condition is locked: the revinclude brings in nothing of it.
        var rev = await Search(t.Store, "Patient", ConditionLocked, [new SearchCriterion("_id", null, ["p1"])], ("_revinclude", "Condition:subject"));
        Assert.Equal("Patient/p1", Ids(rev.Resources));
        Assert.Equal("", Ids(rev.Included));
        var open = await Search(t.Store, "Patient", Only("p1"), [new SearchCriterion("_id", null, ["p1"])], ("_revinclude", "Condition:subject"));
        Assert.Equal("Condition/c1", Ids(open.Included));
        // A permitted Condition does not pull in its Patient when the Patient itself is locked.
        var patientLocked = Only("p1") with { Hidden = [new HiddenSection("p1", "Patient")] };
        var fwd = await Search(t.Store, "Condition", patientLocked, null, ("_include", "Condition:subject"));
        Assert.Equal("Condition/c1", Ids(fwd.Resources));
        Assert.Equal("", Ids(fwd.Included));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Chains_and_has_do_not_test_hidden_values(string store)
    {
        await using var t = new TempStore(store);
        await SeedAsync(t.Store);
        // The chain target (the Patient) is locked: its name cannot be tested.
        var patientLocked = Only("p1") with { Hidden = [new HiddenSection("p1", "Patient")] };
        Assert.Empty((await Search(t.Store, "Condition", patientLocked, [new SearchCriterion("subject:Patient.name", null, ["En"])])).Resources);
        Assert.Equal("Condition/c1", Ids((await Search(t.Store, "Condition", Only("p1"), [new SearchCriterion("subject:Patient.name", null, ["En"])])).Resources));
        // _has over a locked source finds nothing, and counts nothing.
        var has = new SearchCriterion("_has:Observation:subject:category", null, ["laboratory"]);
        var hidden = await Search(t.Store, "Patient", LabLocked, [has]);
        Assert.Empty(hidden.Resources);
        Assert.Equal(0, hidden.Total);
        Assert.Equal("Patient/p1", Ids((await Search(t.Store, "Patient", Only("p1"), [has])).Resources));
        Assert.Empty((await Search(t.Store, "Patient", ConditionLocked, [new SearchCriterion("_has:Condition:subject:_id", null, ["c1"])])).Resources);
    }

    [Fact]
    public void Permits_is_the_reference_semantics()
    {
        var a = Only("p1") with { Hidden = [new HiddenSection("p1", "Condition"), new HiddenSection("p1", "s|c")] };
        Assert.True(a.Permits(null, "Organization", []));
        Assert.False((a with { IncludeShared = false }).Permits(null, "Organization", []));
        Assert.False(a.Permits("p2", "Observation", []));
        Assert.False(a.Permits("p1", "Condition", []));
        Assert.True(a.Permits("p1", "Observation", ["s|d"]));
        Assert.False(a.Permits("p1", "Observation", ["s|d", "s|c"]));
        // Unknown codes (a superseded version): a coding lock of the patient hides it.
        Assert.False(a.Permits("p1", "Observation", null));
        Assert.True(Only("p1").Permits("p1", "Observation", null));
        Assert.True(a.Permits("p1"));
        Assert.True(CompartmentAccess.Everyone.IsUnrestricted);
        Assert.False(CompartmentAccess.Nobody.Permits("p1"));
        Assert.True(CompartmentAccess.Nobody.Permits(null));
    }
}
