using System.Text.Json.Nodes;
using System.Xml.Linq;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.FhirPath.Conformance;

/// <summary>
/// Loads the suite's input files. JSON is parsed directly; FHIR XML is converted to FHIR JSON with the
/// definitions (arrays, primitive JSON kinds, choice names). A minimal converter for the suite's inputs only:
/// the general XML reader lives in Fellesjournal.Fhir.Xml.
/// </summary>
public static class SuiteXmlLoader
{
    private static readonly XNamespace Fhir = "http://hl7.org/fhir";
    private static readonly XNamespace Xhtml = "http://www.w3.org/1999/xhtml";

    public static ElementNode Load(string path, FhirDefinitions? defs = null)
    {
        defs ??= FhirDefinitions.Default;
        var text = File.ReadAllText(path);
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return ElementNode.Parse(text, defs);
        var doc = XDocument.Parse(text, LoadOptions.PreserveWhitespace);
        var json = ConvertResource(doc.Root!, defs);
        return ElementNode.Parse(json.ToJsonString(), defs);
    }

    private static JsonObject ConvertResource(XElement e, FhirDefinitions defs)
    {
        var type = e.Name.LocalName;
        var obj = new JsonObject { ["resourceType"] = type };
        var sd = defs.GetStructure(type) ?? throw new InvalidDataException($"Unknown resource type {type}");
        FillObject(obj, e, sd.Root, type, defs);
        return obj;
    }

    private static void FillObject(JsonObject obj, XElement e, ElementInfo? def, string? type, FhirDefinitions defs)
    {
        foreach (var attr in e.Attributes())
        {
            if (attr.IsNamespaceDeclaration || attr.Name.LocalName == "value") continue;
            obj[attr.Name.LocalName] = attr.Value; // id, url
        }
        foreach (var child in e.Elements())
        {
            var name = child.Name.LocalName;
            if (child.Name.Namespace == Xhtml)
            {
                obj[name] = child.ToString(SaveOptions.DisableFormatting);
                continue;
            }
            var res = defs.ResolveChild(def, type, name);
            var childType = res?.TypeName;
            var isArray = res?.Definition.IsCollection ?? false;
            JsonNode? value = null;
            JsonObject? ext = null;
            if (childType is "Resource" or "DomainResource")
            {
                var inner = child.Elements().FirstOrDefault();
                if (inner is not null) value = ConvertResource(inner, defs);
            }
            else if (childType is not null && defs.IsPrimitiveType(childType))
            {
                var v = child.Attribute("value")?.Value;
                if (v is not null) value = Primitive(childType, v);
                if (child.Attribute("id") is not null || child.Elements().Any())
                {
                    ext = new JsonObject();
                    FillObject(ext, new XElement(child.Name, child.Attributes().Where(a => a.Name.LocalName != "value"),
                        child.Elements()), null, "Element", defs);
                }
            }
            else
            {
                var o = new JsonObject();
                FillObject(o, child, res?.Definition, childType, defs);
                value = o;
            }
            Add(obj, name, value, isArray);
            if (ext is not null || (isArray && childType is not null && defs.IsPrimitiveType(childType)))
                AddExtension(obj, name, ext, isArray);
        }
        // drop _x arrays that only hold nulls
        foreach (var key in obj.Select(kv => kv.Key).Where(k => k.StartsWith('_')).ToList())
            if (obj[key] is JsonArray a && a.All(x => x is null)) obj.Remove(key);
        // primitive arrays must line up with their _x arrays
        foreach (var key in obj.Select(kv => kv.Key).Where(k => !k.StartsWith('_')).ToList())
            if (obj[key] is JsonArray a && a.All(x => x is null)) obj.Remove(key);
    }

    private static void Add(JsonObject obj, string name, JsonNode? value, bool isArray)
    {
        if (!isArray)
        {
            if (value is not null) obj[name] = value;
            return;
        }
        if (obj[name] is not JsonArray arr) obj[name] = arr = new JsonArray();
        arr.Add(value);
    }

    private static void AddExtension(JsonObject obj, string name, JsonObject? ext, bool isArray)
    {
        var key = "_" + name;
        if (!isArray)
        {
            if (ext is not null) obj[key] = ext;
            return;
        }
        if (obj[key] is not JsonArray arr) obj[key] = arr = new JsonArray();
        arr.Add(ext);
    }

    private static JsonNode Primitive(string type, string v) => type switch
    {
        "boolean" => JsonValue.Create(v == "true"),
        "integer" or "positiveInt" or "unsignedInt" or "decimal" => JsonNode.Parse(v)!,
        _ => JsonValue.Create(v),
    };
}
