using System.Globalization;
using System.Text.RegularExpressions;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.FhirPath;

/// <summary>toX()/convertsToX() conversions between System types.</summary>
internal static partial class ConversionFunctions
{
    [GeneratedRegex(@"^[+-]?\d+$")]
    private static partial Regex IntegerText();

    [GeneratedRegex(@"^[+-]?\d+(\.\d+)?$")]
    private static partial Regex DecimalText();

    [GeneratedRegex(@"^(?<v>[+-]?\d+(\.\d+)?)\s*('(?<u>[^']+)'|(?<c>[a-z]+))?$")]
    private static partial Regex QuantityText();

    public static void Register(Dictionary<string, FunctionDef> d)
    {
        Pair(d, "Boolean", ToBoolean);
        Pair(d, "Integer", ToInteger);
        Pair(d, "Decimal", ToDecimal);
        Pair(d, "String", v => v is ElementNode ? null : Values.Format(v));
        Pair(d, "Date", ToDate);
        Pair(d, "DateTime", ToDateTime);
        Pair(d, "Time", ToTime);
        d.Add("toQuantity", 0, 1, (ctx, f, a, p) =>
        {
            var v = FunctionTable.SingleInput(f, "toQuantity", p);
            if (v is null) return [];
            var q = ToQuantity(v);
            if (q is null) return [];
            if (a.Length == 1 && ctx.SingleArg(a, 0, p) is string unit && unit != q.Value.Unit)
            {
                return Quantity.ConvertValue(q.Value, unit) is { } converted ? [new Quantity(converted, unit)] : [];
            }
            return [q.Value];
        });
        d.Add("convertsToQuantity", 0, 1, (ctx, f, a, p) =>
        {
            var v = FunctionTable.SingleInput(f, "convertsToQuantity", p);
            if (v is null) return [];
            var q = ToQuantity(v);
            if (q is not null && a.Length == 1 && ctx.SingleArg(a, 0, p) is string unit)
                return [Quantity.Align(q.Value, new Quantity(1, unit)) is not null];
            return [q is not null];
        });
    }

    private static void Pair(Dictionary<string, FunctionDef> d, string type, Func<object, object?> convert)
    {
        d.Add("to" + type, 0, 0, (_, f, _, p) =>
        {
            var v = FunctionTable.SingleInput(f, "to" + type, p);
            return v is not null && convert(v) is { } r ? [r] : [];
        });
        d.Add("convertsTo" + type, 0, 0, (_, f, _, p) =>
        {
            var v = FunctionTable.SingleInput(f, "convertsTo" + type, p);
            return v is null ? [] : [convert(v) is not null];
        });
    }

    private static object? ToBoolean(object v) => v switch
    {
        bool b => b,
        int i => i == 1 ? true : i == 0 ? false : null,
        long l => l == 1 ? true : l == 0 ? false : null,
        decimal m => m == 1m ? true : m == 0m ? false : null,
        string s => s.ToLowerInvariant() switch
        {
            "true" or "t" or "yes" or "y" or "1" or "1.0" => true,
            "false" or "f" or "no" or "n" or "0" or "0.0" => false,
            _ => null,
        },
        _ => null,
    };

    private static object? ToInteger(object v) => v switch
    {
        int i => i,
        long l => l,
        bool b => b ? 1 : 0,
        string s when IntegerText().IsMatch(s) =>
            int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) ? i : null,
        _ => null,
    };

    private static object? ToDecimal(object v) => v switch
    {
        int i => (decimal)i,
        long l => (decimal)l,
        decimal m => m,
        bool b => b ? 1.0m : 0.0m,
        string s when DecimalText().IsMatch(s) =>
            decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var m) ? m : null,
        _ => null,
    };

    private static object? ToDate(object v) => v switch
    {
        PartialDateTime d => d with
        {
            Hour = 0, Minute = 0, Second = 0, Millisecond = 0, Offset = null, HasTime = false,
            Precision = d.Precision > DateTimePrecision.Day ? DateTimePrecision.Day : d.Precision,
        },
        string s when !s.Contains('T') && PartialDateTime.TryParse(s, out var d) => d,
        _ => null,
    };

    private static object? ToDateTime(object v) => v switch
    {
        PartialDateTime d => d with { HasTime = true },
        string s when PartialDateTime.TryParse(s.EndsWith('T') ? s[..^1] : s, out var d) => d with { HasTime = true },
        _ => null,
    };

    private static object? ToTime(object v) => v switch
    {
        PartialTime t => t,
        string s when PartialTime.TryParse(s.StartsWith('T') ? s[1..] : s, out var t) => t,
        _ => null,
    };

    public static Quantity? ToQuantity(object v)
    {
        switch (v)
        {
            case Quantity q: return q;
            case int or long or decimal: return new Quantity(Values.ToDecimal(v), "1");
            case bool b: return new Quantity(b ? 1.0m : 0.0m, "1");
            case string s:
            {
                var m = QuantityText().Match(s.Trim());
                if (!m.Success) return null;
                var value = decimal.Parse(m.Groups["v"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
                if (m.Groups["u"].Success) return new Quantity(value, m.Groups["u"].Value);
                if (m.Groups["c"].Success)
                {
                    var unit = Quantity.NormalizeCalendar(m.Groups["c"].Value);
                    var q = new Quantity(value, unit);
                    return q.IsCalendar ? q : null;
                }
                return new Quantity(value, "1");
            }
            default: return null;
        }
    }
}
