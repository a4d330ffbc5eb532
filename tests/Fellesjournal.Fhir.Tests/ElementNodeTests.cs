using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.Tests;

public class ElementNodeTests
{
    [Fact]
    public void Navigates_json_with_types_locations_and_primitive_extensions()
    {
        var node = ElementNode.Parse("""
        {"resourceType":"Patient","id":"p1",
         "name":[{"family":"Nordmann","given":["Kari","Ola"],"_given":[null,{"extension":[{"url":"x","valueString":"y"}]}]}],
         "birthDate":"1980-05",
         "contained":[{"resourceType":"Organization","id":"o1","name":"Legesenter"}],
         "multipleBirthInteger":2}
        """);
        Assert.Equal("Patient", node.TypeName);
        var given = node.Child("name")!.Children("given").ToList();
        Assert.Equal(2, given.Count);
        Assert.Equal("string", given[1].TypeName);
        Assert.Equal("Patient.name[0].given[1]", given[1].Location);
        Assert.Single(given[1].Children("extension"));
        var birth = (PartialDateTime)node.Child("birthDate")!.Value!;
        Assert.Equal(DateTimePrecision.Month, birth.Precision);
        var contained = node.Child("contained")!;
        Assert.Equal("Organization", contained.TypeName);
        Assert.Equal("Legesenter", contained.Child("name")!.Value);
        var mb = node.Child("multipleBirth")!;
        Assert.Equal("integer", mb.TypeName);
        Assert.Equal("Patient.multipleBirth.ofType(integer)", mb.Location);
    }

    [Fact]
    public void Keeps_decimal_scale_and_marks_unknown_elements()
    {
        var node = ElementNode.Parse("""{"resourceType":"Observation","valueQuantity":{"value":1.50,"unit":"mmol/L"},"bogus":1}""");
        var v = (decimal)node.Child("value")!.Child("value")!.Value!;
        Assert.Equal("1.50", v.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var bogus = node.Child("bogus")!;
        Assert.Null(bogus.Definition);
        Assert.Null(bogus.TypeName);
    }
}
