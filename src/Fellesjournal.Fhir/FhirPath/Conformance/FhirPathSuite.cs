using System.Globalization;
using System.Xml.Linq;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.FhirPath.Conformance;

public enum SuiteStatus { Passed, Failed, Skipped }

public sealed record SuiteTestResult(string Name, string Group, string Expression, SuiteStatus Status, string? Reason);

public sealed record SuiteRun(IReadOnlyList<SuiteTestResult> Results)
{
    public int Passed => Results.Count(r => r.Status == SuiteStatus.Passed);
    public int Failed => Results.Count(r => r.Status == SuiteStatus.Failed);
    public int Skipped => Results.Count(r => r.Status == SuiteStatus.Skipped);
}

/// <summary>
/// Runs the HL7 FHIRPath test suite (tests-fhir-r4.xml): each test evaluates an expression on an input file and
/// compares the output values and types; tests marked invalid pass only when the engine reports an error.
/// </summary>
public static class FhirPathSuite
{
    public static SuiteRun Run(string suiteFile, Func<string, ElementNode>? loader = null, FhirDefinitions? defs = null)
    {
        defs ??= FhirDefinitions.Default;
        loader ??= path => ResourceFile.Load(path, defs);
        var dir = Path.GetDirectoryName(Path.GetFullPath(suiteFile))!;
        var doc = XDocument.Load(suiteFile);
        var inputs = new Dictionary<string, (ElementNode? Node, string? Error)>(StringComparer.Ordinal);
        var results = new List<SuiteTestResult>();
        foreach (var group in doc.Root!.Elements("group"))
        {
            var groupName = (string?)group.Attribute("name") ?? "";
            foreach (var test in group.Elements("test"))
            {
                var name = (string?)test.Attribute("name") ?? "?";
                var exprEl = test.Element("expression")!;
                var expression = exprEl.Value;
                var file = (string?)test.Attribute("inputfile");
                ElementNode? input = null;
                if (file is not null)
                {
                    if (!inputs.TryGetValue(file, out var loaded))
                    {
                        try { loaded = (loader(Path.Combine(dir, file)), null); }
                        catch (Exception e) { loaded = (null, e.Message); }
                        inputs[file] = loaded;
                    }
                    if (loaded.Node is null)
                    {
                        results.Add(new(name, groupName, expression, SuiteStatus.Skipped, $"input {file} not loaded: {loaded.Error}"));
                        continue;
                    }
                    input = loaded.Node;
                }
                input ??= ElementNode.Parse("""{"resourceType":"Parameters"}""", defs);
                var (status, reason) = RunOne(test, exprEl, expression, input);
                results.Add(new(name, groupName, expression, status, reason));
            }
        }
        return new SuiteRun(results);
    }

    private static (SuiteStatus, string?) RunOne(XElement test, XElement exprEl, string expression, ElementNode input)
    {
        var invalid = (string?)exprEl.Attribute("invalid");
        var strict = ((string?)test.Attribute("mode") ?? (string?)exprEl.Attribute("mode")) == "strict";
        var predicate = (string?)test.Attribute("predicate") == "true";
        var env = new EvaluationEnvironment
        {
            Strict = strict,
            CheckOrderedFunctions = (string?)test.Attribute("checkOrderedFunctions") == "true",
        };
        IReadOnlyList<object> result;
        try
        {
            result = FhirPathEngine.Compile(expression).Evaluate(input, env);
        }
        catch (FhirPathException e)
        {
            return invalid is not null ? (SuiteStatus.Passed, null) : (SuiteStatus.Failed, "error: " + e.Message);
        }
        catch (Exception e)
        {
            return (SuiteStatus.Failed, $"unhandled {e.GetType().Name}: {e.Message}");
        }
        if (invalid is not null) return (SuiteStatus.Failed, $"expected a {invalid} error, got {Describe(result)}");
        if (predicate) result = [result.Count > 0];

        var expected = test.Elements("output").ToList();
        if (expected.Count != result.Count)
            return (SuiteStatus.Failed, $"expected {expected.Count} item(s), got {Describe(result)}");
        for (var i = 0; i < expected.Count; i++)
        {
            var type = (string?)expected[i].Attribute("type");
            var problem = Compare(type, expected[i].Value, result[i]);
            if (problem is not null) return (SuiteStatus.Failed, $"item {i}: {problem}; got {Describe(result)}");
        }
        return (SuiteStatus.Passed, null);
    }

    private static string? Compare(string? type, string expected, object actual)
    {
        var v = Values.ToSystem(actual);
        var typeOk = type switch
        {
            null => true,
            "boolean" => v is bool,
            "integer" => v is int or long,
            "decimal" => v is decimal,
            "date" or "dateTime" => v is PartialDateTime,
            "time" => v is PartialTime,
            "Quantity" => v is Quantity,
            _ => v is string, // string, code, id, uri, ...
        };
        if (!typeOk) return $"expected type {type}, got {Types.NameOf(actual)}";
        var text = Values.Format(v) ?? "";
        var want = expected.StartsWith("@T", StringComparison.Ordinal) ? expected[2..]
            : expected.StartsWith('@') ? expected[1..] : expected;
        if (v is decimal d && decimal.TryParse(want, NumberStyles.Float, CultureInfo.InvariantCulture, out var wd))
            return d == wd ? null : $"expected {want}, got {text}";
        return text == want ? null : $"expected '{want}', got '{text}'";
    }

    private static string Describe(IReadOnlyList<object> items)
    {
        if (items.Count == 0) return "empty";
        return "[" + string.Join(", ", items.Take(5).Select(x => $"{Types.NameOf(x)} {Values.Format(Values.ToSystem(x)) ?? "(node)"}")) +
               (items.Count > 5 ? ", ..." : "") + "]";
    }
}
