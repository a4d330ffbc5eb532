using System.Globalization;
using System.Text.Json;

namespace Fellesjournal.Fhir.Model;

/// <summary>Reads FHIR primitive JSON values into .NET values by FHIR type.</summary>
public static class PrimitiveValues
{
    public static object? Parse(string? fhirType, JsonElement json)
    {
        switch (fhirType)
        {
            case "boolean":
                return json.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => null };
            case "integer":
            case "positiveInt":
            case "unsignedInt":
                return json.ValueKind == JsonValueKind.Number && json.TryGetInt32(out var i) ? i : null;
            case "integer64":
                return json.ValueKind == JsonValueKind.Number && json.TryGetInt64(out var l) ? l : null;
            case "decimal":
                // decimal keeps the scale as written: 1.50 stays 1.50.
                return json.ValueKind == JsonValueKind.Number &&
                       decimal.TryParse(json.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                    ? d : null;
            case "date":
            case "dateTime":
            case "instant":
                return json.ValueKind == JsonValueKind.String && PartialDateTime.TryParse(json.GetString(), out var dt) ? dt : null;
            case "time":
                return json.ValueKind == JsonValueKind.String && PartialTime.TryParse(json.GetString(), out var t) ? t : null;
            default:
                return json.ValueKind switch
                {
                    JsonValueKind.String => json.GetString(),
                    JsonValueKind.Number => json.GetRawText(),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => null,
                };
        }
    }
}
