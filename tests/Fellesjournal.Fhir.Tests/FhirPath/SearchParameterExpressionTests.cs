using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.FhirPath;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.Tests.FhirPath;

/// <summary>Every core SearchParameter expression must compile and run on real examples (the indexer depends on it).</summary>
public class SearchParameterExpressionTests
{
    [Fact]
    public void All_search_parameter_expressions_compile()
    {
        var failures = new List<string>();
        var count = 0;
        foreach (var sp in FhirDefinitions.Default.SearchParameters)
        {
            foreach (var expr in new[] { sp.Expression }.Concat(sp.Components.Select(c => c.Expression)))
            {
                if (string.IsNullOrEmpty(expr)) continue;
                count++;
                try { FhirPathEngine.Compile(expr); }
                catch (FhirPathException e) { failures.Add($"{sp.Url}: {expr}: {e.Message}"); }
            }
        }
        Assert.True(count > 1000, $"only {count} expressions");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [InlineData("Patient-example.json")]
    [InlineData("Observation-example.json")]
    [InlineData("Observation-blood-pressure.json")]
    [InlineData("Encounter-example.json")]
    [InlineData("Condition-example.json")]
    [InlineData("MedicationRequest-medrx0301.json")]
    [InlineData("Bundle-bundle-example.json")]
    [InlineData("Practitioner-example.json")]
    public void Search_parameter_expressions_evaluate_on_examples(string file)
    {
        var path = Path.Combine(FhirDefinitions.Default.PackageDirectory, file);
        var node = ElementNode.Parse(File.ReadAllText(path));
        var failures = new List<string>();
        var nonEmpty = 0;
        foreach (var sp in FhirDefinitions.Default.SearchParametersFor(node.TypeName!).Values)
        {
            if (string.IsNullOrEmpty(sp.Expression)) continue;
            try
            {
                if (FhirPathEngine.Evaluate(node, sp.Expression).Count > 0) nonEmpty++;
            }
            catch (FhirPathException e) { failures.Add($"{sp.Code}: {sp.Expression}: {e.Message}"); }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(nonEmpty > 0);
    }

    [Fact]
    public void Search_parameter_expressions_never_fail_on_the_examples_package()
    {
        var all = Environment.GetEnvironmentVariable("FHIRPATH_ALL_EXAMPLES") == "1";
        var files = Directory.GetFiles(FhirDefinitions.Default.PackageDirectory, "*.json")
            .Where(f => !Path.GetFileName(f).StartsWith("package", StringComparison.Ordinal))
            .OrderBy(f => f, StringComparer.Ordinal).Where((_, i) => all || i % 20 == 0).ToList();
        var failures = new List<string>();
        var evaluated = 0;
        foreach (var file in files)
        {
            ElementNode node;
            try { node = ElementNode.Parse(File.ReadAllText(file)); }
            catch (System.Text.Json.JsonException) { continue; }
            if (node.TypeName is null) continue;
            foreach (var sp in FhirDefinitions.Default.SearchParametersFor(node.TypeName).Values)
            {
                if (string.IsNullOrEmpty(sp.Expression)) continue;
                evaluated++;
                try { FhirPathEngine.Evaluate(node, sp.Expression); }
                catch (FhirPathException e) { failures.Add($"{Path.GetFileName(file)} {sp.Code}: {e.Message}"); }
            }
        }
        Assert.True(evaluated > 1000, $"only {evaluated} evaluations");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(30)));
    }

    [Fact]
    public void Extracts_patient_name_and_observation_components()
    {
        var patient = ElementNode.Parse(File.ReadAllText(Path.Combine(FhirDefinitions.Default.PackageDirectory, "Patient-example.json")));
        var family = FhirPathEngine.Evaluate(patient, "Patient.name.family");
        Assert.Contains(family, x => x is ElementNode { Text: "Chalmers" });

        var bp = ElementNode.Parse(File.ReadAllText(Path.Combine(FhirDefinitions.Default.PackageDirectory, "Observation-blood-pressure.json")));
        var sp = FhirDefinitions.Default.GetSearchParameter("Observation", "component-value-quantity")!;
        var values = FhirPathEngine.Evaluate(bp, sp.Expression!);
        Assert.Equal(2, values.Count);
        Assert.All(values, v => Assert.Equal("Quantity", ((ElementNode)v).TypeName));
    }
}
