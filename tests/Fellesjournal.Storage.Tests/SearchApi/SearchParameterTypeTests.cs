using Fellesjournal.Storage.Search;
using static Fellesjournal.Storage.Tests.SearchApi.SearchFixture;

namespace Fellesjournal.Storage.Tests.SearchApi;

/// <summary>Each parameter type against the hand-made fixture; expected ids are written out by hand.</summary>
public class SearchParameterTypeTests
{
    [Theory]
    // Case- and accent-insensitive starts-with; å/é fold to a/e, but Æ and Ø are letters of their own.
    [InlineData("name=ØDEGÅRD", "pa")]
    [InlineData("name=ødegard", "pa")]
    [InlineData("name=odegard", "")]
    [InlineData("given=asm", "pa")]
    [InlineData("given=helene", "pb")]
    [InlineData("family=ærø", "pb")]
    [InlineData("family=aero", "")]
    [InlineData("given=Åse", "pc")]
    [InlineData("family:exact=Ødegård", "pa")]
    [InlineData("family:exact=ødegård", "")]
    [InlineData("family:contains=egå", "pa")]
    [InlineData("name=berg,dahl", "pc,pd")]
    [InlineData("name=b&name=d", "")]
    public async Task String_parameters(string query, string expected)
    {
        await using var t = await Seed();
        Assert.Equal(expected, await Ids(t, "Patient", query));
    }

    [Theory]
    // birthDate ranges: pa 1975-03-01 (a day), pb 1990-12-31 (a day), pc 2001 (the whole year), pd none.
    [InlineData("birthdate=1975", "pa")]
    [InlineData("birthdate=1975-03", "pa")]
    [InlineData("birthdate=2001-06-01", "")]          // pc's year is not inside one day
    [InlineData("birthdate=ge2001-06-01", "pc")]      // ... but overlaps "after"
    [InlineData("birthdate=ap2001-06-01", "pc")]
    [InlineData("birthdate=lt1990-12-31", "pa")]
    [InlineData("birthdate=le1990-12-31", "pa,pb")]
    [InlineData("birthdate=eb1990", "pa")]
    [InlineData("birthdate=sa1990", "pc")]
    [InlineData("birthdate=ne1975", "pb,pc")]
    [InlineData("birthdate=gt1990-12-30", "pb,pc")]
    public async Task Date_prefixes_and_precision(string query, string expected)
    {
        await using var t = await Seed();
        Assert.Equal(expected, await Ids(t, "Patient", query));
    }

    [Theory]
    // o1 is 07:00:00Z (written +01:00), o2 23:30Z, o3 2023-06, o4 2024-02-01, o5 2024-03-05; no zone means UTC.
    [InlineData("date=2024-01-10", "o1,o2")]
    [InlineData("date=lt2024-01-10T08:00:00+01:00", "o3")]
    [InlineData("date=le2024-01-10T08:00:00+01:00", "o1,o3")]
    [InlineData("date=2024-01-10T07:00:00Z", "o1")]
    [InlineData("date=ge2024-01-10T23:00:00Z", "o2,o4,o5")]
    [InlineData("date=2024-01-11T00:30:00+01:00", "o2")]
    [InlineData("date=2023", "o3")]
    [InlineData("date=2023-06-15", "")]
    public async Task Dates_with_time_zones(string query, string expected)
    {
        await using var t = await Seed();
        Assert.Equal(expected, await Ids(t, "Observation", query));
    }

    [Theory]
    [InlineData("code=2339-0", "o1,o2,o5")]
    [InlineData("code=http://loinc.org|29463-7", "o3,o4")]
    [InlineData("code=http://snomed.info/sct|29463-7", "")]
    [InlineData("code=|2339-0", "")]                        // all codes have a system
    [InlineData("code:not=2339-0", "o3,o4")]
    [InlineData("code:text=body", "o3,o4")]
    [InlineData("code=2339-0,29463-7&subject=pc", "o3")]
    public async Task Tokens(string query, string expected)
    {
        await using var t = await Seed();
        Assert.Equal(expected, await Ids(t, "Observation", query));
    }

    [Theory]
    [InlineData("identifier=urn:x|a\\,b", "pd")]            // escaped comma is part of the value
    [InlineData("identifier=urn:x|a", "")]
    [InlineData("identifier=01037512345", "pa")]
    [InlineData("gender:missing=true", "pd")]
    [InlineData("birthdate:missing=false", "pa,pb,pc")]
    [InlineData("_id=pa,pd", "pa,pd")]
    [InlineData("_tag=urn:t|vip", "pd")]
    [InlineData("_tag:not=vip", "pa,pb,pc")]
    [InlineData("_profile=http://example.org/StructureDefinition/p", "pd")]
    public async Task Identifiers_escaping_and_missing(string query, string expected)
    {
        await using var t = await Seed();
        Assert.Equal(expected, await Ids(t, "Patient", query));
    }

    [Theory]
    // Glucose: o1 5.4 mmol/L, o5 5400 umol/L (= 5.4 mmol/L), o2 97 mg/dL (a mass concentration: another dimension).
    [InlineData("value-quantity=5.4|http://unitsofmeasure.org|mmol/L", "o1,o5")]
    [InlineData("value-quantity=5400|http://unitsofmeasure.org|umol/L", "o1,o5")]
    [InlineData("value-quantity=0.97|http://unitsofmeasure.org|g/L", "o2")]        // 97 mg/dL
    [InlineData("value-quantity=gt70|http://unitsofmeasure.org|kg", "o3,o4")]      // 72500 g and 80 kg
    [InlineData("value-quantity=lt75000|http://unitsofmeasure.org|g", "o3")]
    [InlineData("value-quantity=80||kg", "o4")]
    [InlineData("value-quantity=5.4", "o1")]                                       // no unit: the number as stored
    [InlineData("value-quantity=5.45|http://unitsofmeasure.org|mmol/L", "")]      // precision: [5.445, 5.455)
    public async Task Quantities_with_ucum_units(string query, string expected)
    {
        await using var t = await Seed();
        Assert.Equal(expected, await Ids(t, "Observation", query));
    }

    [Theory]
    [InlineData("subject=Patient/pa", "o1,o4,o5")]
    [InlineData("subject=pb", "o2")]
    [InlineData("subject:Patient=pc", "o3")]
    [InlineData("patient=pa&code=29463-7", "o4")]
    [InlineData("subject:missing=true", "")]
    public async Task References(string query, string expected)
    {
        await using var t = await Seed();
        Assert.Equal(expected, await Ids(t, "Observation", query));
    }

    [Theory]
    [InlineData("birthdate=2024-13-01")]
    [InlineData("birthdate=1990-02-30")]
    [InlineData("value-quantity=abc")]
    [InlineData("gender:missing=maybe")]
    [InlineData("date=xx2020")]
    public async Task Malformed_values_are_search_errors_not_unsupported(string query)
    {
        await using var t = await Seed();
        var type = query.StartsWith("birth") || query.StartsWith("gender") ? "Patient" : "Observation";
        var e = await Assert.ThrowsAsync<SearchException>(() => Ids(t, type, query));
        Assert.IsNotType<UnsupportedSearchParameterException>(e);
    }

    [Theory]
    [InlineData("nonsense=1")]
    [InlineData("name:sounds=x")]
    [InlineData("subject.nonsense=x")]
    public async Task Unknown_parameters_are_unsupported(string query)
    {
        await using var t = await Seed();
        await Assert.ThrowsAsync<UnsupportedSearchParameterException>(() => Ids(t, "Observation", query));
    }
}
