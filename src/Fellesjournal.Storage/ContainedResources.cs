using System.Text.Json;
using Fellesjournal.Storage.Sqlite;

namespace Fellesjournal.Storage;

/// <summary>A contained resource of a search result (<c>_containedType=contained</c>), cut from its container's stored
/// JSON: the ord block of its index rows names its position in <c>contained</c>, its id confirms it.</summary>
internal static class ContainedResources
{
    /// <param name="blockOrd">The marker row's ord (<see cref="IndexRows"/>): -(k+1)·Stride for <c>contained[k]</c>.</param>
    public static StoredResource Resolve(StoredResource container, long blockOrd, string? id)
    {
        var k = (int)(-blockOrd / IndexRows.Stride) - 1;
        using var doc = JsonDocument.Parse(container.Json);
        byte[] json = [];
        string? type = null;
        if (doc.RootElement.TryGetProperty("contained", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            JsonElement? found = k >= 0 && k < list.GetArrayLength() && IdOf(list[k]) == id ? list[k] : null;
            // The index follows the stored version, so the position holds; the id lookup is the safe side.
            found ??= list.EnumerateArray().Where(x => id is not null && IdOf(x) == id).Cast<JsonElement?>().FirstOrDefault();
            if (found is { } e)
            {
                json = JsonSerializer.SerializeToUtf8Bytes(e);
                type = e.TryGetProperty("resourceType", out var t) ? t.GetString() : null;
            }
        }
        return new StoredResource(type ?? "", id ?? "", container.VersionId, container.LastUpdated, false, json,
            PatientId: container.PatientId) { Container = $"{container.ResourceType}/{container.Id}" };
    }

    private static string? IdOf(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("id", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
