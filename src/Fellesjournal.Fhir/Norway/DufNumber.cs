namespace Fellesjournal.Fhir.Norway;

/// <summary>DUF-nummer (the immigration authorities' case number): 12 digits. Only the format is checked.</summary>
public static class DufNumber
{
    public static bool IsValidFormat(ReadOnlySpan<char> value)
    {
        if (value.Length != 12) return false;
        foreach (var c in value) if (c is < '0' or > '9') return false;
        return true;
    }
}
