using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.FhirPath;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Bench;

/// <summary>
/// FHIRPath evaluation of search-parameter expressions on parsed resources. "Warm" reuses one node tree
/// (children already materialised); "Cold" wraps the JSON in a new root each time, as the indexer does per resource.
/// </summary>
[MemoryDiagnoser]
public class FhirPathBenchmarks
{
    private JsonElement _patientJson, _bpJson;
    private ElementNode _patient = null!, _bp = null!;
    private CompiledExpression _name = null!, _componentQuantity = null!, _dom3 = null!;

    [GlobalSetup]
    public void Setup()
    {
        var defs = FhirDefinitions.Default;
        _patientJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(defs.PackageDirectory, "Patient-example.json"))).RootElement;
        _bpJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(defs.PackageDirectory, "Observation-blood-pressure.json"))).RootElement;
        _patient = ElementNode.FromJson(_patientJson);
        _bp = ElementNode.FromJson(_bpJson);
        _name = FhirPathEngine.Compile(defs.GetSearchParameter("Patient", "name")!.Expression!);
        _componentQuantity = FhirPathEngine.Compile(defs.GetSearchParameter("Observation", "component-value-quantity")!.Expression!);
        var dom3 = defs.GetStructure("DomainResource")!.Root.Constraints.First(c => c.Key == "dom-3").Expression!;
        _dom3 = FhirPathEngine.Compile(dom3);
    }

    [Benchmark(Description = "Patient name (warm)")]
    public int PatientNameWarm() => _name.Evaluate(_patient).Count;

    [Benchmark(Description = "Patient name (cold node)")]
    public int PatientNameCold() => _name.Evaluate(ElementNode.FromJson(_patientJson)).Count;

    [Benchmark(Description = "Observation component-value-quantity (warm)")]
    public int ComponentQuantityWarm() => _componentQuantity.Evaluate(_bp).Count;

    [Benchmark(Description = "Observation component-value-quantity (cold node)")]
    public int ComponentQuantityCold() => _componentQuantity.Evaluate(ElementNode.FromJson(_bpJson)).Count;

    [Benchmark(Description = "Invariant dom-3 on Observation (warm)")]
    public int Dom3() => _dom3.Evaluate(_bp).Count;

    [Benchmark(Description = "Compile (cache hit)")]
    public CompiledExpression CompileCached() => FhirPathEngine.Compile("Patient.name.where(use = 'official').family");
}
