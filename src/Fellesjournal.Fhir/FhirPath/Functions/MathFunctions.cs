namespace Fellesjournal.Fhir.FhirPath;

/// <summary>abs, ceiling, exp, floor, ln, log, power, round, sqrt, truncate.</summary>
internal static class MathFunctions
{
    public static void Register(Dictionary<string, FunctionDef> d)
    {
        d.Add("abs", 0, 0, (_, f, _, p) => One(Input(f, "abs", p) switch
        {
            null => null,
            int i => Math.Abs(i),
            long l => Math.Abs(l),
            decimal m => Math.Abs(m),
            Quantity q => q with { Value = Math.Abs(q.Value) },
            _ => NotNumber("abs", p),
        }));
        d.Add("ceiling", 0, 0, (_, f, _, p) => Num(f, "ceiling", p, v => ToInt(Math.Ceiling(v))));
        d.Add("floor", 0, 0, (_, f, _, p) => Num(f, "floor", p, v => ToInt(Math.Floor(v))));
        d.Add("truncate", 0, 0, (_, f, _, p) => Num(f, "truncate", p, v => ToInt(Math.Truncate(v))));
        d.Add("exp", 0, 0, (_, f, _, p) => Num(f, "exp", p, v => FromDouble(Math.Exp((double)v))));
        d.Add("ln", 0, 0, (_, f, _, p) => Num(f, "ln", p, v => v <= 0 ? null : FromDouble(Math.Log((double)v))));
        d.Add("sqrt", 0, 0, (_, f, _, p) => Num(f, "sqrt", p, v => v < 0 ? null : FromDouble(Math.Sqrt((double)v))));
        d.Add("log", 1, 1, (ctx, f, a, p) =>
        {
            var b = ctx.SingleArg(a, 0, p);
            if (b is null) return [];
            var bd = Values.IsNumber(b) ? (double)Values.ToDecimal(b) : double.NaN;
            return Num(f, "log", p, v => v <= 0 || bd <= 0 || bd == 1 ? null : FromDouble(Math.Log((double)v) / Math.Log(bd)));
        });
        d.Add("power", 1, 1, (ctx, f, a, p) =>
        {
            var x = Input(f, "power", p);
            var e = ctx.SingleArg(a, 0, p);
            if (x is null || e is null) return [];
            if (!Values.IsNumber(x) || !Values.IsNumber(e)) NotNumber("power", p);
            if (x is int xi && e is int ei && ei >= 0)
            {
                var r = Math.Pow(xi, ei);
                return r is <= int.MaxValue and >= int.MinValue ? [(int)r] : [];
            }
            var dr = Math.Pow((double)Values.ToDecimal(x), (double)Values.ToDecimal(e));
            return One(FromDouble(dr));
        });
        d.Add("round", 0, 1, (ctx, f, a, p) =>
        {
            var digits = a.Length == 1 ? ctx.SingleArg(a, 0, p) : 0;
            if (digits is not int n || n < 0) return [];
            return Num(f, "round", p, v => Math.Round(v, n, MidpointRounding.AwayFromZero));
        });
    }

    private static List<object> One(object? v) => v is null ? [] : [v];

    private static object? Input(List<object> f, string name, int p) => FunctionTable.SingleInput(f, name, p);

    private static List<object> Num(List<object> f, string name, int p, Func<decimal, object?> op)
    {
        var v = Input(f, name, p);
        if (v is null) return [];
        if (!Values.IsNumber(v)) NotNumber(name, p);
        return One(op(Values.ToDecimal(v)));
    }

    private static object ToInt(decimal v) => v is >= int.MinValue and <= int.MaxValue ? (int)v : (long)v;

    private static object? FromDouble(double d) =>
        double.IsNaN(d) || double.IsInfinity(d) || Math.Abs(d) > 7.9e27 ? null : (decimal)d;

    private static object NotNumber(string name, int p) => throw new FhirPathException($"{name}() requires a number", p);
}
