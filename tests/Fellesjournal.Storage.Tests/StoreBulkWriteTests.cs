using System.Text;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Search;
using Fellesjournal.Storage.Tests.Postgres;
using static Fellesjournal.Storage.Tests.TempStore;

namespace Fellesjournal.Storage.Tests;

/// <summary>The write-path features bulk import relies on: skip-if-unchanged inside the write transaction,
/// search values extracted by the caller, and index rows written in multi-row statements.</summary>
public class StoreBulkWriteTests
{
    private static ResourceWrite Same(string json) => Put(json) with { SkipIfUnchanged = true };

    [Theory, SqliteStore, PostgresStore]
    public async Task SkipIfUnchanged_writes_nothing_for_equal_content_and_a_version_for_changed(string store)
    {
        await using var t = new TempStore(store);
        var first = (await t.Store.MergeAsync([Same("""{"resourceType":"Patient","id":"p1","active":true,"name":[{"family":"Ås"}]}""")]))[0];
        Assert.True(first.Created);
        Assert.False(first.Unchanged);

        // Same content: other property order, whitespace, escaping, and client meta the store replaces anyway.
        var again = (await t.Store.MergeAsync([Same("""{ "name":[{"family":"\u00c5s"}], "meta":{"versionId":"9"}, "id":"p1", "resourceType":"Patient", "active":true }""")]))[0];
        Assert.True(again.Unchanged);
        Assert.Equal(1, again.VersionId);
        Assert.Equal(first.LastUpdated, again.LastUpdated);
        Assert.Equal(Text(first), Text(again));

        var changed = (await t.Store.MergeAsync([Same("""{"resourceType":"Patient","id":"p1","active":false,"name":[{"family":"Ås"}]}""")]))[0];
        Assert.False(changed.Unchanged);
        Assert.Equal(2, changed.VersionId);

        // Without the flag an equal write is a new version, as before.
        var plain = (await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"p1","active":false,"name":[{"family":"Ås"}]}""")]))[0];
        Assert.Equal(3, plain.VersionId);
        Assert.Equal(3, (await t.Store.HistoryAsync(new HistoryQuery("Patient", "p1"))).Entries.Count);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task SkipIfUnchanged_sees_earlier_writes_of_the_same_batch_and_rewrites_deleted(string store)
    {
        await using var t = new TempStore(store);
        const string json = """{"resourceType":"Patient","id":"p2","active":true}""";
        var r = await t.Store.MergeAsync([Same(json), Same(json), Same("""{"resourceType":"Patient","id":"p2","active":false}""")]);
        Assert.Equal([1L, 1, 2], r.Select(x => x.VersionId));
        Assert.Equal([false, true, false], r.Select(x => x.Unchanged));

        await t.Store.MergeAsync([new ResourceWrite("Patient", "p2", null)]);
        var back = (await t.Store.MergeAsync([Same("""{"resourceType":"Patient","id":"p2","active":false}""")]))[0];
        Assert.False(back.Unchanged);
        Assert.Equal(4, back.VersionId);
        Assert.False((await t.Store.GetAsync("Patient", "p2"))!.IsDeleted);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_supplied_index_is_written_instead_of_extracting(string store)
    {
        await using var t = new TempStore(store);
        var index = new ResourceIndex([new TokenIndexValue("identifier", "urn:test", "only-in-the-supplied-index")], "p9");
        await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"p9","active":true}""") with { Index = index }]);
        var rows = t.Query("SELECT code, patient_id FROM idx_token WHERE h_ident = " + IndexHash.Of("Patient", "identifier"));
        Assert.Equal([["only-in-the-supplied-index", "p9"]], rows);
        Assert.Single(t.Query("SELECT 1 FROM idx_token"));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Index_rows_of_a_large_batch_match_extraction_and_a_repeated_resource_keeps_only_its_last_rows(string store)
    {
        await using var t = new TempStore(store);
        var indexer = new SearchIndexer(FhirDefinitions.Default);
        var writes = new List<ResourceWrite>();
        var expected = 0;
        for (var i = 0; i < 150; i++)
        {
            // Three tokens and a reference per Observation: more rows per table than one multi-row statement takes.
            var json = $$$"""{"resourceType":"Observation","id":"o{{{i}}}","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"c{{{i}}}"}]},"subject":{"reference":"Patient/p{{{i % 7}}}"},"valueQuantity":{"value":{{{i}}},"unit":"kg","system":"http://unitsofmeasure.org","code":"kg"}}""";
            writes.Add(Put(json));
            expected += indexer.Extract(ElementNode.Parse(Encoding.UTF8.GetBytes(json)), $"o{i}").Values.Count;
        }
        // o0 again at the end of the batch with another code: its first version's rows must not survive.
        const string last = """{"resourceType":"Observation","id":"o0","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"changed"}]}}""";
        writes.Add(Put(last));
        expected += indexer.Extract(ElementNode.Parse(Encoding.UTF8.GetBytes(last)), "o0").Values.Count
                    - indexer.Extract(ElementNode.Parse(writes[0].Json!.Value), "o0").Values.Count;
        await t.Store.MergeAsync(writes);

        var total = t.Query("""
            SELECT (SELECT count(*) FROM idx_string) + (SELECT count(*) FROM idx_token) + (SELECT count(*) FROM idx_date)
                 + (SELECT count(*) FROM idx_number) + (SELECT count(*) FROM idx_quantity) + (SELECT count(*) FROM idx_reference)
                 + (SELECT count(*) FROM idx_uri) + (SELECT count(*) FROM idx_composite)
            """);
        Assert.Equal(expected.ToString(), total[0][0]);
        var o0 = t.Query("SELECT t.code FROM idx_token t JOIN resource_version v ON v.seq = t.seq WHERE v.res_id = 'o0' AND t.h_ident = " + IndexHash.Of("Observation", "code"));
        Assert.Equal([["changed"]], o0);
    }
}
