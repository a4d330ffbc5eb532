using System.Text;
using System.Text.Json;
using Xunit.Abstractions;
using static Fellesjournal.Storage.Tests.SearchApi.SearchFixture;

namespace Fellesjournal.Storage.Tests.SearchApi;

/// <summary>
/// The conformance table <c>tests/conformance/search-conformance.tsv</c> (≥ 200 searches, expected ids derived from the
/// official examples by an independent script) run against a store loaded with those examples.
/// </summary>
public class SearchConformanceTests(ITestOutputHelper output)
{
    private static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "tests", "conformance", "search-conformance.tsv"))) return d.FullName;
        throw new InvalidOperationException("Repository root not found.");
    }

    [Fact]
    public async Task Official_examples_table()
    {
        var root = Root();
        var rows = File.ReadAllLines(Path.Combine(root, "tests", "conformance", "search-conformance.tsv"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split('\t')).ToList();
        Assert.True(rows.Count >= 200, $"only {rows.Count} searches in the table");

        var types = rows.Select(r => r[0]).ToHashSet();
        var dir = Path.Combine(root, "definitions", "node_modules", "hl7.fhir.r4.examples");
        var writes = new List<ResourceWrite>();
        foreach (var type in types)
            foreach (var f in Directory.EnumerateFiles(dir, type + "-*.json").Order(StringComparer.Ordinal))
            {
                var bytes = File.ReadAllBytes(f);
                using var doc = JsonDocument.Parse(bytes);
                if (doc.RootElement.GetProperty("resourceType").GetString() != type || !doc.RootElement.TryGetProperty("id", out var id)) continue;
                writes.Add(new ResourceWrite(type, id.GetString()!, bytes));
            }
        await using var t = new TempStore();
        await t.Store.MergeAsync(writes);

        var failures = new List<string>();
        foreach (var row in rows)
        {
            var expected = row.Length > 2 ? row[2] : "";
            string actual;
            try { actual = await Ids(t, row[0], row[1]); }
            catch (SearchException e) { actual = "error: " + e.Message; }
            if (actual != expected) failures.Add($"{row[0]}?{row[1]}: expected [{expected}] got [{actual}]");
        }
        output.WriteLine($"{rows.Count - failures.Count}/{rows.Count} searches as expected over {writes.Count} resources");
        foreach (var f in failures) output.WriteLine(f);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
