using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fellesjournal.Services.Summary;

/// <summary>
/// Canonical JSON for signing (after RFC 8785, JCS): no whitespace, object members sorted by UTF-16 code units,
/// strings with the minimal escapes. Numbers keep their JSON text (FHIR decimals carry their precision), so the
/// form is stable for the documents this server writes. Written as UTF-8 straight into a buffer, without copying the
/// tree.
/// </summary>
public static class JsonCanonicalizer
{
    private static readonly Comparer<KeyValuePair<string, JsonNode?>> ByKey =
        Comparer<KeyValuePair<string, JsonNode?>>.Create((a, b) => string.CompareOrdinal(a.Key, b.Key));

    public static byte[] Canonicalize(JsonNode? node)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        Write(buffer, node);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes <paramref name="node"/>; at its top level, the members that <paramref name="skipTopLevel"/>
    /// names are left out (the signature covers the Bundle without <c>id</c>, <c>meta</c> and <c>signature</c>).</summary>
    public static void Write(IBufferWriter<byte> output, JsonNode? node, Func<string, bool>? skipTopLevel = null)
    {
        switch (node)
        {
            case null:
                Ascii(output, "null");
                break;
            case JsonObject o:
                var members = new KeyValuePair<string, JsonNode?>[o.Count];
                var n = 0;
                foreach (var kv in o)
                    if (skipTopLevel is null || !skipTopLevel(kv.Key)) members[n++] = kv;
                Array.Sort(members, 0, n, ByKey);
                Byte(output, (byte)'{');
                for (var i = 0; i < n; i++)
                {
                    if (i > 0) Byte(output, (byte)',');
                    WriteString(output, members[i].Key);
                    Byte(output, (byte)':');
                    Write(output, members[i].Value);
                }
                Byte(output, (byte)'}');
                break;
            case JsonArray a:
                Byte(output, (byte)'[');
                for (var i = 0; i < a.Count; i++)
                {
                    if (i > 0) Byte(output, (byte)',');
                    Write(output, a[i]);
                }
                Byte(output, (byte)']');
                break;
            case JsonValue v when v.TryGetValue<JsonElement>(out var e):
                WriteParsed(output, e);
                break;
            case JsonValue v:
                switch (v.GetValueKind())
                {
                    case JsonValueKind.String: WriteString(output, v.GetValue<string>()); break;
                    case JsonValueKind.True: Ascii(output, "true"); break;
                    case JsonValueKind.False: Ascii(output, "false"); break;
                    case JsonValueKind.Null: Ascii(output, "null"); break;
                    default: Ascii(output, v.ToJsonString()); break;
                }
                break;
        }
    }

    /// <summary>A value still backed by the parsed JSON (resources read from the store): a string without any escape
    /// in its source text is already in canonical form, so its UTF-8 bytes are copied instead of decoded and encoded
    /// again; numbers keep their text.</summary>
    private static void WriteParsed(IBufferWriter<byte> output, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(e);
                if (raw.IndexOf((byte)'\\') < 0) output.Write(raw);
                else WriteString(output, e.GetString()!);
                break;
            case JsonValueKind.Number:
                output.Write(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(e));
                break;
            case JsonValueKind.True: Ascii(output, "true"); break;
            case JsonValueKind.False: Ascii(output, "false"); break;
            case JsonValueKind.Null: Ascii(output, "null"); break;
            default: Write(output, JsonNode.Parse(e.GetRawText())); break;
        }
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
