using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Terminology;

namespace Fellesjournal.Fhir.Validation;

/// <summary>
/// Validates FHIR R4 resources against the core definitions: JSON syntax and shape, unknown elements,
/// cardinality, primitive formats, choice types, resource types and ids, contained resources,
/// required bindings and the invariants (FHIRPath). Never throws on hostile input. Thread-safe.
/// </summary>
public sealed class FhirValidator
{
    private static readonly Lazy<FhirValidator> DefaultInstance = new(() => new FhirValidator());

    /// <summary>A validator over the default definitions and terminology.</summary>
    public static FhirValidator Default => DefaultInstance.Value;

    /// <summary>Issues reported before validation stops (bounds memory on hostile input).</summary>
    public const int MaxIssues = 1000;

    internal FhirDefinitions Definitions { get; }
    internal TerminologyService Terminology { get; }
    internal PrimitiveChecks Primitives { get; }
    internal InvariantChecks Invariants { get; }

    /// <summary>Whether invariants (FHIRPath constraints) are evaluated; on by default when the engine is available.</summary>
    public bool CheckInvariants { get; init; } = true;
    /// <summary>Whether required bindings are checked against the terminology.</summary>
    public bool CheckBindings { get; init; } = true;
    /// <summary>
    /// Whether the entry resources of a large Bundle are validated in parallel (the outcome is the same as on
    /// one core; off for callers that already run one validation per core).
    /// </summary>
    public bool ParallelBundles { get; init; } = true;

    public FhirValidator(FhirDefinitions? definitions = null, TerminologyService? terminology = null)
    {
        Definitions = definitions ?? FhirDefinitions.Default;
        Terminology = terminology ?? TerminologyService.Default;
        Primitives = new PrimitiveChecks(Definitions);
        Invariants = new InvariantChecks(Definitions, Terminology);
    }

    /// <summary>Validates UTF-8 JSON text of a resource.</summary>
    public OperationOutcome Validate(ReadOnlySpan<byte> json) => Validate(json.ToArray());

    /// <summary>Validates UTF-8 JSON text of a resource (no copy: the document reads the array).</summary>
    public OperationOutcome Validate(byte[] json) => Validate(new ReadOnlyMemory<byte>(json));

    /// <summary>Validates UTF-8 JSON text of a resource (no copy).</summary>
    public OperationOutcome Validate(ReadOnlyMemory<byte> json)
    {
        if (!Utf8.IsValid(json.Span))
            return OperationOutcome.Single(IssueSeverity.Error, "structure", "The content is not valid UTF-8");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, FhirJson.DocumentOptions);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}, position {e.BytePositionInLine + 1})" : "";
            return OperationOutcome.Single(IssueSeverity.Error, "structure", $"Invalid JSON{where}: {FirstSentence(e.Message)}");
        }
        using (doc)
        {
            return Validate(doc.RootElement);
        }
    }

    /// <summary>Validates JSON text of a resource.</summary>
    public OperationOutcome Validate(string json) => Validate(Encoding.UTF8.GetBytes(json));

    // The tree is the validator's own: parts of it are released once validated (ElementNode.ReleaseChildren).
    public OperationOutcome Validate(JsonElement resource) => Validate(ElementNode.FromJson(resource, Definitions), ownsTree: true);

    /// <summary>Validates a resource node (the root of its tree); the tree is left as built (callers may read it after).</summary>
    public OperationOutcome Validate(ElementNode resource) => Validate(resource, ownsTree: false);

    private OperationOutcome Validate(ElementNode resource, bool ownsTree)
    {
        var run = new ValidationRun(this, ownsTree);
        try
        {
            run.ValidateRoot(resource);
        }
        catch (ValidationRun.TooManyIssues)
        {
            run.Outcome.Add(IssueSeverity.Error, "too-costly", $"Validation stopped after {MaxIssues} issues");
        }
        catch (InsufficientExecutionStackException)
        {
            run.Outcome.Add(IssueSeverity.Error, "too-costly", "The resource nests too deeply");
        }
        return run.Outcome;
    }

    private static string FirstSentence(string message)
    {
        foreach (var marker in new[] { " Path:", " LineNumber:" })
        {
            var i = message.IndexOf(marker, StringComparison.Ordinal);
            if (i > 0) message = message[..i];
        }
        return message;
    }
}
