using System.Diagnostics;
using Fellesjournal.Fhir.Validation;

namespace Fellesjournal.Bench;

/// <summary>
/// A Stopwatch loop over the validation benchmarks' inputs (for a profiler, or a quick figure on a loaded machine):
/// dotnet run -c Release --project bench/Fellesjournal.Bench -- validate [patient|bundle] [iterations]
/// </summary>
internal static class ValidationQuick
{
    public static void Run(string what, int iterations)
    {
        var b = new ValidationBenchmarks();
        b.Setup();
        var defs = Fellesjournal.Fhir.Definitions.FhirDefinitions.Default;
        var bytes = File.ReadAllBytes(Path.Combine(defs.PackageDirectory, "Patient-example.json"));
        Func<bool> run = what switch
        {
            // Phases of the Patient: parse only, parse + tree walk (every node materialised).
            "parse" => () => { using var d = System.Text.Json.JsonDocument.Parse(bytes); return d.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object; },
            "walk" => () =>
            {
                using var d = System.Text.Json.JsonDocument.Parse(bytes);
                var n = 0;
                foreach (var _ in Fellesjournal.Fhir.Model.ElementNode.FromJson(d.RootElement, defs).Descendants()) n++;
                return n > 0;
            },
            "patient" => b.Patient,
            "patient-structure" => b.PatientStructureOnly,
            "bundle" => b.Bundle1000,
            "bundle-structure" => b.Bundle1000StructureOnly,
            "bundle-onecore" => b.Bundle1000OneCore,
            _ => throw new ArgumentException($"unknown input '{what}'"),
        };
        for (var i = 0; i < Math.Max(1, iterations / 10); i++) run(); // warm-up (tiered JIT)
        for (var round = 0; round < 5; round++)
        {
            var alloc = GC.GetTotalAllocatedBytes(precise: true); // all threads (the Bundle's entries run on the pool)
            var gcs = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            // CPU time too: on a shared, loaded machine it is far steadier than the elapsed time.
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < iterations; i++) run();
            sw.Stop();
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            alloc = GC.GetTotalAllocatedBytes(precise: true) - alloc;
            Console.WriteLine($"{what}: {sw.Elapsed.TotalMicroseconds / iterations:F1} µs/op elapsed, " +
                              $"{cpu.TotalMicroseconds / iterations:F1} µs/op CPU, {alloc / iterations:N0} B/op, " +
                              $"GCs gen0/1/2 {GC.CollectionCount(0) - gcs.Item1}/{GC.CollectionCount(1) - gcs.Item2}/{GC.CollectionCount(2) - gcs.Item3}");
        }
    }
}

/// <summary>
/// Writes the OperationOutcome of every package example (and of each example's narrative and primitives
/// under a few mutations) to one file, to compare the validator's verdicts before and after a change:
/// ... -- validate-dump out.txt
/// </summary>
internal static class ValidationDump
{
    public static void Run(string output)
    {
        var defs = Fellesjournal.Fhir.Definitions.FhirDefinitions.Default;
        var v = FhirValidator.Default;
        using var w = new StreamWriter(output);
        foreach (var file in Directory.EnumerateFiles(defs.PackageDirectory, "*.json").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            if (name is "package.json" or ".index.json" || name.StartsWith("Bundle-") && new FileInfo(file).Length > 2_000_000) continue;
            var bytes = File.ReadAllBytes(file);
            w.WriteLine($"{name}: {v.Validate(bytes).ToJson()}");
            // Mutations that exercise the narrative and primitive checks.
            var text = System.Text.Encoding.UTF8.GetString(bytes);
            string[] mutations =
            [
                text.Replace("<div xmlns=\\\"http://www.w3.org/1999/xhtml\\\">", "<div xmlns=\\\"http://www.w3.org/1999/xhtml\\\"><script>x</script>"),
                text.Replace("</div>\"", "</div>x\""),
                text.Replace("<p>", "<p onclick='x'>"),
                text.Replace("&lt;", "&nbsp;"),
                text.Replace("<br/>", "<br>"),
                text.Replace("\"20", "\"2O"),
                text.Replace("-01\"", "-31\""),
                text.Replace("\"http", "\"ht tp"),
            ];
            for (var i = 0; i < mutations.Length; i++)
                if (mutations[i] != text)
                    w.WriteLine($"{name}#{i}: {v.Validate(mutations[i]).ToJson()}");
        }
    }
}
