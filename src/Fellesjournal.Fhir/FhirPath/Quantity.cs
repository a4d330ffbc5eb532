using System.Globalization;

namespace Fellesjournal.Fhir.FhirPath;

/// <summary>A FHIRPath quantity: a decimal value with a UCUM unit or a calendar duration unit ('year', 'month', ...).</summary>
public readonly record struct Quantity(decimal Value, string Unit)
{
    private static readonly HashSet<string> Calendar = ["year", "month", "week", "day", "hour", "minute", "second", "millisecond"];

    /// <summary>True for a calendar duration keyword unit (year, month, ...), as opposed to a UCUM unit.</summary>
    public bool IsCalendar => Calendar.Contains(Unit);

    /// <summary>"days" → "day": calendar keywords are kept in singular form.</summary>
    public static string NormalizeCalendar(string unit) =>
        unit.EndsWith('s') && Calendar.Contains(unit[..^1]) ? unit[..^1] : unit;

    public override string ToString() => $"{Value.ToString(CultureInfo.InvariantCulture)} '{Unit}'";

    /// <summary>The UCUM equivalent of a calendar unit for comparison; year and month have none that is exact.</summary>
    internal static string? CalendarToUcum(string unit) => unit switch
    {
        "week" => "wk", "day" => "d", "hour" => "h", "minute" => "min", "second" => "s", "millisecond" => "ms",
        "year" => "a", "month" => "mo", _ => null,
    };

    /// <summary>The value of <paramref name="q"/> expressed in <paramref name="unit"/>; null when not commensurable.</summary>
    internal static decimal? ConvertValue(Quantity q, string unit)
    {
        if (q.Unit == unit) return q.Value;
        var al = Align(q, new Quantity(1, unit));
        return al is null || al.Value.B == 0 ? null : al.Value.A / al.Value.B;
    }

    /// <summary>
    /// Converts both quantities to a common unit so they can be compared; null when the units are not commensurable.
    /// </summary>
    internal static (decimal A, decimal B)? Align(Quantity a, Quantity b)
    {
        if (a.Unit == b.Unit) return (a.Value, b.Value);
        // calendar years/months only compare with themselves (their UCUM counterparts are averages)
        if (a.IsCalendar && b.IsCalendar)
        {
            if (a.Unit is "year" or "month" || b.Unit is "year" or "month")
            {
                if (a.Unit is "year" && b.Unit is "month") return (a.Value * 12, b.Value);
                if (a.Unit is "month" && b.Unit is "year") return (a.Value, b.Value * 12);
                return null;
            }
        }
        else if ((a.IsCalendar && a.Unit is "year" or "month") || (b.IsCalendar && b.Unit is "year" or "month")) return null;
        var ua = a.IsCalendar ? CalendarToUcum(a.Unit)! : a.Unit;
        var ub = b.IsCalendar ? CalendarToUcum(b.Unit)! : b.Unit;
        if (ua == ub) return (a.Value, b.Value);
        var ca = Ucum.Canonical(ua);
        var cb = Ucum.Canonical(ub);
        if (ca is null || cb is null || ca.Value.Dims != cb.Value.Dims) return null;
        return (a.Value * ca.Value.Factor, b.Value * cb.Value.Factor);
    }
}

/// <summary>A small UCUM subset: prefixes, base and common derived atoms, products/quotients and exponents.</summary>
internal static class Ucum
{
    private static readonly Dictionary<string, decimal> Prefixes = new(StringComparer.Ordinal)
    {
        ["k"] = 1e3m, ["h"] = 1e2m, ["da"] = 1e1m, ["d"] = 1e-1m, ["c"] = 1e-2m, ["m"] = 1e-3m, ["u"] = 1e-6m,
        ["n"] = 1e-9m, ["p"] = 1e-12m, ["M"] = 1e6m, ["G"] = 1e9m, ["f"] = 1e-15m,
    };

    // atom → factor and dimension vector (as text, e.g. "g1", "m1", "s1")
    private static readonly Dictionary<string, (decimal Factor, string Dim, bool Metric)> Atoms = new(StringComparer.Ordinal)
    {
        ["g"] = (1m, "g", true), ["m"] = (1m, "m", true), ["s"] = (1m, "s", true), ["L"] = (1e-3m, "m3", true),
        ["l"] = (1e-3m, "m3", true), ["mol"] = (1m, "mol", true), ["eq"] = (1m, "eq", true), ["K"] = (1m, "K", true),
        ["min"] = (60m, "s", false), ["h"] = (3600m, "s", false), ["d"] = (86400m, "s", false), ["wk"] = (604800m, "s", false),
        ["mo"] = (2629800m, "s", false), ["a"] = (31557600m, "s", false), ["[lb_av]"] = (453.59237m, "g", false),
        ["[in_i]"] = (0.0254m, "m", false), ["[ft_i]"] = (0.3048m, "m", false), ["%"] = (0.01m, "", false),
        ["1"] = (1m, "", false), ["U"] = (1m, "U", true), ["[iU]"] = (1m, "[iU]", true), ["Pa"] = (1000m, "g1m-1s-2", true),
        ["[mm_Hg]"] = (133322m, "g1m-1s-2", false), ["bar"] = (1e8m, "g1m-1s-2", true), ["Hz"] = (1m, "s-1", true),
    };

    public static (decimal Factor, string Dims)? Canonical(string unit)
    {
        try
        {
            var dims = new SortedDictionary<string, int>(StringComparer.Ordinal);
            decimal factor = 1;
            var terms = Split(unit);
            if (terms is null) return null;
            foreach (var (atomText, sign) in terms)
            {
                var (atom, exp) = SplitExponent(atomText);
                exp *= sign;
                var r = Resolve(atom);
                if (r is null) return null;
                for (var i = 0; i < Math.Abs(exp); i++) factor = exp > 0 ? factor * r.Value.Factor : factor / r.Value.Factor;
                foreach (var (d, n) in ParseDims(r.Value.Dim))
                    dims[d] = dims.GetValueOrDefault(d) + n * exp;
            }
            var key = string.Concat(dims.Where(kv => kv.Value != 0).Select(kv => kv.Key + kv.Value.ToString(CultureInfo.InvariantCulture)));
            return (factor, key);
        }
        catch (OverflowException) { return null; }
    }

    private static List<(string, int)>? Split(string unit)
    {
        var list = new List<(string, int)>();
        var sign = 1;
        var start = 0;
        if (unit.StartsWith('/')) { sign = -1; start = 1; }
        for (var i = start; i <= unit.Length; i++)
        {
            if (i < unit.Length && unit[i] != '.' && unit[i] != '/') continue;
            var part = unit[start..i];
            if (part.Length == 0) return null;
            list.Add((part, sign));
            if (i < unit.Length && unit[i] == '/') sign = -1;
            start = i + 1;
        }
        return list;
    }

    private static (string, int) SplitExponent(string s)
    {
        if (s.StartsWith("10*", StringComparison.Ordinal) || s.StartsWith("10^", StringComparison.Ordinal)) return (s, 1);
        var i = s.Length;
        while (i > 0 && (char.IsDigit(s[i - 1]) || s[i - 1] == '-' || s[i - 1] == '+')) i--;
        if (i == 0 || i == s.Length) return (s, 1);
        return int.TryParse(s[i..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var e) ? (s[..i], e) : (s, 1);
    }

    private static (decimal Factor, string Dim)? Resolve(string atom)
    {
        // annotations ({cells}) carry no meaning for conversion
        var brace = atom.IndexOf('{');
        if (brace >= 0)
        {
            var close = atom.IndexOf('}', brace);
            if (close < 0) return null;
            atom = atom[..brace] + atom[(close + 1)..];
            if (atom.Length == 0) return (1m, "");
        }
        if (Atoms.TryGetValue(atom, out var a)) return (a.Factor, a.Dim);
        // 10*3, 10^-6: powers of ten
        if (atom.Length > 3 && atom.StartsWith("10", StringComparison.Ordinal) && atom[2] is '*' or '^' &&
            int.TryParse(atom.AsSpan(3), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var pow) && pow is >= -20 and <= 20)
        {
            var f = 1m;
            for (var i = 0; i < Math.Abs(pow); i++) f = pow > 0 ? f * 10 : f / 10;
            return (f, "");
        }
        foreach (var (p, f) in Prefixes)
        {
            if (atom.Length > p.Length && atom.StartsWith(p, StringComparison.Ordinal) &&
                Atoms.TryGetValue(atom[p.Length..], out var b) && b.Metric)
                return (f * b.Factor, b.Dim);
        }
        return null;
    }

    private static IEnumerable<(string, int)> ParseDims(string dim)
    {
        // "g1m-1s-2" / "m3" / "s" / ""
        var i = 0;
        while (i < dim.Length)
        {
            var n0 = i;
            while (i < dim.Length && !char.IsDigit(dim[i]) && dim[i] != '-') i++;
            var name = dim[n0..i];
            var e0 = i;
            if (i < dim.Length && dim[i] == '-') i++;
            while (i < dim.Length && char.IsDigit(dim[i])) i++;
            var exp = e0 == i ? 1 : int.Parse(dim[e0..i], CultureInfo.InvariantCulture);
            yield return (name, exp);
        }
    }
}
