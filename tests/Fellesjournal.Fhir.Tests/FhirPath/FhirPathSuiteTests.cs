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
        "testPolymorphismAsB",      // strict-mode static typing of 'as' results is not implemented
        "testDollarOrderNotAllowed", // checkOrderedFunctions (ordered-function check after children()) not implemented
        "testFHIRPathAsFunction21", // as() on several items filters instead of failing: core invariant dom-3 relies on it
        "testPolymorphicsB",        // JSON choice names (valueQuantity) are accepted outside strict mode for core search parameters
        "LowBoundaryDecimal15",     // boundary rounding of tiny decimals below the requested precision differs
        "HighBoundaryDecimal15",
        "HighBoundaryDecimal16",
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
