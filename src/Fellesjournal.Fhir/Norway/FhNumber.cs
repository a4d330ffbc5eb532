namespace Fellesjournal.Fhir.Norway;

/// <summary>
/// Felles hjelpenummer (FH-nummer, issued by Norsk helsenett): 11 digits, first digit 8 or 9, the rest random
/// (no date part), with the two check digits of a person number. Both the classic and the 2032 k1 rule are accepted.
/// </summary>
public static class FhNumber
{
    public static bool IsValid(ReadOnlySpan<char> value) =>
        value.Length == 11 && value[0] is '8' or '9' && PersonNumber.CheckDigits(value) != CheckDigitRule.None;
}
