namespace Fellesjournal.Fhir.Validation;

/// <summary>
/// A single-pass scanner for the common shape of narrative XHTML: ASCII element and attribute names without
/// prefixes, quoted attributes, the five predefined entities and character references, no comments, CDATA,
/// processing instructions or DOCTYPE. It answers only when it is sure the narrative is well-formed, is one
/// xhtml div, has content and has no active content; anything else (including every error) is left to the
/// XmlReader path, so verdicts and messages are those of <see cref="XhtmlChecks"/>'s reader.
/// </summary>
internal static class XhtmlScanner
{
    private const string XhtmlNs = "http://www.w3.org/1999/xhtml";

    /// <summary>True when the narrative is certainly valid; false means "not sure" (use the XmlReader).</summary>
    public static bool IsCertainlyValid(string s)
    {
        var open = OpenTags ??= new List<(int Start, int Length)>(16);
        open.Clear();
        var i = SkipXmlSpace(s, 0);
        var hasContent = false;
        var rootSeen = false;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '<')
            {
                if (i + 1 >= s.Length) return false;
                var n = s[i + 1];
                if (n == '/')
                {
                    // End tag: </name S?>
                    var start = i + 2;
                    var end = ScanName(s, start);
                    if (end == start || open.Count == 0) return false;
                    var (os, ol) = open[^1];
                    if (ol != end - start || string.CompareOrdinal(s, os, s, start, ol) != 0) return false;
                    open.RemoveAt(open.Count - 1);
                    i = SkipXmlSpace(s, end);
                    if (i >= s.Length || s[i] != '>') return false;
                    i++;
                    if (open.Count == 0)
                    {
                        // After the root: only XML whitespace.
                        return SkipXmlSpace(s, i) == s.Length && hasContent;
                    }
                    continue;
                }
                // Start tag: <name (S attr)* S? /?>
                var nameStart = i + 1;
                var nameEnd = ScanName(s, nameStart);
                if (nameEnd == nameStart) return false; // comment, CDATA, PI, DOCTYPE or an error
                var isRoot = !rootSeen;
                if (isRoot)
                {
                    if (open.Count != 0) return false;
                    rootSeen = true;
                    if (nameEnd - nameStart != 3 || string.CompareOrdinal(s, nameStart, "div", 0, 3) != 0) return false;
                }
                else
                {
                    if (open.Count == 0) return false; // a second root
                    hasContent = true;
                }
                if (IsForbidden(s.AsSpan(nameStart, nameEnd - nameStart))) return false;
                i = nameEnd;
                var xmlnsOk = false;
                var attrStart = i;
                while (true)
                {
                    var afterSpace = SkipXmlSpace(s, i);
                    if (afterSpace >= s.Length) return false;
                    var t = s[afterSpace];
                    if (t == '>' || t == '/')
                    {
                        i = afterSpace;
                        break;
                    }
                    if (afterSpace == i) return false; // attributes must be separated by whitespace
                    var an = afterSpace;
                    var anEnd = ScanName(s, an);
                    if (anEnd == an) return false;
                    var attrName = s.AsSpan(an, anEnd - an);
                    if (attrName.Length >= 2 && (attrName[0] | 0x20) == 'o' && (attrName[1] | 0x20) == 'n') return false; // event attributes
                    if (HasAttribute(s, attrStart, an, attrName)) return false; // duplicates
                    i = SkipXmlSpace(s, anEnd);
                    if (i >= s.Length || s[i] != '=') return false;
                    i = SkipXmlSpace(s, i + 1);
                    if (i >= s.Length || s[i] is not ('"' or '\'')) return false;
                    var quote = s[i];
                    var valueStart = i + 1;
                    var valueEnd = s.IndexOf(quote, valueStart);
                    if (valueEnd < 0) return false;
                    var value = s.AsSpan(valueStart, valueEnd - valueStart);
                    if (attrName.SequenceEqual("xmlns"))
                    {
                        // A namespace declaration only on the root, and exactly the XHTML namespace.
                        if (!isRoot || !value.SequenceEqual(XhtmlNs)) return false;
                        xmlnsOk = true;
                    }
                    else if (!IsPlainText(value, attribute: true, out _)) return false;
                    i = valueEnd + 1;
                }
                if (isRoot && !xmlnsOk) return false;
                if (s[i] == '/')
                {
                    if (i + 1 >= s.Length || s[i + 1] != '>') return false;
                    i += 2;
                    if (isRoot) return false; // an empty root div has no content
                    continue;
                }
                i++; // '>'
                open.Add((nameStart, nameEnd - nameStart));
                continue;
            }
            // Character data up to the next tag.
            if (open.Count == 0) return false; // text outside the root
            var next = s.IndexOf('<', i);
            if (next < 0) return false;
            if (!IsPlainText(s.AsSpan(i, next - i), attribute: false, out var nonSpace)) return false;
            hasContent |= nonSpace;
            i = next;
        }
        return false; // unclosed elements or no root
    }

    [ThreadStatic] private static List<(int Start, int Length)>? OpenTags;

    private static int SkipXmlSpace(string s, int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t' or '\n' or '\r') i++;
        return i;
    }

    /// <summary>End of an ASCII name without a prefix ([A-Za-z_][A-Za-z0-9._-]*), or <paramref name="i"/> when there is none.</summary>
    private static int ScanName(string s, int i)
    {
        if (i >= s.Length || !(char.IsAsciiLetter(s[i]) || s[i] == '_')) return i;
        var j = i + 1;
        while (j < s.Length && (char.IsAsciiLetterOrDigit(s[j]) || s[j] is '.' or '_' or '-')) j++;
        return j;
    }

    /// <summary>Whether an attribute with this name occurs in the tag between <paramref name="from"/> and <paramref name="to"/>.</summary>
    private static bool HasAttribute(string s, int from, int to, ReadOnlySpan<char> name)
    {
        var i = from;
        while (i < to)
        {
            i = SkipXmlSpace(s, i);
            if (i >= to) return false;
            var end = ScanName(s, i);
            if (s.AsSpan(i, end - i).SequenceEqual(name)) return true;
            // Skip = "value".
            var q = SkipXmlSpace(s, SkipXmlSpace(s, end) + 1);
            i = s.IndexOf(s[q], q + 1) + 1;
        }
        return false;
    }

    /// <summary>
    /// Character data (or an attribute value) with only characters the reader accepts as they are: no control
    /// characters, no surrogates or non-characters, no ']]&gt;', no '&lt;' and only predefined or numeric references.
    /// <paramref name="nonSpace"/>: some character that is not whitespace, as the reader would report it.
    /// </summary>
    private static bool IsPlainText(ReadOnlySpan<char> t, bool attribute, out bool nonSpace)
    {
        nonSpace = false;
        for (var i = 0; i < t.Length; i++)
        {
            var c = t[i];
            if (c < 0x20)
            {
                if (c is not ('\t' or '\n' or '\r')) return false;
                continue;
            }
            if (c >= 0xD800 || c is >= '\x7F' and <= '\x9F') return false; // surrogates, non-characters, C1 controls: the reader decides
            switch (c)
            {
                case '<':
                    return false;
                case '>' when !attribute && i >= 2 && t[i - 1] == ']' && t[i - 2] == ']':
                    return false;
                case '&':
                    var semi = t[i..].IndexOf(';');
                    if (semi < 0) return false;
                    var entity = t.Slice(i + 1, semi - 1);
                    if (!(entity is "amp" or "lt" or "gt" or "quot" or "apos" || IsCharReference(entity))) return false;
                    nonSpace = true; // each of them stands for a character that is not whitespace
                    i += semi;
                    continue;
            }
            if (!char.IsWhiteSpace(c)) nonSpace = true;
        }
        return true;
    }

    /// <summary>#123 or #x1F referring to a printable, non-whitespace BMP character (anything else: the reader decides).</summary>
    private static bool IsCharReference(ReadOnlySpan<char> e)
    {
        if (e.Length < 2 || e[0] != '#') return false;
        var hex = e[1] == 'x';
        var digits = e[(hex ? 2 : 1)..];
        if (digits.Length is 0 or > 5) return false;
        var v = 0;
        foreach (var d in digits)
        {
            int dv;
            if (d is >= '0' and <= '9') dv = d - '0';
            else if (hex && (d | 0x20) is >= 'a' and <= 'f') dv = (d | 0x20) - 'a' + 10;
            else return false;
            v = v * (hex ? 16 : 10) + dv;
        }
        return v is > 0x20 and < 0xD800 and not (>= 0x7F and <= 0x9F) && !char.IsWhiteSpace((char)v);
    }

    private static bool IsForbidden(ReadOnlySpan<char> name)
    {
        foreach (var f in Forbidden)
            if (name.Equals(f, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    // Kept in step with XhtmlChecks.Forbidden: a forbidden element sends the narrative to the reader for its message.
    private static readonly string[] Forbidden =
        ["script", "iframe", "object", "embed", "applet", "form", "input", "button", "frame", "frameset", "base", "link", "meta"];
}
