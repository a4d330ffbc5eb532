using System.Net;
using System.Text;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.Search;

/// <summary>The text of a resource for <c>_text</c> (narrative) and <c>_content</c> (narrative and every string).</summary>
/// <param name="Narrative">The narrative div(s) without markup, normalized like string search values.</param>
/// <param name="Content">Narrative plus every string and markdown value, normalized.</param>
public sealed record FullText(string Narrative, string Content);

/// <summary>
/// Extracts <see cref="FullText"/>: XHTML tags dropped and entities decoded, then the text normalized by
/// <see cref="StringNormalizer"/> (lower case, accents folded) so that the stores' word indexes and the search terms agree.
/// Capped per resource so that one huge document cannot bloat the index.
/// </summary>
public static class FullTextExtractor
{
    public const int MaxChars = 32_768;

    public static FullText? Extract(ElementNode resource)
    {
        var narrative = new StringBuilder();
        var content = new StringBuilder();
        Walk(resource, narrative, content);
        if (narrative.Length == 0 && content.Length == 0) return null;
        return new FullText(Cap(StringNormalizer.Normalize(narrative.ToString())), Cap(StringNormalizer.Normalize(content.ToString())));
    }

    private static string Cap(string s) => s.Length <= MaxChars ? s : s[..MaxChars];

    private static void Walk(ElementNode node, StringBuilder narrative, StringBuilder content)
    {
        foreach (var c in node.Children())
        {
            if (content.Length > MaxChars) return;
            if (c.TypeName == "xhtml")
            {
                if (c.Text is { Length: > 0 } div)
                {
                    var text = StripTags(div);
                    narrative.Append(text).Append(' ');
                    content.Append(text).Append(' ');
                }
            }
            else if (c.IsPrimitive)
            {
                if (c.TypeName is "string" or "markdown" && c.Text is { Length: > 0 } s) content.Append(s).Append(' ');
            }
            else Walk(c, narrative, content);
        }
    }

    /// <summary>The text of XHTML: tags become spaces, entities are decoded (only when there are any).</summary>
    private static string StripTags(string xhtml)
    {
        var sb = new StringBuilder(xhtml.Length);
        var inTag = false;
        foreach (var ch in xhtml)
        {
            if (inTag) { if (ch == '>') { inTag = false; sb.Append(' '); } }
            else if (ch == '<') inTag = true;
            else sb.Append(ch);
        }
        var text = sb.ToString();
        return text.Contains('&') ? WebUtility.HtmlDecode(text) : text;
    }
}
