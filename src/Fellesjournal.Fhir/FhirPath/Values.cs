using System.Globalization;
using System.Text.Json;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.FhirPath;

/// <summary>Conversion of items to System values, equality, equivalence and ordering.</summary>
internal static class Values
{
    /// <summary>
    /// The System value of an item: FHIR primitives become string/bool/int/decimal/date values, FHIR Quantities
    /// become <see cref="Quantity"/>; other nodes stay nodes. Null for a primitive node without a value.
    /// </summary>
    public static object? ToSystem(object item)
    {
        if (item is not ElementNode n) return item;
        if (n.TypeName is { } t)
        {
            if (n.IsPrimitive)
            {
                var v = n.Value;
                if (v is null && n.HasValue) return n.Text; // malformed value: keep its text
                return v;
            }
            if (t == "Quantity" || n.Definitions.IsSubtypeOf(t, "Quantity")) return ToQuantity(n) ?? (object)n;
            return n;
        }
        // unknown element: read the JSON value as it is
        return n.Json switch
        {
            { ValueKind: JsonValueKind.String } j => j.GetString(),
            { ValueKind: JsonValueKind.True } => true,
            { ValueKind: JsonValueKind.False } => false,
            { ValueKind: JsonValueKind.Number } j => j.TryGetInt32(out var i) ? i : j.GetDecimal(),
            _ => n,
        };
    }

    private static Quantity? ToQuantity(ElementNode n)
    {
        if (n.Child("value")?.Value is not decimal d) return null;
        var code = n.Child("code")?.Text;
        var unit = n.Child("unit")?.Text;
        var system = n.Child("system")?.Text;
        var u = code is not null && (system is null || system == "http://unitsofmeasure.org") ? code : unit ?? code ?? "1";
        return new Quantity(d, u);
    }

    public static bool IsNumber(object? v) => v is int or long or decimal;

    public static decimal ToDecimal(object v) => v switch
    {
        int i => i,
        long l => l,
        decimal d => d,
        _ => throw new InvalidCastException(),
    };

    /// <summary>FHIRPath '=' on two items: true/false, or null when the result is unknown (different date precisions).</summary>
    public static bool? Equal(object a, object b)
    {
        var x = ToSystem(a);
        var y = ToSystem(b);
        if (x is null || y is null) return null;
        switch (x)
        {
            case string s when y is string t: return string.Equals(s, t, StringComparison.Ordinal);
            case bool p when y is bool q: return p == q;
            case int or long or decimal when IsNumber(y): return ToDecimal(x) == ToDecimal(y);
            case PartialDateTime d when y is PartialDateTime e:
            {
                var c = DateTimes.Compare(d, e);
                return c is null ? null : c == 0;
            }
            case PartialTime d when y is PartialTime e:
            {
                var c = DateTimes.Compare(d, e);
                return c is null ? null : c == 0;
            }
            case Quantity q when y is Quantity r:
            {
                var al = Quantity.Align(q, r);
                return al is null ? null : al.Value.A == al.Value.B;
            }
            case ElementNode m when y is ElementNode n: return DeepEqual(m, n, equivalent: false);
            default: return false;
        }
    }

    /// <summary>FHIRPath '~' on two items.</summary>
    public static bool Equivalent(object a, object b)
    {
        var x = ToSystem(a);
        var y = ToSystem(b);
        if (x is null || y is null) return x is null && y is null;
        switch (x)
        {
            case string s when y is string t: return NormalizeString(s) == NormalizeString(t);
            case bool p when y is bool q: return p == q;
            case int or long or decimal when IsNumber(y): return DecimalEquivalent(ToDecimal(x), ToDecimal(y));
            case PartialDateTime d when y is PartialDateTime e:
                return DateTimes.SamePrecision(d, e) && DateTimes.Compare(d, e) == 0;
            case PartialTime d when y is PartialTime e:
                return DateTimes.SamePrecision(d, e) && DateTimes.Compare(d, e) == 0;
            case Quantity q when y is Quantity r:
            {
                var al = Quantity.Align(q, r);
                return al is not null && DecimalEquivalent(al.Value.A, al.Value.B);
            }
            case ElementNode m when y is ElementNode n: return DeepEqual(m, n, equivalent: true);
            default: return false;
        }
    }

    private static bool DecimalEquivalent(decimal a, decimal b)
    {
        var scale = Math.Min(a.Scale, b.Scale);
        return Math.Round(a, scale, MidpointRounding.AwayFromZero) == Math.Round(b, scale, MidpointRounding.AwayFromZero);
    }

    private static string NormalizeString(string s) =>
        string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();

    private static bool DeepEqual(ElementNode a, ElementNode b, bool equivalent)
    {
        if (a.IsPrimitive || b.IsPrimitive)
        {
            if (a.HasValue != b.HasValue) return false;
            if (a.HasValue)
            {
                var eq = equivalent ? Equivalent(a, b) : Equal(a, b) == true;
                if (!eq) return false;
            }
        }
        var ca = a.Children().Where(c => !(equivalent && c.Name == "id")).ToList();
        var cb = b.Children().Where(c => !(equivalent && c.Name == "id")).ToList();
        if (ca.Count != cb.Count) return false;
        if (!equivalent)
        {
            for (var i = 0; i < ca.Count; i++)
                if (ca[i].Name != cb[i].Name || !DeepEqual(ca[i], cb[i], false)) return false;
            return true;
        }
        var used = new bool[cb.Count];
        foreach (var c in ca)
        {
            var found = false;
            for (var j = 0; j < cb.Count; j++)
            {
                if (used[j] || cb[j].Name != c.Name || !DeepEqual(c, cb[j], true)) continue;
                used[j] = found = true;
                break;
            }
            if (!found) return false;
        }
        return true;
    }

    /// <summary>Ordering for &lt; &gt; &lt;= &gt;=: null when unknown (precision); throws for incomparable types.</summary>
    public static int? Compare(object a, object b, int position)
    {
        var x = ToSystem(a);
        var y = ToSystem(b);
        switch (x)
        {
            case string s when y is string t: return Math.Sign(string.CompareOrdinal(s, t));
            case int or long or decimal when IsNumber(y): return ToDecimal(x).CompareTo(ToDecimal(y!));
            case PartialDateTime d when y is PartialDateTime e: return DateTimes.Compare(d, e);
            case PartialTime d when y is PartialTime e: return DateTimes.Compare(d, e);
            case Quantity q when y is Quantity r:
            {
                var al = Quantity.Align(q, r);
                if (al is null) return null;
                return al.Value.A.CompareTo(al.Value.B);
            }
        }
        throw new FhirPathException($"Cannot compare {Types.NameOf(a)} with {Types.NameOf(b)}", position);
    }

    /// <summary>The text of a System value as FHIRPath's toString() writes it.</summary>
    public static string? Format(object? v) => v switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        decimal d => d.ToString(CultureInfo.InvariantCulture),
        PartialDateTime dt => DateTimes.Format(dt),
        PartialTime t => t.ToString(),
        Quantity q => q.IsCalendar ? $"{q.Value.ToString(CultureInfo.InvariantCulture)} {q.Unit}" : q.ToString(),
        ElementNode n => n.Text,
        _ => v.ToString(),
    };
}
