using System.Text.Json;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.FhirPath;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Search;

namespace Fellesjournal.Storage.Tests;

/// <summary>Conversion of FHIRPath result items (nodes and System values) into typed index values.</summary>
public class IndexValueConversionTests
{
    private static readonly FhirDefinitions Defs = FhirDefinitions.Default;

    private static ElementNode Node(string json, string type) =>
        ElementNode.FromJson(JsonDocument.Parse(json).RootElement, type, Defs);

    private static ElementNode Child(string resourceJson, string name) => ElementNode.Parse(resourceJson, Defs).Child(name)!;

    private static List<IndexValue> Convert(string spType, object item)
    {
        var list = new List<IndexValue>();
        SearchIndexer.Convert("p", spType, item, list, Defs);
        return list;
    }

    [Fact]
    public void HumanName_and_Address_index_every_part_normalized()
    {
        var name = Convert("string", Node("""{"text":"Dr. Åse Østby","family":"Østby","given":["Åse","Marie"],"prefix":["Dr."]}""", "HumanName"));
        Assert.Equal(["dr. ase østby", "østby", "ase", "marie", "dr."], name.Cast<StringIndexValue>().Select(s => s.Normalized));
        Assert.Equal("Østby", ((StringIndexValue)name[1]).Exact);
        var addr = Convert("string", Node("""{"line":["Storgata 1","Oppgang B"],"city":"Tromsø","postalCode":"9008","country":"NO"}""", "Address"));
        Assert.Equal(["storgata 1", "oppgang b", "tromsø", "9008", "no"], addr.Cast<StringIndexValue>().Select(s => s.Normalized));
        Assert.Equal("plain text", Assert.IsType<StringIndexValue>(Assert.Single(Convert("string", "Plain  Text"))).Normalized);
    }

    [Theory]
    [InlineData("Ærlige Åse", "ærlige ase")]
    [InlineData("  José  María ", "jose maria")]
    [InlineData("Łukasz Čapek", "lukasz capek")]
    [InlineData("plain", "plain")]
    [InlineData("MÜLLER", "muller")]
    public void Normalizer_lowercases_and_removes_accents(string input, string expected) =>
        Assert.Equal(expected, StringNormalizer.Normalize(input));

    [Fact]
    public void Tokens_from_identifier_coding_concept_contactpoint_and_primitives()
    {
        var id = Assert.IsType<TokenIndexValue>(Assert.Single(Convert("token",
            Node("""{"system":"urn:oid:2.16.578.1.12.4.1.4.1","value":"123","type":{"text":"Fødselsnummer"}}""", "Identifier"))));
        Assert.Equal(("urn:oid:2.16.578.1.12.4.1.4.1", "123", "fødselsnummer"), (id.System, id.Code, id.Text));

        var cc = Convert("token", Node("""{"coding":[{"system":"http://loinc.org","code":"8480-6","display":"Systolic BP"},{"system":"http://snomed.info/sct","code":"271649006"}],"text":"Blodtrykk"}""", "CodeableConcept"))
            .Cast<TokenIndexValue>().ToList();
        Assert.Equal(3, cc.Count);
        Assert.Equal(("http://loinc.org", "8480-6", "systolic bp"), (cc[0].System, cc[0].Code, cc[0].Text));
        Assert.Equal(("http://snomed.info/sct", "271649006", null), (cc[1].System, cc[1].Code, cc[1].Text));
        Assert.Equal((null, null, "blodtrykk"), (cc[2].System, cc[2].Code, cc[2].Text));
        // A text equal to a coding's display needs no row of its own.
        Assert.Single(Convert("token", Node("""{"coding":[{"system":"http://loinc.org","code":"8480-6","display":"Systolic BP"}],"text":"systolic  bp"}""", "CodeableConcept")));

        var cp = Assert.IsType<TokenIndexValue>(Assert.Single(Convert("token", Node("""{"system":"phone","value":"+47 12345678"}""", "ContactPoint"))));
        Assert.Equal(("phone", "+47 12345678"), (cp.System, cp.Code));

        var active = Assert.IsType<TokenIndexValue>(Assert.Single(Convert("token", Child("""{"resourceType":"Patient","active":false}""", "active"))));
        Assert.Equal((null, "false"), (active.System, active.Code));
        var gender = Assert.IsType<TokenIndexValue>(Assert.Single(Convert("token", Child("""{"resourceType":"Patient","gender":"other"}""", "gender"))));
        Assert.Equal("other", gender.Code);
        Assert.Equal("true", ((TokenIndexValue)Assert.Single(Convert("token", true))).Code);
    }

    [Fact]
    public void Dates_become_ranges_from_their_precision()
    {
        var year = Assert.IsType<DateIndexValue>(Assert.Single(Convert("date", Child("""{"resourceType":"Patient","birthDate":"1980"}""", "birthDate"))));
        Assert.Equal(new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero), year.Low);
        Assert.Equal(new DateTimeOffset(1981, 1, 1, 0, 0, 0, TimeSpan.Zero), year.High);

        var t = Assert.IsType<DateIndexValue>(Assert.Single(Convert("date",
            Child("""{"resourceType":"Observation","effectiveDateTime":"2024-05-17T10:30:00+02:00"}""", "effective"))));
        Assert.Equal(new DateTimeOffset(2024, 5, 17, 8, 30, 0, TimeSpan.Zero), t.Low);
        Assert.Equal(t.Low.AddSeconds(1), t.High);

        var open = Assert.IsType<DateIndexValue>(Assert.Single(Convert("date", Node("""{"start":"2024-05-01"}""", "Period"))));
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero), open.Low);
        Assert.Equal(DateTimeOffset.MaxValue, open.High);
        var closed = Assert.IsType<DateIndexValue>(Assert.Single(Convert("date", Node("""{"start":"2024-05-01","end":"2024-05-03"}""", "Period"))));
        Assert.Equal(new DateTimeOffset(2024, 5, 4, 0, 0, 0, TimeSpan.Zero), closed.High);

        var timing = Convert("date", Node("""{"event":["2024-01-01","2024-02-01T08:00:00Z"]}""", "Timing"));
        Assert.Equal(2, timing.Count);

        Assert.True(PartialDateTime.TryParse("2024-03", out var pd));
        var sys = Assert.IsType<DateIndexValue>(Assert.Single(Convert("date", pd)));
        Assert.Equal(new DateTimeOffset(2024, 4, 1, 0, 0, 0, TimeSpan.Zero), sys.High);
    }

    [Fact]
    public void Numbers_and_quantities()
    {
        var probability = ElementNode.Parse("""{"resourceType":"RiskAssessment","prediction":[{"probabilityDecimal":0.25}]}""", Defs)
            .Child("prediction")!.Child("probability")!;
        Assert.Equal(0.25m, Assert.IsType<NumberIndexValue>(Assert.Single(Convert("number", probability))).Value);
        Assert.Equal(3m, ((NumberIndexValue)Assert.Single(Convert("number", 3))).Value);

        var q = Assert.IsType<QuantityIndexValue>(Assert.Single(Convert("quantity",
            Node("""{"value":120.5,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}""", "Quantity"))));
        Assert.Equal((120.5m, "http://unitsofmeasure.org", "mm[Hg]", "mmHg"), (q.Value, q.System, q.Code, q.Unit));
        var money = Assert.IsType<QuantityIndexValue>(Assert.Single(Convert("quantity", Node("""{"value":100,"currency":"NOK"}""", "Money"))));
        Assert.Equal(("urn:iso:std:iso:4217", "NOK"), (money.System, money.Code));
        var sys = Assert.IsType<QuantityIndexValue>(Assert.Single(Convert("quantity", new Quantity(5m, "kg"))));
        Assert.Equal(("http://unitsofmeasure.org", "kg"), (sys.System, sys.Code));
        Assert.Empty(Convert("quantity", Node("""{"unit":"kg"}""", "Quantity")));
    }

    [Fact]
    public void References_relative_absolute_urn_and_contained()
    {
        ReferenceIndexValue R(string json) => Assert.IsType<ReferenceIndexValue>(Assert.Single(Convert("reference", Node(json, "Reference"))));
        var rel = R("""{"reference":"Patient/123"}""");
        Assert.Equal(("Patient", "123", (string?)null), (rel.TargetType, rel.TargetId, rel.BaseUrl));
        var abs = R("""{"reference":"https://fhir.example.no/r4/Patient/abc/_history/3"}""");
        Assert.Equal(("Patient", "abc", "https://fhir.example.no/r4"), (abs.TargetType, abs.TargetId, abs.BaseUrl));
        var urn = R("""{"reference":"urn:uuid:0b4c1d2e-0000-4000-8000-000000000001"}""");
        Assert.Equal((null, "urn:uuid:0b4c1d2e-0000-4000-8000-000000000001"), (urn.TargetType, urn.TargetId));
        Assert.Empty(Convert("reference", Node("""{"reference":"#contained1"}""", "Reference")));
        Assert.Empty(Convert("reference", Node("""{"identifier":{"value":"x"}}""", "Reference")));
        var canonical = Assert.IsType<ReferenceIndexValue>(Assert.Single(Convert("reference", "http://hl7.org/fhir/ValueSet/example|4.0.1")));
        Assert.Equal(("ValueSet", "example", "http://hl7.org/fhir"), (canonical.TargetType, canonical.TargetId, canonical.BaseUrl));
    }

    [Fact]
    public void Indexer_survives_a_missing_or_failing_engine()
    {
        var indexer = new SearchIndexer(Defs);
        var failures = 0;
        indexer.ExpressionFailed += (_, _) => Interlocked.Increment(ref failures);
        var index = indexer.Extract(ElementNode.Parse("""{"resourceType":"Patient","id":"p9","gender":"male"}""", Defs));
        Assert.Equal("p9", index.PatientId);
        if (!Indexers.FhirPathAvailable) Assert.True(failures > 0);
        else Assert.Contains(index.Values, v => v is TokenIndexValue { Param: "gender", Code: "male" });
    }
}
