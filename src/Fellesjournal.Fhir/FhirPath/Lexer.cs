using System.Text;

namespace Fellesjournal.Fhir.FhirPath;

internal enum TokenKind { Identifier, DelimitedIdentifier, String, Number, DateTime, Time, Variable, Special, Symbol, End }

internal readonly record struct Token(TokenKind Kind, string Text, int Position)
{
    public bool Is(string symbol) => Kind == TokenKind.Symbol && Text == symbol;
    public bool IsKeyword(string word) => Kind == TokenKind.Identifier && Text == word;
    public override string ToString() => Kind == TokenKind.End ? "end of expression" : $"'{Text}'";
}

/// <summary>Splits an expression into tokens; comments and whitespace are dropped.</summary>
internal static class Lexer
{
    private static readonly string[] Symbols = ["<=", ">=", "!=", "!~", "=", "~", "<", ">", "+", "-", "*", "/", "&", "|", "(", ")", "[", "]", "{", "}", ".", ","];

    public static List<Token> Tokenize(string s)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (true)
        {
            // whitespace and comments
            while (i < s.Length)
            {
                if (char.IsWhiteSpace(s[i])) { i++; continue; }
                if (s[i] == '/' && i + 1 < s.Length && s[i + 1] == '/')
                {
                    while (i < s.Length && s[i] != '\n') i++;
                    continue;
                }
                if (s[i] == '/' && i + 1 < s.Length && s[i + 1] == '*')
                {
                    var end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                    if (end < 0) throw new FhirPathException("Unterminated comment", i);
                    i = end + 2;
                    continue;
                }
                break;
            }
            if (i >= s.Length) { tokens.Add(new Token(TokenKind.End, "", i)); return tokens; }
            var start = i;
            var c = s[i];
            if (char.IsLetter(c) || c == '_')
            {
                while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_')) i++;
                tokens.Add(new Token(TokenKind.Identifier, s[start..i], start));
            }
            else if (char.IsDigit(c))
            {
                while (i < s.Length && char.IsDigit(s[i])) i++;
                // a '.' followed by a digit continues the number; otherwise it is an invocation
                if (i + 1 < s.Length && s[i] == '.' && char.IsDigit(s[i + 1]))
                {
                    i++;
                    while (i < s.Length && char.IsDigit(s[i])) i++;
                }
                tokens.Add(new Token(TokenKind.Number, s[start..i], start));
            }
            else if (c == '\'' || c == '`')
            {
                var text = ReadQuoted(s, ref i, c);
                tokens.Add(new Token(c == '\'' ? TokenKind.String : TokenKind.DelimitedIdentifier, text, start));
            }
            else if (c == '@')
            {
                i++;
                if (i < s.Length && s[i] == 'T')
                {
                    i++;
                    var t0 = i;
                    ReadTimePart(s, ref i);
                    if (i == t0) throw new FhirPathException("Invalid time literal", start);
                    tokens.Add(new Token(TokenKind.Time, s[t0..i], start));
                }
                else
                {
                    var d0 = i;
                    while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '-')) i++;
                    if (i == d0) throw new FhirPathException("Invalid date literal", start);
                    if (i < s.Length && s[i] == 'T')
                    {
                        i++;
                        ReadTimePart(s, ref i);
                        ReadZone(s, ref i);
                    }
                    tokens.Add(new Token(TokenKind.DateTime, s[d0..i], start));
                }
            }
            else if (c == '%')
            {
                i++;
                string name;
                if (i < s.Length && (s[i] == '`' || s[i] == '\'')) name = ReadQuoted(s, ref i, s[i]);
                else
                {
                    var n0 = i;
                    while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_' || s[i] == '-')) i++;
                    if (i == n0) throw new FhirPathException("Expected a variable name after '%'", start);
                    name = s[n0..i];
                }
                tokens.Add(new Token(TokenKind.Variable, name, start));
            }
            else if (c == '$')
            {
                i++;
                var n0 = i;
                while (i < s.Length && char.IsLetter(s[i])) i++;
                var name = s[n0..i];
                if (name is not ("this" or "index" or "total"))
                    throw new FhirPathException($"Unknown special variable '${name}'", start);
                tokens.Add(new Token(TokenKind.Special, name, start));
            }
            else
            {
                var sym = Symbols.FirstOrDefault(x => string.CompareOrdinal(s, i, x, 0, x.Length) == 0);
                if (sym is null) throw new FhirPathException($"Unexpected character '{c}'", i);
                i += sym.Length;
                tokens.Add(new Token(TokenKind.Symbol, sym, start));
            }
        }
    }

    private static void ReadTimePart(string s, ref int i)
    {
        // hh(:mm(:ss(.fff)?)?)?
        while (i < s.Length && (char.IsDigit(s[i]) || s[i] == ':')) i++;
        if (i + 1 < s.Length && s[i] == '.' && char.IsDigit(s[i + 1]))
        {
            i++;
            while (i < s.Length && char.IsDigit(s[i])) i++;
        }
    }

    private static void ReadZone(string s, ref int i)
    {
        if (i >= s.Length) return;
        if (s[i] == 'Z') { i++; return; }
        if ((s[i] == '+' || s[i] == '-') && i + 5 < s.Length + 0 && i + 6 <= s.Length &&
            char.IsDigit(s[i + 1]) && char.IsDigit(s[i + 2]) && s[i + 3] == ':' && char.IsDigit(s[i + 4]) && char.IsDigit(s[i + 5]))
            i += 6;
    }

    private static string ReadQuoted(string s, ref int i, char quote)
    {
        var start = i;
        i++;
        var sb = new StringBuilder();
        while (true)
        {
            if (i >= s.Length) throw new FhirPathException("Unterminated string or identifier", start);
            var c = s[i++];
            if (c == quote) return sb.ToString();
            if (c != '\\') { sb.Append(c); continue; }
            if (i >= s.Length) throw new FhirPathException("Unterminated escape", i);
            var e = s[i++];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'f': sb.Append('\f'); break;
                case 'u':
                    if (i + 4 > s.Length || !int.TryParse(s.AsSpan(i, 4), System.Globalization.NumberStyles.HexNumber, null, out var code))
                        throw new FhirPathException("Invalid unicode escape", i);
                    sb.Append((char)code);
                    i += 4;
                    break;
                default: sb.Append(e); break; // \' \" \` \\ \/
            }
        }
    }
}
