using Fellesjournal.Storage.Search;
using static Fellesjournal.Storage.Tests.TempStore;

namespace Fellesjournal.Storage.Tests.SearchApi;

/// <summary>A small hand-made clinical world. Every expected result in the tests below was worked out by hand
/// from these resources (comments say why), never computed by the code under test.</summary>
internal static class SearchFixture
{
    public static readonly string[] Resources =
    [
        """{"resourceType":"Organization","id":"org1","name":"Sykehuset Østfold"}""",
        """{"resourceType":"Organization","id":"org2","name":"Haukeland universitetssjukehus"}""",
        """{"resourceType":"Patient","id":"pa","identifier":[{"system":"urn:oid:2.16.578.1.12.4.1.4.1","value":"01037512345"}],"name":[{"family":"Ødegård","given":["Åsmund"]}],"gender":"male","birthDate":"1975-03-01","managingOrganization":{"reference":"Organization/org1"}}""",
        """{"resourceType":"Patient","id":"pb","name":[{"family":"Ærø","given":["Hélène"]}],"gender":"female","birthDate":"1990-12-31","managingOrganization":{"reference":"Organization/org1"}}""",
        """{"resourceType":"Patient","id":"pc","name":[{"family":"Berg","given":["Åse"]}],"gender":"female","birthDate":"2001","managingOrganization":{"reference":"Organization/org2"}}""",
        """{"resourceType":"Patient","id":"pd","meta":{"tag":[{"system":"urn:t","code":"vip"}],"profile":["http://example.org/StructureDefinition/p"]},"identifier":[{"system":"urn:x","value":"a,b"}],"name":[{"family":"Dahl"}]}""",
        """{"resourceType":"Observation","id":"o1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2339-0","display":"Glucose"}]},"subject":{"reference":"Patient/pa"},"effectiveDateTime":"2024-01-10T08:00:00+01:00","valueQuantity":{"value":5.4,"unit":"mmol/L","system":"http://unitsofmeasure.org","code":"mmol/L"}}""",
        """{"resourceType":"Observation","id":"o2","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2339-0","display":"Glucose"}]},"subject":{"reference":"Patient/pb"},"effectiveDateTime":"2024-01-10T23:30:00Z","valueQuantity":{"value":97,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"}}""",
        """{"resourceType":"Observation","id":"o3","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"29463-7","display":"Body weight"}]},"subject":{"reference":"Patient/pc"},"effectiveDateTime":"2023-06","valueQuantity":{"value":72500,"unit":"g","system":"http://unitsofmeasure.org","code":"g"}}""",
        """{"resourceType":"Observation","id":"o4","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"29463-7","display":"Body weight"}]},"subject":{"reference":"Patient/pa"},"effectiveDateTime":"2024-02-01","valueQuantity":{"value":80,"unit":"kg","system":"http://unitsofmeasure.org","code":"kg"}}""",
        """{"resourceType":"Observation","id":"o5","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2339-0","display":"Glucose"}]},"subject":{"reference":"Patient/pa"},"effectiveDateTime":"2024-03-05","valueQuantity":{"value":5400,"unit":"µmol/L","system":"http://unitsofmeasure.org","code":"umol/L"}}""",
        """{"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/pa"},"code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006"}]}}""",
        """{"resourceType":"Condition","id":"c2","subject":{"reference":"Patient/pb"},"code":{"coding":[{"system":"http://snomed.info/sct","code":"38341003"}]}}""",
        """{"resourceType":"Provenance","id":"prov1","target":[{"reference":"Observation/o1"}],"recorded":"2024-01-10T08:05:00Z","agent":[{"who":{"reference":"Organization/org1"}}]}""",
        """{"resourceType":"List","id":"l1","status":"current","mode":"working","entry":[{"item":{"reference":"Patient/pa"}},{"item":{"reference":"Patient/pc"}}]}""",
    ];

    public static async Task<TempStore> Seed()
    {
        var t = new TempStore();
        await t.Store.MergeAsync(Resources.Select(r => Put(r)).ToList());
        return t;
    }

    /// <summary>"key=value&amp;key=value" as criteria (values split on unescaped commas like the server does).</summary>
    public static List<SearchCriterion> Criteria(string query) =>
        query.Length == 0 ? [] : query.Split('&').Select(kv =>
        {
            var eq = kv.IndexOf('=');
            return new SearchCriterion(kv[..eq], null, SplitValues(kv[(eq + 1)..]));
        }).ToList();

    private static List<string> SplitValues(string v)
    {
        var list = new List<string>();
        var start = 0;
        for (var i = 0; i < v.Length; i++)
        {
            if (v[i] == '\\') { i++; continue; }
            if (v[i] == ',') { list.Add(v[start..i]); start = i + 1; }
        }
        list.Add(v[start..]);
        return list;
    }

    /// <summary>Ids of all matches (sorted unless the search has its own order).</summary>
    public static async Task<string> Ids(TempStore t, string? type, string query, bool keepOrder = false,
        IReadOnlyList<string>? sort = null, CompartmentAccess? access = null, string? compartment = null, IReadOnlyList<string>? types = null)
    {
        var page = await t.Store.SearchAsync(new SearchQuery(type, Criteria(query), Count: 100, Sort: sort, Access: access,
            Compartment: compartment, Types: types));
        var ids = page.Resources.Select(r => r.Id);
        return string.Join(",", keepOrder ? ids : ids.Order(StringComparer.Ordinal));
    }
}
