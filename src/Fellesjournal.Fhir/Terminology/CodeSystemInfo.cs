using System.Text.Json;

namespace Fellesjournal.Fhir.Terminology;

/// <summary>A loaded CodeSystem: its concepts with display and the is-a hierarchy (nesting and parent/subsumedBy properties).</summary>
public sealed class CodeSystemInfo
{
    public required string Url { get; init; }
    public string? Version { get; init; }
    /// <summary>complete, example, fragment, not-present or supplement.</summary>
    public required string Content { get; init; }
    /// <summary>True when the concepts listed are all the codes of the system.</summary>
    public bool IsComplete => Content == "complete";
    /// <summary>Codes in definition order with their display.</summary>
    public IReadOnlyDictionary<string, string?> Displays => _display;
    public IEnumerable<string> Codes => _order;

    private readonly Dictionary<string, string?> _display = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private readonly Dictionary<string, List<string>> _children = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _parents = new(StringComparer.Ordinal);

    private readonly HashSet<string> _notSelectable = new(StringComparer.Ordinal);

    public bool Contains(string code) => _display.ContainsKey(code);

    /// <summary>False for grouping concepts marked notSelectable (abstract), which expansions leave out.</summary>
    public bool IsSelectable(string code) => !_notSelectable.Contains(code);

    /// <summary>The code and all its descendants (is-a), or the descendants only.</summary>
    public IEnumerable<string> Descendants(string code, bool includeSelf)
    {
        if (!_display.ContainsKey(code)) yield break;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        stack.Push(code);
        while (stack.Count > 0)
        {
            var c = stack.Pop();
            if (!seen.Add(c)) continue;
            if (includeSelf || c != code) yield return c;
            if (_children.TryGetValue(c, out var kids))
                foreach (var k in kids) stack.Push(k);
        }
    }

    /// <summary>True when some concept has a parent (nesting or parent/subsumedBy): the system has an is-a hierarchy.</summary>
    public bool HasHierarchy => _children.Count > 0;

    /// <summary>The code and all its ancestors (is-a), or the ancestors only.</summary>
    public IEnumerable<string> Ancestors(string code, bool includeSelf)
    {
        if (!_display.ContainsKey(code)) yield break;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        stack.Push(code);
        while (stack.Count > 0)
        {
            var c = stack.Pop();
            if (!seen.Add(c)) continue;
            if (includeSelf || c != code) yield return c;
            if (_parents.TryGetValue(c, out var ups))
                foreach (var u in ups) stack.Push(u);
        }
    }

    public static CodeSystemInfo FromJson(JsonElement cs)
    {
        var info = new CodeSystemInfo
        {
            Url = cs.GetProperty("url").GetString()!,
            Version = cs.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null,
            Content = cs.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "complete",
        };
        if (cs.TryGetProperty("concept", out var concepts)) info.AddConcepts(concepts, null);
        return info;
    }

    private void AddConcepts(JsonElement concepts, string? parent)
    {
        if (concepts.ValueKind != JsonValueKind.Array) return;
        foreach (var c in concepts.EnumerateArray())
        {
            if (!c.TryGetProperty("code", out var codeEl) || codeEl.ValueKind != JsonValueKind.String) continue;
            var code = codeEl.GetString()!;
            if (_display.TryAdd(code, c.TryGetProperty("display", out var d) ? d.GetString() : null)) _order.Add(code);
            if (parent is not null) AddChild(parent, code);
            if (c.TryGetProperty("property", out var props) && props.ValueKind == JsonValueKind.Array)
            {
                foreach (var p in props.EnumerateArray())
                {
                    if (p.TryGetProperty("code", out var nc) && nc.GetString() == "notSelectable" &&
                        p.TryGetProperty("valueBoolean", out var nb) && nb.ValueKind == JsonValueKind.True)
                        _notSelectable.Add(code);
                    // Flat hierarchies state the parent as a property instead of nesting.
                    if (p.TryGetProperty("code", out var pc) && pc.GetString() is "parent" or "subsumedBy" &&
                        p.TryGetProperty("valueCode", out var vc) && vc.GetString() is { } parentCode)
                        AddChild(parentCode, code);
                }
            }
            if (c.TryGetProperty("concept", out var nested)) AddConcepts(nested, code);
        }
    }

    private void AddChild(string parent, string child)
    {
        if (!_children.TryGetValue(parent, out var list)) _children[parent] = list = [];
        list.Add(child);
        if (!_parents.TryGetValue(child, out var ups)) _parents[child] = ups = [];
        ups.Add(parent);
    }
}
