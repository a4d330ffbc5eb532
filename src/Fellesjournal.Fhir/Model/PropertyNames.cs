using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Fellesjournal.Fhir.Model;

/// <summary>
/// JSON property names as shared strings: the same few hundred names recur in every resource, and
/// <see cref="JsonProperty.Name"/> transcodes and allocates a new string on every call.
/// Bounded, so hostile input with endless distinct names cannot grow it.
/// </summary>
internal static class PropertyNames
{
    private const int MaxEntries = 8192;
    private const int MaxLength = 64;

    private static readonly ConcurrentDictionary<string, string> Table = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Lookup =
        Table.GetAlternateLookup<ReadOnlySpan<char>>();
    private static int _count;

    /// <summary>The name of <paramref name="property"/>, equal to <see cref="JsonProperty.Name"/>.</summary>
    public static string Of(JsonProperty property)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        // Escaped, non-ASCII or long names: decoded as usual.
        if (raw.Length > MaxLength || !Ascii.IsValid(raw) || raw.IndexOf((byte)'\\') >= 0) return property.Name;
        Span<char> chars = stackalloc char[raw.Length];
        for (var i = 0; i < raw.Length; i++) chars[i] = (char)raw[i];
        return Of(chars);
    }

    /// <summary>A shared string equal to <paramref name="name"/>.</summary>
    public static string Of(ReadOnlySpan<char> name)
    {
        if (Lookup.TryGetValue(name, out var s)) return s;
        s = name.ToString();
        if (name.Length <= MaxLength && Volatile.Read(ref _count) < MaxEntries && Table.TryAdd(s, s))
            Interlocked.Increment(ref _count);
        return s;
    }
}
