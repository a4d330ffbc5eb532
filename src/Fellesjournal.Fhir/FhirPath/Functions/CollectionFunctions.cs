using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.FhirPath;

/// <summary>Existence, filtering, subsetting, combining, tree navigation, aggregate and utility functions.</summary>
internal static class CollectionFunctions
{
    public static void Register(Dictionary<string, FunctionDef> d)
    {
        // existence
        d.Add("empty", 0, 0, (_, f, _, _) => [f.Count == 0]);
        d.Add("exists", 0, 1, (ctx, f, a, _) => [a.Length == 0 ? f.Count > 0 : Where(ctx, f, a[0]).Count > 0]);
        d.Add("all", 1, 1, (ctx, f, a, p) =>
        {
            for (var i = 0; i < f.Count; i++)
                if (Operators.ToBoolean(ctx.EvalFor(a[0], f[i], i), p) != true) return [false];
            return [true];
        });
        d.Add("allTrue", 0, 0, (_, f, _, p) => [f.All(x => BoolItem(x, p) == true)]);
        d.Add("anyTrue", 0, 0, (_, f, _, p) => [f.Any(x => BoolItem(x, p) == true)]);
        d.Add("allFalse", 0, 0, (_, f, _, p) => [f.All(x => BoolItem(x, p) == false)]);
        d.Add("anyFalse", 0, 0, (_, f, _, p) => [f.Any(x => BoolItem(x, p) == false)]);
        d.Add("subsetOf", 1, 1, (ctx, f, a, _) =>
        {
            var other = ctx.Arg(a, 0);
            return [f.All(x => Operators.Contains(other, x))];
        });
        d.Add("supersetOf", 1, 1, (ctx, f, a, _) =>
        {
            var other = ctx.Arg(a, 0);
            return [other.All(x => Operators.Contains(f, x))];
        });
        d.Add("count", 0, 0, (_, f, _, _) => [f.Count]);
        d.Add("distinct", 0, 0, (_, f, _, _) => Distinct(f));
        d.Add("isDistinct", 0, 0, (_, f, _, _) => [Distinct(f).Count == f.Count]);

        // filtering and projection
        d.Add("where", 1, 1, (ctx, f, a, _) => Where(ctx, f, a[0]));
        d.Add("select", 1, 1, (ctx, f, a, _) =>
        {
            var result = new List<object>();
            for (var i = 0; i < f.Count; i++) result.AddRange(ctx.EvalFor(a[0], f[i], i));
            return result;
        });
        d.Add("repeat", 1, 1, (ctx, f, a, _) => Repeat(ctx, f, a[0]));
        d.Add("ofType", 1, 1, (ctx, f, a, _) =>
        {
            var type = Types.FromArgument(a[0]);
            Types.CheckKnown(type, ctx.Root.Definitions);
            return f.Where(x => Types.IsExactly(x, type)).ToList();
        });
        d.Add("is", 1, 1, (_, f, a, p) =>
        {
            var type = Types.FromArgument(a[0]);
            if (f.Count == 0) return [];
            if (f.Count > 1) throw new FhirPathException("is() requires a single item", p);
            return [Types.Is(f[0], type)];
        });
        // as() filters a collection like ofType(): the spec makes several items an error, but the R4 core
        // invariant dom-3 calls descendants().as(canonical)
        d.Add("as", 1, 1, (ctx, f, a, _) =>
        {
            var type = Types.FromArgument(a[0]);
            Types.CheckKnown(type, ctx.Root.Definitions);
            return f.Where(x => Types.IsExactly(x, type)).ToList();
        });

        // subsetting
        d.Add("single", 0, 0, (_, f, _, p) =>
            f.Count > 1 ? throw new FhirPathException("single() found more than one item", p) : f);
        d.Add("first", 0, 0, (ctx, f, _, p) => { ctx.RequireOrdered(f, "first()", p); return f.Count == 0 ? [] : [f[0]]; });
        d.Add("last", 0, 0, (ctx, f, _, p) => { ctx.RequireOrdered(f, "last()", p); return f.Count == 0 ? [] : [f[^1]]; });
        d.Add("tail", 0, 0, (ctx, f, _, p) => { ctx.RequireOrdered(f, "tail()", p); return f.Skip(1).ToList(); });
        d.Add("skip", 1, 1, (ctx, f, a, p) =>
        {
            ctx.RequireOrdered(f, "skip()", p);
            return IntArg(ctx, a, p) is { } n ? f.Skip(n).ToList() : [];
        });
        d.Add("take", 1, 1, (ctx, f, a, p) =>
        {
            ctx.RequireOrdered(f, "take()", p);
            return IntArg(ctx, a, p) is { } n ? f.Take(n).ToList() : [];
        });
        d.Add("intersect", 1, 1, (ctx, f, a, _) =>
        {
            var other = ctx.Arg(a, 0);
            return Distinct(f.Where(x => Operators.Contains(other, x)).ToList());
        });
        d.Add("exclude", 1, 1, (ctx, f, a, _) =>
        {
            var other = ctx.Arg(a, 0);
            return f.Where(x => !Operators.Contains(other, x)).ToList();
        });

        // combining
        d.Add("union", 1, 1, (ctx, f, a, _) => Operators.Union(f, ctx.Arg(a, 0)));
        d.Add("combine", 1, 1, (ctx, f, a, _) => [.. f, .. ctx.Arg(a, 0)]);

        // tree
        d.Add("children", 0, 0, (_, f, _, _) => new UnorderedList(f.OfType<ElementNode>().SelectMany(n => n.Children())));
        d.Add("descendants", 0, 0, (_, f, _, _) => new UnorderedList(f.OfType<ElementNode>().SelectMany(n => n.Descendants())));

        // utility
        d.Add("trace", 1, 2, (ctx, f, a, _) =>
        {
            var name = ctx.SingleArg(a, 0, -1);
            var shown = a.Length > 1 ? f.SelectMany((x, i) => ctx.EvalFor(a[1], x, i)).ToList() : f;
            ctx.Env?.Trace?.Invoke(Values.Format(name) ?? "", shown);
            return f;
        });
        d.Add("now", 0, 0, (_, _, _, _) => [FromDateTimeOffset(DateTimeOffset.Now, DateTimePrecision.Millisecond, true)]);
        d.Add("today", 0, 0, (_, _, _, _) => [FromDateTimeOffset(DateTimeOffset.Now, DateTimePrecision.Day, false) with { Offset = null }]);
        d.Add("timeOfDay", 0, 0, (_, _, _, _) =>
        {
            var n = DateTime.Now;
            return [new PartialTime(n.Hour, n.Minute, n.Second, n.Millisecond, DateTimePrecision.Millisecond)];
        });
        d.Add("aggregate", 1, 2, (ctx, f, a, _) =>
        {
            var total = a.Length > 1 ? ctx.Arg(a, 1) : [];
            for (var i = 0; i < f.Count; i++) total = a[0].Eval(ctx.With(f[i], i, total));
            return total;
        });
        d.Add("not", 0, 0, (_, f, _, p) => Operators.ToBoolean(f, p, "not()") is { } b ? [!b] : []);
        d.Add("iif", 2, 3, (ctx, f, a, p) =>
        {
            if (f.Count > 1) throw new FhirPathException("iif() requires at most one input item", p);
            // called on an explicit input (x.iif(...)) the criterion sees that input as $this
            var inner = f.Count == 1 && !ReferenceEquals(f, ctx.This) ? ctx.With(f[0], 0) : ctx;
            var c = a[0].Eval(inner);
            if (c.Count > 1) throw new FhirPathException("iif() criterion must be a single boolean", p);
            var cond = c.Count == 1 && Values.ToSystem(c[0]) is bool b ? b : (bool?)null;
            if (c.Count == 1 && cond is null && ctx.Strict)
                throw new FhirPathException("iif() criterion must be a boolean", p);
            if (cond == true) return a[1].Eval(inner);
            return a.Length > 2 ? a[2].Eval(inner) : [];
        });
    }

    private static PartialDateTime FromDateTimeOffset(DateTimeOffset n, DateTimePrecision precision, bool hasTime) =>
        new(n.Year, n.Month, n.Day, hasTime ? n.Hour : 0, hasTime ? n.Minute : 0, hasTime ? n.Second : 0,
            hasTime ? n.Millisecond : 0, n.Offset, precision, hasTime);

    private static bool? BoolItem(object x, int p) =>
        Values.ToSystem(x) is bool b ? b : throw new FhirPathException("Expected boolean items", p);

    private static int? IntArg(Context ctx, Expr[] a, int p) => ctx.SingleArg(a, 0, p) switch
    {
        null => null,
        int n => n,
        _ => throw new FhirPathException("Expected an integer argument", p),
    };

    public static List<object> Where(Context ctx, List<object> f, Expr criteria)
    {
        var result = new List<object>();
        for (var i = 0; i < f.Count; i++)
            if (Operators.ToBoolean(ctx.EvalFor(criteria, f[i], i)) == true) result.Add(f[i]);
        return result;
    }

    public static List<object> Distinct(List<object> f)
    {
        var result = new List<object>();
        foreach (var x in f)
            if (!Operators.Contains(result, x)) result.Add(x);
        return result;
    }

    private static List<object> Repeat(Context ctx, List<object> f, Expr projection)
    {
        var result = new List<object>();
        // nodes are deduplicated by identity (a node is one place in the tree): equality would compare
        // whole subtrees pairwise, quadratic on large Questionnaires
        var seenNodes = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var queue = new Queue<object>(f);
        var guard = 0;
        while (queue.Count > 0)
        {
            var item = queue.Dequeue();
            foreach (var x in projection.Eval(ctx.With(item, 0)))
            {
                if (x is ElementNode { IsPrimitive: false } ? !seenNodes.Add(x) : Operators.Contains(result, x)) continue;
                result.Add(x);
                queue.Enqueue(x);
            }
            if (++guard > 100_000) throw new FhirPathException("repeat() did not terminate");
        }
        return result;
    }
}

/// <summary>sort(keys...): stable sort by each key; a key written as -expr sorts descending.</summary>
internal static class SortFunction
{
    public static void Register(Dictionary<string, FunctionDef> d) => d.Add("sort", 0, 16, Sort);

    private static List<object> Sort(Context ctx, List<object> f, Expr[] args, int p)
    {
        var keys = args.Select(a => a is NegateExpr n ? (Expr: n.Operand, Desc: true) : (Expr: a, Desc: false)).ToArray();
        var rows = f.Select((item, i) => (Item: item, Keys: keys.Length == 0
            ? new[] { Values.ToSystem(item) }
            : keys.Select(k => ctx.EvalFor(k.Expr, item, i) is [var v] ? Values.ToSystem(v) : null).ToArray())).ToList();
        int CompareRows((object Item, object?[] Keys) x, (object Item, object?[] Keys) y)
        {
            for (var k = 0; k < x.Keys.Length; k++)
            {
                var a = x.Keys[k];
                var b = y.Keys[k];
                // empty keys sort first in either direction
                if (a is null || b is null)
                {
                    if (a is null && b is null) continue;
                    return a is null ? -1 : 1;
                }
                var c = Values.Compare(a, b, p) ?? 0;
                if (keys.Length > 0 && keys[k].Desc) c = -c;
                if (c != 0) return c;
            }
            return 0;
        }
        // List.Sort is not stable: sort by index as the last key
        var indexed = rows.Select((r, i) => (Row: r, Index: i)).ToList();
        indexed.Sort((x, y) => CompareRows(x.Row, y.Row) is var c && c != 0 ? c : x.Index.CompareTo(y.Index));
        return indexed.Select(x => x.Row.Item).ToList();
    }
}
