using System.Text.Json;
using Fellesjournal.Fhir.Validation;

namespace Fellesjournal.Fhir.Tests.Validation;

/// <summary>The one-pass narrative scanner answers "valid" only where the XmlReader finds no problem.</summary>
public class XhtmlScannerTests
{
    private const string Open = "<div xmlns=\"http://www.w3.org/1999/xhtml\">";

    [Theory]
    [InlineData(Open + "text</div>")]
    [InlineData(Open + "\n\t<p class='a' id=\"b\">Peter &amp; &quot;Jim&quot; &#228;&#xE5;</p><br/><br />\n</div>")]
    [InlineData("  " + Open + "<table><tbody><tr><td>æøå – “x”</td></tr></tbody></table></div>\n")]
    [InlineData(Open + "<a href=\"x?a=1&amp;b=2\" title='1 > 0'><img src=\"y\"/></a></div>")]
    [InlineData(Open + "<span></span ></div>")]
    public void Common_narratives_are_settled_by_the_scanner(string div)
    {
        Assert.Empty(XhtmlChecks.ReaderProblems(div));
        Assert.True(XhtmlScanner.IsCertainlyValid(div));
    }

    [Theory]
    [InlineData(Open + "</div>")] // no content
    [InlineData(Open + "   \n</div>")]
    [InlineData(Open + "&#160;</div>")] // only whitespace (a no-break space)
    [InlineData(Open + "<br/></div>x")]
    [InlineData("x" + Open + "a</div>")]
    [InlineData(Open + "a</div><div>b</div>")]
    [InlineData("<div>text</div>")] // no namespace
    [InlineData("<div xmlns=\"http://www.w3.org/1999/xhtml\"/>")]
    [InlineData("<p xmlns=\"http://www.w3.org/1999/xhtml\">text</p>")]
    [InlineData(Open + "<b>text</i></div>")]
    [InlineData(Open + "<b>text</div>")]
    [InlineData(Open + "text")]
    [InlineData(Open + "a &nbsp; b</div>")] // undefined entity
    [InlineData(Open + "a & b</div>")]
    [InlineData(Open + "a ]]> b</div>")]
    [InlineData(Open + "<p a=\"1\" a=\"2\">x</p></div>")]
    [InlineData(Open + "<p a=\"1\"b=\"2\">x</p></div>")]
    [InlineData(Open + "<p a=1>x</p></div>")]
    [InlineData(Open + "<p a=\"<\">x</p></div>")]
    [InlineData(Open + "<script>x</script></div>")]
    [InlineData(Open + "<SCRIPT>x</SCRIPT></div>")]
    [InlineData(Open + "<p onclick=\"x\">x</p></div>")]
    [InlineData(Open + "<!-- c -->x</div>")]
    [InlineData(Open + "<![CDATA[x]]></div>")]
    [InlineData(Open + "<?pi x?>x</div>")]
    [InlineData(Open + "<x:p xmlns:x=\"urn:x\">x</x:p></div>")]
    [InlineData(Open + "a\u0001b</div>")]
    [InlineData(Open + "a\uFFFEb</div>")]
    [InlineData(Open + "a&#0;b</div>")]
    [InlineData(Open + "a&#x110000;b</div>")]
    public void Anything_else_goes_to_the_reader(string div)
    {
        Assert.False(XhtmlScanner.IsCertainlyValid(div));
    }

    [Fact]
    public void The_scanner_never_accepts_what_the_reader_rejects_in_the_package_narratives()
    {
        var settled = 0;
        var total = 0;
        foreach (var file in ExampleFiles.Resources)
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (var div in Divs(doc.RootElement))
            {
                total++;
                // Also a few variants: an element closed wrongly, a stray entity, content removed.
                foreach (var text in new[] { div, div.Replace("</p>", "</b>"), div.Replace("&amp;", "&amp"), Empty(div) })
                {
                    if (!XhtmlScanner.IsCertainlyValid(text)) continue;
                    if (ReferenceEquals(text, div)) settled++;
                    Assert.True(XhtmlChecks.ReaderProblems(text).Count == 0, $"{Path.GetFileName(file)}: the scanner accepts {text}");
                }
            }
        }
        // The scanner must carry the common case, or it buys nothing.
        Assert.True(settled > total * 3 / 4, $"only {settled} of {total} narratives settled by the scanner");
    }

    private static string Empty(string div)
    {
        var start = div.IndexOf('>') + 1;
        var end = div.LastIndexOf("</div>", StringComparison.Ordinal);
        return start > 0 && end > start ? div[..start] + div[end..] : div;
    }

    private static IEnumerable<string> Divs(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    if (p.Name == "div" && p.Value.ValueKind == JsonValueKind.String) yield return p.Value.GetString()!;
                    else foreach (var d in Divs(p.Value)) yield return d;
                }
                break;
            case JsonValueKind.Array:
                foreach (var x in e.EnumerateArray())
                foreach (var d in Divs(x))
                    yield return d;
                break;
        }
    }
}
