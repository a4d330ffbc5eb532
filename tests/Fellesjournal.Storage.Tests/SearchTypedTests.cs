using Fellesjournal.Storage.Tests.Postgres;
using Fellesjournal.Storage;
using static Fellesjournal.Storage.Tests.TempStore;

namespace Fellesjournal.Storage.Tests;

/// <summary>Search per parameter type, run with every available indexer.</summary>
public class SearchTypedTests
{
    private static readonly string[] Resources =
    [
        """{"resourceType":"Patient","id":"p1","identifier":[{"system":"urn:oid:2.16.578.1.12.4.1.4.1","value":"12345678901"}],"active":true,"name":[{"family":"Østby","given":["Åse","Marie"]}],"gender":"female","birthDate":"1980-05-17","generalPractitioner":[{"reference":"Practitioner/gp1"}]}""",
        """{"resourceType":"Patient","id":"p2","identifier":[{"system":"http://other","value":"12345678901"},{"value":"X1"}],"active":false,"name":[{"family":"Hansen","given":["José"]}],"gender":"male","birthDate":"1980","generalPractitioner":[{"reference":"http://ext.example/fhir/Practitioner/gp1"}]}""",
        """{"resourceType":"Patient","id":"p3","name":[{"family":"Hanssen"}],"gender":"male"}""",
        """{"resourceType":"Observation","id":"o1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8480-6","display":"Systolic blood pressure"}],"text":"BP sys"},"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2024-05-17T10:30:00Z","valueQuantity":{"value":120,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}""",
        """{"resourceType":"Observation","id":"o2","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8310-5","display":"Body temperature"}]},"subject":{"reference":"Patient/p2"},"effectivePeriod":{"start":"2024-05-01","end":"2024-05-03"},"valueQuantity":{"value":37.5,"unit":"Cel","system":"http://unitsofmeasure.org","code":"Cel"}}""",
        """{"resourceType":"Observation","id":"o3","status":"final","code":{"coding":[{"system":"http://snomed.info/sct","code":"8480-6"}]},"subject":{"reference":"Group/g1"},"valueQuantity":{"value":100.4,"unit":"mm[Hg]"}}""",
        """{"resourceType":"RiskAssessment","id":"r1","status":"final","subject":{"reference":"Patient/p1"},"prediction":[{"probabilityDecimal":0.25}]}""",
        """{"resourceType":"RiskAssessment","id":"r2","status":"final","subject":{"reference":"Patient/p2"},"prediction":[{"probabilityDecimal":0.5}]}""",
        """{"resourceType":"ValueSet","id":"vs1","url":"http://example.org/fhir/ValueSet/a","status":"active"}""",
        """{"resourceType":"ValueSet","id":"vs2","url":"http://example.org/fhir/ValueSet/a/b","status":"active"}""",
    ];

    public static TheoryData<string> Kinds => Indexers.Kinds();

    private static async Task<TempStore> Seed(string store, string kind)
    {
        var t = new TempStore(store, Indexers.Create(kind));
        await t.Store.MergeAsync(Resources.Select(r => Put(r)).ToList());
        return t;
    }

    private static async Task<string> Ids(TempStore t, string type, params (string Code, string Value)[] criteria)
    {
        var crit = criteria.Select(c =>
        {
            var colon = c.Code.IndexOf(':');
            return colon < 0 ? new SearchCriterion(c.Code, null, c.Value.Split(','))
                : new SearchCriterion(c.Code[..colon], c.Code[(colon + 1)..], c.Value.Split(','));
        }).ToList();
        var page = await t.Store.SearchAsync(new SearchQuery(type, crit, Count: 100));
        return string.Join(",", page.Resources.Select(r => r.Id).Order());
    }

    [Theory, SqliteStore(Indexers = true), PostgresStore(Indexers = true)]
    public async Task String_search(string store, string kind)
    {
        await using var t = await Seed(store, kind);
        Assert.Equal("p2,p3", await Ids(t, "Patient", ("name", "hans")));
        Assert.Equal("p2", await Ids(t, "Patient", ("name", "Hansen")));
        Assert.Equal("p1", await Ids(t, "Patient", ("name", "ase")));
        Assert.Equal("p2", await Ids(t, "Patient", ("name", "JOSE")));
        Assert.Equal("p1", await Ids(t, "Patient", ("name", "mar")));
        Assert.Equal("p2", await Ids(t, "Patient", ("name:exact", "Hansen")));
        Assert.Equal("", await Ids(t, "Patient", ("name:exact", "hansen")));
        Assert.Equal("p3", await Ids(t, "Patient", ("name:contains", "sse")));
        Assert.Equal("p1", await Ids(t, "Patient", ("family", "ØSTBY")));
        Assert.Equal("p1,p3", await Ids(t, "Patient", ("family", "østby,hanss")));
        Assert.Equal("p2,p3", await Ids(t, "Patient", ("phonetic", "hans")));
    }

    [Theory, SqliteStore(Indexers = true), PostgresStore(Indexers = true)]
    public async Task Token_search(string store, string kind)
    {
        await using var t = await Seed(store, kind);
        Assert.Equal("p1,p2", await Ids(t, "Patient", ("identifier", "12345678901")));
        Assert.Equal("p1", await Ids(t, "Patient", ("identifier", "urn:oid:2.16.578.1.12.4.1.4.1|12345678901")));
        Assert.Equal("p2", await Ids(t, "Patient", ("identifier", "|X1")));
        Assert.Equal("", await Ids(t, "Patient", ("identifier", "|12345678901")));
        Assert.Equal("p2", await Ids(t, "Patient", ("identifier", "http://other|")));
        Assert.Equal("p2,p3", await Ids(t, "Patient", ("gender", "male")));
        Assert.Equal("p1", await Ids(t, "Patient", ("gender:not", "male")));
        Assert.Equal("p1,p2,p3", await Ids(t, "Patient", ("gender", "male,female")));
        Assert.Equal("p1", await Ids(t, "Patient", ("active", "true")));
        Assert.Equal("o1,o3", await Ids(t, "Observation", ("code", "8480-6")));
        Assert.Equal("o1", await Ids(t, "Observation", ("code", "http://loinc.org|8480-6")));
        Assert.Equal("o1,o2", await Ids(t, "Observation", ("code", "http://loinc.org|")));
        Assert.Equal("o1", await Ids(t, "Observation", ("code:text", "systolic")));
        Assert.Equal("o1", await Ids(t, "Observation", ("code:text", "bp")));
        Assert.Equal("o1", await Ids(t, "Observation", ("code", "8480-6"), ("code", "http://loinc.org|8480-6,http://loinc.org|8310-5")));
    }

    [Theory, SqliteStore(Indexers = true), PostgresStore(Indexers = true)]
    public async Task Date_search(string store, string kind)
    {
        await using var t = await Seed(store, kind);
        Assert.Equal("p1,p2", await Ids(t, "Patient", ("birthdate", "1980")));
        Assert.Equal("p1", await Ids(t, "Patient", ("birthdate", "1980-05")));
        Assert.Equal("p2", await Ids(t, "Patient", ("birthdate", "ge1980-06")));
        Assert.Equal("p2", await Ids(t, "Patient", ("birthdate", "lt1980-05-17")));
        Assert.Equal("p3", await Ids(t, "Patient", ("birthdate:missing", "true")));
        Assert.Equal("p1,p2", await Ids(t, "Patient", ("birthdate:missing", "false")));
        Assert.Equal("o1", await Ids(t, "Observation", ("date", "2024-05-17")));
        Assert.Equal("o1,o2", await Ids(t, "Observation", ("date", "2024-05")));
        Assert.Equal("", await Ids(t, "Observation", ("date", "2024-05-02")));
        Assert.Equal("o1,o2", await Ids(t, "Observation", ("date", "ge2024-05-02")));
        Assert.Equal("o1", await Ids(t, "Observation", ("date", "sa2024-05-10")));
        Assert.Equal("o2", await Ids(t, "Observation", ("date", "eb2024-05-10")));
        Assert.Equal("o1", await Ids(t, "Observation", ("date", "2024-05-17T12:30:00+02:00")));
    }

    [Theory, SqliteStore(Indexers = true), PostgresStore(Indexers = true)]
    public async Task Number_and_quantity_search(string store, string kind)
    {
        await using var t = await Seed(store, kind);
        Assert.Equal("r1", await Ids(t, "RiskAssessment", ("probability", "0.25")));
        Assert.Equal("r2", await Ids(t, "RiskAssessment", ("probability", "gt0.3")));
        Assert.Equal("", await Ids(t, "RiskAssessment", ("probability", "0.4")));
        Assert.Equal("r2", await Ids(t, "RiskAssessment", ("probability", "0.5")));
        Assert.Equal("o1", await Ids(t, "Observation", ("value-quantity", "120")));
        Assert.Equal("o1,o3", await Ids(t, "Observation", ("value-quantity", "gt100")));
        Assert.Equal("o3", await Ids(t, "Observation", ("value-quantity", "100")));
        Assert.Equal("o1", await Ids(t, "Observation", ("value-quantity", "120|http://unitsofmeasure.org|mm[Hg]")));
        Assert.Equal("o1,o3", await Ids(t, "Observation", ("value-quantity", "lt200||mm[Hg]")));
        Assert.Equal("", await Ids(t, "Observation", ("value-quantity", "37.5|http://unitsofmeasure.org|mm[Hg]")));
        Assert.Equal("o2", await Ids(t, "Observation", ("value-quantity", "37.5|http://unitsofmeasure.org|Cel")));
    }

    [Theory, SqliteStore(Indexers = true), PostgresStore(Indexers = true)]
    public async Task Reference_and_uri_search(string store, string kind)
    {
        await using var t = await Seed(store, kind);
        Assert.Equal("o1", await Ids(t, "Observation", ("subject", "Patient/p1")));
        Assert.Equal("o2", await Ids(t, "Observation", ("patient", "p2")));
        Assert.Equal("o3", await Ids(t, "Observation", ("subject", "Group/g1")));
        Assert.Equal("o1", await Ids(t, "Observation", ("subject:Patient", "p1")));
        Assert.Equal("p1", await Ids(t, "Patient", ("general-practitioner", "Practitioner/gp1")));
        Assert.Equal("p1", await Ids(t, "Patient", ("general-practitioner", "gp1")));
        Assert.Equal("p2", await Ids(t, "Patient", ("general-practitioner", "http://ext.example/fhir/Practitioner/gp1")));
        Assert.Equal("o1", await Ids(t, "Observation", ("code", "8480-6"), ("subject", "Patient/p1")));
        Assert.Equal("vs1", await Ids(t, "ValueSet", ("url", "http://example.org/fhir/ValueSet/a")));
        Assert.Equal("vs1,vs2", await Ids(t, "ValueSet", ("url:below", "http://example.org/fhir/ValueSet/a")));
        Assert.Equal("vs1,vs2", await Ids(t, "ValueSet", ("url:above", "http://example.org/fhir/ValueSet/a/b")));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Composite_search_by_component_equality(string store)
    {
        if (!Indexers.FhirPathAvailable) return;
        await using var t = await Seed(store, "fhirpath");
        Assert.Equal("o1", await Ids(t, "Observation", ("code-value-quantity", "http://loinc.org|8480-6$120")));
        Assert.Equal("o1", await Ids(t, "Observation", ("code-value-quantity", "8480-6$120.0|http://unitsofmeasure.org|mm[Hg]")));
        Assert.Equal("o3", await Ids(t, "Observation", ("code-value-quantity", "8480-6$100.4")));
        Assert.Equal("o2", await Ids(t, "Observation", ("combo-code-value-quantity", "8310-5$37.5")));
        Assert.Equal("", await Ids(t, "Observation", ("code-value-quantity", "8480-6$121")));
        Assert.Equal("", await Ids(t, "Observation", ("code-value-quantity", "8310-5$120")));
        await Assert.ThrowsAnyAsync<SearchException>(() => Ids(t, "Observation", ("code-value-quantity", "8480-6")));
        // Prefixes on the value component (SearchModifierTests has more).
        Assert.Equal("o1,o3", await Ids(t, "Observation", ("code-value-quantity", "8480-6$gt100")));
        Assert.Equal("o3", await Ids(t, "Observation", ("code-value-quantity", "http://snomed.info/sct|8480-6$le100.4")));
    }

    [Theory, SqliteStore(Indexers = true), PostgresStore(Indexers = true)]
    public async Task Index_rows_follow_the_current_version(string store, string kind)
    {
        await using var t = await Seed(store, kind);
        await t.Store.MergeAsync([Put("""{"resourceType":"Patient","id":"p1","gender":"other","name":[{"family":"Berg"}]}""")]);
        Assert.Equal("", await Ids(t, "Patient", ("name", "østby")));
        Assert.Equal("p1", await Ids(t, "Patient", ("name", "berg")));
        Assert.Equal("p1", await Ids(t, "Patient", ("gender", "other")));
        await t.Store.MergeAsync([new ResourceWrite("Patient", "p1", null)]);
        Assert.Equal("", await Ids(t, "Patient", ("gender", "other")));
        Assert.Equal("p2,p3", await Ids(t, "Patient", ("name:missing", "false")));
    }

    [Theory, SqliteStore(Indexers = true), PostgresStore(Indexers = true)]
    public async Task Malformed_values_throw(string store, string kind)
    {
        await using var t = await Seed(store, kind);
        await Assert.ThrowsAnyAsync<SearchException>(() => Ids(t, "Observation", ("value-quantity", "abc")));
        await Assert.ThrowsAnyAsync<SearchException>(() => Ids(t, "Observation", ("code:foo", "1")));
        await Assert.ThrowsAnyAsync<SearchException>(() => Ids(t, "Patient", ("gender:missing", "maybe")));
        await Assert.ThrowsAnyAsync<SearchException>(() => Ids(t, "Patient", ("birthdate", "1980-13")));
        await Assert.ThrowsAnyAsync<SearchException>(() => Ids(t, null!, ("gender", "male")));
    }

    [Theory, SqliteStore(Indexers = true), PostgresStore(Indexers = true)]
    public async Task Patient_compartment_key_is_stored_on_resource_and_index_rows(string store, string kind)
    {
        await using var t = await Seed(store, kind);
        var rows = t.Query("SELECT res_id, coalesce(nullif(patient_id, ''), '-') FROM resource_version WHERE res_type IN ('Patient','Observation') ORDER BY res_id")
            .Select(r => r[0] + "=" + r[1]).ToList();
        Assert.Equal(["o1=p1", "o2=p2", "o3=-", "p1=p1", "p2=p2", "p3=p3"], rows);
        var n = t.Query("SELECT count(*) FROM idx_token t JOIN resource_version v ON v.seq = t.seq WHERE v.res_id = 'o1' AND t.patient_id = 'p1'");
        Assert.True(long.Parse(n[0][0]) > 0);
    }
}
