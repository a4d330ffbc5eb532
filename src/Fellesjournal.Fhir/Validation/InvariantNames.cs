using System.Text.RegularExpressions;

namespace Fellesjournal.Fhir.Validation;

/// <summary>
/// The identifiers an invariant mentions, for reusing its result on nodes that have none of those children.
/// Sound only for expressions whose result depends on the named children alone: no environment variables
/// (%resource), no generic navigation (children(), descendants(), repeat()) and no resolution of references.
/// </summary>
internal static partial class InvariantNames
{
    private static readonly string[] Generic =
        ["children", "descendants", "repeat", "resolve", "conformsTo", "htmlChecks", "hasValue", "getValue", "toString", "$this", "$index", "$total"];

    [GeneratedRegex(@"'(?:[^'\\]|\\.)*'")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"`([^`]*)`|\$?[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex Identifier();

    /// <summary>Null when the expression may depend on more than its named children.</summary>
    public static HashSet<string>? Of(string expression)
    {
        if (expression.Contains('%')) return null;
        var code = StringLiteral().Replace(expression, "''");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Identifier().Matches(code))
        {
            var name = m.Groups[1].Success ? m.Groups[1].Value : m.Value;
            if (Array.IndexOf(Generic, name) >= 0) return null;
            names.Add(name);
        }
        return names;
    }
}
