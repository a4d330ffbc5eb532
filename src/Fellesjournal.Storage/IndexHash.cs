using System.Runtime.CompilerServices;

namespace Fellesjournal.Storage;

/// <summary>
/// Stable 64-bit hashes of index keys (HAPI-style): equality lookups hit one integer column instead of
/// comparing several strings. FNV-1a over the UTF-16 code units with a separator between parts, then a
/// murmur finalizer for avalanche. Must never change once databases exist.
/// </summary>
public static class IndexHash
{
    public static long Of(string? a, string? b) => Finish(Add(Add(Offset, a), b));
    public static long Of(string? a, string? b, string? c) => Finish(Add(Add(Add(Offset, a), b), c));
    public static long Of(string? a, string? b, string? c, string? d) => Finish(Add(Add(Add(Add(Offset, a), b), c), d));

    /// <summary>The <c>h_ident</c> of a contained resource's values: a space of its own ("#Type" is no resource type),
    /// so searches of top-level resources never see them.</summary>
    public static long Contained(string type, string param) => Of("#" + type, param);

    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Add(ulong h, string? s)
    {
        if (s is not null)
            foreach (var c in s)
            {
                h = (h ^ (byte)c) * Prime;
                h = (h ^ (byte)(c >> 8)) * Prime;
            }
        // Separator distinguishes null from "" and ("ab","c") from ("a","bc").
        h = (h ^ (s is null ? 0xFFUL : 0xFEUL)) * Prime;
        return h;
    }

    private static long Finish(ulong h)
    {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        return (long)h;
    }
}
