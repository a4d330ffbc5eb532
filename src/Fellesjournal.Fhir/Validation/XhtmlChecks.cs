using System.Text.Json;
using System.Xml;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.Validation;

/// <summary>
/// Narrative xhtml (replaces txt-1/txt-2): well-formed, one xhtml div with content, no active content.
/// The common case is settled by <see cref="XhtmlScanner"/> in one pass; the rest goes through an XmlReader.
/// </summary>
internal static class XhtmlChecks
{
    private const string XhtmlNs = "http://www.w3.org/1999/xhtml";
    private static readonly HashSet<string> Forbidden = new(StringComparer.OrdinalIgnoreCase)
        { "script", "iframe", "object", "embed", "applet", "form", "input", "button", "frame", "frameset", "base", "link", "meta" };

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 0,
    };

    /// <summary>Checks the div of <paramref name="node"/> (whose location is built only when an issue is reported).</summary>
    public static void Check(JsonElement value, ElementNode node, ValidationRun run)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            run.AddIssue(IssueSeverity.Error, "structure", $"The narrative div must be a JSON string, not {PrimitiveChecks.Describe(value)}", node.Location);
            return;
        }
        var text = value.GetString()!;
        if (text.Length == 0)
        {
            run.AddIssue(IssueSeverity.Error, "value", "The narrative div must not be empty", node.Location);
            return;
        }
        if (XhtmlScanner.IsCertainlyValid(text)) return;
        foreach (var problem in ReaderProblems(text))
            run.AddIssue(IssueSeverity.Error, "value", problem, node.Location);
    }

    /// <summary>The problems of a narrative div found with an XmlReader (the reference the scanner agrees with).</summary>
    internal static List<string> ReaderProblems(string text)
    {
        var problems = new List<string>();
        try
        {
            using var sr = new StringReader(text);
            using var xr = XmlReader.Create(sr, Settings);
            var depth0 = true;
            var hasContent = false;
            while (xr.Read())
            {
                switch (xr.NodeType)
                {
                    case XmlNodeType.Element:
                        if (depth0)
                        {
                            depth0 = false;
                            if (xr.LocalName != "div" || xr.NamespaceURI != XhtmlNs)
                            {
                                problems.Add("The narrative must be a <div> in the XHTML namespace");
                                return problems;
                            }
                        }
                        else hasContent = true;
                        if (Forbidden.Contains(xr.LocalName))
                            problems.Add($"The narrative must not contain <{xr.LocalName}> (txt-1)");
                        if (xr.MoveToFirstAttribute())
                        {
                            do
                            {
                                if (xr.LocalName.StartsWith("on", StringComparison.OrdinalIgnoreCase) && xr.NamespaceURI.Length == 0)
                                    problems.Add($"The narrative must not have event attributes ({xr.LocalName}, txt-1)");
                            } while (xr.MoveToNextAttribute());
                            xr.MoveToElement();
                        }
                        break;
                    case XmlNodeType.Text:
                    case XmlNodeType.CDATA:
                        if (!string.IsNullOrWhiteSpace(xr.Value)) hasContent = true;
                        break;
                }
            }
            if (!hasContent)
                problems.Add("The narrative must have some non-whitespace content (txt-2)");
        }
        catch (XmlException e)
        {
            problems.Add($"The narrative is not well-formed XHTML: {e.Message}");
        }
        return problems;
    }
}
