using System.Globalization;
using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.FhirPath;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Server.Http;

namespace Fellesjournal.Server.Patch;

/// <summary>
/// FHIRPath Patch (http://hl7.org/fhir/R4/fhirpatch.html): a Parameters resource whose "operation"
/// parameters add, insert, delete, replace or move elements selected by FHIRPath. Paths are evaluated
/// on a typed view of the current JSON; the selected nodes are then located in the mutable JSON tree.
/// </summary>
public static class FhirPathPatch
{
    public static JsonObject Apply(FhirDefinitions defs, JsonObject resource, JsonObject parameters)
    {
        var ops = (parameters["parameter"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        for (var i = 0; i < ops.Count; i++)
        {
            var loc = $"Parameters.parameter[{i}]";
            if (ResourceJson.GetString(ops[i], "name") != "operation")
                throw Fail($"Only 'operation' parameters are allowed, found '{ResourceJson.GetString(ops[i], "name")}'.", loc);
            var parts = (ops[i]["part"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            string? Part(string name) => parts.Where(p => ResourceJson.GetString(p, "name") == name)
                .Select(p => p.FirstOrDefault(kv => kv.Key.StartsWith("value", StringComparison.Ordinal)).Value?.ToString()).FirstOrDefault();
            var type = Part("type") ?? throw Fail("The operation has no type.", loc);
            var path = Part("path") ?? throw Fail("The operation has no path.", loc);
            try
            {
                resource = type switch
                {
                    "add" => Add(defs, resource, path, Part("name") ?? throw Fail("add needs a name.", loc), ValuePart(parts, loc)),
                    "insert" => Insert(defs, resource, path, IntPart(Part("index"), "index", loc), ValuePart(parts, loc).Value),
                    "delete" => Delete(defs, resource, path),
                    "replace" => Replace(defs, resource, path, ValuePart(parts, loc).Value),
                    "move" => Move(defs, resource, path, IntPart(Part("source"), "source", loc), IntPart(Part("destination"), "destination", loc)),
                    _ => throw Fail($"Unknown operation type '{type}'.", loc),
                };
            }
            catch (FhirPathException e)
            {
                throw Fail($"FHIRPath error in '{path}': {e.Message}", loc);
            }
            catch (FhirException fe) when (fe.Outcome.Issues.All(x => x.Location is null))
            {
                throw Fail(fe.Outcome.Issues[0].Diagnostics, loc);
            }
        }
        return resource;
    }

    private static FhirException Fail(string message, string? location = null) => new(422, "processing", message, location);

    private static int IntPart(string? value, string name, string loc) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : throw Fail($"The operation needs an integer '{name}'.", loc);

    /// <summary>The value: a value[x] (with its type suffix) or, for complex values, nested parts.</summary>
    private static (JsonNode Value, string? TypeSuffix) ValuePart(List<JsonObject> parts, string loc)
    {
        var v = parts.FirstOrDefault(p => ResourceJson.GetString(p, "name") == "value") ?? throw Fail("The operation needs a value.", loc);
        var choice = v.FirstOrDefault(kv => kv.Key.StartsWith("value", StringComparison.Ordinal) && kv.Key.Length > 5);
        if (choice.Value is not null) return (choice.Value.DeepClone(), choice.Key[5..]);
        if (v["part"] is JsonArray sub)
        {
            var obj = new JsonObject();
            foreach (var p in sub.OfType<JsonObject>())
            {
                var name = ResourceJson.GetString(p, "name") ?? throw Fail("A value part has no name.", loc);
                var (val, _) = ValuePart([new JsonObject(p.Where(kv => kv.Key != "name").Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone())).Append(KeyValuePair.Create("name", (JsonNode?)"value")))], loc);
                obj[name] = val;
            }
            return (obj, null);
        }
        throw Fail("The value part has no value[x] and no parts.", loc);
    }

    private static List<ElementNode> Select(FhirDefinitions defs, JsonObject resource, string path)
    {
        var root = ElementNode.Parse(ResourceJson.ToBytes(resource), defs);
        return FhirPathEngine.Evaluate(root, path).OfType<ElementNode>().ToList();
    }

    /// <summary>The JSON node for a typed node: walk from the root using JSON names and array indexes.</summary>
    private static (JsonObject Parent, string Name, int Index) Locate(JsonObject resource, ElementNode node)
    {
        var chain = new List<ElementNode>();
        for (var n = node; n.Parent is not null; n = n.Parent) chain.Add(n);
        chain.Reverse();
        JsonNode current = resource;
        for (var k = 0; k < chain.Count - 1; k++)
        {
            var step = chain[k];
            var child = (current as JsonObject)?[step.JsonName] ?? throw Fail($"Cannot locate '{node.Location}'.");
            current = step.Index >= 0 ? child.AsArray()[step.Index]! : child;
        }
        var last = chain[^1];
        return (current as JsonObject ?? throw Fail($"Cannot locate '{node.Location}'."), last.JsonName, last.Index);
    }

    private static ElementNode Single(List<ElementNode> nodes, string path) => nodes.Count == 1 ? nodes[0]
        : throw Fail($"The path '{path}' must select exactly one element; it selects {nodes.Count}.");

    private static JsonObject Add(FhirDefinitions defs, JsonObject resource, string path, string name, (JsonNode Value, string? TypeSuffix) value)
    {
        var target = Single(Select(defs, resource, path), path);
        var res = defs.ResolveChild(target.Definition, target.TypeName, name)
                  ?? (value.TypeSuffix is { } t ? defs.ResolveChild(target.Definition, target.TypeName, name + char.ToUpperInvariant(t[0]) + t[1..]) : null)
                  ?? throw Fail($"'{name}' is not an element of {target.TypeName ?? target.Name}.");
        var jsonName = res.Definition.IsChoice ? res.Definition.Name + char.ToUpperInvariant(res.TypeName[0]) + res.TypeName[1..] : name;
        JsonObject obj;
        if (target.Parent is null) obj = resource;
        else
        {
            var (parent, pname, idx) = Locate(resource, target);
            obj = (idx >= 0 ? parent[pname]!.AsArray()[idx] : parent[pname]) as JsonObject ?? throw Fail($"'{path}' is not a complex element.");
        }
        if (res.Definition.IsCollection)
        {
            if (obj[jsonName] is not JsonArray arr) obj[jsonName] = arr = [];
            arr.Add(value.Value);
        }
        else
        {
            if (obj.ContainsKey(jsonName)) throw Fail($"'{path}.{name}' already has a value; use replace.");
            obj[jsonName] = value.Value;
        }
        return resource;
    }

    private static JsonObject Insert(FhirDefinitions defs, JsonObject resource, string path, int index, JsonNode value)
    {
        var nodes = Select(defs, resource, path);
        if (nodes.Count == 0 || nodes[0].Index < 0) throw Fail($"'{path}' does not select an existing list (insert into an empty list with add).");
        if (index > nodes.Count) throw Fail($"Index {index} is beyond the list of {nodes.Count}.");
        var (parent, name, _) = Locate(resource, nodes[0]);
        parent[name]!.AsArray().Insert(index, value);
        return resource;
    }

    private static JsonObject Delete(FhirDefinitions defs, JsonObject resource, string path)
    {
        var nodes = Select(defs, resource, path);
        if (nodes.Count == 0) return resource; // deleting nothing is not an error
        var node = Single(nodes, path);
        if (node.Parent is null) throw Fail("Cannot delete the resource itself.");
        var (parent, name, idx) = Locate(resource, node);
        if (idx >= 0)
        {
            var arr = parent[name]!.AsArray();
            arr.RemoveAt(idx);
            if (arr.Count == 0) parent.Remove(name);
        }
        else parent.Remove(name);
        if (!name.StartsWith('_')) parent.Remove("_" + name);
        return resource;
    }

    private static JsonObject Replace(FhirDefinitions defs, JsonObject resource, string path, JsonNode value)
    {
        var node = Single(Select(defs, resource, path), path);
        if (node.Parent is null) throw Fail("Cannot replace the resource itself.");
        var (parent, name, idx) = Locate(resource, node);
        if (idx >= 0) parent[name]!.AsArray()[idx] = value;
        else parent[name] = value;
        return resource;
    }

    private static JsonObject Move(FhirDefinitions defs, JsonObject resource, string path, int source, int destination)
    {
        var nodes = Select(defs, resource, path);
        if (nodes.Count == 0 || nodes[0].Index < 0) throw Fail($"'{path}' does not select a list.");
        if (source >= nodes.Count || destination >= nodes.Count) throw Fail($"move indexes must be below {nodes.Count}.");
        var (parent, name, _) = Locate(resource, nodes[0]);
        var arr = parent[name]!.AsArray();
        var item = arr[source];
        arr.RemoveAt(source);
        arr.Insert(destination, item);
        return resource;
    }
}
