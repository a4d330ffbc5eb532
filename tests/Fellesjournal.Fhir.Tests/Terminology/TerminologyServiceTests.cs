using System.Diagnostics;
using Fellesjournal.Fhir.Terminology;

namespace Fellesjournal.Fhir.Tests.Terminology;

public class TerminologyServiceTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static TerminologyService Ts => TerminologyService.Default;
    private const string Gender = "http://hl7.org/fhir/ValueSet/administrative-gender";
    private const string GenderSystem = "http://hl7.org/fhir/administrative-gender";

    [Fact]
    public void Answers_membership_of_a_whole_code_system_value_set()
    {
        Assert.True(Ts.IsMember(Gender, GenderSystem, "female"));
        Assert.True(Ts.IsMember(Gender + "|4.0.1", GenderSystem, "unknown"));
        Assert.False(Ts.IsMember(Gender, GenderSystem, "kvinne"));
        Assert.False(Ts.IsMember(Gender, "http://example.org/other", "female"));
        // A plain code element has no system: matched by code alone.
        Assert.True(Ts.IsMember(Gender, null, "male"));
        Assert.False(Ts.IsMember(Gender, null, "Male"));
        Assert.Equal(4, Ts.Expand(Gender)!.Concepts.Count);
    }

    [Fact]
    public void Evaluates_is_a_filters_over_the_hierarchy_like_the_published_expansion()
    {
        const string url = "http://hl7.org/fhir/ValueSet/account-type";
        const string actCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
        Assert.True(Ts.IsMember(url, actCode, "CASH"));
        Assert.True(Ts.IsMember(url, actCode, "MC")); // a grandchild (under CC)
        Assert.False(Ts.IsMember(url, actCode, "_ActAccountCode")); // notSelectable
        Assert.False(Ts.IsMember(url, actCode, "IMP")); // elsewhere in ActCode
        Assert.Equal(9, Ts.Expand(url)!.Concepts.Count); // the package's expansion has total 9
    }

    [Fact]
    public void Cannot_tell_for_unknown_or_external_value_sets()
    {
        Assert.Null(Ts.IsMember("http://example.org/ValueSet/none", "http://x", "y"));
        // SNOMED CT is not in the package and the value set has no complete expansion.
        Assert.Null(Ts.IsMember("http://hl7.org/fhir/ValueSet/condition-code", "http://snomed.info/sct", "404684003"));
    }

    [Fact]
    public void Second_lookup_is_a_hash_lookup()
    {
        Assert.True(Ts.IsMember("http://hl7.org/fhir/ValueSet/observation-status", null, "final"));
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < 100_000; i++) Ts.IsMember("http://hl7.org/fhir/ValueSet/observation-status", null, "final");
        Assert.True(sw.ElapsedMilliseconds < 500, $"100k lookups took {sw.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void Every_required_binding_of_the_core_resolves_or_is_explained()
    {
        var defs = Fellesjournal.Fhir.Definitions.FhirDefinitions.Default;
        var urls = defs.Types.SelectMany(t => t.ElementsByPath.Values)
            .Where(e => e.Binding is { Strength: "required", ValueSet: not null })
            .Select(e => TerminologyServiceTestsHelpers.Strip(e.Binding!.ValueSet!)).Distinct().ToList();
        var computable = urls.Count(Ts.CanEvaluate);
        output.WriteLine($"{computable} of {urls.Count} required-binding value sets computable; not: " +
                         string.Join(", ", urls.Where(u => !Ts.CanEvaluate(u))));
        // Most required bindings are to FHIR code systems in the package; a few need external terminologies (e.g. UCUM, BCP-47, MIME).
        Assert.True(computable > urls.Count * 9 / 10, $"{computable} of {urls.Count} required value sets computable");
    }
}

internal static class TerminologyServiceTestsHelpers
{
    public static string Strip(string url) => url.Split('|')[0];
}
