using System.Globalization;
using System.Text;

namespace Fellesjournal.Fhir.Search;

/// <summary>Normalizes text for string search: lower-case, accents removed (é→e, å→a; ø and æ are letters
/// of their own and stay), whitespace runs collapsed. Search values go through the same function.</summary>
public static class StringNormalizer
{
    // Latin-1 Supplement (U+00C0..U+00FF) and Latin Extended-A (U+0100..U+017F) folded by table, because the
    // runtime runs with invariant globalization where string.Normalize may not decompose. '.' = keep.
    private const string Latin1 = "aaaaaa.ceeeeiiii.nooooo..uuuuy..aaaaaa.ceeeeiiii.nooooo..uuuuy.y";
    private const string LatinExtA =
        "aaaaaa" + "cccccccc" + "dddd" + "eeeeeeeeee" + "gggggggg" + "hhhh" + "iiiiiiiiii" + ".." + "jj" + "kkk" +
        "llllllllll" + "nnnnnnnnn" + "oooooo" + ".." + "rrrrrr" + "ssssssss" + "tttttt" + "uuuuuuuuuuuu" + "ww" + "yyy" +
        "zzzzzz" + "s";

    private static readonly bool CanDecompose = Decomposes();

    private static bool Decomposes()
    {
        try { return "\u00e9".Normalize(NormalizationForm.FormD).Length == 2; }
        catch (PlatformNotSupportedException) { return false; }
    }

    public static string Normalize(string text)
    {
        if (text.Length == 0) return text;
        var ascii = true;
        var changes = false;
        var prevSpace = true;
        foreach (var c in text)
        {
            if (c > 0x7F) { ascii = false; break; }
            var space = c is ' ' or '\t' or '\n' or '\r';
            if (char.IsAsciiLetterUpper(c) || space && (prevSpace || c != ' ')) changes = true;
            prevSpace = space;
        }
        if (ascii)
        {
            if (!changes && !prevSpace) return text;
            return AsciiSlow(text);
        }

        var sb = new StringBuilder(text.Length);
        var needsDecompose = false;
        foreach (var c in text)
        {
            var f = Fold(c);
            if (f > 0x17F) needsDecompose = true;
            sb.Append(f);
        }
        var folded = sb.ToString();
        if (needsDecompose && CanDecompose) folded = folded.Normalize(NormalizationForm.FormD);

        sb.Clear();
        var lastSpace = true; // also trims leading whitespace
        foreach (var c in folded)
        {
            var cat = CharUnicodeInfo.GetUnicodeCategory(c);
            if (cat is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark) continue;
            if (char.IsWhiteSpace(c))
            {
                if (!lastSpace) sb.Append(' ');
                lastSpace = true;
                continue;
            }
            lastSpace = false;
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString().TrimEnd();
    }

    /// <summary>ASCII only: lower-case and collapse whitespace in one pass.</summary>
    private static string AsciiSlow(string text)
    {
        Span<char> buf = text.Length <= 256 ? stackalloc char[text.Length] : new char[text.Length];
        var n = 0;
        var lastSpace = true;
        foreach (var c in text)
        {
            if (c is ' ' or '\t' or '\n' or '\r')
            {
                if (!lastSpace) buf[n++] = ' ';
                lastSpace = true;
                continue;
            }
            lastSpace = false;
            buf[n++] = char.ToLowerInvariant(c);
        }
        if (n > 0 && buf[n - 1] == ' ') n--;
        return new string(buf[..n]);
    }

    private static char Fold(char c)
    {
        if (c < 0xC0 || c > 0x17F) return c;
        var f = c <= 0xFF ? Latin1[c - 0xC0] : LatinExtA[c - 0x100];
        return f == '.' ? c : f;
    }
}
