using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Fellesjournal.Fhir.FhirPath;

/// <summary>String manipulation functions; the input must be a single string.</summary>
internal static class StringFunctions
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(2);

    public static void Register(Dictionary<string, FunctionDef> d)
    {
        d.Add("indexOf", 1, 1, (ctx, f, a, p) => Str(f, "indexOf", p, s =>
            ctx.SingleArg(a, 0, p) is string sub ? s.IndexOf(sub, StringComparison.Ordinal) : null));
        d.Add("substring", 1, 2, (ctx, f, a, p) => Str(f, "substring", p, s =>
        {
            if (ctx.SingleArg(a, 0, p) is not int start) return null;
            if (start < 0 || start >= s.Length) return null;
            if (a.Length == 1) return s[start..];
            var len = ctx.SingleArg(a, 1, p);
            if (len is null) return s[start..];
            if (len is not int n) return null;
            return n <= 0 ? "" : s.Substring(start, Math.Min(n, s.Length - start));
        }));
        d.Add("startsWith", 1, 1, (ctx, f, a, p) => Str(f, "startsWith", p, s =>
            ctx.SingleArg(a, 0, p) is string x ? s.StartsWith(x, StringComparison.Ordinal) : null));
        d.Add("endsWith", 1, 1, (ctx, f, a, p) => Str(f, "endsWith", p, s =>
            ctx.SingleArg(a, 0, p) is string x ? s.EndsWith(x, StringComparison.Ordinal) : null));
        d.Add("contains", 1, 1, (ctx, f, a, p) => Str(f, "contains", p, s =>
            ctx.SingleArg(a, 0, p) is string x ? s.Contains(x, StringComparison.Ordinal) : null));
        d.Add("upper", 0, 0, (_, f, _, p) => Str(f, "upper", p, s => s.ToUpperInvariant()));
        d.Add("lower", 0, 0, (_, f, _, p) => Str(f, "lower", p, s => s.ToLowerInvariant()));
        d.Add("length", 0, 0, (_, f, _, p) => Str(f, "length", p, s => s.Length));
        d.Add("trim", 0, 0, (_, f, _, p) => Str(f, "trim", p, s => s.Trim()));
        d.Add("toChars", 0, 0, (_, f, _, p) =>
        {
            var s = Input(f, "toChars", p);
            return s is null ? [] : s.Select(c => (object)c.ToString()).ToList();
        });
        d.Add("replace", 2, 2, (ctx, f, a, p) => Str(f, "replace", p, s =>
        {
            if (ctx.SingleArg(a, 0, p) is not string pattern || ctx.SingleArg(a, 1, p) is not string repl) return null;
            if (pattern.Length == 0)
            {
                // '' matches between every character
                var sb = new StringBuilder(repl);
                foreach (var c in s) sb.Append(c).Append(repl);
                return sb.ToString();
            }
            return s.Replace(pattern, repl, StringComparison.Ordinal);
        }));
        d.Add("matches", 1, 1, (ctx, f, a, p) => Str(f, "matches", p, s =>
            ctx.SingleArg(a, 0, p) is string re ? Regex(re, p).IsMatch(s) : null));
        d.Add("matchesFull", 1, 1, (ctx, f, a, p) => Str(f, "matchesFull", p, s =>
            ctx.SingleArg(a, 0, p) is string re ? Regex("^(?:" + re + ")$", p).IsMatch(s) : null));
        d.Add("replaceMatches", 2, 2, (ctx, f, a, p) => Str(f, "replaceMatches", p, s =>
        {
            if (ctx.SingleArg(a, 0, p) is not string re || ctx.SingleArg(a, 1, p) is not string repl) return null;
            // an empty pattern replaces nothing
            return re.Length == 0 ? s : Regex(re, p).Replace(s, repl);
        }));
        d.Add("split", 1, 1, (ctx, f, a, p) =>
        {
            var s = Input(f, "split", p);
            if (s is null || ctx.SingleArg(a, 0, p) is not string sep) return [];
            return s.Split(sep).Select(x => (object)x).ToList();
        });
        d.Add("join", 0, 1, (ctx, f, a, p) =>
        {
            var sep = a.Length == 1 ? ctx.SingleArg(a, 0, p) as string ?? "" : "";
            return [string.Join(sep, f.Select(x => Values.Format(Values.ToSystem(x))))];
        });
        d.Add("encode", 1, 1, (ctx, f, a, p) => Str(f, "encode", p, s => ctx.SingleArg(a, 0, p) switch
        {
            "base64" => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)),
            "urlbase64" => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).Replace('+', '-').Replace('/', '_'),
            "hex" => Convert.ToHexString(Encoding.UTF8.GetBytes(s)).ToLowerInvariant(),
            _ => null,
        }));
        d.Add("decode", 1, 1, (ctx, f, a, p) => Str(f, "decode", p, s =>
        {
            try
            {
                return ctx.SingleArg(a, 0, p) switch
                {
                    "base64" => Encoding.UTF8.GetString(Convert.FromBase64String(s)),
                    "urlbase64" => Encoding.UTF8.GetString(Convert.FromBase64String(s.Replace('-', '+').Replace('_', '/'))),
                    "hex" => Encoding.UTF8.GetString(Convert.FromHexString(s)),
                    _ => null,
                };
            }
            catch (FormatException) { return null; }
        }));
        d.Add("escape", 1, 1, (ctx, f, a, p) => Str(f, "escape", p, s => ctx.SingleArg(a, 0, p) switch
        {
            "html" => WebUtility.HtmlEncode(s),
            "json" => EscapeJson(s),
            _ => null,
        }));
        d.Add("unescape", 1, 1, (ctx, f, a, p) => Str(f, "unescape", p, s => ctx.SingleArg(a, 0, p) switch
        {
            "html" => WebUtility.HtmlDecode(s),
            "json" => Unjson(s),
            _ => null,
        }));
    }

    private static string EscapeJson(string s)
    {
        var sb = new StringBuilder();
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < ' ') sb.Append("\\u").Append(((int)c).ToString("x4"));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    private static string? Unjson(string s)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c != '\\' || i + 1 >= s.Length) { sb.Append(c); continue; }
            var e = s[++i];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'u' when i + 4 < s.Length && int.TryParse(s.AsSpan(i + 1, 4), System.Globalization.NumberStyles.HexNumber, null, out var code):
                    sb.Append((char)code);
                    i += 4;
                    break;
                default: sb.Append(e); break;
            }
        }
        return sb.ToString();
    }

    private static Regex Regex(string pattern, int p)
    {
        try { return new Regex(pattern, RegexOptions.Singleline | RegexOptions.CultureInvariant, RegexTimeout); }
        catch (ArgumentException e) { throw new FhirPathException($"Invalid regular expression: {e.Message}", p); }
    }

    private static string? Input(List<object> f, string name, int p)
    {
        var v = FunctionTable.SingleInput(f, name, p);
        return v switch
        {
            null => null,
            string s => s,
            _ => throw new FhirPathException($"{name}() requires a string input, found {Types.NameOf(f[0])}", p),
        };
    }

    private static List<object> Str(List<object> f, string name, int p, Func<string, object?> op)
    {
        var s = Input(f, name, p);
        if (s is null) return [];
        try
        {
            return op(s) is { } r ? [r] : [];
        }
        catch (RegexMatchTimeoutException)
        {
            throw new FhirPathException($"{name}(): regular expression timed out", p);
        }
    }
}
