using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Search;
using Fellesjournal.Storage.Search;
using Fellesjournal.Storage.Tests.Postgres;
using static Fellesjournal.Storage.Tests.TempStore;

namespace Fellesjournal.Storage.Tests.SearchApi;

/// <summary>
/// _contained and _containedType over a hand-made set of containers (both stores). Expected results are worked out
/// by hand from <see cref="World"/>: the comments say which contained resource matches and why.
/// </summary>
public class SearchContainedTests
{
    private const string Rx = "http://www.nlm.nih.gov/research/umls/rxnorm";
    private const string Sct = "http://snomed.info/sct";

    private static string Med(string id, string code, string form) =>
        $$$"""{"resourceType":"Medication","id":"{{{id}}}","code":{"coding":[{"system":"{{{Rx}}}","code":"{{{code}}}"}]},"form":{"coding":[{"system":"{{{Sct}}}","code":"{{{form}}}"}]}}""";

    private static string Request(string id, string patient, params string[] contained) =>
        $$$"""{"resourceType":"MedicationRequest","id":"{{{id}}}","status":"active","intent":"order","subject":{"reference":"Patient/{{{patient}}}"}""" +
        (contained.Length == 0 ? ""","medicationCodeableConcept":{"text":"x"}}"""
            : $$$""","contained":[{{{string.Join(",", contained)}}}],"medicationReference":{"reference":"#m1"}}""");

    private const string Tablet = "385055001", Capsule = "385049006";

    /// <summary>mr1 (pa): m1 = 1049221 tablet, m2 = 999 capsule. mr2 (pb): m1 = 1049221 capsule. mr3 (pa): nothing
    /// contained. mr4 (pa): m1, m2, m3 = 777. Top-level Medications: medTop = 1049221 tablet, medOther = 555.</summary>
    private static readonly string[] World =
    [
        """{"resourceType":"Patient","id":"pa"}""",
        """{"resourceType":"Patient","id":"pb"}""",
        Request("mr1", "pa", Med("m1", "1049221", Tablet), Med("m2", "999", Capsule)),
        Request("mr2", "pb", Med("m1", "1049221", Capsule)),
        Request("mr3", "pa"),
        Request("mr4", "pa", Med("m1", "777", Tablet), Med("m2", "777", Tablet), Med("m3", "777", Capsule)),
        Med("medTop", "1049221", Tablet),
        Med("medOther", "555", Tablet),
    ];

    private static async Task<TempStore> Seed(string store)
    {
        var t = new TempStore(store);
        await t.Store.MergeAsync(World.Select(r => Put(r)).ToList());
        return t;
    }

    private static SearchQuery Q(string query, ContainedScope scope, bool returnContained = false, CompartmentAccess? access = null,
        int count = 100, string? cursor = null) =>
        new("Medication", SearchFixture.Criteria(query), Count: count, Cursor: cursor, IncludeTotal: true, Access: access)
        { Contained = scope, ReturnContained = returnContained };

    /// <summary>Entries as Type/id, a contained one as Container#id, in result order.</summary>
    private static string Names(SearchPage page) =>
        string.Join(",", page.Resources.Select(r => r.Container is { } c ? c + "#" + r.Id : r.ResourceType + "/" + r.Id));

    private static async Task<string> Find(TempStore t, string query, ContainedScope scope, bool returnContained = false, CompartmentAccess? access = null) =>
        string.Join(",", Names(await t.Store.SearchAsync(Q(query, scope, returnContained, access))).Split(',').Order(StringComparer.Ordinal));

    [Fact]
    public void Extraction_keeps_contained_values_apart_and_costs_nothing_without_them()
    {
        var defs = FhirDefinitions.Default;
        var indexer = new SearchIndexer(defs);
        var ix = indexer.Extract(ElementNode.Parse(Request("mr1", "pa", Med("m1", "1049221", Tablet), Med("m2", "999", Capsule)), defs));
        Assert.Equal("pa", ix.PatientId);
        Assert.Equal(["Medication/m1", "Medication/m2"], ix.Contained!.Select(c => c.Type + "/" + c.Id));
        Assert.Contains(ix.Contained![0].Values, v => v is TokenIndexValue { Param: "code", Code: "1049221" });
        Assert.DoesNotContain(ix.Contained![0].Values, v => v is TokenIndexValue { Code: "999" });
        Assert.DoesNotContain(ix.Values, v => v is TokenIndexValue { Code: "1049221" });
        Assert.Null(indexer.Extract(ElementNode.Parse(Med("x", "1", Tablet), defs)).Contained);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task False_true_and_both_with_containers(string store)
    {
        await using var t = await Seed(store);
        var code = $"code={Rx}|1049221";
        Assert.Equal("Medication/medTop", await Find(t, code, ContainedScope.False));
        // 1049221 is contained in mr1 (m1) and mr2 (m1): the containers come back.
        Assert.Equal("MedicationRequest/mr1,MedicationRequest/mr2", await Find(t, code, ContainedScope.True));
        Assert.Equal("Medication/medTop,MedicationRequest/mr1,MedicationRequest/mr2", await Find(t, code, ContainedScope.Both));
        // Every container of some Medication: mr1, mr2, mr4 (mr3 contains nothing).
        Assert.Equal("MedicationRequest/mr1,MedicationRequest/mr2,MedicationRequest/mr4", await Find(t, "", ContainedScope.True));
        // The contained id is searchable: m2 only in mr1 and mr4.
        Assert.Equal("MedicationRequest/mr1,MedicationRequest/mr4", await Find(t, "_id=m2", ContainedScope.True));
        // Contained values never leak into top-level searches of the containers' own type.
        Assert.Equal("", await Find(t, $"code={Rx}|999", ContainedScope.False));
        var mr = await t.Store.SearchAsync(new SearchQuery("MedicationRequest", SearchFixture.Criteria($"code={Rx}|1049221")));
        Assert.Empty(mr.Resources);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Contained_type_returns_the_contained_resources(string store)
    {
        await using var t = await Seed(store);
        var code = $"code={Rx}|1049221";
        var page = await t.Store.SearchAsync(Q(code, ContainedScope.True, returnContained: true));
        Assert.Equal("MedicationRequest/mr1#m1,MedicationRequest/mr2#m1", Names(page));
        Assert.Equal(2, page.Total);
        // The resource is the contained Medication itself, cut from its container, with the container's compartment.
        var m1 = page.Resources[0];
        Assert.Equal("Medication", m1.ResourceType);
        using (var doc = System.Text.Json.JsonDocument.Parse(m1.Json))
        {
            Assert.Equal("m1", doc.RootElement.GetProperty("id").GetString());
            Assert.Equal(Tablet, doc.RootElement.GetProperty("form").GetProperty("coding")[0].GetProperty("code").GetString());
        }
        Assert.Equal("pa", m1.PatientId);
        Assert.Equal("pb", page.Resources[1].PatientId);
        var both = await Find(t, code, ContainedScope.Both, returnContained: true);
        Assert.Equal("Medication/medTop,MedicationRequest/mr1#m1,MedicationRequest/mr2#m1", both);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task All_criteria_match_the_same_contained_resource(string store)
    {
        await using var t = await Seed(store);
        // mr1 has 1049221 (m1, a tablet) and a capsule (m2): two different contained resources, no match.
        // mr2's m1 is both 1049221 and a capsule.
        var capsule = $"code={Rx}|1049221&form={Sct}|{Capsule}";
        Assert.Equal("MedicationRequest/mr2", await Find(t, capsule, ContainedScope.True));
        Assert.Equal("MedicationRequest/mr2#m1", await Find(t, capsule, ContainedScope.True, returnContained: true));
        Assert.Equal("MedicationRequest/mr1#m1", await Find(t, $"code={Rx}|1049221&form={Sct}|{Tablet}", ContainedScope.True, returnContained: true));
        // A contained id and a code of another contained resource of the same container: no match.
        Assert.Equal("", await Find(t, $"_id=m2&code={Rx}|1049221", ContainedScope.True));
        // :not applies to the same contained resource: in mr4, m3 is the only one that is not a tablet.
        Assert.Equal("MedicationRequest/mr1#m2,MedicationRequest/mr2#m1,MedicationRequest/mr4#m3",
            await Find(t, $"form:not={Sct}|{Tablet}", ContainedScope.True, returnContained: true));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Contained_results_page_in_container_then_position_order(string store)
    {
        await using var t = await Seed(store);
        // Code 777: mr4's m1, m2, m3 (position order), two to a page.
        var first = await t.Store.SearchAsync(Q("code=777", ContainedScope.True, returnContained: true, count: 2));
        Assert.Equal("MedicationRequest/mr4#m1,MedicationRequest/mr4#m2", Names(first));
        Assert.Equal(3, first.Total);
        Assert.NotNull(first.NextCursor);
        var second = await t.Store.SearchAsync(Q("code=777", ContainedScope.True, returnContained: true, count: 2, cursor: first.NextCursor));
        Assert.Equal("MedicationRequest/mr4#m3", Names(second));
        Assert.Null(second.NextCursor);
        var back = await t.Store.SearchAsync(Q("code=777", ContainedScope.True, returnContained: true, count: 2, cursor: second.PreviousCursor));
        Assert.Equal("MedicationRequest/mr4#m1,MedicationRequest/mr4#m2", Names(back));
        // Every contained Medication, one to a page, with both: containers in write order, the top-level ones too.
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await t.Store.SearchAsync(Q("", ContainedScope.Both, returnContained: true, count: 1, cursor: cursor));
            seen.Add(Names(page));
            cursor = page.NextCursor;
        } while (cursor is not null && seen.Count < 20);
        Assert.Equal("MedicationRequest/mr1#m1,MedicationRequest/mr1#m2,MedicationRequest/mr2#m1,MedicationRequest/mr4#m1," +
                     "MedicationRequest/mr4#m2,MedicationRequest/mr4#m3,Medication/medTop,Medication/medOther", string.Join(",", seen));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Access_to_the_container_decides(string store)
    {
        await using var t = await Seed(store);
        var code = $"code={Rx}|1049221";
        var onlyPb = new CompartmentAccess(false, ["pb"]);
        Assert.Equal("MedicationRequest/mr2", await Find(t, code, ContainedScope.True, access: onlyPb));
        Assert.Equal("MedicationRequest/mr2#m1", await Find(t, code, ContainedScope.True, returnContained: true, access: onlyPb));
        // No compartment: the containers are all in one, so nothing is found; shared top-level Medications still are.
        Assert.Equal("", await Find(t, code, ContainedScope.True, returnContained: true, access: CompartmentAccess.Nobody));
        Assert.Equal("Medication/medTop", await Find(t, code, ContainedScope.Both, returnContained: true, access: CompartmentAccess.Nobody));
        var total = await t.Store.SearchAsync(Q(code, ContainedScope.True, access: CompartmentAccess.Nobody));
        Assert.Equal(0, total.Total);
        // Medication locked for pa: pa's contained Medications stay hidden like top-level ones would; mr2 (pb) is found.
        var locked = new CompartmentAccess(true, []) { Hidden = [new HiddenSection("pa", "Medication")] };
        Assert.Equal("MedicationRequest/mr2#m1", await Find(t, code, ContainedScope.True, returnContained: true, access: locked));
        // Containers only of the types the caller may search.
        var obsOnly = await t.Store.SearchAsync(Q(code, ContainedScope.True) with { ContainerTypes = ["Observation"] });
        Assert.Empty(obsOnly.Resources);
        var mrOk = await t.Store.SearchAsync(Q(code, ContainedScope.True) with { ContainerTypes = ["MedicationRequest"] });
        Assert.Equal(2, mrOk.Resources.Count);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_new_version_or_a_delete_drops_the_contained_rows(string store)
    {
        await using var t = await Seed(store);
        var code = $"code={Rx}|1049221";
        await t.Store.MergeAsync([Put(Request("mr2", "pb"))]);
        Assert.Equal("MedicationRequest/mr1", await Find(t, code, ContainedScope.True));
        await t.Store.MergeAsync([new ResourceWrite("MedicationRequest", "mr1", null)]);
        Assert.Equal("", await Find(t, code, ContainedScope.True, returnContained: true));
        // Contained again in a new version: found again.
        await t.Store.MergeAsync([Put(Request("mr2", "pb", Med("m9", "1049221", Tablet)))]);
        Assert.Equal("MedicationRequest/mr2#m9", await Find(t, code, ContainedScope.True, returnContained: true));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Criteria_the_index_cannot_answer_for_contained_resources_are_refused(string store)
    {
        await using var t = await Seed(store);
        await Assert.ThrowsAsync<UnsupportedSearchParameterException>(() => t.Store.SearchAsync(Q("_text=tablet", ContainedScope.True)));
        await Assert.ThrowsAsync<UnsupportedSearchParameterException>(() => t.Store.SearchAsync(Q("_lastUpdated=gt2000", ContainedScope.Both)));
        await Assert.ThrowsAsync<SearchException>(() => t.Store.SearchAsync(Q("", ContainedScope.True) with { Sort = ["code"] }));
        await Assert.ThrowsAsync<SearchException>(() => t.Store.SearchAsync(new SearchQuery(null, []) { Contained = ContainedScope.True }));
    }

    private static readonly string[] IndexTables =
        ["idx_string", "idx_token", "idx_date", "idx_number", "idx_quantity", "idx_reference", "idx_uri", "idx_composite"];

    [Theory, SqliteStore, PostgresStore]
    public async Task Versions_indexed_before_contained_resources_are_backfilled(string store)
    {
        await using var t = await Seed(store);
        // Make the store look like one written before contained resources were indexed, then open it again.
        if (store == "sqlite")
        {
            using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(t.Dir, Sqlite.SqliteResourceStore.DefaultFileName)};Pooling=False");
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = string.Join(";", IndexTables.Select(x => $"DELETE FROM {x} WHERE ord < 0")) +
                              ";UPDATE store_info SET value = '3' WHERE key = 'schema_version'";
            cmd.ExecuteNonQuery();
        }
        else
        {
            using var c = new Npgsql.NpgsqlConnection(t.ConnectionString);
            c.Open();
            using var cmd = new Npgsql.NpgsqlCommand(string.Join(";", IndexTables.Select(x => $"DELETE FROM {x} WHERE ord < 0")) +
                                                     ";INSERT INTO store_task (name) VALUES ('contained_backfill')", c);
            cmd.ExecuteNonQuery();
        }
        var code = $"code={Rx}|1049221";
        Assert.Equal("", await Find(t, code, ContainedScope.True));
        await t.ReopenAsync();
        Assert.Equal(store == "sqlite" ? "4" : "0", t.Query(store == "sqlite"
            ? "SELECT value FROM store_info WHERE key = 'schema_version'"
            : "SELECT count(*) FROM store_task WHERE name = 'contained_backfill'")[0][0]);
        Assert.Equal("MedicationRequest/mr1#m1,MedicationRequest/mr2#m1", await Find(t, code, ContainedScope.True, returnContained: true));
        Assert.Equal("MedicationRequest/mr2", await Find(t, $"{code}&form={Sct}|{Capsule}", ContainedScope.True));
    }
}
