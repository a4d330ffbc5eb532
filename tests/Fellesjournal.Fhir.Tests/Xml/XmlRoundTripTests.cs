using System.Text.Json;
using Fellesjournal.Fhir.Xml;
using Xunit.Abstractions;

namespace Fellesjournal.Fhir.Tests.Xml;

public class XmlRoundTripTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_official_example_round_trips_json_to_xml_to_json()
    {
        var failures = new List<string>();
        var count = 0;
        foreach (var file in ExampleFiles.Resources)
        {
            count++;
            using var original = JsonDocument.Parse(File.ReadAllBytes(file));
            try
            {
                var xml = FhirXmlWriter.ToXml(original.RootElement);
                using var back = JsonDocument.Parse(FhirXmlReader.ToJson(xml));
                if (JsonSemantics.Difference(original.RootElement, back.RootElement) is { } diff)
                    failures.Add($"{Path.GetFileName(file)}: {diff}");
            }
            catch (FormatException e)
            {
                failures.Add($"{Path.GetFileName(file)}: {e.Message}");
            }
        }
        output.WriteLine($"{count} examples, {count - failures.Count} round-trip, {failures.Count} fail");
        foreach (var f in failures) output.WriteLine(f);
        Assert.True(count > 2800, $"only {count} examples found");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(50)));
    }

    [Fact]
    public void FhirPath_suite_xml_inputs_parse()
    {
        var dir = ExampleFiles.SharedConformance();
        if (dir is null)
        {
            output.WriteLine("SKIPPED: ../shared/conformance is not on this machine.");
            return;
        }
        var files = Directory.GetFiles(Path.Combine(dir, "fhirpath-r4"), "*.xml")
            .Where(f => !Path.GetFileName(f).StartsWith("tests-", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(files);
        var compared = new List<string>();
        foreach (var f in files)
        {
            var node = FhirXmlReader.Parse(File.ReadAllText(f));
            Assert.NotNull(node.TypeName);
            Assert.NotEmpty(node.Children());
            // Where the package has the same resource as official JSON, the XML must read to exactly that.
            var official = Path.Combine(Fellesjournal.Fhir.Definitions.FhirDefinitions.Default.PackageDirectory,
                $"{node.TypeName}-{node.Child("id")?.Text}.json");
            if (!File.Exists(official)) continue;
            using var expected = JsonDocument.Parse(File.ReadAllBytes(official));
            using var actual = JsonDocument.Parse(FhirXmlReader.ToJson(File.ReadAllText(f)));
            var diff = JsonSemantics.Difference(expected.RootElement, actual.RootElement);
            output.WriteLine($"{Path.GetFileName(f)} vs {Path.GetFileName(official)}: {diff ?? "equal"}");
            compared.Add(diff is null ? "" : $"{Path.GetFileName(f)}: {diff}");
        }
        // The suite edits some inputs (extra extensions, periods); patient-example and questionnaire-example are unedited.
        Assert.True(compared.Count(c => c == "") >= 2, string.Join("\n", compared));
        output.WriteLine($"{files.Count} FHIRPath suite inputs parsed");
    }

    [Fact]
    public void Reads_arrays_types_decimals_choices_primitive_extensions_and_contained()
    {
        const string xml = """
        <Patient xmlns="http://hl7.org/fhir" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
          <id value="p1"/>
          <text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml"><p>Kari <b>Nordmann</b></p></div></text>
          <contained><Organization><id value="o1"/><name value="Legesenter"/></Organization></contained>
          <extension url="http://example.org/x"><valueDecimal value="1.50"/></extension>
          <active value="true"/>
          <name><given value="Kari"/><given><extension url="http://example.org/y"><valueString value="z"/></extension></given><given value="Ola" id="g3"/></name>
          <multipleBirthInteger value="2"/>
        </Patient>
        """;
        using var doc = JsonDocument.Parse(FhirXmlReader.ToJson(xml));
        var r = doc.RootElement;
        Assert.Equal("Patient", r.GetProperty("resourceType").GetString());
        Assert.Equal(JsonValueKind.True, r.GetProperty("active").ValueKind);
        Assert.Equal("1.50", r.GetProperty("extension")[0].GetProperty("valueDecimal").GetRawText());
        Assert.Equal("http://example.org/x", r.GetProperty("extension")[0].GetProperty("url").GetString());
        Assert.Equal(2, r.GetProperty("multipleBirthInteger").GetInt32());
        Assert.Equal(JsonValueKind.Array, r.GetProperty("name").ValueKind);
        var name = r.GetProperty("name")[0];
        Assert.Equal("""["Kari",null,"Ola"]""", name.GetProperty("given").GetRawText());
        var ext = name.GetProperty("_given");
        Assert.Equal(JsonValueKind.Null, ext[0].ValueKind);
        Assert.Equal("z", ext[1].GetProperty("extension")[0].GetProperty("valueString").GetString());
        Assert.Equal("g3", ext[2].GetProperty("id").GetString());
        Assert.Equal("Organization", r.GetProperty("contained")[0].GetProperty("resourceType").GetString());
        Assert.Equal("""<div xmlns="http://www.w3.org/1999/xhtml"><p>Kari <b>Nordmann</b></p></div>""",
            r.GetProperty("text").GetProperty("div").GetString());
    }

    [Fact]
    public void Rejects_dtd_and_external_entities()
    {
        const string xxe = """
        <?xml version="1.0"?>
        <!DOCTYPE Patient [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
        <Patient xmlns="http://hl7.org/fhir"><id value="&xxe;"/></Patient>
        """;
        Assert.Throws<FhirXmlException>(() => FhirXmlReader.ToJson(xxe.Trim()));
        Assert.Throws<FhirXmlException>(() => FhirXmlReader.ToJson("<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"x\"></Patient>"));
        Assert.Throws<FhirXmlException>(() => FhirXmlReader.ToJson("<Patient><id value=\"x\"/></Patient>"));
    }

    [Fact]
    public void Writes_elements_in_definition_order_with_attributes()
    {
        using var doc = JsonDocument.Parse("""
        {"resourceType":"Observation","valueQuantity":{"value":1.50,"unit":"mmol/L"},"status":"final","id":"o1",
         "code":{"text":"x"},"extension":[{"url":"http://e","valueBoolean":false}]}
        """);
        var xml = FhirXmlWriter.ToXml(doc.RootElement);
        var order = new[] { "<id value=\"o1\"", "<extension url=\"http://e\"", "<valueBoolean value=\"false\"", "<status value=\"final\"", "<code>", "<valueQuantity>", "<value value=\"1.50\"" }
            .Select(s => xml.IndexOf(s, StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.Order().ToList(), order);
    }
}
