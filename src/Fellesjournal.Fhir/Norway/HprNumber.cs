namespace Fellesjournal.Fhir.Norway;

/// <summary>
/// HPR-nummer (Helsepersonellregisteret). No check digit is published, so only the format is checked:
/// digits only, no leading zero, at most 9 digits (issued numbers have 4-9 digits). Existence needs a register look-up.
/// </summary>
public static class HprNumber
{
    public static bool IsValidFormat(ReadOnlySpan<char> value)
    {
        if (value.Length is < 4 or > 9 || value[0] == '0') return false;
        foreach (var c in value) if (c is < '0' or > '9') return false;
        return true;
    }
}
