using System.Text.Json;

namespace Fellesjournal.Fhir.Definitions;

/// <summary>Reads the official bundles of the HL7 package into the compact form.</summary>
internal static class DefinitionsReader
{
    private const string RegexExtension = "http://hl7.org/fhir/StructureDefinition/regex";

    public static DefinitionsCache Read(string packageDir)
    {
        var cache = new DefinitionsCache();
        foreach (var bundle in new[] { "Bundle-types.json", "Bundle-resources.json" })
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(packageDir, bundle)));
            foreach (var entry in doc.RootElement.GetProperty("entry").EnumerateArray())
            {
                var r = entry.GetProperty("resource");
                var rt = r.GetProperty("resourceType").GetString();
                if (rt == "StructureDefinition")
                {
                    var s = ReadStructure(r);
                    if (s is not null) cache.Structures.Add(s);
                }
                else if (rt == "CompartmentDefinition" && Str(r, "code") == "Patient")
                {
                    ReadCompartment(r, cache.PatientCompartment);
                }
            }
        }
        using (var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(packageDir, "Bundle-searchParams.json"))))
        {
            foreach (var entry in doc.RootElement.GetProperty("entry").EnumerateArray())
                cache.SearchParameters.Add(ReadSearchParameter(entry.GetProperty("resource")));
        }
        return cache;
    }

    private static DefinitionsCache.StructureDto? ReadStructure(JsonElement sd)
    {
        // Profiles (derivation = constraint, e.g. SimpleQuantity) are not types of their own.
        if (Str(sd, "derivation") == "constraint") return null;
        var kind = Str(sd, "kind")!;
        if (kind == "logical") return null;
        var dto = new DefinitionsCache.StructureDto
        {
            Name = Str(sd, "type") ?? Str(sd, "id")!,
            Url = Str(sd, "url")!,
            Kind = kind,
            Abstract = sd.TryGetProperty("abstract", out var a) && a.ValueKind == JsonValueKind.True,
            Base = Str(sd, "baseDefinition")?.Split('/')[^1],
        };
        foreach (var el in sd.GetProperty("snapshot").GetProperty("element").EnumerateArray())
        {
            var e = new DefinitionsCache.ElementDto
            {
                Path = Str(el, "path")!,
                Min = el.TryGetProperty("min", out var mn) ? mn.GetInt32() : 0,
                Max = Str(el, "max") ?? "*",
                ContentReference = Str(el, "contentReference"),
                Summary = el.TryGetProperty("isSummary", out var su) && su.ValueKind == JsonValueKind.True,
                Modifier = el.TryGetProperty("isModifier", out var mo) && mo.ValueKind == JsonValueKind.True,
            };
            if (el.TryGetProperty("representation", out var rep))
            {
                foreach (var x in rep.EnumerateArray())
                {
                    if (x.GetString() == "xmlAttr") e.XmlAttr = true;
                    if (x.GetString() == "xhtml") e.Xhtml = true;
                }
            }
            if (el.TryGetProperty("type", out var types))
            {
                e.Types = [];
                foreach (var t in types.EnumerateArray())
                {
                    var code = Str(t, "code")!;
                    e.Types.Add(new DefinitionsCache.TypeDto
                    {
                        Code = code,
                        TargetProfiles = StrList(t, "targetProfile"),
                        Profiles = StrList(t, "profile"),
                    });
                    if (t.TryGetProperty("extension", out var exts))
                    {
                        foreach (var ext in exts.EnumerateArray())
                            if (Str(ext, "url") == RegexExtension) dto.Regex ??= Str(ext, "valueString");
                    }
                }
            }
            if (el.TryGetProperty("binding", out var b))
            {
                e.BindingStrength = Str(b, "strength");
                e.BindingValueSet = Str(b, "valueSet");
            }
            if (el.TryGetProperty("constraint", out var cs))
            {
                e.Constraints = [];
                foreach (var c in cs.EnumerateArray())
                {
                    e.Constraints.Add(new ConstraintInfo(Str(c, "key")!, Str(c, "severity") ?? "error",
                        Str(c, "human") ?? "", Str(c, "expression"), Str(c, "source")));
                }
            }
            foreach (var p in el.EnumerateObject())
            {
                if (p.Name.StartsWith("fixed", StringComparison.Ordinal) || p.Name.StartsWith("pattern", StringComparison.Ordinal))
                    e.Fixed = p.Value.GetRawText();
            }
            dto.Elements.Add(e);
        }
        return dto;
    }

    private static DefinitionsCache.SearchParamDto ReadSearchParameter(JsonElement sp)
    {
        var dto = new DefinitionsCache.SearchParamDto
        {
            Url = Str(sp, "url")!,
            Code = Str(sp, "code")!,
            Type = Str(sp, "type")!,
            Expression = Str(sp, "expression"),
            Base = StrList(sp, "base") ?? [],
            Target = StrList(sp, "target"),
            Modifier = StrList(sp, "modifier"),
            Comparator = StrList(sp, "comparator"),
            Description = Str(sp, "description"),
        };
        if (sp.TryGetProperty("component", out var comps))
        {
            dto.Components = [];
            foreach (var c in comps.EnumerateArray())
                dto.Components.Add(new SearchComponentInfo(Str(c, "definition")!, Str(c, "expression")!));
        }
        return dto;
    }

    private static void ReadCompartment(JsonElement cd, Dictionary<string, List<string>> into)
    {
        foreach (var r in cd.GetProperty("resource").EnumerateArray())
        {
            var ps = StrList(r, "param");
            if (ps is { Count: > 0 }) into[Str(r, "code")!] = ps;
        }
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static List<string>? StrList(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Array) return null;
        var list = new List<string>(v.GetArrayLength());
        foreach (var x in v.EnumerateArray())
            if (x.ValueKind == JsonValueKind.String) list.Add(x.GetString()!);
        return list;
    }
}
