using System.Text.Json;
using System.Text.RegularExpressions;

namespace Fellesjournal.Fhir.Terminology;

/// <summary>
/// Computes a value set's content: from compose (include by system, by concept list, simple filters,
/// other value sets; excludes) over the loaded code systems, else from the published expansion when it is complete.
/// </summary>
internal static class ValueSetBuilder
{
    public static ValueSetContent? Build(TerminologyService ts, string url, HashSet<string> visiting)
    {
        using var doc = ts.LoadValueSetJson(url);
        if (doc is null) return null;
        var vs = doc.RootElement;
        var version = vs.TryGetProperty("version", out var v) ? v.GetString() : null;
        visiting.Add(url);
        try
        {
            if (vs.TryGetProperty("compose", out var compose) && FromCompose(ts, compose, visiting) is { } concepts)
                return Content(url, version, concepts);
            if (vs.TryGetProperty("expansion", out var exp) && FromExpansion(exp) is { } own)
                return Content(url, version, own);
            using var expDoc = ts.LoadExpansionJson(url);
            if (expDoc is not null && expDoc.RootElement.TryGetProperty("expansion", out var pub) && FromExpansion(pub) is { } published)
                return Content(url, version, published);
            return null;
        }
        finally
        {
            visiting.Remove(url);
        }
    }

    private static ValueSetContent Content(string url, string? version, IEnumerable<ExpansionConcept> concepts)
    {
        var c = new ValueSetContent { Url = url, Version = version };
        foreach (var x in concepts) c.Add(x);
        return c;
    }

    private static List<ExpansionConcept>? FromCompose(TerminologyService ts, JsonElement compose, HashSet<string> visiting)
    {
        var result = new List<ExpansionConcept>();
        if (compose.TryGetProperty("include", out var includes))
        {
            foreach (var inc in includes.EnumerateArray())
            {
                var part = Include(ts, inc, visiting);
                if (part is null) return null;
                result.AddRange(part);
            }
        }
        if (compose.TryGetProperty("exclude", out var excludes))
        {
            var removed = new HashSet<(string, string)>();
            foreach (var exc in excludes.EnumerateArray())
            {
                var part = Include(ts, exc, visiting);
                if (part is null) return null;
                foreach (var x in part) removed.Add((x.System, x.Code));
            }
            result.RemoveAll(x => removed.Contains((x.System, x.Code)));
        }
        return result;
    }

    /// <summary>The concepts one include (or exclude) selects; null when that cannot be computed here.</summary>
    private static List<ExpansionConcept>? Include(TerminologyService ts, JsonElement inc, HashSet<string> visiting)
    {
        List<ExpansionConcept>? selected = null;
        var system = inc.TryGetProperty("system", out var s) ? s.GetString() : null;
        if (system is not null)
        {
            if (inc.TryGetProperty("concept", out var list))
            {
                var cs = ts.GetCodeSystem(system);
                selected = [];
                foreach (var c in list.EnumerateArray())
                {
                    var code = c.GetProperty("code").GetString()!;
                    var display = c.TryGetProperty("display", out var d) ? d.GetString() : cs?.Displays.GetValueOrDefault(code);
                    selected.Add(new ExpansionConcept(system, code, display));
                }
            }
            else
            {
                var cs = ts.GetCodeSystem(system);
                if (cs is null || !cs.IsComplete) return null;
                IEnumerable<string> codes = cs.Codes;
                if (inc.TryGetProperty("filter", out var filters))
                {
                    foreach (var f in filters.EnumerateArray())
                    {
                        if (Filter(cs, codes, f) is not { } filtered) return null;
                        codes = filtered;
                    }
                }
                selected = codes.Where(cs.IsSelectable).Select(c => new ExpansionConcept(system, c, cs.Displays.GetValueOrDefault(c))).ToList();
            }
        }
        if (inc.TryGetProperty("valueSet", out var refs))
        {
            foreach (var r in refs.EnumerateArray())
            {
                var other = ts.GetValueSet(r.GetString()!, visiting);
                if (other is null) return null;
                // Several value sets (and a system) in one include: their intersection.
                selected = selected is null
                    ? other.Concepts.ToList()
                    : selected.Where(x => other.Contains(x.System, x.Code)).ToList();
            }
        }
        return selected ?? [];
    }

    private static IEnumerable<string>? Filter(CodeSystemInfo cs, IEnumerable<string> codes, JsonElement f)
    {
        var prop = f.TryGetProperty("property", out var p) ? p.GetString() : null;
        var op = f.TryGetProperty("op", out var o) ? o.GetString() : null;
        var value = f.TryGetProperty("value", out var v) ? v.GetString() : null;
        if (value is null || prop is not ("concept" or "code")) return null;
        switch (op)
        {
            case "is-a":
                return Intersect(codes, cs.Descendants(value, includeSelf: true));
            case "descendent-of":
                return Intersect(codes, cs.Descendants(value, includeSelf: false));
            case "is-not-a":
                var not = cs.Descendants(value, includeSelf: true).ToHashSet(StringComparer.Ordinal);
                return codes.Where(c => !not.Contains(c)).ToList();
            case "=":
                return codes.Where(c => c == value).ToList();
            case "in":
                return Intersect(codes, value.Split(',', StringSplitOptions.TrimEntries));
            case "regex":
                var re = new Regex("^(?:" + value + ")$", RegexOptions.None, TimeSpan.FromMilliseconds(200));
                return codes.Where(c => re.IsMatch(c)).ToList();
            default:
                return null;
        }
    }

    private static List<string> Intersect(IEnumerable<string> codes, IEnumerable<string> keep)
    {
        var set = keep.ToHashSet(StringComparer.Ordinal);
        return codes.Where(set.Contains).ToList();
    }

    private static List<ExpansionConcept>? FromExpansion(JsonElement exp)
    {
        // The publisher marks truncated expansions (e.g. 1,000 SNOMED CT codes) with limitedExpansion.
        if (exp.TryGetProperty("parameter", out var ps) &&
            ps.EnumerateArray().Any(p => p.TryGetProperty("name", out var n) && n.GetString() == "limitedExpansion"))
            return null;
        if (!exp.TryGetProperty("contains", out var contains)) return null;
        var list = new List<ExpansionConcept>();
        Collect(contains, list);
        // A partial expansion (paged or limited) cannot answer "not a member".
        if (exp.TryGetProperty("total", out var total) && total.TryGetInt32(out var t) && t > list.Count) return null;
        if (exp.TryGetProperty("offset", out var off) && off.TryGetInt32(out var o) && o > 0) return null;
        return list;
    }

    private static void Collect(JsonElement contains, List<ExpansionConcept> list)
    {
        foreach (var c in contains.EnumerateArray())
        {
            var isAbstract = c.TryGetProperty("abstract", out var a) && a.ValueKind == JsonValueKind.True;
            if (!isAbstract && c.TryGetProperty("system", out var s) && c.TryGetProperty("code", out var code))
                list.Add(new ExpansionConcept(s.GetString()!, code.GetString()!,
                    c.TryGetProperty("display", out var d) ? d.GetString() : null,
                    c.TryGetProperty("version", out var v) ? v.GetString() : null));
            if (c.TryGetProperty("contains", out var nested)) Collect(nested, list);
        }
    }
}
