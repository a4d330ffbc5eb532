using System.Collections.Concurrent;
using System.Diagnostics;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Search;
using Fellesjournal.Storage;
using Xunit.Abstractions;

namespace Fellesjournal.Storage.Tests;

/// <summary>End-to-end extraction (real FHIRPath engine) on the official examples.</summary>
public class ExampleExtractionTests(ITestOutputHelper output)
{
    private static readonly FhirDefinitions Defs = FhirDefinitions.Default;

    private static string Example(string name) => Path.Combine(Defs.PackageDirectory, name);

    private static IReadOnlyList<string> AllExamples() =>
        Directory.EnumerateFiles(Defs.PackageDirectory, "*.json").Order(StringComparer.Ordinal)
            .Where(f => Path.GetFileName(f) is var n && n.IndexOf('-') > 0 && Defs.IsConcreteResourceType(n[..n.IndexOf('-')]))
            .ToList();

    private static ResourceIndex Extract(string file)
    {
        var indexer = new SearchIndexer(Defs);
        return indexer.Extract(ElementNode.Parse(File.ReadAllBytes(file), Defs));
    }

    [Fact]
    public void Patient_example()
    {
        if (!Indexers.FhirPathAvailable) return;
        var ix = Extract(Example("Patient-example.json"));
        Assert.Equal("example", ix.PatientId);
        var v = ix.Values;
        Assert.Contains(new TokenIndexValue("identifier", "urn:oid:1.2.36.146.595.217.0.1", "12345"), v);
        Assert.Contains(new TokenIndexValue("gender", null, "male"), v);
        Assert.Contains(new TokenIndexValue("phone", "phone", "(03) 5555 6473"), v);
        Assert.Contains(new ReferenceIndexValue("organization", "Organization", "1"), v);
        foreach (var part in new[] { "chalmers", "peter", "james", "jim", "windsor" })
            Assert.Contains(new StringIndexValue("name", part, part[..1].ToUpperInvariant() + part[1..]), v);
        Assert.Contains(new StringIndexValue("family", "chalmers", "Chalmers"), v);
        Assert.Contains(new StringIndexValue("address-city", "pleasantville", "PleasantVille"), v);
        var birth = Assert.Single(v.OfType<DateIndexValue>(), d => d.Param == "birthdate");
        Assert.Equal(new DateTimeOffset(1974, 12, 25, 0, 0, 0, TimeSpan.Zero), birth.Low);
        // Parameters of other types (Practitioner.name in "Patient.name | Practitioner.name" style expressions) stay out.
        Assert.DoesNotContain(v, x => x.Param == "death-date");
    }

    [Fact]
    public void Observation_example()
    {
        if (!Indexers.FhirPathAvailable) return;
        var ix = Extract(Example("Observation-example.json"));
        Assert.Equal("example", ix.PatientId);
        var v = ix.Values;
        Assert.Contains(v, x => x is TokenIndexValue { Param: "code", System: "http://loinc.org", Code: "29463-7" });
        Assert.Equal(4, v.OfType<TokenIndexValue>().Count(t => t.Param == "code"));
        Assert.Contains(new ReferenceIndexValue("subject", "Patient", "example"), v);
        Assert.Contains(new ReferenceIndexValue("patient", "Patient", "example"), v);
        Assert.Contains(new QuantityIndexValue("value-quantity", 185m, "http://unitsofmeasure.org", "[lb_av]", "lbs"), v);
        Assert.Contains(v, x => x is DateIndexValue { Param: "date" } d && d.Low == new DateTimeOffset(2016, 3, 28, 0, 0, 0, TimeSpan.Zero));
        var composites = v.OfType<CompositeIndexValue>().Where(c => c.Param == "code-value-quantity").ToList();
        Assert.Equal(4, composites.Count);
        Assert.All(composites, c => Assert.IsType<QuantityIndexValue>(c.Components[1]));
    }

    [Fact]
    public void Fast_paths_give_the_same_values_as_the_engine()
    {
        if (!Indexers.FhirPathAvailable) return;
        var fast = new SearchIndexer(Defs);
        var engine = new SearchIndexer(Defs) { UseFastPaths = false };
        var files = AllExamples();
        var compared = 0;
        var containedSeen = 0;
        var mismatches = new List<string>();
        for (var i = 0; i < files.Count; i += 2)
        {
            var bytes = File.ReadAllBytes(files[i]);
            var a = fast.Extract(ElementNode.Parse(bytes, Defs));
            var b = engine.Extract(ElementNode.Parse(bytes, Defs));
            compared++;
            containedSeen += a.Contained?.Count ?? 0;
            // The contained resources' values too, flattened with their position and type.
            static IEnumerable<string> All(ResourceIndex ix) => ix.Values.Select(v => v.ToString()).Concat(
                (ix.Contained ?? []).SelectMany((c, k) => c.Values.Select(v => $"#{k} {c.Type}/{c.Id} {v}")));
            if (a.PatientId != b.PatientId || !All(a).Order().SequenceEqual(All(b).Order()))
            {
                var onlyFast = All(a).Except(All(b)).Take(3).Select(v => "+" + v);
                var onlyEngine = All(b).Except(All(a)).Take(3).Select(v => "-" + v);
                mismatches.Add(Path.GetFileName(files[i]) + ": " + string.Join("; ", onlyFast.Concat(onlyEngine)));
            }
        }
        foreach (var m in mismatches.Take(30)) output.WriteLine(m);
        Assert.True(compared > 1000);
        output.WriteLine($"{containedSeen} contained resources compared");
        Assert.True(containedSeen > 10, $"only {containedSeen} contained resources in the examples compared");
        Assert.Empty(mismatches);
    }

    [Fact]
    public void Every_example_extracts_without_throwing()
    {
        if (!Indexers.FhirPathAvailable) return;
        var indexer = new SearchIndexer(Defs);
        var failures = new ConcurrentDictionary<string, string>();
        indexer.ExpressionFailed += (sp, e) => failures.TryAdd(sp.Code + " " + sp.Expression, e.GetType().Name + ": " + e.Message);
        var files = AllExamples();
        var sw = Stopwatch.StartNew();
        long values = 0;
        foreach (var f in files)
            values += indexer.Extract(ElementNode.Parse(File.ReadAllBytes(f), Defs)).Values.Count;
        output.WriteLine($"{files.Count} examples, {values} index values, {sw.ElapsedMilliseconds} ms, {failures.Count} failing expressions");
        foreach (var (k, e) in failures.OrderBy(x => x.Key)) output.WriteLine($"  {k}: {e}");
        Assert.True(files.Count > 1000);
        Assert.True(values > files.Count * 5);
    }
}

/// <summary>The official Patient and Observation examples through the whole store and search path.</summary>
public class ExampleSearchTests
{
    [Fact]
    public async Task Examples_are_searchable()
    {
        if (!Indexers.FhirPathAvailable) return;
        var defs = FhirDefinitions.Default;
        var files = Directory.EnumerateFiles(defs.PackageDirectory, "*.json")
            .Where(f => Path.GetFileName(f).StartsWith("Patient-") || Path.GetFileName(f).StartsWith("Observation-")).ToList();
        await using var t = new TempStore(new SearchIndexer(defs));
        var writes = new List<ResourceWrite>();
        foreach (var f in files)
        {
            var bytes = File.ReadAllBytes(f);
            using var doc = System.Text.Json.JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            if (!root.TryGetProperty("id", out var id) || root.GetProperty("resourceType").GetString() is not ("Patient" or "Observation")) continue;
            writes.Add(new ResourceWrite(root.GetProperty("resourceType").GetString()!, id.GetString()!, bytes));
        }
        await t.Store.MergeAsync(writes);

        async Task<string[]> Ids(string type, string code, string value, string? modifier = null) =>
            (await t.Store.SearchAsync(new SearchQuery(type, [new SearchCriterion(code, modifier, value.Split(','))], Count: 500)))
            .Resources.Select(r => r.Id).ToArray();

        Assert.Contains("example", await Ids("Patient", "name", "chalmers"));
        Assert.Contains("example", await Ids("Patient", "identifier", "urn:oid:1.2.36.146.595.217.0.1|12345"));
        Assert.Contains("example", await Ids("Patient", "birthdate", "1974-12"));
        Assert.DoesNotContain("example", await Ids("Patient", "birthdate", "1975"));
        Assert.Contains("example", await Ids("Observation", "code", "http://loinc.org|29463-7"));
        Assert.Contains("example", await Ids("Observation", "patient", "Patient/example"));
        Assert.Contains("example", await Ids("Observation", "value-quantity", "185|http://unitsofmeasure.org|[lb_av]"));
        Assert.DoesNotContain("example", await Ids("Observation", "value-quantity", "gt200"));
        Assert.Contains("example", await Ids("Observation", "date", "2016-03-28"));
        var male = await Ids("Patient", "gender", "male");
        var female = await Ids("Patient", "gender", "female");
        Assert.NotEmpty(male);
        Assert.Empty(male.Intersect(female));
    }
}
