using Fellesjournal.Fhir.FhirPath;
using Fellesjournal.Fhir.FhirPath.Conformance;
using Xunit.Abstractions;

namespace Fellesjournal.Fhir.Tests.FhirPath;

/// <summary>
/// The official HL7 FHIRPath R4 suite. Known failures are listed (with reasons in docs/conformance/fhirpath.md);
/// any other failure, or a pass rate under 95 %, fails the build.
/// </summary>
public class FhirPathSuiteTests(ITestOutputHelper output)
{
    /// <summary>Tests the engine is known to fail; keep in sync with docs/conformance/fhirpath.md.</summary>
    public static readonly HashSet<string> KnownFailures =
    [
        "testFHIRPathAsFunction21", // as() on several items filters instead of failing: core invariant dom-3 relies on it
        "testPolymorphicsB",        // JSON choice names (valueQuantity) are accepted outside strict mode for core search parameters
    ];

    internal static string? FindSuite()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared", "conformance", "fhirpath-r4", "tests-fhir-r4.xml");
            if (File.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        return null;
    }

    [Fact]
    public void Mutated_suite_expressions_only_ever_raise_FhirPathException()
    {
        var suite = FindSuite();
        if (suite is null)
        {
            output.WriteLine("SKIPPED: suite not found");
            return;
        }
        var expressions = System.Xml.Linq.XDocument.Load(suite).Descendants("expression").Select(e => e.Value).ToList();
        var patient = ResourceFile.Load(Path.Combine(Path.GetDirectoryName(suite)!, "patient-example.xml"));
        var rnd = new Random(7);
        const string alphabet = "().[]{}'`@%$|&+-*/=<>~!, 0123456789TZ:abcXYZ";
        var unexpected = new List<string>();
        for (var i = 0; i < 20_000; i++)
        {
            var chars = expressions[rnd.Next(expressions.Count)].ToList();
            for (var m = rnd.Next(1, 4); m > 0 && chars.Count > 0; m--)
            {
                var at = rnd.Next(chars.Count);
                switch (rnd.Next(3))
                {
                    case 0: chars.RemoveAt(at); break;
                    case 1: chars.Insert(at, alphabet[rnd.Next(alphabet.Length)]); break;
                    default: chars[at] = alphabet[rnd.Next(alphabet.Length)]; break;
                }
            }
            var expr = new string(chars.ToArray());
            try { FhirPathEngine.Compile(expr).Evaluate(patient); }
            // "Evaluation failed"/"Invalid expression" mark a .NET exception the engine had to wrap: a bug to find
            catch (FhirPathException e) when (!e.Message.StartsWith("Evaluation failed", StringComparison.Ordinal) &&
                                              !e.Message.StartsWith("Invalid expression", StringComparison.Ordinal)) { }
            catch (Exception e) { unexpected.Add($"{expr}: {e.GetType().Name}: {e.Message}"); }
        }
        Assert.True(unexpected.Count == 0, string.Join("\n", unexpected.Take(20)));
    }

    [Fact]
    public void Official_suite_passes_except_known_failures()
    {
        var suite = FindSuite();
        if (suite is null)
        {
            output.WriteLine("SKIPPED: ../shared/conformance/fhirpath-r4/tests-fhir-r4.xml not found next to the repository");
            return;
        }
        var run = FhirPathSuite.Run(suite);
        output.WriteLine($"{run.Passed} passed, {run.Failed} failed, {run.Skipped} skipped");
        var failed = run.Results.Where(r => r.Status != SuiteStatus.Passed).ToList();
        foreach (var f in failed) output.WriteLine($"{f.Status} {f.Name}: {f.Reason}");

        var unexpected = failed.Where(f => !KnownFailures.Contains(f.Name)).Select(f => $"{f.Name}: {f.Reason}").ToList();
        Assert.True(unexpected.Count == 0, "Unexpected failures:\n" + string.Join("\n", unexpected));
        Assert.True(run.Passed >= 0.95 * run.Results.Count, $"pass rate {run.Passed}/{run.Results.Count} is below 95 %");
        Assert.True(run.Results.Count >= 900, $"only {run.Results.Count} tests were read");
    }
}
