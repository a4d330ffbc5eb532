using System.Text.Json;

namespace Fellesjournal.Storage;

/// <summary>Whether a write would only repeat the current version: the candidate, stamped with the current version's
/// meta, is JSON-equal to the stored bytes (property order and whitespace aside).</summary>
internal static class UnchangedContent
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = Fhir.Model.FhirJson.MaxDepth };

    public static bool Same(ReadOnlySpan<byte> stored, ReadOnlySpan<byte> candidate, long version, DateTimeOffset lastUpdated)
    {
        if (stored.IsEmpty) return false;
        var stamped = MetaStamper.Stamp(candidate, version, lastUpdated);
        using var a = JsonDocument.Parse(stored.ToArray(), Options);
        using var b = JsonDocument.Parse(stamped, Options);
        return JsonElement.DeepEquals(a.RootElement, b.RootElement);
    }
}
