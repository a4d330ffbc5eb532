using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fellesjournal.Services.Summary;

/// <summary>
/// Canonical JSON for signing (after RFC 8785, JCS): no whitespace, object members sorted by UTF-16 code units,
/// strings with the minimal escapes. Numbers keep their JSON text (FHIR decimals carry their precision), so the
/// form is stable for the documents this server writes. Written as UTF-8 straight from the parsed text into a
/// buffer: names and strings without escapes are copied as they are, not decoded and encoded again.
/// </summary>
public static class JsonCanonicalizer
{
    private static readonly Comparer<JsonProperty> ByName = Comparer<JsonProperty>.Create((a, b) => string.CompareOrdinal(a.Name, b.Name));
    private static readonly Comparer<JsonProperty> ByRawName = Comparer<JsonProperty>.Create((a, b) =>
        JsonMarshal.GetRawUtf8PropertyName(a).SequenceCompareTo(JsonMarshal.GetRawUtf8PropertyName(b)));

    public static byte[] Canonicalize(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        Write(buffer, element);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A built tree: its canonical form is that of its JSON text.</summary>
    public static byte[] Canonicalize(JsonNode? node)
    {
        using var document = JsonDocument.Parse(node?.ToJsonString() ?? "null");
        return Canonicalize(document.RootElement);
    }

    /// <summary>Writes <paramref name="element"/>; at its top level, the members that <paramref name="skipTopLevel"/>
    /// names are left out (the signature covers the Bundle without <c>id</c>, <c>meta</c> and <c>signature</c>).</summary>
    public static void Write(IBufferWriter<byte> output, JsonElement element, Func<string, bool>? skipTopLevel = null)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(output, element, skipTopLevel);
                break;
            case JsonValueKind.Array:
                Byte(output, (byte)'[');
                var first = true;
                foreach (var item in element.EnumerateArray())
                {
                    if (!first) Byte(output, (byte)',');
                    first = false;
                    Write(output, item);
                }
                Byte(output, (byte)']');
                break;
            case JsonValueKind.String:
                var raw = JsonMarshal.GetRawUtf8Value(element);
                if (raw.IndexOf((byte)'\\') < 0) output.Write(raw);
                else WriteString(output, element.GetString()!);
                break;
            case JsonValueKind.Number:
                output.Write(JsonMarshal.GetRawUtf8Value(element));
                break;
            case JsonValueKind.True: Ascii(output, "true"); break;
            case JsonValueKind.False: Ascii(output, "false"); break;
            default: Ascii(output, "null"); break;
        }
    }

    private static void WriteObject(IBufferWriter<byte> output, JsonElement element, Func<string, bool>? skip)
    {
        var members = ArrayPool<JsonProperty>.Shared.Rent(16);
        try
        {
            // Plain names (ASCII, no escapes: every FHIR element name) sort as their UTF-8 bytes, the same order as
            // UTF-16 code units, and are written as they are; an object with any other name is sorted decoded.
            var n = 0;
            var plain = true;
            foreach (var p in element.EnumerateObject())
            {
                if (skip is not null && skip(p.Name)) continue;
                if (n == members.Length)
                {
                    var larger = ArrayPool<JsonProperty>.Shared.Rent(n * 2);
                    members.AsSpan(0, n).CopyTo(larger);
                    ArrayPool<JsonProperty>.Shared.Return(members, clearArray: true);
                    members = larger;
                }
                plain &= PlainName(JsonMarshal.GetRawUtf8PropertyName(p));
                members[n++] = p;
            }
            if (n > 1) Array.Sort(members, 0, n, plain ? ByRawName : ByName);
            Byte(output, (byte)'{');
            for (var i = 0; i < n; i++)
            {
                if (i > 0) Byte(output, (byte)',');
                var name = JsonMarshal.GetRawUtf8PropertyName(members[i]);
                if (name.IndexOf((byte)'\\') < 0)
                {
                    Byte(output, (byte)'"');
                    output.Write(name);
                    Byte(output, (byte)'"');
                }
                else WriteString(output, members[i].Name);
                Byte(output, (byte)':');
                Write(output, members[i].Value);
            }
            Byte(output, (byte)'}');
        }
        finally
        {
            ArrayPool<JsonProperty>.Shared.Return(members, clearArray: true);
        }
    }

    private static bool PlainName(ReadOnlySpan<byte> name)
    {
        foreach (var b in name)
            if (b >= 0x80 || b == (byte)'\\') return false;
        return true;
    }

    private static void WriteString(IBufferWriter<byte> output, string s)
    {
        Byte(output, (byte)'"');
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            var escape = c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\b' => "\\b",
                '\f' => "\\f",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < (char)0x20 => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => null,
            };
            if (escape is null) continue;
            Utf8(output, s.AsSpan(start, i - start));
            Ascii(output, escape);
            start = i + 1;
        }
        Utf8(output, s.AsSpan(start));
        Byte(output, (byte)'"');
    }

    private static void Utf8(IBufferWriter<byte> output, ReadOnlySpan<char> chars)
    {
        if (chars.IsEmpty) return;
        var written = Encoding.UTF8.GetBytes(chars, output.GetSpan(Encoding.UTF8.GetMaxByteCount(chars.Length)));
        output.Advance(written);
    }

    private static void Ascii(IBufferWriter<byte> output, string s)
    {
        var span = output.GetSpan(s.Length);
        for (var i = 0; i < s.Length; i++) span[i] = (byte)s[i];
        output.Advance(s.Length);
    }

    private static void Byte(IBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }
}
