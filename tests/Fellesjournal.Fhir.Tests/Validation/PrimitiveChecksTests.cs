using System.Text.Json;
using System.Text.RegularExpressions;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Validation;

namespace Fellesjournal.Fhir.Tests.Validation;

public class PrimitiveChecksTests
{
    private static readonly string[] Samples =
    [
        "a", "abc", "a b", "a  b", " a", "a ", "a\tb", "a\u000bb", "a\fb", "a\u00a0b", "\u00a0", "x\ny", "http://x/y",
        "http://x y", "1.2.3", "A-Za.z-09", new string('a', 64), new string('a', 65), "a_b", "æøå", "#", "a\r\n",
    ];

    [Theory]
    [InlineData("string")]
    [InlineData("markdown")]
    [InlineData("uri")]
    [InlineData("url")]
    [InlineData("canonical")]
    [InlineData("code")]
    [InlineData("id")]
    public void Fast_paths_agree_with_the_published_regex(string type)
    {
        var defs = FhirDefinitions.Default;
        var checks = new PrimitiveChecks(defs);
        var re = new Regex("^(?:" + PrimitiveChecks.JavaWhitespace(defs.GetStructure(type)!.PrimitiveRegex!) + ")$");
        foreach (var s in Samples)
        {
            using var doc = JsonDocument.Parse(JsonSerializer.Serialize(s));
            var ok = checks.Check(type, doc.RootElement) is null;
            Assert.True(re.IsMatch(s) == ok, $"{type} '{s}': regex {re.IsMatch(s)}, check {ok}");
        }
    }

    [Fact]
    public void Java_whitespace_rewrite_keeps_nbsp_as_non_space()
    {
        var re = new Regex("^(?:" + PrimitiveChecks.JavaWhitespace(@"[^\s]+(\s[^\s]+)*") + ")$");
        Assert.Matches(re, "a\u00a0b");
        Assert.DoesNotMatch(re, "a  b");
    }
}
