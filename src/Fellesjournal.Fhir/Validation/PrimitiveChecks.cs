using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.Validation;

/// <summary>Checks the JSON value of a primitive: JSON kind, size, the type's regex, real dates and number ranges.</summary>
internal sealed class PrimitiveChecks(FhirDefinitions defs)
{
    /// <summary>FHIR strings shall not exceed 1 MB (base64Binary may be larger).</summary>
    public const int MaxStringLength = 1024 * 1024;

    private readonly ConcurrentDictionary<string, Regex?> _regexes = new(StringComparer.Ordinal);

    /// <summary>Null when valid, else the problem (issue code, message).</summary>
    public (string Code, string Message)? Check(string type, JsonElement value)
    {
        switch (type)
        {
            case "boolean":
                return value.ValueKind is JsonValueKind.True or JsonValueKind.False
                    ? null : ("structure", $"A boolean must be a JSON true or false, not {Describe(value)}");
            case "integer":
            case "positiveInt":
            case "unsignedInt":
                if (value.ValueKind != JsonValueKind.Number) return ("structure", $"An {type} must be a JSON number, not {Describe(value)}");
                if (!value.TryGetInt32(out var i))
                    return ("value", $"The value {Short(value.GetRawText())} is not a 32-bit integer");
                if (type == "positiveInt" && i < 1) return ("value", $"A positiveInt must be at least 1, not {i}");
                if (type == "unsignedInt" && i < 0) return ("value", $"An unsignedInt must not be negative ({i})");
                return Regex(type, value.GetRawText());
            case "decimal":
                if (value.ValueKind != JsonValueKind.Number) return ("structure", $"A decimal must be a JSON number, not {Describe(value)}");
                var raw = value.GetRawText();
                // Exponents beyond .NET decimal (1E+245) are valid FHIR decimals; only absurd lengths are refused.
                if (raw.Length > 128)
                    return ("too-long", $"The decimal {Short(raw)} has more than 128 characters");
                return Regex(type, raw);
        }
        if (value.ValueKind != JsonValueKind.String)
            return ("structure", $"A {type} must be a JSON string, not {Describe(value)}");
        var text = value.GetString()!;
        if (text.Length == 0) return ("value", "A string value must not be empty (omit the element instead)");
        if (text.Length > MaxStringLength && type != "base64Binary")
            return ("too-long", $"The value is {text.Length} characters long; FHIR strings are limited to 1 MB");
        if (Regex(type, text) is { } bad) return bad;
        switch (type)
        {
            case "date":
            case "dateTime":
            case "instant":
                if (!PartialDateTime.TryParse(text, out _)) return ("value", $"'{Short(text)}' is not a valid {type}");
                break;
            case "time":
                if (!PartialTime.TryParse(text, out _)) return ("value", $"'{Short(text)}' is not a valid time");
                break;
        }
        return null;
    }

    private (string, string)? Regex(string type, string text)
    {
        var re = _regexes.GetOrAdd(type, Build);
        if (re is null) return null;
        try
        {
            return re.IsMatch(text) ? null : ("value", $"The value '{Short(text)}' is not a valid {type}");
        }
        catch (RegexMatchTimeoutException)
        {
            return ("too-costly", $"The {type} value could not be checked in time");
        }
    }

    private Regex? Build(string type)
    {
        var pattern = defs.GetStructure(type)?.PrimitiveRegex;
        if (pattern is null) return null;
        var anchored = "^(?:" + JavaWhitespace(pattern) + ")$";
        // base64Binary's published regex backtracks badly on large values: linear-time engine there.
        // The others are simple and short-valued: compiled backtracking is fastest, with a timeout as a guard.
        if (type == "base64Binary")
            return new Regex(anchored, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(2));
        return new Regex(anchored, RegexOptions.Compiled | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(500));
    }

    /// <summary>
    /// The published regexes are Java/XML Schema regexes, where \s is ASCII whitespace only; in .NET it also
    /// matches e.g. U+00A0, which would reject valid strings. Rewrites \s and \S to the ASCII meaning.
    /// </summary>
    internal static string JavaWhitespace(string pattern)
    {
        const string space = @"\t\n\x0B\f\r ";
        const string nonSpace = @"\x00-\x08\x0E-\x1F\x21-\uFFFF";
        var sb = new System.Text.StringBuilder(pattern.Length + 32);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                var n = pattern[++i];
                if (n is 's' or 'S')
                {
                    var set = n == 's' ? space : nonSpace;
                    sb.Append(inClass ? set : "[" + set + "]");
                }
                else sb.Append(c).Append(n);
                continue;
            }
            if (c == '[' && !inClass) inClass = true;
            else if (c == ']' && inClass) inClass = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    public static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Null => "null",
        _ => v.ValueKind.ToString(),
    };

    public static string Short(string s) => s.Length > 60 ? s[..60] + "…" : s;
}
