using System.Collections.Concurrent;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.FhirPath;

/// <summary>Entry point of the FHIRPath engine: compile once (cached), evaluate many times.</summary>
public static class FhirPathEngine
{
    /// <summary>Compiles (or fetches from the cache) an expression. Throws <see cref="FhirPathException"/> on a syntax error.</summary>
    public static CompiledExpression Compile(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (Cache.TryGetValue(expression, out var c)) return c;
        c = new CompiledExpression(expression, ParseSafely(expression));
        // bounded: expressions from requests must not grow the cache without limit
        if (Cache.Count < MaxCacheSize) Cache.TryAdd(expression, c);
        return c;
    }

    private const int MaxCacheSize = 10_000;
    private static readonly ConcurrentDictionary<string, CompiledExpression> Cache = new(StringComparer.Ordinal);

    private static Expr ParseSafely(string expression)
    {
        try
        {
            return Parser.Parse(expression);
        }
        catch (FhirPathException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new FhirPathException($"Invalid expression: {e.Message}");
        }
    }

    /// <summary>Convenience: compile and evaluate.</summary>
    public static IReadOnlyList<object> Evaluate(ElementNode context, string expression, EvaluationEnvironment? env = null) =>
        Compile(expression).Evaluate(context, env);
}

/// <summary>A parsed, ready-to-run expression. Thread-safe.</summary>
public sealed class CompiledExpression
{
    public string Expression { get; }
    private readonly Expr _root;

    internal CompiledExpression(string expression, Expr root)
    {
        Expression = expression;
        _root = root;
    }

    /// <summary>
    /// Evaluates against a context node. Result items are <see cref="ElementNode"/>s or System values:
    /// string, bool, int, long, decimal, <see cref="PartialDateTime"/>, <see cref="PartialTime"/>, <see cref="Quantity"/>.
    /// Throws <see cref="FhirPathException"/> on an execution error.
    /// </summary>
    public IReadOnlyList<object> Evaluate(ElementNode context, EvaluationEnvironment? env = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = new Context { This = [context], Root = context, Env = env, Strict = env?.Strict == true };
        try
        {
            return _root.Eval(ctx);
        }
        catch (FhirPathException)
        {
            throw;
        }
        catch (InsufficientExecutionStackException)
        {
            throw new FhirPathException("Expression is nested too deeply");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // callers rely on FhirPathException being the only failure mode
            throw new FhirPathException($"Evaluation failed: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Evaluates to a boolean by FHIRPath singleton rules: empty → null, one boolean → its value.</summary>
    public bool? EvaluateBoolean(ElementNode context, EvaluationEnvironment? env = null)
    {
        var r = Evaluate(context, env);
        if (r.Count == 0) return null;
        if (r.Count > 1) throw new FhirPathException($"Expected a single boolean, found {r.Count} items");
        return Values.ToSystem(r[0]) is bool b ? b : true;
    }
}

/// <summary>Environment variables and services for evaluation (%resource, %context, %ucum, resolve(), memberOf()).</summary>
public sealed class EvaluationEnvironment
{
    /// <summary>Extra variables (%name → value items).</summary>
    public Dictionary<string, IReadOnlyList<object>> Variables { get; } = new(StringComparer.Ordinal);
    /// <summary>%resource when it differs from the context's enclosing resource.</summary>
    public ElementNode? Resource { get; set; }
    /// <summary>%rootResource.</summary>
    public ElementNode? RootResource { get; set; }
    /// <summary>Resolves references outside the resource/Bundle (e.g. from a store); null to resolve locally only.</summary>
    public Func<string, ElementNode?>? ExternalResolver { get; set; }
    /// <summary>Checks code membership for memberOf(): (valueSetUrl, system, code) → member?; null when no terminology is loaded.</summary>
    public Func<string, string?, string, bool?>? ValueSetMembership { get; set; }
    /// <summary>Receives trace() output (name, items); null to discard it.</summary>
    public Action<string, IReadOnlyList<object>>? Trace { get; set; }
    /// <summary>Strict mode: navigating to an element the type does not define is an error instead of empty.</summary>
    public bool Strict { get; set; }
    /// <summary>Ordered functions (first, skip, [i], ...) on the unordered result of children()/descendants() are errors.</summary>
    public bool CheckOrderedFunctions { get; set; }
}

public sealed class FhirPathException(string message, int position = -1) : Exception(message)
{
    /// <summary>Character offset in the expression, -1 when unknown.</summary>
    public int Position { get; } = position;
}
