using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Fellesjournal.Trust.Identity;

/// <summary>The decoded header and payload of a compact JWS, read without verifying anything.</summary>
internal sealed class JwtParts
{
    public required JsonElement Header { get; init; }
    public required JsonElement Payload { get; init; }
    public required string SigningInput { get; init; }
    public required byte[] Signature { get; init; }

    /// <summary>Larger inputs are refused before any decoding (tokens with big trust-framework claims stay far below).</summary>
    public const int MaxLength = 32 * 1024;

    public static JwtParts? TryRead(string jwt)
    {
        if (jwt.Length > MaxLength) return null;
        var parts = jwt.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            var header = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(parts[0])).RootElement;
            var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(parts[1])).RootElement;
            if (header.ValueKind != JsonValueKind.Object || payload.ValueKind != JsonValueKind.Object) return null;
            return new JwtParts
            {
                Header = header,
                Payload = payload,
                SigningInput = parts[0] + "." + parts[1],
                Signature = parts[2].Length == 0 ? [] : Base64UrlEncoder.DecodeBytes(parts[2]),
            };
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    public static string? Str(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static long? Num(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;

    public static JsonElement? Obj(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : null;

    /// <summary>A claim that may be a space-separated string or an array of strings (scope).</summary>
    public static string? StrOrJoined(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Array => string.Join(' ', v.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString())),
            _ => null,
        };
    }

    internal static readonly Encoding Ascii = Encoding.ASCII;
}
