using System.Diagnostics;
using System.Text;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Validation;

namespace Fellesjournal.Fhir.Tests.Validation;

public class MalformedInputTests
{
    private static OperationOutcome V(string json) => FhirValidator.Default.Validate(json);

    /// <summary>Asserts an error with the code at exactly the location.</summary>
    private static OutcomeIssue Rejected(OperationOutcome o, string code, string location)
    {
        Assert.False(o.Success, o.ToJson());
        var issue = o.Issues.FirstOrDefault(i => i.Severity == IssueSeverity.Error && i.Code == code && i.Location == location);
        Assert.True(issue is not null, $"no {code} error at {location}: {o.ToJson()}");
        return issue!;
    }

    [Fact]
    public void Valid_patient_is_accepted()
    {
        var o = V("""
        {"resourceType":"Patient","id":"p1","active":true,"name":[{"family":"Nordmann","given":["Kari"]}],
         "gender":"female","birthDate":"1980-02-29","multipleBirthInteger":2,
         "telecom":[{"system":"phone","value":"+47 22 00 00 00"}]}
        """);
        Assert.True(o.Success, o.ToJson());
    }

    [Fact]
    public void Truncated_json_reports_line_and_position()
    {
        var o = V("{\"resourceType\":\"Patient\",\n\"name\":[{\"family\":\"Nord");
        var i = Assert.Single(o.Issues);
        Assert.Equal("structure", i.Code);
        Assert.Contains("line 2", i.Diagnostics);
        Assert.Contains("position", i.Diagnostics);
    }

    [Fact]
    public void Wrong_json_types_are_located()
    {
        Rejected(V("""{"resourceType":"Patient","active":"true"}"""), "structure", "Patient.active");
        Rejected(V("""{"resourceType":"Patient","name":[{"given":[1]}]}"""), "structure", "Patient.name[0].given[0]");
        Rejected(V("""{"resourceType":"Patient","birthDate":19800101}"""), "structure", "Patient.birthDate");
        Rejected(V("""{"resourceType":"Patient","name":{"family":"x"}}"""), "structure", "Patient.name");
        Rejected(V("""{"resourceType":"Patient","gender":["male"]}"""), "structure", "Patient.gender");
        Rejected(V("""{"resourceType":"Patient","maritalStatus":"M"}"""), "structure", "Patient.maritalStatus");
        Rejected(V("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueInteger":1.5}"""),
            "value", "Observation.value.ofType(integer)");
    }

    [Fact]
    public void Unknown_elements_and_choice_misuse()
    {
        Rejected(V("""{"resourceType":"Patient","nickname":"Kari"}"""), "structure", "Patient.nickname");
        Rejected(V("""{"resourceType":"Patient","name":[{"family":"x","middle":"y"}]}"""), "structure", "Patient.name[0].middle");
        var i = Rejected(V("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueFoo":1}"""), "structure", "Observation.valueFoo");
        Assert.Contains("not an allowed type", i.Diagnostics);
        Rejected(V("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"value":1}"""), "structure", "Observation.value");
        Rejected(V("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueString":"a","valueBoolean":true}"""),
            "structure", "Observation.value");
        Rejected(V("""{"resourceType":"Patient","_gender":"x"}"""), "structure", "Patient.gender");
    }

    [Fact]
    public void Bad_dates_and_formats()
    {
        Rejected(V("""{"resourceType":"Patient","birthDate":"1981-02-29"}"""), "value", "Patient.birthDate");
        Rejected(V("""{"resourceType":"Patient","birthDate":"1980-13-01"}"""), "value", "Patient.birthDate");
        Rejected(V("""{"resourceType":"Patient","birthDate":"1980-01-01T10:00:00Z"}"""), "value", "Patient.birthDate");
        Rejected(V("""{"resourceType":"Patient","deceasedDateTime":"2020-01-01T25:00:00Z"}"""), "value", "Patient.deceased.ofType(dateTime)");
        Rejected(V("""{"resourceType":"Patient","meta":{"lastUpdated":"2020-01-01"}}"""), "value", "Patient.meta.lastUpdated");
        Rejected(V("""{"resourceType":"Patient","id":"has space"}"""), "value", "Patient.id");
        Rejected(V("""{"resourceType":"Patient","id":"" }"""), "value", "Patient.id");
        Rejected(V("""{"resourceType":"Patient","multipleBirthInteger":3000000000}"""), "value", "Patient.multipleBirth.ofType(integer)");
        Rejected(V("""{"resourceType":"Patient","photo":[{"size":-1}]}"""), "value", "Patient.photo[0].size");
        Assert.True(V("""{"resourceType":"Patient","name":[{"text":"Kari\u00a0Nordmann"}]}""").Success); // NBSP is not \s in FHIR's regexes
    }

    [Fact]
    public void Invalid_codes_in_required_bindings()
    {
        var i = Rejected(V("""{"resourceType":"Patient","gender":"kvinne"}"""), "code-invalid", "Patient.gender");
        Assert.Contains("administrative-gender", i.Diagnostics);
        Rejected(V("""{"resourceType":"Patient","name":[{"use":"nick"}]}"""), "code-invalid", "Patient.name[0].use");
        Rejected(V("""{"resourceType":"Observation","status":"done","code":{"text":"x"}}"""), "code-invalid", "Observation.status");
        // Coding in a required binding: AllergyIntolerance.clinicalStatus (CodeableConcept).
        Rejected(V("""{"resourceType":"AllergyIntolerance","patient":{"reference":"Patient/1"},"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"gone"}]}}"""),
            "code-invalid", "AllergyIntolerance.clinicalStatus");
        Assert.True(V("""{"resourceType":"AllergyIntolerance","patient":{"reference":"Patient/1"},"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"active"}]}}""").Success);
    }

    [Fact]
    public void Cardinality_empties_and_nulls()
    {
        Rejected(V("""{"resourceType":"Observation","code":{"text":"x"}}"""), "required", "Observation.status");
        Rejected(V("""{"resourceType":"Patient","name":[]}"""), "structure", "Patient.name");
        Rejected(V("""{"resourceType":"Patient","name":[{}]}"""), "structure", "Patient.name[0]");
        Rejected(V("""{"resourceType":"Patient","name":[{"given":["a",null]}]}"""), "structure", "Patient.name[0].given[1]");
        Rejected(V("""{"resourceType":"Patient","name":[{"family":""}]}"""), "value", "Patient.name[0].family");
        Rejected(V("""{"resourceType":"Patient","active":null}"""), "structure", "Patient.active");
        Rejected(V("""{"resourceType":"Patient","extension":[{"valueString":"x"}]}"""), "required", "Patient.extension[0].url");
        Assert.True(V("""{"resourceType":"Patient","name":[{"given":["a",null],"_given":[null,{"extension":[{"url":"http://e","valueString":"b"}]}]}]}""").Success);
    }

    [Fact]
    public void Resource_types_ids_and_contained()
    {
        Rejected(V("""{"resourceType":"Patientx"}"""), "structure", "Patientx");
        Assert.False(V("""{"id":"x"}""").Success);
        Assert.False(V("""[1,2]""").Success);
        Rejected(V("""{"resourceType":"Patient","contained":[{"resourceType":"Foo","id":"f"}]}"""), "structure", "Patient.contained[0]");
        Rejected(V("""{"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o","contained":[{"resourceType":"Organization","id":"o2"}]}]}"""),
            "structure", "Patient.contained[0].contained");
        Rejected(V("""{"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o","bogus":1}]}"""),
            "structure", "Patient.contained[0].bogus");
        Rejected(V("""{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","gender":"x"}}]}"""),
            "code-invalid", "Bundle.entry[0].resource.gender");
    }

    [Fact]
    public void Hostile_input_yields_an_outcome_quickly()
    {
        var sw = Stopwatch.StartNew();
        // Deep nesting beyond FhirJson.MaxDepth.
        var deep = "{\"resourceType\":\"Patient\",\"extension\":" + string.Concat(Enumerable.Repeat("[{\"extension\":", 5000)) + "1";
        Assert.False(V(deep).Success);
        var deepValid = new StringBuilder("{\"resourceType\":\"Patient\"");
        for (var i = 0; i < 200; i++) deepValid.Append(",\"extension\":[{\"url\":\"http://e\"");
        for (var i = 0; i < 200; i++) deepValid.Append("}]");
        deepValid.Append('}');
        var deepOutcome = V(deepValid.ToString());
        Assert.Contains("depth", Assert.Single(deepOutcome.Issues).Diagnostics);
        // Duplicate keys.
        Rejected(V("""{"resourceType":"Patient","gender":"male","gender":"female"}"""), "structure", "Patient");
        // Huge strings.
        var huge = "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + new string('a', 3_000_000) + "\"}]}";
        Rejected(V(huge), "too-long", "Patient.name[0].family");
        // Non-UTF-8 bytes.
        var bytes = Encoding.UTF8.GetBytes("{\"resourceType\":\"Patient\",\"id\":\"x\"}");
        bytes[30] = 0xFF;
        Assert.False(FhirValidator.Default.Validate(bytes).Success);
        // Numbers out of range.
        Assert.False(V("""{"resourceType":"Patient","multipleBirthInteger":1e400}""").Success);
        Assert.False(V("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1""" + new string('0', 500) + "}}").Success);
        // Many errors: bounded.
        var many = "{\"resourceType\":\"Patient\"," + string.Join(",", Enumerable.Range(0, 5000).Select(i => $"\"x{i}\":1")) + "}";
        var o = V(many);
        Assert.True(o.Issues.Count <= FhirValidator.MaxIssues + 1);
        // Not even JSON.
        Assert.False(V("").Success);
        Assert.False(V("null").Success);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), sw.Elapsed.ToString());
    }
}
