namespace Fellesjournal.Fhir.Terminology;

/// <summary>One code of an expansion.</summary>
public sealed record ExpansionConcept(string System, string Code, string? Display, string? Version = null);

/// <summary>The computed, complete content of a value set: hash sets for membership, the list for $expand.</summary>
public sealed class ValueSetContent
{
    private readonly Dictionary<string, HashSet<string>> _bySystem = new(StringComparer.Ordinal);
    private readonly HashSet<string> _codes = new(StringComparer.Ordinal);
    private readonly List<ExpansionConcept> _concepts = [];

    public required string Url { get; init; }
    public string? Version { get; init; }
    public IReadOnlyList<ExpansionConcept> Concepts => _concepts;

    internal void Add(ExpansionConcept c)
    {
        if (!_bySystem.TryGetValue(c.System, out var set)) _bySystem[c.System] = set = new HashSet<string>(StringComparer.Ordinal);
        if (!set.Add(c.Code)) return;
        _codes.Add(c.Code);
        _concepts.Add(c);
    }

    /// <summary>Membership by system and code; with no system (a plain code element) by code alone.</summary>
    public bool Contains(string? system, string code) =>
        system is null ? _codes.Contains(code) : _bySystem.TryGetValue(system, out var set) && set.Contains(code);
}
