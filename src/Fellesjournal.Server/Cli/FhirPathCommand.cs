using System.Text;
using System.Text.Json;
using Fellesjournal.Fhir.FhirPath;
using Fellesjournal.Fhir.FhirPath.Conformance;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Server.Cli;

/// <summary>fhirpath '&lt;expression&gt;' &lt;resource.json|xml&gt;: evaluates and prints the result collection as JSON.</summary>
public static class FhirPathCommand
{
    public static Task<int> RunAsync(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("Usage: fhirpath '<expression>' <resource.json|xml>");
            return Task.FromResult(2);
        }
        var (expression, file) = (args[0], ResolvePath(args[1]));
        if (!File.Exists(file))
        {
            Console.Error.WriteLine($"File not found: {file}");
            return Task.FromResult(2);
        }
        ElementNode resource;
        try
        {
            resource = ResourceFile.Load(file);
        }
        catch (Exception e) when (e is JsonException or System.Xml.XmlException or FormatException or InvalidDataException)
        {
            Console.Error.WriteLine($"Cannot read {file}: {e.Message}");
            return Task.FromResult(2);
        }
        try
        {
            var result = FhirPathEngine.Compile(expression).Evaluate(resource, new EvaluationEnvironment
            {
                Trace = (name, items) => Console.Error.WriteLine($"trace {name}: {items.Count} item(s)"),
            });
            Console.WriteLine(ToJson(result));
            return Task.FromResult(0);
        }
        catch (FhirPathException e)
        {
            Console.Error.WriteLine(e.Position >= 0 ? $"Error at position {e.Position}: {e.Message}" : $"Error: {e.Message}");
            return Task.FromResult(1);
        }
    }

    /// <summary>
    /// A relative path as the user meant it: `dotnet run --project` starts the program in the project directory,
    /// so a path relative to the caller's shell directory (PWD) is tried too.
    /// </summary>
    internal static string ResolvePath(string path)
    {
        if (File.Exists(path) || Path.IsPathRooted(path)) return path;
        var shellDir = Environment.GetEnvironmentVariable("PWD");
        if (string.IsNullOrEmpty(shellDir)) return path;
        var candidate = Path.Combine(shellDir, path);
        return File.Exists(candidate) ? candidate : path;
    }

    /// <summary>[{"type":"string","value":"Peter"}, ...]: nodes as their FHIR type and JSON value.</summary>
    public static string ToJson(IReadOnlyList<object> items)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = false }))
        {
            w.WriteStartArray();
            foreach (var item in items)
            {
                w.WriteStartObject();
                switch (item)
                {
                    case ElementNode n:
                        w.WriteString("type", n.TypeName ?? "Element");
                        if (n.Json is { } j) { w.WritePropertyName("value"); j.WriteTo(w); }
                        else w.WriteNull("value");
                        break;
                    case bool b: w.WriteString("type", "boolean"); w.WriteBoolean("value", b); break;
                    case int i: w.WriteString("type", "integer"); w.WriteNumber("value", i); break;
                    case long l: w.WriteString("type", "integer"); w.WriteNumber("value", l); break;
                    case decimal d: w.WriteString("type", "decimal"); w.WriteNumber("value", d); break;
                    case PartialDateTime dt: w.WriteString("type", dt.HasTime ? "dateTime" : "date"); w.WriteString("value", dt.ToString()); break;
                    case PartialTime t: w.WriteString("type", "time"); w.WriteString("value", t.ToString()); break;
                    case Quantity q:
                        w.WriteString("type", "Quantity");
                        w.WriteStartObject("value");
                        w.WriteNumber("value", q.Value);
                        w.WriteString("unit", q.Unit);
                        w.WriteEndObject();
                        break;
                    default: w.WriteString("type", "string"); w.WriteString("value", item.ToString()); break;
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }
}
