using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.FhirPath;

/// <summary>The binary operators: logic (three-valued), equality, comparison, arithmetic, membership and union.</summary>
internal static class Operators
{
    /// <summary>Singleton evaluation of a collection as a boolean: empty → null, one item → its truth, many → error.</summary>
    public static bool? ToBoolean(List<object> items, int position = -1, string what = "a boolean")
    {
        if (items.Count == 0) return null;
        if (items.Count > 1) throw new FhirPathException($"Expected a single value for {what}, found {items.Count}", position);
        return Values.ToSystem(items[0]) is bool b ? b : true;
    }

    public static List<object> Logical(string op, Context ctx, Expr left, Expr right, int position)
    {
        var l = ToBoolean(left.Eval(ctx), position);
        // short-circuit where the right side cannot change the result
        if (op == "and" && l == false) return [false];
        if (op == "or" && l == true) return [true];
        if (op == "implies" && l == false) return [true];
        var r = ToBoolean(right.Eval(ctx), position);
        bool? result = op switch
        {
            "and" => l == true && r == true ? true : r == false ? false : null,
            "or" => r == true ? true : l == false && r == false ? false : null,
            "xor" => l is null || r is null ? null : l != r,
            _ => l == true ? r : r == true ? true : null, // implies with l null or true
        };
        return result is null ? [] : [result.Value];
    }

    public static List<object> Union(List<object> a, List<object> b)
    {
        var result = new List<object>(a.Count + b.Count);
        foreach (var x in a.Concat(b))
            if (!Contains(result, x)) result.Add(x);
        return result;
    }

    public static bool Contains(List<object> items, object x)
    {
        foreach (var y in items)
            if (ReferenceEquals(x, y) || Values.Equal(x, y) == true) return true;
        return false;
    }

    public static List<object> Binary(string op, List<object> l, List<object> r, int position)
    {
        switch (op)
        {
            case "=":
            case "!=":
            {
                var eq = ListEqual(l, r);
                return eq is null ? [] : [op == "=" ? eq.Value : !eq.Value];
            }
            case "~":
            case "!~":
            {
                var eq = ListEquivalent(l, r);
                return [op == "~" ? eq : !eq];
            }
            case "in":
            case "contains":
            {
                var (item, coll) = op == "in" ? (l, r) : (r, l);
                if (item.Count == 0) return [];
                if (item.Count > 1) throw new FhirPathException($"'{op}' requires a single item", position);
                return [Contains(coll, item[0])];
            }
            case "&":
            {
                if (l.Count > 1 || r.Count > 1) throw new FhirPathException("'&' requires single values", position);
                var a = l.Count == 0 ? "" : Values.Format(Values.ToSystem(l[0])) ?? "";
                var b = r.Count == 0 ? "" : Values.Format(Values.ToSystem(r[0])) ?? "";
                return [a + b];
            }
        }
        if (l.Count == 0 || r.Count == 0) return [];
        if (l.Count > 1 || r.Count > 1) throw new FhirPathException($"Operator '{op}' requires single values", position);
        var x = Values.ToSystem(l[0]);
        var y = Values.ToSystem(r[0]);
        if (x is null || y is null) return [];
        switch (op)
        {
            case "<":
            case ">":
            case "<=":
            case ">=":
            {
                var c = Values.Compare(x, y, position);
                if (c is null) return [];
                return [op switch { "<" => c < 0, ">" => c > 0, "<=" => c <= 0, _ => c >= 0 }];
            }
        }
        var v = Arithmetic.Apply(op, x, y, position);
        return v is null ? [] : [v];
    }

    /// <summary>Collection equality: order matters; null when either side is empty or an item pair is undecided.</summary>
    public static bool? ListEqual(List<object> l, List<object> r)
    {
        if (l.Count == 0 || r.Count == 0) return null;
        if (l.Count != r.Count) return false;
        var undecided = false;
        for (var i = 0; i < l.Count; i++)
        {
            var e = Values.Equal(l[i], r[i]);
            if (e == false) return false;
            if (e is null) undecided = true;
        }
        return undecided ? null : true;
    }

    /// <summary>Collection equivalence: order does not matter; two empty collections are equivalent.</summary>
    public static bool ListEquivalent(List<object> l, List<object> r)
    {
        if (l.Count != r.Count) return false;
        var used = new bool[r.Count];
        foreach (var x in l)
        {
            var found = false;
            for (var j = 0; j < r.Count; j++)
            {
                if (used[j] || !Values.Equivalent(x, r[j])) continue;
                used[j] = found = true;
                break;
            }
            if (!found) return false;
        }
        return true;
    }
}

/// <summary>+ - * / div mod on System values.</summary>
internal static class Arithmetic
{
    public static object? Apply(string op, object x, object y, int position)
    {
        try
        {
            checked
            {
                switch (x, y)
                {
                    case (int a, int b):
                        return op switch
                        {
                            "+" => a + b,
                            "-" => a - b,
                            "*" => a * b,
                            "/" => b == 0 ? null : (decimal)a / b,
                            "div" => b == 0 ? null : a / b,
                            "mod" => b == 0 ? null : a % b,
                            _ => Fail(op, x, y, position),
                        };
                    case (int or long, int or long):
                    {
                        long a = Convert.ToInt64(x), b = Convert.ToInt64(y);
                        return op switch
                        {
                            "+" => a + b,
                            "-" => a - b,
                            "*" => a * b,
                            "/" => b == 0 ? null : (decimal)a / b,
                            "div" => b == 0 ? null : a / b,
                            "mod" => b == 0 ? null : a % b,
                            _ => Fail(op, x, y, position),
                        };
                    }
                    case (int or long or decimal, int or long or decimal):
                    {
                        var a = Values.ToDecimal(x);
                        var b = Values.ToDecimal(y);
                        return op switch
                        {
                            "+" => a + b,
                            "-" => a - b,
                            "*" => a * b,
                            "/" => b == 0 ? null : Divide(a, b),
                            "div" => b == 0 ? null : decimal.Truncate(a / b),
                            "mod" => b == 0 ? null : a % b,
                            _ => Fail(op, x, y, position),
                        };
                    }
                    case (string a, string b) when op == "+":
                        return a + b;
                    case (PartialDateTime d, Quantity q) when op is "+" or "-":
                        return DateTimes.Add(d, q, op == "+" ? 1 : -1, position);
                    case (PartialTime t, Quantity q) when op is "+" or "-":
                        return DateTimes.Add(t, q, op == "+" ? 1 : -1, position);
                    case (Quantity a, Quantity b):
                        return QuantityOp(op, a, b, position);
                    case (Quantity a, int or long or decimal) when op is "*" or "/":
                    {
                        var n = Values.ToDecimal(y);
                        if (op == "/" && n == 0) return null;
                        return a with { Value = op == "*" ? a.Value * n : Divide(a.Value, n) };
                    }
                    case (int or long or decimal, Quantity b) when op == "*":
                        return b with { Value = Values.ToDecimal(x) * b.Value };
                }
            }
        }
        catch (OverflowException)
        {
            return null;
        }
        return Fail(op, x, y, position);
    }

    /// <summary>Division keeps up to 8 decimals, trailing zeros dropped (1/3 → 0.33333333).</summary>
    private static decimal Divide(decimal a, decimal b)
    {
        var q = a / b;
        return q / 1.0000000000000000000000000000m;
    }

    private static object? QuantityOp(string op, Quantity a, Quantity b, int position)
    {
        switch (op)
        {
            case "+":
            case "-":
            {
                // the result is expressed in the left operand's unit
                var bInA = Quantity.ConvertValue(b, a.Unit)
                           ?? throw new FhirPathException($"Cannot {(op == "+" ? "add" : "subtract")} '{b.Unit}' and '{a.Unit}'", position);
                return a with { Value = op == "+" ? a.Value + bInA : a.Value - bInA };
            }
            case "*":
                return new Quantity(a.Value * b.Value, Combine(a.Unit, b.Unit, "."));
            case "/":
                if (b.Value == 0) return null;
                return new Quantity(Divide(a.Value, b.Value), Combine(a.Unit, b.Unit, "/"));
        }
        throw new FhirPathException($"Operator '{op}' is not defined for quantities", position);
    }

    private static string Combine(string a, string b, string sep)
    {
        a = a == "1" ? "" : a;
        if (b == "1") return a.Length == 0 ? "1" : a;
        return a.Length == 0 && sep == "." ? b : a + sep + b;
    }

    private static object Fail(string op, object x, object y, int position) =>
        throw new FhirPathException($"Operator '{op}' is not defined for {Types.NameOf(x)} and {Types.NameOf(y)}", position);
}
