using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fellesjournal.Server.Patch;

/// <summary>RFC 6902 JSON Patch (add, remove, replace, move, copy, test) over System.Text.Json.Nodes, with RFC 6901 pointers.</summary>
public static class JsonPatch
{
    /// <summary>Applies the operations in order to <paramref name="doc"/> (mutated); returns the new root.</summary>
    public static JsonNode Apply(JsonNode doc, JsonArray operations)
    {
        var root = doc;
        for (var i = 0; i < operations.Count; i++)
        {
            if (operations[i] is not JsonObject op) throw new JsonPatchException($"Operation {i} is not an object.", i);
            var name = Str(op, "op", i);
            var path = Str(op, "path", i);
            switch (name)
            {
                case "add": root = Add(root, path, Value(op, i), i); break;
                case "remove": root = Remove(root, path, i, out _); break;
                case "replace": root = Replace(root, path, Value(op, i), i); break;
                case "move":
                {
                    var from = Str(op, "from", i);
                    if (path.StartsWith(from + "/", StringComparison.Ordinal))
                        throw new JsonPatchException($"Operation {i}: cannot move '{from}' into its own child '{path}'.", i);
                    root = Remove(root, from, i, out var moved);
                    root = Add(root, path, moved, i);
                    break;
                }
                case "copy":
                {
                    var from = Str(op, "from", i);
                    var value = Resolve(root, from, i) ?? throw new JsonPatchException($"Operation {i}: 'from' {from} does not exist.", i);
                    root = Add(root, path, value.DeepClone(), i);
                    break;
                }
                case "test":
                {
                    var actual = Resolve(root, path, i);
                    if (!JsonNode.DeepEquals(actual, Value(op, i)))
                        throw new JsonPatchException($"Operation {i}: test failed at '{path}'.", i, testFailed: true);
                    break;
                }
                default: throw new JsonPatchException($"Operation {i}: unknown op '{name}'.", i);
            }
        }
        return root;
    }

    private static string Str(JsonObject op, string key, int i) =>
        op[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new JsonPatchException($"Operation {i} lacks a string '{key}'.", i);

    private static JsonNode? Value(JsonObject op, int i) =>
        op.TryGetPropertyValue("value", out var v) ? v?.DeepClone() : throw new JsonPatchException($"Operation {i} lacks 'value'.", i);

    private static List<string> Tokens(string pointer, int i)
    {
        if (pointer.Length == 0) return [];
        if (pointer[0] != '/') throw new JsonPatchException($"Operation {i}: '{pointer}' is not a JSON pointer.", i);
        return pointer[1..].Split('/').Select(t => t.Replace("~1", "/").Replace("~0", "~")).ToList();
    }

    private static JsonNode? Resolve(JsonNode? root, string pointer, int i) => Resolve(root, Tokens(pointer, i), pointer, i);

    private static JsonNode? Resolve(JsonNode? root, List<string> tokens, string pointer, int i)
    {
        var node = root;
        foreach (var t in tokens)
        {
            node = node switch
            {
                JsonObject o => o.TryGetPropertyValue(t, out var c) ? c : throw Missing(pointer, i),
                JsonArray a => a[Index(a, t, pointer, i, allowEnd: false)],
                _ => throw Missing(pointer, i),
            };
        }
        return node;
    }

    private static JsonNode Add(JsonNode root, string pointer, JsonNode? value, int i)
    {
        var tokens = Tokens(pointer, i);
        if (tokens.Count == 0) return value ?? throw new JsonPatchException($"Operation {i}: the document cannot be null.", i);
        var parent = Resolve(root, tokens[..^1], pointer, i);
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o: o[last] = value; break;
            case JsonArray a:
                var idx = Index(a, last, pointer, i, allowEnd: true);
                a.Insert(idx, value);
                break;
            default: throw Missing(pointer, i);
        }
        return root;
    }

    /// <summary>Replaces in place, keeping the member's position (remove+add would move it to the end).</summary>
    private static JsonNode Replace(JsonNode root, string pointer, JsonNode? value, int i)
    {
        var tokens = Tokens(pointer, i);
        if (tokens.Count == 0) return value ?? throw new JsonPatchException($"Operation {i}: the document cannot be null.", i);
        var parent = Resolve(root, tokens[..^1], pointer, i);
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last): o[last] = value; break;
            case JsonArray a: a[Index(a, last, pointer, i, allowEnd: false)] = value; break;
            default: throw Missing(pointer, i);
        }
        return root;
    }

    private static JsonNode Remove(JsonNode root, string pointer, int i, out JsonNode? removed)
    {
        var tokens = Tokens(pointer, i);
        if (tokens.Count == 0) throw new JsonPatchException($"Operation {i}: cannot remove the whole document.", i);
        var parent = Resolve(root, tokens[..^1], pointer, i);
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o:
                if (!o.TryGetPropertyValue(last, out removed)) throw Missing(pointer, i);
                o.Remove(last);
                break;
            case JsonArray a:
                var idx = Index(a, last, pointer, i, allowEnd: false);
                removed = a[idx];
                a.RemoveAt(idx);
                break;
            default: throw Missing(pointer, i);
        }
        return root;
    }

    private static int Index(JsonArray a, string token, string pointer, int i, bool allowEnd)
    {
        if (allowEnd && token == "-") return a.Count;
        if (token.Length == 0 || token.Length > 1 && token[0] == '0' ||
            !int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var idx))
            throw new JsonPatchException($"Operation {i}: '{token}' in '{pointer}' is not an array index.", i);
        if (idx > a.Count || !allowEnd && idx == a.Count) throw Missing(pointer, i);
        return idx;
    }

    private static JsonPatchException Missing(string pointer, int i) => new($"Operation {i}: path '{pointer}' does not exist.", i);

    public static JsonArray ParseOperations(ReadOnlyMemory<byte> body)
    {
        try
        {
            return JsonNode.Parse(body.Span) as JsonArray ?? throw new JsonPatchException("A JSON Patch document must be an array.", -1);
        }
        catch (JsonException e)
        {
            throw new JsonPatchException("The JSON Patch is not valid JSON: " + e.Message, -1);
        }
    }
}

public sealed class JsonPatchException(string message, int operation, bool testFailed = false) : Exception(message)
{
    public int Operation { get; } = operation;
    public bool TestFailed { get; } = testFailed;
}
