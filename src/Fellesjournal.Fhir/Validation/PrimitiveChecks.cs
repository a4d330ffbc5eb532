using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
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
                return MatchesUtf8(type, JsonMarshal.GetRawUtf8Value(value)) ? null : Regex(type, value.GetRawText());
            case "decimal":
                if (value.ValueKind != JsonValueKind.Number) return ("structure", $"A decimal must be a JSON number, not {Describe(value)}");
                var literal = JsonMarshal.GetRawUtf8Value(value); // ASCII: as long as the text
                // Exponents beyond .NET decimal (1E+245) are valid FHIR decimals; only absurd lengths are refused.
                if (literal.Length <= 128 && MatchesUtf8(type, literal)) return null;
                var raw = value.GetRawText();
                if (raw.Length > 128)
                    return ("too-long", $"The decimal {Short(raw)} has more than 128 characters");
                return Regex(type, raw);
        }
        if (value.ValueKind == JsonValueKind.String && IsCertainlyValidString(type, value)) return null;
        if (value.ValueKind != JsonValueKind.String)
            return ("structure", $"A {type} must be a JSON string, not {Describe(value)}");
        var text = value.GetString()!;
        if (text.Length == 0) return ("value", "A string value must not be empty (omit the element instead)");
        if (text.Length > MaxStringLength && type != "base64Binary")
            return ("too-long", $"The value is {text.Length} characters long; FHIR strings are limited to 1 MB");
        if (Regex(type, text) is { } bad) return bad;
        // The regexes fix the layout and the ranges of month, hour, minute and second; the day of the month is left.
        if (type is "date" or "dateTime" or "instant" && !DayExists(text))
            return ("value", $"'{Short(text)}' is not a valid {type}: there is no such day");
        return null;
    }

    // Declared before the tables that use them (static fields initialise in order).
    private static readonly System.Buffers.SearchValues<char> AsciiSpace = System.Buffers.SearchValues.Create(" \t\n\v\f\r");
    private static readonly System.Buffers.SearchValues<char> IdChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.");
    private static readonly System.Buffers.SearchValues<byte> AsciiSpaceUtf8 = System.Buffers.SearchValues.Create(" \t\n\v\f\r"u8);
    private static readonly System.Buffers.SearchValues<byte> IdCharsUtf8 =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-."u8);

    /// <summary>
    /// Hand-written equivalents of the commonest published regexes (same language, Java \s = ASCII whitespace),
    /// used only when the definitions carry exactly that regex.
    /// </summary>
    private static readonly Dictionary<string, (string Pattern, Func<string, bool> Match)> FastPaths = new(StringComparer.Ordinal)
    {
        ["string"] = (@"[ \r\n\t\S]+", t => t.Length > 0 && t.AsSpan().IndexOfAny('\v', '\f') < 0),
        ["markdown"] = (@"[ \r\n\t\S]+", t => t.Length > 0 && t.AsSpan().IndexOfAny('\v', '\f') < 0),
        ["uri"] = (@"\S*", t => t.AsSpan().IndexOfAny(AsciiSpace) < 0),
        ["url"] = (@"\S*", t => t.AsSpan().IndexOfAny(AsciiSpace) < 0),
        ["canonical"] = (@"\S*", t => t.AsSpan().IndexOfAny(AsciiSpace) < 0),
        ["code"] = (@"[^\s]+(\s[^\s]+)*", IsCode),
        ["id"] = (@"[A-Za-z0-9\-\.]{1,64}", t => t.Length is >= 1 and <= 64 && t.AsSpan().IndexOfAnyExcept(IdChars) < 0),
    };


    /// <summary>[^\s]+(\s[^\s]+)*: words separated by single whitespace characters.</summary>
    private static bool IsCode(string t)
    {
        if (t.Length == 0) return false;
        var prevSpace = true; // no leading whitespace
        foreach (var c in t)
        {
            var sp = c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';
            if (sp && prevSpace) return false;
            prevSpace = sp;
        }
        return !prevSpace;
    }

    private readonly ConcurrentDictionary<string, Func<string, bool>?> _fast = new(StringComparer.Ordinal);

    /// <summary>For text already matching the date regex (yyyy[-mm[-dd...]]): is the day in its month?</summary>
    private static bool DayExists(ReadOnlySpan<char> text)
    {
        if (text.Length < 10) return true;
        var year = int.Parse(text.Slice(0, 4), NumberStyles.None, CultureInfo.InvariantCulture);
        var month = int.Parse(text.Slice(5, 2), NumberStyles.None, CultureInfo.InvariantCulture);
        var day = int.Parse(text.Slice(8, 2), NumberStyles.None, CultureInfo.InvariantCulture);
        return year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month);
    }

    /// <summary>The hand-written matcher of a type, when the definitions carry exactly the regex it replaces.</summary>
    private Func<string, bool>? FastFor(string type)
    {
        // TryGetValue first: GetOrAdd with a lambda or method group allocates a delegate on every call.
        if (!_fast.TryGetValue(type, out var fast))
            fast = _fast.GetOrAdd(type, FastPaths.TryGetValue(type, out var f) && defs.GetStructure(type)?.PrimitiveRegex == f.Pattern ? f.Match : null);
        return fast;
    }

    private Regex? RegexFor(string type)
    {
        if (!_regexes.TryGetValue(type, out var re)) re = _regexes.GetOrAdd(type, Build(type));
        return re;
    }

    /// <summary>
    /// A JSON string checked over its UTF-8 text, without decoding it to a string: true only when it is certainly
    /// valid (no escapes, within the length limit, matching); anything else takes the string path for its message.
    /// </summary>
    private bool IsCertainlyValidString(string type, JsonElement value)
    {
        if (type == "base64Binary") return false; // large values, linear-time regex: the string path
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (raw.Length < 3 || raw[0] != (byte)'"' || raw[^1] != (byte)'"') return false;
        var text = raw[1..^1];
        // Without escapes the UTF-8 text is the value itself; at most one char per byte, so within the limit.
        if (text.Length > MaxStringLength || text.IndexOf((byte)'\\') >= 0) return false;
        if (!MatchesUtf8(type, text)) return false;
        if (type is "date" or "dateTime" or "instant")
        {
            // Matching the date regex, the text is ASCII: one char per byte.
            if (text.Length < 10) return true;
            Span<char> head = stackalloc char[10];
            for (var i = 0; i < 10; i++) head[i] = (char)text[i];
            return DayExists(head);
        }
        return true;
    }

    /// <summary>True when the UTF-8 text certainly matches the type's regex (false: not sure, or no match).</summary>
    private bool MatchesUtf8(string type, ReadOnlySpan<byte> text)
    {
        if (FastFor(type) is not null)
            return Utf8FastPaths.TryGetValue(type, out var match) && match(text);
        var re = RegexFor(type);
        if (re is null) return true;
        if (text.Length > 256 || !System.Text.Ascii.IsValid(text)) return false;
        Span<char> chars = stackalloc char[text.Length];
        for (var i = 0; i < text.Length; i++) chars[i] = (char)text[i];
        try
        {
            return re.IsMatch(chars);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private delegate bool Utf8Match(ReadOnlySpan<byte> text);

    /// <summary>
    /// <see cref="FastPaths"/> over UTF-8 text without escapes: the same language, since ASCII whitespace and the
    /// id characters are single bytes and every byte of a multi-byte character is above 0x7F.
    /// </summary>
    private static readonly Dictionary<string, Utf8Match> Utf8FastPaths = new(StringComparer.Ordinal)
    {
        ["string"] = t => t.Length > 0 && t.IndexOfAny((byte)'\v', (byte)'\f') < 0,
        ["markdown"] = t => t.Length > 0 && t.IndexOfAny((byte)'\v', (byte)'\f') < 0,
        ["uri"] = t => t.IndexOfAny(AsciiSpaceUtf8) < 0,
        ["url"] = t => t.IndexOfAny(AsciiSpaceUtf8) < 0,
        ["canonical"] = t => t.IndexOfAny(AsciiSpaceUtf8) < 0,
        ["code"] = IsCode,
        ["id"] = t => t.Length is >= 1 and <= 64 && t.IndexOfAnyExcept(IdCharsUtf8) < 0,
    };


    /// <summary>[^\s]+(\s[^\s]+)* over UTF-8 bytes.</summary>
    private static bool IsCode(ReadOnlySpan<byte> t)
    {
        if (t.Length == 0) return false;
        var prevSpace = true;
        foreach (var c in t)
        {
            var sp = c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';
            if (sp && prevSpace) return false;
            prevSpace = sp;
        }
        return !prevSpace;
    }

    private (string, string)? Regex(string type, string text)
    {
        var fast = FastFor(type);
        if (fast is not null)
            return fast(text) ? null : ("value", $"The value '{Short(text)}' is not a valid {type}");
        var re = RegexFor(type);
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
