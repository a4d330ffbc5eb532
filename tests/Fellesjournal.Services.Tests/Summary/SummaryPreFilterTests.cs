using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Services.Summary;
using Fellesjournal.Synthetic;

namespace Fellesjournal.Services.Tests.Summary;

/// <summary>The summary skips parsing conditions and allergies it would not show; the check on the stored bytes must
/// agree with the classifier's check on the parsed tree for every shape of resource.</summary>
public class SummaryPreFilterTests
{
    private static void Agree(string type, string json)
    {
        using var parsed = JsonDocument.Parse(json);
        Assert.True(SummaryClassifier.NotCurrent(parsed.RootElement) == SummaryClassifier.NotCurrent(type, Encoding.UTF8.GetBytes(json)), $"{type}: {json}");
    }

    [Theory]
    [InlineData("""{"resourceType":"Condition","clinicalStatus":{"coding":[{"code":"resolved"}]}}""", true)]
    [InlineData("""{"resourceType":"Condition","clinicalStatus":{"coding":[{"code":"active"}]}}""", false)]
    [InlineData("""{"resourceType":"Condition","clinicalStatus":{"text":"x","coding":[{"system":"s"},{"code":"remission"}]}}""", true)]
    [InlineData("""{"resourceType":"Condition","clinicalStatus":{"coding":[{"code":"active"},{"code":"resolved"}]}}""", false)]
    [InlineData("""{"resourceType":"Condition","clinicalStatus":{"coding":[{"code":5},{"code":"inactive"}]}}""", true)]
    [InlineData("""{"resourceType":"Condition","clinicalStatus":{"coding":{"code":"resolved"}}}""", true)]
    [InlineData("""{"resourceType":"Condition","clinicalStatus":[{"coding":[{"system":"s"}]},{"coding":[{"code":"resolved"}]}]}""", true)]
    [InlineData("""{"resourceType":"Condition","clinicalStatus":null,"verificationStatus":{"coding":[{"code":"refuted"}]}}""", true)]
    [InlineData("""{"resourceType":"Condition","verificationStatus":{"coding":[{"code":"confirmed","extension":[{"url":"u","valueCode":"resolved"}]}]},"code":{"coding":[{"code":"resolved"}]}}""", false)]
    [InlineData("""{"resourceType":"AllergyIntolerance","verificationStatus":{"coding":[{"code":"entered-in-error"}]},"clinicalStatus":{"coding":[{"code":"active"}]}}""", true)]
    [InlineData("""{"resourceType":"AllergyIntolerance","criticality":"high"}""", false)]
    public void Shapes(string json, bool notCurrent)
    {
        var type = JsonNode.Parse(json)!["resourceType"]!.GetValue<string>();
        Assert.Equal(notCurrent, SummaryClassifier.NotCurrent(type, Encoding.UTF8.GetBytes(json)));
        Agree(type, json);
    }

    [Fact]
    public void Other_types_are_never_skipped()
    {
        Assert.False(SummaryClassifier.NotCurrent("Immunization", """{"resourceType":"Immunization","clinicalStatus":{"coding":[{"code":"resolved"}]}}"""u8));
    }

    [Fact]
    public async Task Agrees_with_the_classifier_on_the_official_examples_and_a_generated_population()
    {
        var n = 0;
        foreach (var f in Directory.EnumerateFiles(FhirDefinitions.Default.PackageDirectory, "*.json"))
        {
            var name = Path.GetFileName(f);
            if (!(name.StartsWith("Condition-") || name.StartsWith("AllergyIntolerance-"))) continue;
            Agree(name[..name.IndexOf('-')], File.ReadAllText(f));
            n++;
        }
        var skipped = 0;
        await new PopulationGenerator(seed: 3, patients: 40).WriteBatchesAsync(batch =>
        {
            foreach (var r in batch.Where(r => r.Type is "Condition" or "AllergyIntolerance"))
            {
                Agree(r.Type, Encoding.UTF8.GetString(r.Json));
                if (SummaryClassifier.NotCurrent(r.Type, r.Json)) skipped++;
                n++;
            }
            return Task.CompletedTask;
        });
        Assert.True(n > 200, $"only {n} resources");
        Assert.True(skipped > 0, "the population has no resolved conditions to skip");
    }
}
