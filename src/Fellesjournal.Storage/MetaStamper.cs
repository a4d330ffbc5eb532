using System.Globalization;
using System.Text;
using System.Text.Json;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Storage;

/// <summary>
/// Writes <c>meta.versionId</c> and <c>meta.lastUpdated</c> into resource JSON by splicing bytes, so every
/// other byte of the input stays exactly as given (no re-serialization).
/// </summary>
public static class MetaStamper
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = FhirJson.MaxDepth };

    /// <summary>The instant format used for lastUpdated: UTC with milliseconds.</summary>
    public static string FormatInstant(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <param name="resourceType">When given, the JSON's resourceType must be this (and its id, if any, <paramref name="id"/>).</param>
    public static byte[] Stamp(ReadOnlySpan<byte> json, long versionId, DateTimeOffset lastUpdated,
        string? resourceType = null, string? id = null)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new ArgumentException("Resource JSON must be an object.");
        var objStart = (int)reader.TokenStartIndex;
        int metaValueStart = -1, metaValueEnd = -1, resourceTypeEnd = -1;
        var hasProperties = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            hasProperties = true;
            var isMeta = reader.ValueTextEquals("meta"u8);
            var isType = reader.ValueTextEquals("resourceType"u8);
            var isId = reader.ValueTextEquals("id"u8);
            reader.Read();
            if (resourceType is not null && isType && !(reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(resourceType)))
                throw new ArgumentException($"The JSON is not a {resourceType}.");
            if (id is not null && isId && !(reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(id)))
                throw new ArgumentException($"The JSON's id is not '{id}'.");
            var valueStart = (int)reader.TokenStartIndex;
            reader.Skip();
            var valueEnd = (int)reader.BytesConsumed;
            if (isMeta)
            {
                if (reader.TokenType != JsonTokenType.EndObject) throw new ArgumentException("meta must be an object.");
                metaValueStart = valueStart;
                metaValueEnd = valueEnd;
            }
            else if (isType) resourceTypeEnd = valueEnd;
        }

        var stamp = "\"versionId\":\"" + versionId.ToString(CultureInfo.InvariantCulture) +
                    "\",\"lastUpdated\":\"" + FormatInstant(lastUpdated) + "\"";
        var stampBytes = Encoding.UTF8.GetBytes(stamp);
        var output = new List<byte>(json.Length + stampBytes.Length + 16);

        if (metaValueStart >= 0)
        {
            // Rebuild only the meta object: stamp first, then its other properties byte-for-byte.
            output.AddRange(json[..metaValueStart]);
            output.Add((byte)'{');
            output.AddRange(stampBytes);
            var meta = json[metaValueStart..metaValueEnd];
            var mr = new Utf8JsonReader(meta, ReaderOptions);
            mr.Read();
            while (mr.Read() && mr.TokenType == JsonTokenType.PropertyName)
            {
                var nameStart = (int)mr.TokenStartIndex;
                var skip = mr.ValueTextEquals("versionId"u8) || mr.ValueTextEquals("lastUpdated"u8) ||
                           mr.ValueTextEquals("_versionId"u8) || mr.ValueTextEquals("_lastUpdated"u8);
                mr.Read();
                mr.Skip();
                if (skip) continue;
                output.Add((byte)',');
                output.AddRange(meta[nameStart..(int)mr.BytesConsumed]);
            }
            output.Add((byte)'}');
            output.AddRange(json[metaValueEnd..]);
        }
        else
        {
            var metaProp = Encoding.UTF8.GetBytes("\"meta\":{" + stamp + "}");
            if (resourceTypeEnd >= 0)
            {
                output.AddRange(json[..resourceTypeEnd]);
                output.Add((byte)',');
                output.AddRange(metaProp);
                output.AddRange(json[resourceTypeEnd..]);
            }
            else
            {
                output.AddRange(json[..(objStart + 1)]);
                output.AddRange(metaProp);
                if (hasProperties) output.Add((byte)',');
                output.AddRange(json[(objStart + 1)..]);
            }
        }
        return output.ToArray();
    }
}
