using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.FhirPath;

/// <summary>lowBoundary, highBoundary, precision and comparable (FHIRPath 2.0 additions used by R4 invariants).</summary>
internal static class PrecisionFunctions
{
    public static void Register(Dictionary<string, FunctionDef> d)
    {
        d.Add("lowBoundary", 0, 1, (ctx, f, a, p) => Boundary(ctx, f, a, p, low: true));
        d.Add("highBoundary", 0, 1, (ctx, f, a, p) => Boundary(ctx, f, a, p, low: false));
        d.Add("precision", 0, 0, (_, f, _, p) => FunctionTable.SingleInput(f, "precision", p) switch
        {
            decimal m => [(int)m.Scale],
            int => [0],
            PartialDateTime dt => [DigitsOf(dt.Precision)],
            PartialTime t => [DigitsOf(t.Precision) - 8],
            _ => [],
        });
        d.Add("comparable", 1, 1, (ctx, f, a, p) =>
        {
            var x = FunctionTable.SingleInput(f, "comparable", p);
            var y = ctx.SingleArg(a, 0, p);
            if (x is not Quantity q || y is not Quantity r) return [];
            return [Quantity.Align(q, r) is not null];
        });
    }

    private static int DigitsOf(DateTimePrecision p) => p switch
    {
        DateTimePrecision.Year => 4,
        DateTimePrecision.Month => 6,
        DateTimePrecision.Day => 8,
        DateTimePrecision.Hour => 10,
        DateTimePrecision.Minute => 12,
        DateTimePrecision.Second => 14,
        _ => 17,
    };

    private static DateTimePrecision? FromDigits(int digits) => digits switch
    {
        4 => DateTimePrecision.Year,
        6 => DateTimePrecision.Month,
        8 => DateTimePrecision.Day,
        10 => DateTimePrecision.Hour,
        12 => DateTimePrecision.Minute,
        14 => DateTimePrecision.Second,
        17 => DateTimePrecision.Millisecond,
        _ => null,
    };

    private static List<object> Boundary(Context ctx, List<object> f, Expr[] a, int p, bool low)
    {
        var v = FunctionTable.SingleInput(f, low ? "lowBoundary" : "highBoundary", p);
        if (v is null) return [];
        int? digits = null;
        if (a.Length == 1)
        {
            if (ctx.SingleArg(a, 0, p) is not int n) return [];
            digits = n;
        }
        object? r = v switch
        {
            int i => DecimalBoundary(i, digits ?? 8, low),
            long l => DecimalBoundary(l, digits ?? 8, low),
            decimal m => DecimalBoundary(m, digits ?? 8, low),
            Quantity q => DecimalBoundary(q.Value, digits ?? 8, low) is { } b ? q with { Value = b } : null,
            PartialDateTime dt => DateBoundary(dt, digits ?? 17, low),
            PartialTime t => TimeBoundary(t, digits ?? 9, low),
            _ => null,
        };
        return r is null ? [] : [r];
    }

    private static decimal? DecimalBoundary(decimal v, int digits, bool low)
    {
        if (digits is < 0 or > 28) return null;
        // negative values mirror the positive ones: low(-x) = -high(x)
        if (v < 0) return -DecimalBoundary(-v, digits, !low);
        // the value stands for the interval ± half a unit of its last digit; the bound is then cut to the
        // requested digits as the HL7 reference implementation does (low truncates, high rounds half up),
        // which is what the R4 suite expects (0.0034.highBoundary(1) = 0.0)
        var half = 0.5m / Pow10(v.Scale);
        var r = low ? Math.Truncate((v - half) * Pow10(digits)) / Pow10(digits)
                    : Math.Round(v + half, digits, MidpointRounding.AwayFromZero);
        // adding a zero of the target scale pads 1.5865 to 1.58650000
        return Math.Round(r, digits) + ZeroWithScale(digits);
    }

    private static decimal ZeroWithScale(int digits) => new(0, 0, 0, false, (byte)digits);

    private static decimal Pow10(int n)
    {
        var r = 1m;
        for (var i = 0; i < n; i++) r *= 10;
        return r;
    }

    private static PartialDateTime? DateBoundary(PartialDateTime d, int digits, bool low)
    {
        if (FromDigits(digits) is not { } target) return null;
        // an hour-only value is read as minute precision (T08 → T08:00)
        var prec = d.Precision == DateTimePrecision.Hour ? DateTimePrecision.Minute : d.Precision;
        var r = d;
        if (!low)
        {
            if (prec < DateTimePrecision.Month) r = r with { Month = 12 };
            if (prec < DateTimePrecision.Day) r = r with { Day = DateTime.DaysInMonth(r.Year, r.Month) };
            if (prec < DateTimePrecision.Hour) r = r with { Hour = 23 };
            if (prec < DateTimePrecision.Minute) r = r with { Minute = 59 };
            if (prec < DateTimePrecision.Second) r = r with { Second = 59 };
            if (prec < DateTimePrecision.Millisecond) r = r with { Millisecond = 999 };
        }
        var hasTime = target > DateTimePrecision.Day;
        var offset = hasTime ? d.Offset ?? (low ? TimeSpan.FromHours(14) : TimeSpan.FromHours(-12)) : (TimeSpan?)null;
        return r with { Precision = target, HasTime = hasTime, Offset = offset };
    }

    private static PartialTime? TimeBoundary(PartialTime t, int digits, bool low)
    {
        var target = digits switch
        {
            2 => DateTimePrecision.Hour,
            4 => DateTimePrecision.Minute,
            6 => DateTimePrecision.Second,
            9 => DateTimePrecision.Millisecond,
            _ => (DateTimePrecision?)null,
        };
        if (target is null) return null;
        var r = t;
        if (!low)
        {
            if (t.Precision < DateTimePrecision.Minute) r = r with { Minute = 59 };
            if (t.Precision < DateTimePrecision.Second) r = r with { Second = 59 };
            if (t.Precision < DateTimePrecision.Millisecond) r = r with { Millisecond = 999 };
        }
        return r with { Precision = target.Value };
    }
}
