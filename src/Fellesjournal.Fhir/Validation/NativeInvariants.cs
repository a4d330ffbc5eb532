using System.Text.Json;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.Validation;

/// <summary>
/// Invariants answered without the FHIRPath interpreter, where the answer is certain:
/// <list type="bullet">
/// <item>expressions that only test which children exist (<c>value.empty() or system.exists()</c>, ext-1, dom-6, pat-1, ...):
/// <c>exists()</c> and <c>empty()</c> always yield a boolean, so the boolean operators over them are two-valued;</item>
/// <item>the common easy case of per-1 (a Period without both bounds) and ref-1 (a reference that is not local).</item>
/// </list>
/// Everything else (and the hard cases of per-1 and ref-1) goes to FHIRPath. Results are verified against
/// FHIRPath over all package examples (tests).
/// </summary>
internal abstract class NativeInvariant
{
    /// <summary>True/false when certain; null: evaluate with FHIRPath.</summary>
    public abstract bool? Evaluate(ElementNode node);

    /// <summary>A native form of the expression, or null.</summary>
    public static NativeInvariant? For(string key, string expression)
    {
        if (key == "per-1" && expression == "start.hasValue().not() or end.hasValue().not() or (start <= end)")
            return new PeriodBounds();
        if (key == "ref-1" && expression ==
            "reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))")
            return new NonLocalReference();
        return ExistenceParser.Parse(expression);
    }

    private static bool HasOne(ElementNode node, string name, out ElementNode? child)
    {
        child = null;
        foreach (var c in node.ChildList)
        {
            if (c.Name != name) continue;
            if (child is not null) return false;
            child = c;
        }
        return child is not null;
    }

    /// <summary>per-1 holds at once when start or end has no value (hasValue() is false, its not() true).</summary>
    private sealed class PeriodBounds : NativeInvariant
    {
        public override bool? Evaluate(ElementNode node)
        {
            var start = HasOne(node, "start", out var s) && s!.IsPrimitive && s.HasValue;
            var end = HasOne(node, "end", out var e) && e!.IsPrimitive && e.HasValue;
            return !start || !end ? true : null;
        }
    }

    /// <summary>
    /// ref-1 holds when there is no reference (both sides empty: not false) or the reference is a string
    /// that does not start with '#' (the left side is true).
    /// </summary>
    private sealed class NonLocalReference : NativeInvariant
    {
        public override bool? Evaluate(ElementNode node)
        {
            ElementNode? r = null;
            foreach (var c in node.ChildList)
            {
                if (c.Name != "reference") continue;
                if (r is not null) return null;
                r = c;
            }
            if (r is null) return true;
            if (r.Json is { ValueKind: JsonValueKind.String } j && !j.ValueEquals("#") && r.Text is { Length: > 0 } t && t[0] != '#')
                return true;
            return null;
        }
    }

    /// <summary>A boolean combination of path.exists() / path.empty() tests.</summary>
    private sealed class Existence(Func<ElementNode, bool> test) : NativeInvariant
    {
        public override bool? Evaluate(ElementNode node) => test(node);
    }

    /// <summary>
    /// Parses the grammar: or := and (('or'|'xor') and)*; and := eq ('and' eq)*; eq := term (('='|'!=') term)?;
    /// term := '(' or ')' | path '.' ('exists()'|'empty()') ('.not()')*; path := name ('.' name)*, names lower-case
    /// identifiers or `quoted`. Anything else: null.
    /// </summary>
    private sealed class ExistenceParser(string s)
    {
        private int _i;

        public static NativeInvariant? Parse(string expression)
        {
            var p = new ExistenceParser(expression);
            var f = p.Or();
            p.Space();
            return f is not null && p._i == expression.Length ? new Existence(f) : null;
        }

        private Func<ElementNode, bool>? Or()
        {
            var left = And();
            while (left is not null)
            {
                if (Keyword("or")) { var r = And(); if (r is null) return null; var l = left; left = n => l(n) || r(n); }
                else if (Keyword("xor")) { var r = And(); if (r is null) return null; var l = left; left = n => l(n) ^ r(n); }
                else break;
            }
            return left;
        }

        private Func<ElementNode, bool>? And()
        {
            var left = Eq();
            while (left is not null && Keyword("and"))
            {
                var r = Eq();
                if (r is null) return null;
                var l = left;
                left = n => l(n) && r(n);
            }
            return left;
        }

        private Func<ElementNode, bool>? Eq()
        {
            var left = Term();
            if (left is null) return null;
            Space();
            if (Literal("!="))
            {
                var r = Term();
                return r is null ? null : n => left(n) != r(n);
            }
            if (Literal("="))
            {
                var r = Term();
                return r is null ? null : n => left(n) == r(n);
            }
            return left;
        }

        private Func<ElementNode, bool>? Term()
        {
            Space();
            if (Literal("("))
            {
                var inner = Or();
                Space();
                return inner is not null && Literal(")") ? inner : null;
            }
            var path = new List<string>();
            while (true)
            {
                var name = Name();
                if (name is null) return null;
                path.Add(name);
                if (!Literal(".")) return null;
                if (Literal("exists()")) return Not(Exists(path.ToArray(), true));
                if (Literal("empty()")) return Not(Exists(path.ToArray(), false));
            }
        }

        private Func<ElementNode, bool> Not(Func<ElementNode, bool> f)
        {
            while (Literal(".not()"))
            {
                var g = f;
                f = n => !g(n);
            }
            return f;
        }

        private static Func<ElementNode, bool> Exists(string[] path, bool exists) => n => Any(n, path, 0) == exists;

        /// <summary>Whether navigating the path from the node yields anything (children by element name, as FHIRPath does).</summary>
        private static bool Any(ElementNode node, string[] path, int depth)
        {
            foreach (var c in node.ChildList)
            {
                if (c.Name != path[depth]) continue;
                if (depth == path.Length - 1 || Any(c, path, depth + 1)) return true;
            }
            return false;
        }

        private string? Name()
        {
            if (_i < s.Length && s[_i] == '`')
            {
                var end = s.IndexOf('`', _i + 1);
                if (end < 0) return null;
                var quoted = s[(_i + 1)..end];
                _i = end + 1;
                return quoted.Length > 0 && char.IsAsciiLetterLower(quoted[0]) ? quoted : null;
            }
            var start = _i;
            if (_i >= s.Length || !char.IsAsciiLetterLower(s[_i])) return null;
            while (_i < s.Length && (char.IsAsciiLetterOrDigit(s[_i]) || s[_i] == '_')) _i++;
            var name = s[start.._i];
            // Keywords and function names are not element names here.
            return name is "or" or "and" or "xor" or "exists" or "empty" or "not" or "implies" or "is" or "as" or "in" or "contains"
                or "div" or "mod" or "true" or "false" || (_i < s.Length && s[_i] == '(') ? null : name;
        }

        private bool Keyword(string k)
        {
            Space();
            if (string.CompareOrdinal(s, _i, k, 0, k.Length) != 0) return false;
            var end = _i + k.Length;
            if (end < s.Length && (char.IsAsciiLetterOrDigit(s[end]) || s[end] == '_')) return false;
            _i = end;
            return true;
        }

        private bool Literal(string t)
        {
            if (string.CompareOrdinal(s, _i, t, 0, t.Length) != 0) return false;
            _i += t.Length;
            return true;
        }

        private void Space()
        {
            while (_i < s.Length && char.IsWhiteSpace(s[_i])) _i++;
        }
    }
}
