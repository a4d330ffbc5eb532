using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.FhirPath;

/// <summary>A node of the expression tree; evaluates against the context's $this.</summary>
internal abstract class Expr
{
    public abstract List<object> Eval(Context ctx);
}

/// <summary>What may follow a '.': an identifier or a function call, evaluated on a focus collection.</summary>
internal abstract class MemberExpr
{
    public abstract List<object> EvalOn(Context ctx, List<object> focus);
}

internal sealed class LiteralExpr(object? value) : Expr
{
    public object? Value { get; } = value;
    public override List<object> Eval(Context ctx) => Value is null ? [] : [Value];
}

internal sealed class InvokeExpr(Expr? target, MemberExpr member) : Expr
{
    public Expr? Target { get; } = target;
    public MemberExpr Member { get; } = member;
    public override List<object> Eval(Context ctx) => Member.EvalOn(ctx, Target is null ? ctx.This : Target.Eval(ctx));
}

internal sealed class IdentifierExpr(string name, bool atRoot, int position) : MemberExpr
{
    public string Name { get; } = name;
    public bool AtRoot { get; } = atRoot;

    public override List<object> EvalOn(Context ctx, List<object> focus)
    {
        // strict mode: '(x as Period).unit' is wrong even when the cast yields nothing
        if (focus is TypedList { Count: 0 } typed && ctx.Strict &&
            ctx.Root.Definitions.GetStructure(typed.FhirType) is { } sd && !sd.IsPrimitive && sd.Root.Child(Name) is null)
            throw new FhirPathException($"Type {typed.FhirType} has no element '{Name}'", position);
        var result = new List<object>();
        foreach (var item in focus)
        {
            if (item is not ElementNode node) continue;
            // "Patient.name": a leading type name selects the context when it is of that type
            if (AtRoot && char.IsUpper(Name[0]) && node.TypeName is { } tn && node.Definitions.IsSubtypeOf(tn, Name))
            {
                result.Add(node);
                continue;
            }
            var found = false;
            foreach (var c in node.Children())
            {
                if (c.Name != Name) continue;
                result.Add(c);
                found = true;
            }
            if (found) continue;
            if (ctx.Strict && !IsKnownChild(node))
                throw new FhirPathException($"Unknown element '{Name}' on type {node.TypeName}", position);
            if (TypedChoiceBase(node) is { } choice)
            {
                // "valueQuantity" is the JSON name of value[x] as a Quantity; core search parameters
                // (ClinicalImpression.finding.itemCodeableConcept) use it, so only strict mode rejects it
                if (ctx.Strict)
                    throw new FhirPathException($"'{Name}' is not an element name: use '{choice}' with ofType()", position);
                var typeName = Name[choice.Length..];
                foreach (var c in node.Children())
                    if (c.Name == choice && c.TypeName is { } t && string.Equals(t, typeName, StringComparison.OrdinalIgnoreCase))
                        result.Add(c);
            }
        }
        return result;
    }

    // valueQuantity is not a FHIRPath name: the element is "value" of type Quantity
    private string? TypedChoiceBase(ElementNode node)
    {
        if (node.TypeName is null || !char.IsLower(Name[0])) return null;
        var container = node.Definitions.ChildContainer(node.Definition, node.TypeName);
        if (container is null) return null;
        foreach (var c in container.Children)
        {
            if (c.IsChoice && Name.Length > c.Name.Length && Name.StartsWith(c.Name, StringComparison.Ordinal) &&
                char.IsUpper(Name[c.Name.Length]))
                return c.Name;
        }
        return null;
    }

    private bool IsKnownChild(ElementNode node)
    {
        if (node.TypeName is null) return true;
        var container = node.Definitions.ChildContainer(node.Definition, node.TypeName);
        if (container is null) return true;
        return container.Children.Any(c => c.Name == Name);
    }
}

internal sealed class IndexerExpr(Expr target, Expr index, int position) : Expr
{
    public override List<object> Eval(Context ctx)
    {
        var items = target.Eval(ctx);
        ctx.RequireOrdered(items, "An indexer", position);
        var idx = index.Eval(ctx);
        if (idx.Count == 0) return [];
        if (idx.Count > 1 || Values.ToSystem(idx[0]) is not int i)
            throw new FhirPathException("Indexer requires a single integer", position);
        return i >= 0 && i < items.Count ? [items[i]] : [];
    }
}

internal sealed class VariableExpr(string name, int position) : Expr
{
    public override List<object> Eval(Context ctx) => ctx.ResolveVariable(name, position);
}

internal sealed class SpecialExpr(string name) : Expr
{
    public override List<object> Eval(Context ctx) => name switch
    {
        "this" => ctx.This,
        "index" => ctx.Index is { } i ? [i] : [],
        _ => ctx.Total ?? [],
    };
}

internal sealed class NegateExpr(Expr operand, int position) : Expr
{
    public Expr Operand => operand;

    public override List<object> Eval(Context ctx)
    {
        var v = operand.Eval(ctx);
        if (v.Count == 0) return [];
        if (v.Count > 1) throw new FhirPathException("Unary minus requires a single value", position);
        return Values.ToSystem(v[0]) switch
        {
            int i => [-i],
            long l => [-l],
            decimal d => [-d],
            Quantity q => [q with { Value = -q.Value }],
            _ => throw new FhirPathException("Unary minus requires a number or quantity", position),
        };
    }
}

/// <summary>A type name as written: optional namespace (System, FHIR) and name.</summary>
internal sealed record TypeSpec(string? Namespace, string Name)
{
    public override string ToString() => Namespace is null ? Name : Namespace + "." + Name;
}

internal sealed class TypeExpr(string op, Expr operand, TypeSpec type, int position) : Expr
{
    public override List<object> Eval(Context ctx)
    {
        var v = operand.Eval(ctx);
        if (v.Count == 0) return ctx.Strict && op == "as" ? new TypedList([], type.Name) : [];
        // 'as' over several items filters like ofType(): core search parameters rely on it
        if (op == "as")
        {
            var cast = v.Where(x => Types.IsExactly(x, type));
            return ctx.Strict && type.Namespace is null or "FHIR" ? new TypedList(cast, type.Name) : cast.ToList();
        }
        if (v.Count > 1) throw new FhirPathException("'is' requires a single item", position);
        var matches = Types.Is(v[0], type);
        return op == "is" ? [matches] : matches ? v : [];
    }
}

internal sealed class BinaryExpr(string op, Expr left, Expr right, int position) : Expr
{
    public string Op { get; } = op;

    public override List<object> Eval(Context ctx) => Op switch
    {
        "and" or "or" or "xor" or "implies" => Operators.Logical(Op, ctx, left, right, position),
        "|" => Operators.Union(left.Eval(ctx), right.Eval(ctx)),
        _ => Operators.Binary(Op, left.Eval(ctx), right.Eval(ctx), position),
    };
}
