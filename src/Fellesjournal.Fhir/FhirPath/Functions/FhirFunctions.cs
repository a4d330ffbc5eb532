using System.Xml;
using System.Xml.Linq;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.FhirPath;

/// <summary>The FHIR-specific additions: extension, hasValue, getValue, resolve, conformsTo, memberOf, htmlChecks.</summary>
internal static class FhirFunctions
{
    private const string CoreProfilePrefix = "http://hl7.org/fhir/StructureDefinition/";

    public static void Register(Dictionary<string, FunctionDef> d)
    {
        d.Add("extension", 1, 1, (ctx, f, a, p) =>
        {
            if (ctx.SingleArg(a, 0, p) is not string url) return [];
            var result = new List<object>();
            foreach (var n in f.OfType<ElementNode>())
                foreach (var e in n.Children("extension"))
                    if (e.Child("url")?.Text == url) result.Add(e);
            return result;
        });
        d.Add("hasValue", 0, 0, (_, f, _, _) => [f.Count == 1 && f[0] is ElementNode { IsPrimitive: true, HasValue: true }]);
        d.Add("getValue", 0, 0, (_, f, _, _) =>
            f.Count == 1 && f[0] is ElementNode { IsPrimitive: true, HasValue: true } n && Values.ToSystem(n) is { } v ? [v] : []);
        d.Add("resolve", 0, 0, (ctx, f, _, _) =>
        {
            var result = new List<object>();
            foreach (var item in f)
                if (Resolve(ctx, item) is { } r) result.Add(r);
            return result;
        });
        d.Add("conformsTo", 1, 1, (ctx, f, a, p) =>
        {
            if (ctx.SingleArg(a, 0, p) is not string url) return [];
            if (f.Count == 0) return [];
            if (f.Count > 1) throw new FhirPathException("conformsTo() requires a single item", p);
            if (f[0] is not ElementNode n || n.TypeName is null) return [false];
            if (!url.StartsWith(CoreProfilePrefix, StringComparison.Ordinal) ||
                n.Definitions.GetStructure(url[CoreProfilePrefix.Length..]) is null)
                throw new FhirPathException($"conformsTo(): unknown profile '{url}'", p);
            return [n.Definitions.IsSubtypeOf(n.TypeName, url[CoreProfilePrefix.Length..])];
        });
        d.Add("memberOf", 1, 1, (ctx, f, a, p) =>
        {
            if (ctx.SingleArg(a, 0, p) is not string vs || f.Count == 0) return [];
            if (f.Count > 1) throw new FhirPathException("memberOf() requires a single item", p);
            var check = ctx.Env?.ValueSetMembership;
            if (check is null) return [];
            var any = false;
            foreach (var (system, code) in Codes(f[0]))
            {
                var r = check(vs, system, code);
                if (r is null) return [];
                any |= r.Value;
            }
            return [any];
        });
        d.Add("htmlChecks", 0, 0, (_, f, _, p) =>
        {
            if (f.Count == 0) return [];
            if (f.Count > 1) throw new FhirPathException("htmlChecks() requires a single item", p);
            return [Values.ToSystem(f[0]) is string html && Xhtml.IsSafe(html)];
        });
        d.Add("type", 0, 0, (_, f, _, _) => f.Select(x => (object)Types.TypeInfoOf(x)).ToList());
    }

    private static IEnumerable<(string? System, string Code)> Codes(object item)
    {
        if (item is not ElementNode n) { if (item is string s) yield return (null, s); yield break; }
        switch (n.TypeName)
        {
            case "Coding":
                if (n.Child("code")?.Text is { } c) yield return (n.Child("system")?.Text, c);
                break;
            case "CodeableConcept":
                foreach (var coding in n.Children("coding"))
                    if (coding.Child("code")?.Text is { } cc) yield return (coding.Child("system")?.Text, cc);
                break;
            default:
                if (n.Text is { } t) yield return (null, t);
                break;
        }
    }

    /// <summary>Resolves a Reference (or a reference string): contained, same Bundle, then the external resolver.</summary>
    public static ElementNode? Resolve(Context ctx, object item)
    {
        string? reference;
        ElementNode? anchor = item as ElementNode;
        if (item is ElementNode n && n.TypeName is not null && !n.IsPrimitive) reference = n.Child("reference")?.Text;
        else reference = Values.Format(Values.ToSystem(item));
        if (string.IsNullOrEmpty(reference)) return null;
        anchor ??= ctx.Root;

        if (reference.StartsWith('#'))
        {
            // contained resources live on the outermost resource that is not a Bundle
            var container = anchor.Resource;
            while (container?.Parent?.Resource is { } outer && outer.TypeName != "Bundle") container = outer;
            if (container is null) return null;
            if (reference == "#") return container;
            var id = reference[1..];
            return container.Children("contained").FirstOrDefault(c => c.Child("id")?.Text == id);
        }

        for (var b = anchor.Parent; b is not null; b = b.Parent)
        {
            if (b.TypeName != "Bundle") continue;
            var found = FindInBundle(b, reference, anchor);
            if (found is not null) return found;
            break;
        }
        return ctx.Env?.ExternalResolver?.Invoke(reference);
    }

    private static ElementNode? FindInBundle(ElementNode bundle, string reference, ElementNode anchor)
    {
        var entries = bundle.Children("entry").ToList();
        foreach (var e in entries)
            if (e.Child("fullUrl")?.Text == reference) return e.Child("resource");
        var parts = reference.Split('/');
        if (parts.Length < 2) return null;
        // Type/id, Type/id/_history/v, or an absolute URL ending in Type/id
        var hist = Array.IndexOf(parts, "_history");
        var (type, id) = hist >= 2 ? (parts[hist - 2], parts[hist - 1]) : (parts[^2], parts[^1]);
        var isAbsolute = reference.Contains("://", StringComparison.Ordinal);
        foreach (var e in entries)
        {
            var r = e.Child("resource");
            if (r?.TypeName != type || r.Child("id")?.Text != id) continue;
            var fullUrl = e.Child("fullUrl")?.Text;
            if (isAbsolute && fullUrl is not null && !fullUrl.EndsWith(type + "/" + id, StringComparison.Ordinal)) continue;
            return r;
        }
        return null;
    }
}

/// <summary>A basic XHTML safety check for narratives: known elements only, no scripts, no event attributes.</summary>
internal static class Xhtml
{
    private static readonly HashSet<string> Allowed =
    [
        "div", "p", "br", "span", "b", "i", "em", "strong", "small", "big", "tt", "u", "s", "strike", "sub", "sup",
        "a", "img", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "th", "td",
        "caption", "colgroup", "col", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "code", "blockquote", "hr",
        "cite", "q", "abbr", "acronym", "address", "bdo", "dfn", "kbd", "samp", "var", "del", "ins", "center",
    ];

    public static bool IsSafe(string html)
    {
        XElement root;
        try
        {
            root = XElement.Parse(html, LoadOptions.None);
        }
        catch (XmlException)
        {
            return false;
        }
        foreach (var e in root.DescendantsAndSelf())
        {
            if (!Allowed.Contains(e.Name.LocalName)) return false;
            foreach (var attr in e.Attributes())
            {
                var name = attr.Name.LocalName;
                if (name.StartsWith("on", StringComparison.OrdinalIgnoreCase)) return false;
                if (name is "href" or "src" && attr.Value.TrimStart().StartsWith("javascript:", StringComparison.OrdinalIgnoreCase))
                    return false;
            }
        }
        return true;
    }
}
