using System.Text;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using Fellesjournal.Fhir.Definitions;

namespace Fellesjournal.Fhir.Xml;

/// <summary>
/// Writes FHIR JSON as FHIR XML: elements in definition order, id/url/value as attributes,
/// primitives merged with their <c>_name</c> extensions, resources wrapped in their type element.
/// </summary>
public static class FhirXmlWriter
{
    private static readonly XmlWriterSettings Settings = new()
    {
        Indent = true,
        IndentChars = "  ",
        OmitXmlDeclaration = true,
        NewLineHandling = NewLineHandling.Entitize,
    };

    /// <summary>Converts a FHIR JSON resource to FHIR XML text. Throws <see cref="FhirXmlException"/> when it cannot be expressed.</summary>
    public static string ToXml(JsonElement resource, FhirDefinitions? defs = null)
    {
        defs ??= FhirDefinitions.Default;
        if (resource.ValueKind != JsonValueKind.Object || !resource.TryGetProperty("resourceType", out var rt) ||
            rt.ValueKind != JsonValueKind.String)
            throw new FhirXmlException("A resource must be a JSON object with a resourceType.");
        var sb = new StringBuilder();
        try
        {
            using (var xw = XmlWriter.Create(sb, Settings))
            {
                new Emitter(defs, xw).WriteResource(resource, 0);
            }
        }
        catch (ArgumentException e)
        {
            // XmlWriter rejects characters XML cannot carry (e.g. most control characters).
            throw new FhirXmlException($"The resource cannot be written as XML: {e.Message}");
        }
        return sb.ToString();
    }

    public static string ToXml(string json, FhirDefinitions? defs = null)
    {
        using var doc = JsonDocument.Parse(json);
        return ToXml(doc.RootElement, defs);
    }

    private sealed class Emitter(FhirDefinitions defs, XmlWriter xw)
    {
        private const string Ns = FhirXmlNames.FhirNamespace;

        public void WriteResource(JsonElement obj, int depth)
        {
            var type = obj.GetProperty("resourceType").GetString()!;
            var sd = defs.GetStructure(type);
            xw.WriteStartElement(type, Ns);
            WriteContent(obj, sd?.Root, sd is null ? null : type, depth, primitiveExt: false, isResource: true);
            xw.WriteEndElement();
        }

        private readonly record struct Prop(string Name, JsonElement? Value, JsonElement? Ext, ChildResolution? Res, int Order);

        /// <summary>Writes attributes then child elements of a JSON object, in the order of the definitions.</summary>
        private void WriteContent(JsonElement obj, ElementInfo? def, string? type, int depth, bool primitiveExt, bool isResource = false)
        {
            if (depth > FhirXmlReader.MaxDepth) throw new FhirXmlException("The resource nests too deeply.");
            var container = defs.ChildContainer(def, type);
            var props = new List<Prop>();
            foreach (var p in obj.EnumerateObject())
            {
                // resourceType is the element name of a resource; elsewhere (ExampleScenario.instance) it is an element.
                if ((isResource && p.Name == "resourceType") || p.Name == "fhir_comments") continue;
                string name = p.Name;
                JsonElement? value = p.Value, ext = null;
                if (name.Length > 1 && name[0] == '_')
                {
                    name = name[1..];
                    if (obj.TryGetProperty(name, out _)) continue; // written with its value
                    value = null;
                    ext = p.Value;
                }
                else if (obj.TryGetProperty("_" + name, out var e)) ext = e;
                var res = defs.ResolveChild(def, type, name);
                var order = res is null || container is null ? int.MaxValue : IndexOf(container.Children, res.Definition);
                props.Add(new Prop(name, value, ext, res, order));
            }
            // Attributes first (Element.id, Extension.url), written only for elements the definitions mark as such.
            foreach (var p in props)
            {
                if (p.Res?.Definition.IsXmlAttribute == true && p.Value is { } v && v.ValueKind != JsonValueKind.Object &&
                    v.ValueKind != JsonValueKind.Array)
                    xw.WriteAttributeString(p.Name, Text(v));
            }
            foreach (var p in props.OrderBy(p => p.Order)) // stable: JSON order among equals
            {
                if (p.Res?.Definition.IsXmlAttribute == true && p.Value is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Array) })
                    continue;
                if (primitiveExt && p.Name == "value") continue;
                WriteElement(p, depth);
            }
        }

        private static int IndexOf(IReadOnlyList<ElementInfo> list, ElementInfo e)
        {
            for (var i = 0; i < list.Count; i++)
                if (ReferenceEquals(list[i], e)) return i;
            return int.MaxValue;
        }

        private void WriteElement(Prop p, int depth)
        {
            var ctype = p.Res?.TypeName;
            var cdef = p.Res?.Definition;
            var count = Math.Max(Length(p.Value), Length(p.Ext));
            for (var i = 0; i < count; i++)
            {
                var v = Item(p.Value, i);
                var x = Item(p.Ext, i);
                if (v is null && x is null) continue;
                if (FhirXmlNames.IsXhtml(cdef, ctype) && v is { ValueKind: JsonValueKind.String } div)
                {
                    WriteXhtml(div.GetString()!);
                    continue;
                }
                xw.WriteStartElement(p.Name, Ns);
                if (FhirXmlNames.IsResourceSlot(ctype) && v is { ValueKind: JsonValueKind.Object } r &&
                    r.TryGetProperty("resourceType", out var rt) && rt.ValueKind == JsonValueKind.String)
                {
                    WriteResource(r, depth + 1);
                }
                else if (v is { ValueKind: JsonValueKind.Object } o)
                {
                    WriteContent(o, cdef, ctype, depth + 1, primitiveExt: false);
                }
                else
                {
                    // A primitive: value attribute, then id and extensions from the _name part.
                    if (v is { } pv) xw.WriteAttributeString("value", Text(pv));
                    if (x is { ValueKind: JsonValueKind.Object } xo)
                        WriteContent(xo, null, ctype ?? "Element", depth + 1, primitiveExt: true);
                }
                xw.WriteEndElement();
            }
        }

        private void WriteXhtml(string div)
        {
            XElement parsed;
            try
            {
                parsed = XElement.Parse(div, LoadOptions.PreserveWhitespace);
            }
            catch (XmlException e)
            {
                throw new FhirXmlException($"The narrative div is not well-formed XHTML: {e.Message}");
            }
            if (parsed.Name.NamespaceName.Length == 0)
                throw new FhirXmlException("The narrative div must be in the XHTML namespace.");
            // Raw: keeps the author's markup and whitespace exactly.
            xw.WriteRaw(div);
        }

        private static int Length(JsonElement? e) => e switch
        {
            null => 0,
            { ValueKind: JsonValueKind.Array } a => a.GetArrayLength(),
            _ => 1,
        };

        private static JsonElement? Item(JsonElement? e, int i)
        {
            if (e is not { } v) return null;
            if (v.ValueKind == JsonValueKind.Array && i >= v.GetArrayLength()) return null;
            var item = v.ValueKind == JsonValueKind.Array ? v[i] : v;
            return item.ValueKind == JsonValueKind.Null ? null : item;
        }

        private static string Text(JsonElement v) => v.ValueKind switch
        {
            JsonValueKind.String => v.GetString()!,
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => v.GetRawText(),
        };
    }
}
