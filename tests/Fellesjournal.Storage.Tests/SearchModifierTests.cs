using Fellesjournal.Storage.Tests.Postgres;
using Fellesjournal.Storage;
using static Fellesjournal.Storage.Tests.TempStore;

namespace Fellesjournal.Storage.Tests;

/// <summary>Token modifiers over terminology and extra rows (:in, :not-in, :below, :above, :of-type, reference
/// :identifier) and composite prefixes, on both stores. Expected ids are written out by hand.</summary>
public class SearchModifierTests
{
    private const string V2 = "http://terminology.hl7.org/CodeSystem/v2-0203";
    private const string IssueType = "http://hl7.org/fhir/issue-type";

    private static readonly string[] Resources =
    [
        $$$"""{"resourceType":"Patient","id":"a","gender":"female","identifier":[{"type":{"coding":[{"system":"{{{V2}}}","code":"MR"}]},"system":"urn:mr","value":"111"},{"type":{"coding":[{"system":"{{{V2}}}","code":"DL"}]},"value":"222"}]}""",
        $$$"""{"resourceType":"Patient","id":"b","gender":"unknown","identifier":[{"type":{"coding":[{"system":"{{{V2}}}","code":"MR"}]},"value":"222"}]}""",
        """{"resourceType":"Patient","id":"c","gender":"other","identifier":[{"value":"111"}]}""",
        """{"resourceType":"Observation","id":"o1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"subject":{"identifier":{"system":"urn:oid:2.16.578.1.12.4.1.4.1","value":"01010112345"}},"valueQuantity":{"value":120,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}""",
        """{"resourceType":"Observation","id":"o2","status":"preliminary","code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"subject":{"reference":"Patient/a"},"valueQuantity":{"value":95.5,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}""",
        """{"resourceType":"Observation","id":"o3","status":"amended","code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"subject":{"reference":"Patient/b"},"valueQuantity":{"value":130,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}""",
        $$$"""{"resourceType":"Observation","id":"o4","status":"registered","code":{"coding":[{"system":"{{{IssueType}}}","code":"structure"}]},"category":[{"coding":[{"code":"http://example.org/cat/a/b"}]}]}""",
        $$$"""{"resourceType":"Observation","id":"o5","status":"cancelled","code":{"coding":[{"system":"{{{IssueType}}}","code":"invalid"}]},"category":[{"coding":[{"code":"http://example.org/cat/a"}]}]}""",
        $$$"""{"resourceType":"Observation","id":"o6","status":"final","code":{"coding":[{"system":"{{{IssueType}}}","code":"security"}]},"component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":140,"system":"http://unitsofmeasure.org","code":"mm[Hg]"}},{"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":90,"system":"http://unitsofmeasure.org","code":"mm[Hg]"}}]}""",
    ];

    private static async Task<TempStore> Seed(string store)
    {
        var t = new TempStore(store);
        await t.Store.MergeAsync(Resources.Select(r => Put(r)).ToList());
        return t;
    }

    private static async Task<string> Ids(TempStore t, string type, params (string Key, string Value)[] criteria)
    {
        var crit = criteria.Select(c =>
        {
            var colon = c.Key.IndexOf(':');
            return colon < 0 ? new SearchCriterion(c.Key, null, c.Value.Split(','))
                : new SearchCriterion(c.Key[..colon], c.Key[(colon + 1)..], c.Value.Split(','));
        }).ToList();
        var page = await t.Store.SearchAsync(new SearchQuery(type, crit, Count: 100));
        return string.Join(",", page.Resources.Select(r => r.Id).Order());
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task In_and_not_in_expand_loaded_value_sets(string store)
    {
        await using var t = await Seed(store);
        // observation-status = registered, preliminary, final, amended (+ corrected), cancelled, entered-in-error, unknown.
        Assert.Equal("o1,o2,o3,o4,o5,o6", await Ids(t, "Observation", ("status:in", "http://hl7.org/fhir/ValueSet/observation-status")));
        Assert.Equal("a,b,c", await Ids(t, "Patient", ("gender:in", "http://hl7.org/fhir/ValueSet/administrative-gender|4.0.1")));
        Assert.Equal("", await Ids(t, "Patient", ("gender:not-in", "http://hl7.org/fhir/ValueSet/administrative-gender")));
        // identifier-type holds v2-0203 DL, PPN, BRN, MR, ...: the identifier *types* are not identifier values.
        Assert.Equal("", await Ids(t, "Patient", ("identifier:in", "http://hl7.org/fhir/ValueSet/identifier-type")));
        var e = await Assert.ThrowsAsync<SearchException>(() => Ids(t, "Patient", ("gender:in", "http://example.org/ValueSet/nope")));
        Assert.Contains("http://example.org/ValueSet/nope", e.Message);
        Assert.IsNotType<UnsupportedSearchParameterException>(e);
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Below_and_above_use_the_hierarchy_or_uri_prefixes(string store)
    {
        await using var t = await Seed(store);
        // issue-type: invalid ⊃ structure; security is a sibling of invalid.
        Assert.Equal("o4,o5", await Ids(t, "Observation", ("code:below", IssueType + "|invalid")));
        Assert.Equal("o4", await Ids(t, "Observation", ("code:below", IssueType + "|structure")));
        Assert.Equal("o4,o5", await Ids(t, "Observation", ("code:above", IssueType + "|structure")));
        Assert.Equal("o5", await Ids(t, "Observation", ("code:above", IssueType + "|invalid")));
        Assert.Equal("o4,o5", await Ids(t, "Observation", ("category:below", "http://example.org/cat/a")));
        Assert.Equal("o4", await Ids(t, "Observation", ("category:below", "http://example.org/cat/a/b")));
        Assert.Equal("o4,o5", await Ids(t, "Observation", ("category:above", "http://example.org/cat/a/b/c")));
        await Assert.ThrowsAsync<UnsupportedSearchParameterException>(() => Ids(t, "Observation", ("code:below", "http://loinc.org|8480-6")));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Of_type_and_reference_identifier(string store)
    {
        await using var t = await Seed(store);
        Assert.Equal("a", await Ids(t, "Patient", ("identifier:of-type", V2 + "|MR|111")));
        Assert.Equal("a,b", await Ids(t, "Patient", ("identifier:of-type", V2 + "|MR|222,|DL|222")));
        Assert.Equal("b", await Ids(t, "Patient", ("identifier:of-type", V2 + "|MR|222")));
        Assert.Equal("", await Ids(t, "Patient", ("identifier:of-type", "http://other|MR|111")));
        await Assert.ThrowsAsync<SearchException>(() => Ids(t, "Patient", ("identifier:of-type", "MR|111")));
        Assert.Equal("o1", await Ids(t, "Observation", ("subject:identifier", "urn:oid:2.16.578.1.12.4.1.4.1|01010112345")));
        Assert.Equal("o1", await Ids(t, "Observation", ("subject:identifier", "01010112345")));
        Assert.Equal("", await Ids(t, "Observation", ("subject:identifier", "urn:other|01010112345")));
        // The plain parameter does not see the extra rows.
        Assert.Equal("", await Ids(t, "Patient", ("identifier", "MR|111")));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Composite_prefixes_on_the_value(string store)
    {
        await using var t = await Seed(store);
        Assert.Equal("o1", await Ids(t, "Observation", ("code-value-quantity", "http://loinc.org|8480-6$gt100")));
        Assert.Equal("o1,o2", await Ids(t, "Observation", ("code-value-quantity", "8480-6$ge95")));
        Assert.Equal("o2", await Ids(t, "Observation", ("code-value-quantity", "http://loinc.org|8480-6$lt100|http://unitsofmeasure.org|mm[Hg]")));
        Assert.Equal("", await Ids(t, "Observation", ("code-value-quantity", "http://loinc.org|8480-6$lt100|http://unitsofmeasure.org|kPa")));
        Assert.Equal("o1,o3", await Ids(t, "Observation", ("code-value-quantity", "8480-6$gt110,8462-4$gt110")));
        // Per component: o6's systolic is 140, its diastolic 90 (no tuple 8462-4 with 140).
        Assert.Equal("o6", await Ids(t, "Observation", ("component-code-value-quantity", "http://loinc.org|8480-6$gt130")));
        Assert.Equal("", await Ids(t, "Observation", ("component-code-value-quantity", "http://loinc.org|8462-4$gt130")));
        // Exact values still go through the equality hash.
        Assert.Equal("o1", await Ids(t, "Observation", ("code-value-quantity", "http://loinc.org|8480-6$120")));
    }
}
