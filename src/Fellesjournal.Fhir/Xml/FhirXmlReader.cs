using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.Xml;

/// <summary>
/// Reads FHIR XML into FHIR JSON, using the definitions to know which elements repeat, which
/// primitives are booleans or numbers, and where resources are wrapped in their type element.
/// DTDs are rejected and no external resource is ever fetched (XXE-safe).
/// </summary>
public static partial class FhirXmlReader
{
    /// <summary>Deepest XML nesting accepted; FHIR XML nests about one level per JSON level plus primitives.</summary>
    public const int MaxDepth = FhirJson.MaxDepth * 2;

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 0,
        // Comments are kept: they are part of narrative xhtml; elsewhere only elements are read.
        IgnoreComments = false,
        IgnoreProcessingInstructions = true,
    };

    /// <summary>Converts a FHIR XML resource to FHIR JSON text. Throws <see cref="FhirXmlException"/> on malformed input.</summary>
    public static string ToJson(string xml, FhirDefinitions? defs = null) =>
        Encoding.UTF8.GetString(ToJsonBytes(xml, defs));

    /// <summary>Converts a FHIR XML resource to UTF-8 FHIR JSON.</summary>
    public static byte[] ToJsonBytes(string xml, FhirDefinitions? defs = null)
    {
        defs ??= FhirDefinitions.Default;
        var root = Load(xml);
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, xml.Length));
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = false, MaxDepth = MaxDepth + 8 }))
        {
            new Converter(defs, w).WriteResource(root, 0);
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses FHIR XML into a typed node tree.</summary>
    public static ElementNode Parse(string xml, FhirDefinitions? defs = null) =>
        ElementNode.Parse(ToJsonBytes(xml, defs), defs);

    private static XElement Load(string xml)
    {
        try
        {
            using var sr = new StringReader(xml);
            using var xr = XmlReader.Create(sr, Settings);
            var doc = XDocument.Load(xr, LoadOptions.PreserveWhitespace | LoadOptions.SetLineInfo);
            var root = doc.Root ?? throw new FhirXmlException("The XML document has no root element.");
            if (root.Name.NamespaceName != FhirXmlNames.FhirNamespace)
                throw new FhirXmlException($"The root element <{root.Name.LocalName}> is not in the FHIR namespace ({FhirXmlNames.FhirNamespace}).");
            return root;
        }
        catch (XmlException e)
        {
            throw new FhirXmlException($"Malformed XML: {e.Message}", e.LineNumber, e.LinePosition);
        }
    }

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$")]
    private static partial Regex JsonNumber();

    private sealed class Converter(FhirDefinitions defs, Utf8JsonWriter w)
    {
        public void WriteResource(XElement el, int depth)
        {
            var type = el.Name.LocalName;
            var sd = defs.GetStructure(type);
            w.WriteStartObject();
            w.WriteString("resourceType", type);
            WriteContent(el, sd is { IsResource: true } ? sd.Root : null, sd is { IsResource: true } ? type : null,
                depth, skipValue: false);
            w.WriteEndObject();
        }

        /// <summary>Writes the properties of a complex element: its id/url attributes, then its child elements grouped by name.</summary>
        private void WriteContent(XElement el, ElementInfo? def, string? type, int depth, bool skipValue)
        {
            if (depth > MaxDepth) throw new FhirXmlException($"The XML nests deeper than {MaxDepth} levels.");
            foreach (var a in el.Attributes())
            {
                if (a.IsNamespaceDeclaration || a.Name.NamespaceName.Length > 0) continue;
                if (skipValue && a.Name.LocalName == "value") continue;
                w.WriteString(a.Name.LocalName, a.Value);
            }
            // Group repeated elements by name in order of first appearance (FHIR XML keeps repeats together).
            var groups = new List<(string Name, List<XElement> Items)>();
            foreach (var c in el.Elements())
            {
                var name = c.Name.LocalName;
                var g = groups.FindIndex(x => x.Name == name);
                if (g < 0) groups.Add((name, [c]));
                else groups[g].Items.Add(c);
            }
            foreach (var (name, items) in groups)
            {
                var res = defs.ResolveChild(def, type, name);
                var cdef = res?.Definition;
                var ctype = res?.TypeName;
                // A single-valued element that repeats becomes an array, so validation reports the cardinality error.
                var isArray = cdef?.IsCollection == true || items.Count > 1;
                if (FhirXmlNames.IsXhtml(cdef, ctype))
                    WriteEach(name, items, isArray, x => w.WriteStringValue(x.ToString(SaveOptions.DisableFormatting | SaveOptions.OmitDuplicateNamespaces)));
                else if (FhirXmlNames.IsResourceSlot(ctype))
                    WriteEach(name, items, isArray, x => WriteWrappedResource(x, depth + 1));
                else if (ctype is not null && defs.IsPrimitiveType(ctype))
                    WritePrimitive(name, items, isArray, ctype, depth);
                else if (res is null && items.All(x => !x.HasElements && x.Attribute("value") is not null))
                    WritePrimitive(name, items, isArray, "string", depth); // unknown element: keep it for the validator to report
                else
                    WriteEach(name, items, isArray, x =>
                    {
                        w.WriteStartObject();
                        WriteContent(x, cdef, ctype, depth + 1, skipValue: false);
                        w.WriteEndObject();
                    });
            }
        }

        private void WriteEach(string name, List<XElement> items, bool isArray, Action<XElement> write)
        {
            w.WritePropertyName(name);
            if (!isArray)
            {
                write(items[0]);
                return;
            }
            w.WriteStartArray();
            foreach (var x in items) write(x);
            w.WriteEndArray();
        }

        private void WriteWrappedResource(XElement slot, int depth)
        {
            var inner = slot.Elements().ToList();
            if (inner.Count != 1)
                throw new FhirXmlException($"<{slot.Name.LocalName}> must contain exactly one resource element.", slot);
            WriteResource(inner[0], depth + 1);
        }

        /// <summary>A primitive becomes its value (name) plus, when it has an id or extensions, a <c>_name</c> part.</summary>
        private void WritePrimitive(string name, List<XElement> items, bool isArray, string type, int depth)
        {
            var kind = FhirXmlNames.JsonKindOf(type);
            bool HasExt(XElement x) => x.HasElements || x.Attributes().Any(a => !a.IsNamespaceDeclaration && a.Name.NamespaceName.Length == 0 && a.Name.LocalName != "value");
            var anyValue = items.Any(x => x.Attribute("value") is not null);
            var anyExt = items.Any(HasExt);
            if (anyValue || !anyExt)
            {
                w.WritePropertyName(name);
                if (isArray) w.WriteStartArray();
                foreach (var x in items)
                {
                    if (x.Attribute("value") is { } v) WriteValue(v.Value, kind);
                    else w.WriteNullValue();
                }
                if (isArray) w.WriteEndArray();
            }
            if (!anyExt) return;
            w.WritePropertyName("_" + name);
            if (isArray) w.WriteStartArray();
            foreach (var x in items)
            {
                if (!HasExt(x)) { w.WriteNullValue(); continue; }
                w.WriteStartObject();
                WriteContent(x, null, type, depth + 1, skipValue: true);
                w.WriteEndObject();
            }
            if (isArray) w.WriteEndArray();
        }

        private void WriteValue(string text, PrimitiveJsonKind kind)
        {
            switch (kind)
            {
                case PrimitiveJsonKind.Boolean when text is "true" or "false":
                    w.WriteBooleanValue(text == "true");
                    break;
                case PrimitiveJsonKind.Number when text.Length < 256 && JsonNumber().IsMatch(text):
                    // Written as is: decimals keep their exact digits (1.50 stays 1.50).
                    w.WriteRawValue(text, skipInputValidation: true);
                    break;
                default:
                    // Also for malformed booleans/numbers: the validator then reports the wrong JSON type.
                    w.WriteStringValue(text);
                    break;
            }
        }
    }
}

/// <summary>Malformed or unsupported FHIR XML, with the line and position when known.</summary>
public sealed class FhirXmlException : FormatException
{
    public int Line { get; }
    public int Position { get; }

    public FhirXmlException(string message, int line = 0, int position = 0)
        : base(line > 0 ? $"{message} (line {line}, position {position})" : message)
    {
        Line = line;
        Position = position;
    }

    internal FhirXmlException(string message, XObject at)
        : this(message, (at as IXmlLineInfo)?.LineNumber ?? 0, (at as IXmlLineInfo)?.LinePosition ?? 0) { }
}
