using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.FhirPath;

/// <summary>A function implementation: the focus, the unevaluated argument expressions (lambdas stay lazy).</summary>
internal delegate List<object> FunctionImpl(Context ctx, List<object> focus, Expr[] args, int position);

internal sealed record FunctionDef(string Name, int MinArgs, int MaxArgs, FunctionImpl Impl);

/// <summary>The function library, filled by the files under Functions/.</summary>
internal static class FunctionTable
{
    public static readonly Dictionary<string, FunctionDef> All = Build();

    private static Dictionary<string, FunctionDef> Build()
    {
        var d = new Dictionary<string, FunctionDef>(StringComparer.Ordinal);
        CollectionFunctions.Register(d);
        ConversionFunctions.Register(d);
        StringFunctions.Register(d);
        MathFunctions.Register(d);
        FhirFunctions.Register(d);
        PrecisionFunctions.Register(d);
        SortFunction.Register(d);
        return d;
    }

    public static void Add(this Dictionary<string, FunctionDef> d, string name, int min, int max, FunctionImpl impl) =>
        d[name] = new FunctionDef(name, min, max, impl);

    /// <summary>Evaluates a (non-lambda) argument against the current $this.</summary>
    public static List<object> Arg(this Context ctx, Expr[] args, int i) => args[i].Eval(ctx);

    /// <summary>A single-item argument as a System value, or null when empty.</summary>
    public static object? SingleArg(this Context ctx, Expr[] args, int i, int position)
    {
        var v = args[i].Eval(ctx);
        if (v.Count == 0) return null;
        if (v.Count > 1) throw new FhirPathException($"Argument {i + 1} must be a single value", position);
        return Values.ToSystem(v[0]);
    }

    /// <summary>The single input item as a System value; null when the input is empty.</summary>
    public static object? SingleInput(List<object> focus, string function, int position)
    {
        if (focus.Count == 0) return null;
        if (focus.Count > 1)
            throw new FhirPathException($"{function}() requires a single input item, found {focus.Count}", position);
        return Values.ToSystem(focus[0]);
    }

    /// <summary>Evaluates a lambda argument once per input item with $this/$index set.</summary>
    public static List<object> EvalFor(this Context ctx, Expr arg, object item, int index) => arg.Eval(ctx.With(item, index));
}

/// <summary>A call of a library function.</summary>
internal sealed class FunctionExpr : MemberExpr
{
    private readonly FunctionDef _def;
    private readonly Expr[] _args;
    private readonly int _position;

    private FunctionExpr(FunctionDef def, Expr[] args, int position)
    {
        _def = def;
        _args = args;
        _position = position;
    }

    public string Name => _def.Name;
    public IReadOnlyList<Expr> Args => _args;

    public static FunctionExpr Create(string name, List<Expr> args, int position)
    {
        if (!FunctionTable.All.TryGetValue(name, out var def))
            throw new FhirPathException($"Unknown function '{name}' at position {position}", position);
        if (args.Count < def.MinArgs || args.Count > def.MaxArgs)
            throw new FhirPathException(
                $"Function '{name}' takes {(def.MinArgs == def.MaxArgs ? def.MinArgs.ToString() : $"{def.MinArgs}..{def.MaxArgs}")} argument(s), got {args.Count}",
                position);
        return new FunctionExpr(def, [.. args], position);
    }

    public override List<object> EvalOn(Context ctx, List<object> focus) => _def.Impl(ctx, focus, _args, _position);
}
