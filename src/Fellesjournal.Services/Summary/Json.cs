using System.Text.Json;

namespace Fellesjournal.Services.Summary;

/// <summary>Small readers over resource JSON (a single value where FHIR allows an array is read as one item).</summary>
internal static class Json
{
    /// <summary>The member <paramref name="name"/> of an object; <c>default</c> (Undefined) when absent or not an object.</summary>
    public static JsonElement Get(this JsonElement node, string name) =>
        node.ValueKind == JsonValueKind.Object && node.TryGetProperty(name, out var v) ? v : default;

    public static string? Str(JsonElement node, string name) => node.Get(name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    public static IEnumerable<JsonElement> Array(JsonElement node, string name) => Items(node.Get(name));

    public static IEnumerable<JsonElement> Items(JsonElement node) => node.ValueKind switch
    {
        JsonValueKind.Array => node.EnumerateArray(),
        JsonValueKind.Undefined or JsonValueKind.Null => [],
        _ => [node],
    };

    /// <summary>The codings of a CodeableConcept (or of each CodeableConcept in an array).</summary>
    public static IEnumerable<(string? System, string? Code, string? Display)> Codings(JsonElement concept) =>
        Items(concept).SelectMany(c => Array(c, "coding")).Select(c => (Str(c, "system"), Str(c, "code"), Str(c, "display")));

    /// <summary>The code of the first coding of a CodeableConcept.</summary>
    public static string? Code(JsonElement concept)
    {
        foreach (var c in Items(concept))
            foreach (var coding in Array(c, "coding"))
                if (Str(coding, "code") is { } code) return code;
        return null;
    }

    /// <summary>Human text of a CodeableConcept: its text, else the first display, else the first code.</summary>
    public static string? Text(JsonElement concept)
    {
        foreach (var c in Items(concept))
        {
            if (Str(c, "text") is { } t) return t;
            foreach (var (_, code, display) in Codings(c))
                if ((display ?? code) is { } d) return d;
        }
        return null;
    }

    /// <summary>The date part of a FHIR date/dateTime ("2024-03-01").</summary>
    public static string? Date(string? value) => value is null ? null : value.Length > 10 ? value[..10] : value;

    public static string? Reference(JsonElement node, string name) => Str(node.Get(name), "reference");

    /// <summary>Moves the reader (before or on an object's start) to the value of the object's member
    /// <paramref name="name"/>, without parsing the rest: for a field or two of stored JSON.</summary>
    public static bool Seek(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType == JsonTokenType.None && !reader.Read()) return false;
        if (reader.TokenType != JsonTokenType.StartObject) return false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(name);
            reader.Read();
            if (match) return true;
            reader.Skip();
        }
        return false;
    }

    /// <summary>A top-level string member of stored JSON (e.g. <c>status</c>).</summary>
    public static string? TopString(ReadOnlySpan<byte> json, string name)
    {
        var reader = new Utf8JsonReader(json);
        return Seek(ref reader, name) && reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
    }

    /// <summary><see cref="Code"/> of the top-level CodeableConcept <paramref name="name"/> of stored JSON: the first
    /// code among its codings (an array of concepts is read as its items, as <see cref="Items"/> does).</summary>
    public static string? TopConceptCode(ReadOnlySpan<byte> json, string name)
    {
        var reader = new Utf8JsonReader(json);
        return Seek(ref reader, name) ? FirstOf(ref reader, ConceptCode) : null;
    }

    /// <summary>The code of the top-level Coding <paramref name="name"/> of stored JSON (e.g. <c>Encounter.class</c>).</summary>
    public static string? TopCodingCode(ReadOnlySpan<byte> json, string name)
    {
        var reader = new Utf8JsonReader(json);
        return Seek(ref reader, name) ? FirstOf(ref reader, CodingCode) : null;
    }

    /// <summary><c>{name}.start</c> and <c>{name}.end</c> of a top-level Period of stored JSON.</summary>
    public static (string? Start, string? End) TopPeriod(ReadOnlySpan<byte> json, string name)
    {
        var reader = new Utf8JsonReader(json);
        if (!Seek(ref reader, name) || reader.TokenType != JsonTokenType.StartObject) return (null, null);
        string? start = null, end = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var which = reader.ValueTextEquals("start") ? 1 : reader.ValueTextEquals("end") ? 2 : 0;
            reader.Read();
            if (which == 0 || reader.TokenType != JsonTokenType.String) { reader.Skip(); continue; }
            if (which == 1) start = reader.GetString();
            else end = reader.GetString();
        }
        return (start, end);
    }

    /// <summary>Reads the value the reader is on. Returns null with the reader on the value's last token, or a result
    /// (the callers stop reading then).</summary>
    private delegate string? ValueReader(ref Utf8JsonReader reader);

    private static string? ConceptCode(ref Utf8JsonReader reader) => MemberOf(ref reader, "coding", CodingsCode);
    private static string? CodingsCode(ref Utf8JsonReader reader) => FirstOf(ref reader, CodingCode);
    private static string? CodingCode(ref Utf8JsonReader reader) => MemberOf(ref reader, "code", StringValue);

    private static string? StringValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String) return reader.GetString();
        reader.Skip();
        return null;
    }

    /// <summary>An object, or each object of an array (as <see cref="Items"/>): the first result of <paramref name="read"/>.</summary>
    private static string? FirstOf(ref Utf8JsonReader reader, ValueReader read)
    {
        if (reader.TokenType == JsonTokenType.StartObject) return read(ref reader);
        if (reader.TokenType != JsonTokenType.StartArray) { reader.Skip(); return null; }
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject) { reader.Skip(); continue; }
            if (read(ref reader) is { } found) return found;
        }
        return null;
    }

    /// <summary>The object's member <paramref name="name"/>, read with <paramref name="read"/>.</summary>
    private static string? MemberOf(ref Utf8JsonReader reader, string name, ValueReader read)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(name);
            reader.Read();
            if (!match) reader.Skip();
            else if (read(ref reader) is { } found) return found;
        }
        return null;
    }

    /// <summary><c>{name}.reference</c> of stored JSON.</summary>
    public static string? TopReference(ReadOnlySpan<byte> json, string name)
    {
        var reader = new Utf8JsonReader(json);
        return Seek(ref reader, name) && Seek(ref reader, "reference") && reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
    }
}
