using System.Globalization;
using System.Text;

namespace Fellesjournal.Fhir.Search;

/// <summary>Normalizes text for string search: lower-case, accents removed (é→e, å→a; ø and æ have no
/// decomposition and stay), whitespace runs collapsed. Search values go through the same function.</summary>
public static class StringNormalizer
{
    public static string Normalize(string text)
    {
        if (text.Length == 0) return text;
        var ascii = true;
        foreach (var c in text)
            if (c > 0x7F || char.IsUpper(c) || c is '\t' or '\n' or '\r') { ascii = false; break; }
        if (ascii) return text.Trim();
        string decomposed;
        try { decomposed = text.Normalize(NormalizationForm.FormD); }
        catch (PlatformNotSupportedException) { decomposed = text; }
        var sb = new StringBuilder(decomposed.Length);
        var lastSpace = false;
        foreach (var c in decomposed)
        {
            var cat = CharUnicodeInfo.GetUnicodeCategory(c);
            if (cat is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark) continue;
            if (char.IsWhiteSpace(c))
            {
                if (!lastSpace && sb.Length > 0) sb.Append(' ');
                lastSpace = true;
                continue;
            }
            lastSpace = false;
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString().TrimEnd();
    }
}
