namespace Fellesjournal.Fhir.Norway;

/// <summary>Which kind of 11-digit Norwegian person number a value is.</summary>
public enum PersonNumberKind { Invalid, Fnr, DNumber, HNumber }

/// <summary>Which check-digit rule a person number satisfies.</summary>
public enum CheckDigitRule { None, Classic, Rule2032 }

/// <summary>
/// Norwegian person numbers (fødselsnummer, D-nummer, H-nummer): check digits under the classic rule
/// and the 2032 rule, and generation. Validation looks only at format and check digits plus a plausible
/// date part; it never yields sex or birth date, since numbers issued under the 2032 rule encode neither.
/// </summary>
public static class PersonNumber
{
    private static readonly int[] W1 = [3, 7, 6, 1, 8, 9, 4, 5, 2];
    private static readonly int[] W2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

    /// <summary>The check-digit rule the number satisfies (Classic is also valid under 2032), or None.</summary>
    public static CheckDigitRule CheckDigits(ReadOnlySpan<char> value)
    {
        if (value.Length != 11) return CheckDigitRule.None;
        Span<int> d = stackalloc int[11];
        for (var i = 0; i < 11; i++)
        {
            if (value[i] is < '0' or > '9') return CheckDigitRule.None;
            d[i] = value[i] - '0';
        }
        var s1 = d[9];
        for (var i = 0; i < 9; i++) s1 += d[i] * W1[i];
        var s2 = d[10];
        for (var i = 0; i < 10; i++) s2 += d[i] * W2[i];
        if (s2 % 11 != 0) return CheckDigitRule.None;   // k2 is the same under both rules
        // Classic: the k1 control sum is divisible by 11; the 2032 rule also allows remainders 1-3.
        return (s1 % 11) switch { 0 => CheckDigitRule.Classic, 1 or 2 or 3 => CheckDigitRule.Rule2032, _ => CheckDigitRule.None };
    }

    /// <summary>Classifies an 11-digit number: valid check digits (either rule) and a plausible date part.</summary>
    public static PersonNumberKind Classify(ReadOnlySpan<char> value, bool allow2032Rule = true)
    {
        var rule = CheckDigits(value);
        if (rule == CheckDigitRule.None || (rule == CheckDigitRule.Rule2032 && !allow2032Rule)) return PersonNumberKind.Invalid;
        var day = (value[0] - '0') * 10 + (value[1] - '0');
        var month = (value[2] - '0') * 10 + (value[3] - '0');
        var kind = PersonNumberKind.Fnr;
        if (day > 40) { day -= 40; kind = PersonNumberKind.DNumber; }
        if (month > 40) { month -= 40; kind = kind == PersonNumberKind.Fnr ? PersonNumberKind.HNumber : PersonNumberKind.Invalid; }
        if (kind == PersonNumberKind.Invalid || month is < 1 or > 12 || day is < 1 or > 31) return PersonNumberKind.Invalid;
        return kind;
    }

    public static bool IsValid(ReadOnlySpan<char> value, bool allow2032Rule = true) => Classify(value, allow2032Rule) != PersonNumberKind.Invalid;
    public static bool IsValidFnr(ReadOnlySpan<char> value) => Classify(value) == PersonNumberKind.Fnr;
    public static bool IsValidDNumber(ReadOnlySpan<char> value) => Classify(value) == PersonNumberKind.DNumber;

    /// <summary>
    /// Appends check digits to 9 leading digits under the classic rule (<paramref name="k1Variant"/> 0)
    /// or one of the extra 2032 variants (1-3). Null when the digits admit no valid number.
    /// </summary>
    public static string? WithCheckDigits(ReadOnlySpan<char> first9, int k1Variant = 0)
    {
        if (first9.Length != 9 || k1Variant is < 0 or > 3) return null;
        Span<char> c = stackalloc char[11];
        var s1 = 0;
        for (var i = 0; i < 9; i++)
        {
            if (first9[i] is < '0' or > '9') return null;
            c[i] = first9[i];
            s1 += (first9[i] - '0') * W1[i];
        }
        var k1 = ((11 + k1Variant) - s1 % 11) % 11;
        if (k1 == 10) return null;
        c[9] = (char)('0' + k1);
        var s2 = 0;
        for (var i = 0; i < 10; i++) s2 += (c[i] - '0') * W2[i];
        var k2 = (11 - s2 % 11) % 11;
        if (k2 == 10) return null;
        c[10] = (char)('0' + k2);
        return new string(c);
    }

    /// <summary>
    /// A classic-rule number for a birth date and individual number (000-999), or null when the check digits
    /// come out as 10. <paramref name="kind"/> DNumber adds 40 to the day, HNumber adds 40 to the month.
    /// </summary>
    public static string? Create(DateOnly birthDate, int individual, PersonNumberKind kind = PersonNumberKind.Fnr)
    {
        if (individual is < 0 or > 999) throw new ArgumentOutOfRangeException(nameof(individual));
        var day = birthDate.Day + (kind == PersonNumberKind.DNumber ? 40 : 0);
        var month = birthDate.Month + (kind == PersonNumberKind.HNumber ? 40 : 0);
        Span<char> s = stackalloc char[9];
        s[0] = (char)('0' + day / 10); s[1] = (char)('0' + day % 10);
        s[2] = (char)('0' + month / 10); s[3] = (char)('0' + month % 10);
        var yy = birthDate.Year % 100;
        s[4] = (char)('0' + yy / 10); s[5] = (char)('0' + yy % 10);
        s[6] = (char)('0' + individual / 100); s[7] = (char)('0' + individual / 10 % 10); s[8] = (char)('0' + individual % 10);
        return WithCheckDigits(s);
    }

    /// <summary>
    /// The classic individual-number range for a birth year (1854-1899: 500-749, 1900-1999: 000-499,
    /// 2000-2039: 500-999); under the classic rule an odd third individual digit means male.
    /// </summary>
    public static (int From, int To) IndividualRange(int birthYear) => birthYear switch
    {
        >= 1854 and <= 1899 => (500, 749),
        >= 1900 and <= 1999 => (0, 499),
        >= 2000 and <= 2039 => (500, 999),
        _ => throw new ArgumentOutOfRangeException(nameof(birthYear)),
    };
}
