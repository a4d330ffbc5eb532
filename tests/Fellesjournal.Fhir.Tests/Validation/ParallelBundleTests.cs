using System.Text;
using Fellesjournal.Fhir.Validation;

namespace Fellesjournal.Fhir.Tests.Validation;

/// <summary>A large Bundle validated on several cores gives exactly the one-core outcome.</summary>
public class ParallelBundleTests
{
    private static readonly FhirValidator Parallel = new();
    private static readonly FhirValidator OneCore = new() { ParallelBundles = false };

    private static string Bundle(int entries, Func<int, string> resource)
    {
        var sb = new StringBuilder("""{"resourceType":"Bundle","type":"collection","entry":[""");
        for (var i = 0; i < entries; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append($$"""{"fullUrl":"urn:uuid:00000000-0000-0000-0000-{{i:D12}}","resource":{{resource(i)}}}""");
        }
        return sb.Append("]}").ToString();
    }

    [Fact]
    public void Issues_of_many_entries_come_in_document_order()
    {
        var json = Bundle(200, i => (i % 7) switch
        {
            0 => $$"""{"resourceType":"Patient","birthDate":"2001-02-3{{i % 10}}","bogus{{i}}":1}""",
            1 => """{"resourceType":"Observation","status":"final"}""", // code missing
            2 => """{"resourceType":"NoSuchType"}""",
            3 => """{"resourceType":"Patient","contained":[{"resourceType":"Patient","id":"x"}]}""",
            _ => $$"""{"resourceType":"Patient","id":"p{{i}}","active":true}""",
        });
        var expected = OneCore.Validate(json).ToJson();
        Assert.Contains("Bundle.entry[199].resource", expected);
        Assert.Equal(expected, Parallel.Validate(json).ToJson());
    }

    [Fact]
    public void The_issue_cap_stops_at_the_same_issue()
    {
        // 300 entries with 5 errors each: the cap of 1,000 errors falls inside entry 200.
        var json = Bundle(300, i => $$"""{"resourceType":"Patient","a{{i}}":1,"b":1,"c":1,"d":1,"e":1}""");
        var expected = OneCore.Validate(json);
        Assert.Contains(expected.Issues, x => x.Code == "too-costly");
        Assert.Equal(expected.ToJson(), Parallel.Validate(json).ToJson());
    }

    [Fact]
    public void Valid_large_bundles_stay_valid()
    {
        var json = Bundle(128, i => $$"""{"resourceType":"Patient","id":"p{{i}}","gender":"female"}""");
        Assert.True(Parallel.Validate(json).Success);
    }

    [Fact]
    public void A_callers_tree_is_left_as_built_and_gives_the_same_outcome()
    {
        // Validate(bytes) releases each validated entry's subtree; Validate(ElementNode) must not touch the caller's tree.
        var json = Bundle(100, i => i % 3 == 0
            ? $$"""{"resourceType":"Observation","status":"final","id":"o{{i}}"}"""
            : $$"""{"resourceType":"Patient","id":"p{{i}}","birthDate":"2001-02-30"}""");
        foreach (var validator in new[] { Parallel, OneCore })
        {
            var node = Fellesjournal.Fhir.Model.ElementNode.Parse(json);
            var resource = node.Child("entry")!.Child("resource")!;
            var firstChild = resource.Children()[0];
            var outcome = validator.Validate(node).ToJson();
            Assert.Same(firstChild, resource.Children()[0]);
            Assert.Equal(validator.Validate(json).ToJson(), outcome);
            Assert.Contains("Bundle.entry[1].resource", outcome);
        }
    }
}
