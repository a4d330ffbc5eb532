using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Fellesjournal.Fhir.Model;

/// <summary>
/// JSON property names as shared strings: the same few hundred names recur in every resource, and
/// <see cref="JsonProperty.Name"/> transcodes and allocates a new string on every call. A direct-mapped
/// cache (a name's slot holds the last name that hashed there): bounded whatever the input, lock-free
/// (a slot is one reference, written whole), and a miss only costs the allocation it would have anyway.
/// </summary>
internal static class PropertyNames
{
    private const int Slots = 4096; // a power of two
    private const int MaxLength = 64;

    private static readonly string?[] Cache = new string?[Slots];

    /// <summary>The name of <paramref name="property"/>, equal to <see cref="JsonProperty.Name"/>.</summary>
    public static string Of(JsonProperty property)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        // Escaped, non-ASCII or long names: decoded as usual.
        if (raw.Length > MaxLength) return property.Name;
        uint h = 2166136261;
        foreach (var b in raw)
        {
            if (b is >= 0x80 or (byte)'\\') return property.Name;
            h = (h ^ b) * 16777619;
        }
        ref var slot = ref Cache[h & (Slots - 1)];
        var s = slot;
        if (s is not null && Ascii.Equals(raw, s)) return s;
        s = Encoding.ASCII.GetString(raw);
        slot = s;
        return s;
    }

    /// <summary>A shared string equal to <paramref name="name"/>.</summary>
    public static string Of(ReadOnlySpan<char> name)
    {
        if (name.Length > MaxLength) return name.ToString();
        uint h = 2166136261;
        foreach (var c in name)
        {
            if (c >= 0x80 || c == '\\') return name.ToString();
            h = (h ^ c) * 16777619;
        }
        ref var slot = ref Cache[h & (Slots - 1)];
        var s = slot;
        if (s is not null && name.SequenceEqual(s)) return s;
        s = name.ToString();
        slot = s;
        return s;
    }
}
