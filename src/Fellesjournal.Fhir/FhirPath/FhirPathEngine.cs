using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.FhirPath;

/// <summary>Entry point of the FHIRPath engine: compile once (cached), evaluate many times.</summary>
public static class FhirPathEngine
{
    /// <summary>Compiles (or fetches from the cache) an expression. Throws <see cref="FhirPathException"/> on a syntax error.</summary>
    public static CompiledExpression Compile(string expression) =>
        throw new NotImplementedException("FHIRPath engine under construction");

    /// <summary>Convenience: compile and evaluate.</summary>
    public static IReadOnlyList<object> Evaluate(ElementNode context, string expression, EvaluationEnvironment? env = null) =>
        Compile(expression).Evaluate(context, env);
}

/// <summary>A parsed, ready-to-run expression. Thread-safe.</summary>
public sealed class CompiledExpression
{
    public string Expression { get; }
    internal CompiledExpression(string expression) => Expression = expression;

    /// <summary>
    /// Evaluates against a context node. Result items are <see cref="ElementNode"/>s or System values:
    /// string, bool, int, long, decimal, <see cref="PartialDateTime"/>, <see cref="PartialTime"/>, <see cref="Quantity"/>.
    /// Throws <see cref="FhirPathException"/> on an execution error.
    /// </summary>
    public IReadOnlyList<object> Evaluate(ElementNode context, EvaluationEnvironment? env = null) =>
        throw new NotImplementedException("FHIRPath engine under construction");
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
}

public sealed class FhirPathException(string message, int position = -1) : Exception(message)
{
    /// <summary>Character offset in the expression, -1 when unknown.</summary>
    public int Position { get; } = position;
}

/// <summary>A FHIRPath quantity: a decimal value with a UCUM unit or a calendar duration unit ('year', 'month', ...).</summary>
public readonly record struct Quantity(decimal Value, string Unit)
{
    public override string ToString() => $"{Value.ToString(System.Globalization.CultureInfo.InvariantCulture)} '{Unit}'";
}
