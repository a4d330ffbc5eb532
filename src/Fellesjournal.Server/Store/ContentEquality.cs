using System.Text.Json.Nodes;
using Fellesjournal.Server.Http;

namespace Fellesjournal.Server.Store;

/// <summary>Compares resources ignoring the store-assigned meta.versionId/lastUpdated (idempotent imports).</summary>
public static class ContentEquality
{
    public static bool SameContent(ReadOnlyMemory<byte> stored, JsonObject candidate)
    {
        var a = ResourceJson.ParseObject(stored);
        ResourceJson.StripServerMeta(a);
        var b = (JsonObject)candidate.DeepClone();
        ResourceJson.StripServerMeta(b);
        return JsonNode.DeepEquals(a, b);
    }
}
