using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Validation;

namespace Fellesjournal.Bench;

/// <summary>
/// Validation of a typical Patient (target &lt; 50 µs) and of a 1,000-entry Bundle (target &lt; 50 ms),
/// with all checks (structure, bindings, invariants) and structure only. Bundle1000 validates the entries on
/// all cores (<see cref="FhirValidator.ParallelBundles"/>, the default); the OneCore variants on one.
/// dotnet run -c Release --project bench/Fellesjournal.Bench -- --filter '*ValidationBenchmarks*' --job short
/// </summary>
[MemoryDiagnoser]
public class ValidationBenchmarks
{
    private byte[] _patient = [];
    private byte[] _bundle = [];
    private readonly FhirValidator _full = FhirValidator.Default;
    private readonly FhirValidator _structural = new() { CheckInvariants = false };
    private readonly FhirValidator _oneCore = new() { ParallelBundles = false };
    private readonly FhirValidator _structuralOneCore = new() { CheckInvariants = false, ParallelBundles = false };

    [GlobalSetup]
    public void Setup()
    {
        var dir = FhirDefinitions.Default.PackageDirectory;
        _patient = File.ReadAllBytes(Path.Combine(dir, "Patient-example.json"));
        // A 1,000-entry collection of typical clinical resources from the package.
        string[] sources = ["Patient-example.json", "Observation-example.json", "Condition-example.json",
            "Encounter-example.json", "MedicationRequest-medrx0302.json"];
        var resources = sources.Select(f => File.ReadAllText(Path.Combine(dir, f))).ToArray();
        var sb = new StringBuilder("""{"resourceType":"Bundle","type":"collection","entry":[""");
        for (var i = 0; i < 1000; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append($$"""{"fullUrl":"urn:uuid:{{Guid.NewGuid()}}","resource":""").Append(resources[i % resources.Length]).Append('}');
        }
        sb.Append("]}");
        _bundle = Encoding.UTF8.GetBytes(sb.ToString());
        // Warm the caches (terminology, compiled invariants) and check the inputs are valid.
        foreach (var (name, bytes) in new[] { ("patient", _patient), ("bundle", _bundle) })
        {
            var o = _full.Validate(bytes);
            if (!o.Success) throw new InvalidOperationException($"{name} is not valid: {o.ToJson()}");
        }
    }

    [Benchmark]
    public bool Patient() => _full.Validate(_patient).Success;

    [Benchmark]
    public bool PatientStructureOnly() => _structural.Validate(_patient).Success;

    [Benchmark]
    public bool Bundle1000() => _full.Validate(_bundle).Success;

    [Benchmark]
    public bool Bundle1000StructureOnly() => _structural.Validate(_bundle).Success;

    [Benchmark]
    public bool Bundle1000OneCore() => _oneCore.Validate(_bundle).Success;

    [Benchmark]
    public bool Bundle1000StructureOnlyOneCore() => _structuralOneCore.Validate(_bundle).Success;
}
