using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Validation;

namespace Fellesjournal.Fhir.Tests.Validation;

public class InvariantTests
{
    private static OperationOutcome V(string json) => FhirValidator.Default.Validate(json);

    private static void Fails(OperationOutcome o, string key, string location)
    {
        Assert.Contains(o.Issues, i => i.Severity == IssueSeverity.Error && i.Code == "invariant" &&
                                       i.Diagnostics.Contains(key + ":") && i.Location == location);
        Assert.False(o.Success);
    }

    [Fact]
    public void Resource_and_backbone_invariants_are_evaluated_with_fhirpath()
    {
        // pat-1: a contact needs details or an organization.
        Fails(V("""{"resourceType":"Patient","contact":[{"gender":"male"}]}"""), "pat-1", "Patient.contact[0]");
        // obs-6: dataAbsentReason only when there is no value.
        Fails(V("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueString":"a","dataAbsentReason":{"text":"n/a"}}"""),
            "obs-6", "Observation");
        // dom-4 (in a contained resource): no meta.versionId.
        Fails(V("""{"resourceType":"Patient","managingOrganization":{"reference":"#o"},"contained":[{"resourceType":"Organization","id":"o","meta":{"versionId":"1"}}]}"""),
            "dom-4", "Patient");
        Assert.True(V("""{"resourceType":"Patient","contact":[{"name":{"family":"Nordmann"}}]}""").Success);
    }

    [Fact]
    public void Data_type_invariants_apply_where_the_type_is_used()
    {
        // per-1 on Period: start <= end.
        Fails(V("""{"resourceType":"Patient","name":[{"family":"x","period":{"start":"2020-01-02","end":"2020-01-01"}}]}"""),
            "per-1", "Patient.name[0].period");
        // ext-1: an extension has a value or nested extensions, not both.
        Fails(V("""{"resourceType":"Patient","extension":[{"url":"http://e","valueString":"a","extension":[{"url":"b","valueString":"c"}]}]}"""),
            "ext-1", "Patient.extension[0]");
    }

    [Fact]
    public void Contained_resources_must_be_referenced()
    {
        var o = V("""{"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o","name":"x"}]}""");
        Assert.Contains(o.Issues, i => i.Diagnostics.Contains("dom-3") && i.Location == "Patient.contained[0]");
        Assert.True(V("""{"resourceType":"Patient","managingOrganization":{"reference":"#o"},"contained":[{"resourceType":"Organization","id":"o","name":"x"}]}""").Success);
    }

    [Fact]
    public void Bundle_invariants_checked_natively()
    {
        const string p = "{\"resourceType\":\"Patient\",\"active\":true}";
        Fails(V($$$"""{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:1","resource":{{{p}}}},{"fullUrl":"urn:uuid:1","resource":{{{p}}}}]}"""),
            "bdl-7", "Bundle");
        Fails(V($$$"""{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:1","resource":{{{p}}}}]}"""), "bdl-3", "Bundle");
        Fails(V($$$"""{"resourceType":"Bundle","type":"collection","entry":[{"resource":{{{p}}},"response":{"status":"200"}}]}"""), "bdl-4", "Bundle");
        Assert.True(V($$$"""{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:1","resource":{{{p}}},"request":{"method":"POST","url":"Patient"}}]}""").Success);
        Assert.True(V($$$"""{"resourceType":"Bundle","type":"history","entry":[{"fullUrl":"urn:uuid:1","resource":{{{p}}},"request":{"method":"PUT","url":"Patient/1"},"response":{"status":"200"}},{"fullUrl":"urn:uuid:1","resource":{{{p}}},"request":{"method":"PUT","url":"Patient/1"},"response":{"status":"200"}}]}""").Success);
    }

    [Fact]
    public void Warnings_do_not_fail_validation()
    {
        // dom-6 (warning): no narrative.
        var o = V("""{"resourceType":"Patient","active":true}""");
        Assert.True(o.Success);
        Assert.Contains(o.Issues, i => i.Severity == IssueSeverity.Warning && i.Diagnostics.Contains("dom-6"));
    }
}

public class InvariantFailureTests
{
    [Fact]
    public void Broken_or_throwing_invariants_become_warnings()
    {
        var node = Fellesjournal.Fhir.Model.ElementNode.Parse("""{"resourceType":"Patient","name":[{"given":["a","b"]}]}""");
        var checks = FhirValidator.Default.Invariants;
        var env = checks.Environment(node, node);
        var syntax = checks.EvaluateOne(new Fellesjournal.Fhir.Definitions.ConstraintInfo("x-1", "error", "h", "name.where(", null), node, env).Single();
        Assert.Equal(IssueSeverity.Warning, syntax.Item1);
        Assert.Contains("x-1 could not be compiled", syntax.Item3);
        var throws = checks.EvaluateOne(new Fellesjournal.Fhir.Definitions.ConstraintInfo("x-2", "error", "h", "name.given.single() = 'a'", null), node, env).Single();
        Assert.Equal(IssueSeverity.Warning, throws.Item1);
        Assert.Contains("x-2 could not be evaluated", throws.Item3);
        var fails = checks.EvaluateOne(new Fellesjournal.Fhir.Definitions.ConstraintInfo("x-3", "error", "h", "name.given.count() = 3", null), node, env).Single();
        Assert.Equal(IssueSeverity.Error, fails.Item1);
    }
}
