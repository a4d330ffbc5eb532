using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.FhirPath;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Validation;

namespace Fellesjournal.Fhir.Tests.Validation;

/// <summary>Invariants answered natively give FHIRPath's answer.</summary>
public class NativeInvariantTests
{
    [Theory]
    [InlineData("value.empty() or system.exists()", true)]
    [InlineData("extension.exists() != value.exists()", true)]
    [InlineData("text.`div`.exists()", true)]
    [InlineData("(part.exists() and value.empty() and resource.empty()) or (part.empty() and (value.exists() xor resource.exists()))", true)]
    [InlineData("contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()", true)]
    [InlineData("name.exists().not()", true)]
    [InlineData("value.count() = 1", false)]
    [InlineData("value.exists() or %resource.exists()", false)]
    [InlineData("Patient.name.exists()", false)]
    [InlineData("value.where(x).exists()", false)]
    [InlineData("value.exists() implies system.exists()", false)]
    [InlineData("start.hasValue().not() or end.hasValue().not() or (start <= end)", false)]
    public void Only_existence_tests_are_native(string expression, bool native)
    {
        Assert.Equal(native, NativeInvariant.For("x-1", expression) is not null);
    }

    [Theory]
    [InlineData("""{"resourceType":"Patient","telecom":[{"value":"1"}]}""", "Patient.telecom[0]", "value.empty() or system.exists()", false)]
    [InlineData("""{"resourceType":"Patient","telecom":[{"value":"1","system":"phone"}]}""", "Patient.telecom[0]", "value.empty() or system.exists()", true)]
    [InlineData("""{"resourceType":"Patient","telecom":[{"_value":{"id":"a"}}]}""", "Patient.telecom[0]", "value.empty() or system.exists()", false)]
    [InlineData("""{"resourceType":"Patient","text":{"status":"generated"}}""", "Patient", "text.`div`.exists()", false)]
    [InlineData("""{"resourceType":"Patient","extension":[{"url":"u"}]}""", "Patient.extension[0]", "extension.exists() != value.exists()", false)]
    [InlineData("""{"resourceType":"Patient","extension":[{"url":"u","valueString":"x"}]}""", "Patient.extension[0]", "extension.exists() != value.exists()", true)]
    [InlineData("""{"resourceType":"Patient","contact":[{"gender":"male"}]}""", "Patient.contact[0]", "name.exists() or telecom.exists() or address.exists() or organization.exists()", false)]
    public void Native_answers_match_FHIRPath(string json, string location, string expression, bool expected)
    {
        var root = ElementNode.Parse(json);
        var node = Find(root, location);
        var native = NativeInvariant.For("x-1", expression)!.Evaluate(node);
        var constraint = new ConstraintInfo("x-1", "error", "h", expression, null);
        var env = new EvaluationEnvironment { Resource = root, RootResource = root };
        Assert.Equal(expected, native);
        Assert.Equal(expected, InvariantChecks.EvaluateWithFhirPath(constraint, node, env));
    }

    [Fact]
    public void Native_answers_match_FHIRPath_on_every_node_of_the_package_examples()
    {
        var checks = FhirValidator.Default.Invariants;
        var answered = 0;
        foreach (var file in ExampleFiles.Resources)
        {
            var root = ElementNode.Parse(File.ReadAllText(file));
            foreach (var node in root.Descendants().Prepend(root))
            {
                var resource = node.Resource ?? root;
                var env = checks.Environment(resource, resource);
                foreach (var (constraint, native) in checks.Applying(node))
                {
                    if (native?.Evaluate(node) is not { } answer) continue;
                    answered++;
                    var fhirPath = InvariantChecks.EvaluateWithFhirPath(constraint, node, env);
                    Assert.True(answer == fhirPath, $"{Path.GetFileName(file)} {node.Location} {constraint.Key}: native {answer}, FHIRPath {fhirPath}");
                }
            }
        }
        Assert.True(answered > 10_000, $"only {answered} native answers");
    }

    private static ElementNode Find(ElementNode root, string location) =>
        root.Location == location ? root : root.Descendants().First(n => n.Location == location);
}
