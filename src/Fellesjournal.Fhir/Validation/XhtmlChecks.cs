using System.Text.Json;
using System.Xml;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.Validation;

/// <summary>Narrative xhtml (replaces txt-1/txt-2): well-formed, one xhtml div with content, no active content.</summary>
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

    public static void Check(JsonElement value, string location, ValidationRun run)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            run.AddIssue(IssueSeverity.Error, "structure", $"The narrative div must be a JSON string, not {PrimitiveChecks.Describe(value)}", location);
            return;
        }
        var text = value.GetString()!;
        if (text.Length == 0)
        {
            run.AddIssue(IssueSeverity.Error, "value", "The narrative div must not be empty", location);
            return;
        }
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
                                run.AddIssue(IssueSeverity.Error, "value", "The narrative must be a <div> in the XHTML namespace", location);
                                return;
                            }
                        }
                        else hasContent = true;
                        if (Forbidden.Contains(xr.LocalName))
                            run.AddIssue(IssueSeverity.Error, "value", $"The narrative must not contain <{xr.LocalName}> (txt-1)", location);
                        if (xr.MoveToFirstAttribute())
                        {
                            do
                            {
                                if (xr.LocalName.StartsWith("on", StringComparison.OrdinalIgnoreCase) && xr.NamespaceURI.Length == 0)
                                    run.AddIssue(IssueSeverity.Error, "value", $"The narrative must not have event attributes ({xr.LocalName}, txt-1)", location);
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
                run.AddIssue(IssueSeverity.Error, "value", "The narrative must have some non-whitespace content (txt-2)", location);
        }
        catch (XmlException e)
        {
            run.AddIssue(IssueSeverity.Error, "value", $"The narrative is not well-formed XHTML: {e.Message}", location);
        }
    }
}
