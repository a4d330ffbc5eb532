namespace Fellesjournal.Fhir.Norway;

/// <summary>Organisasjonsnummer (Enhetsregisteret): 9 digits, modulus 11 with weights 3,2,7,6,5,4,3,2.</summary>
public static class OrganisationNumber
{
    private static readonly int[] W = [3, 2, 7, 6, 5, 4, 3, 2];

    public static bool IsValid(ReadOnlySpan<char> value)
    {
        if (value.Length != 9) return false;
        foreach (var c in value) if (c is < '0' or > '9') return false;
        return CheckDigit(value[..8]) is { } k && k == value[8] - '0';
    }

    /// <summary>The check digit for 8 leading digits, or null when the remainder is 1 (no valid number).</summary>
    public static int? CheckDigit(ReadOnlySpan<char> first8)
    {
        var s = 0;
        for (var i = 0; i < 8; i++) s += (first8[i] - '0') * W[i];
        var r = s % 11;
        return r switch { 0 => 0, 1 => null, _ => 11 - r };
    }

    /// <summary>A valid number from 8 leading digits, or null when they admit none.</summary>
    public static string? Create(ReadOnlySpan<char> first8) =>
        first8.Length == 8 && CheckDigit(first8) is { } k ? string.Concat(first8, [(char)('0' + k)]) : null;
}
