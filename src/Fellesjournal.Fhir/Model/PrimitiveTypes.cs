using System.Runtime.CompilerServices;
using Fellesjournal.Fhir.Definitions;

namespace Fellesjournal.Fhir.Model;

/// <summary>
/// <see cref="FhirDefinitions.IsPrimitiveType"/> for the hot paths: asked several times per node, and the type
/// names are nearly always the definitions' own string instances. A direct-mapped cache keyed by the string's
/// identity (no hashing of its characters); a miss asks the definitions. Lock-free: an entry is one reference.
/// </summary>
internal static class PrimitiveTypes
{
    private sealed record Entry(string Type, FhirDefinitions Definitions, bool IsPrimitive);

    private const int Slots = 1024; // a power of two
    private static readonly Entry?[] Cache = new Entry?[Slots];

    public static bool IsPrimitive(FhirDefinitions defs, string type)
    {
        ref var slot = ref Cache[RuntimeHelpers.GetHashCode(type) & (Slots - 1)];
        var e = slot;
        if (e is not null && ReferenceEquals(e.Type, type) && ReferenceEquals(e.Definitions, defs)) return e.IsPrimitive;
        var answer = defs.IsPrimitiveType(type);
        slot = new Entry(type, defs, answer);
        return answer;
    }
}
