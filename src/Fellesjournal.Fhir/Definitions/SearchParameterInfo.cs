namespace Fellesjournal.Fhir.Definitions;

/// <summary>A SearchParameter of the core definitions.</summary>
public sealed class SearchParameterInfo
{
    public required string Url { get; init; }
    public required string Code { get; init; }
    /// <summary>number, date, string, token, reference, composite, quantity, uri, special.</summary>
    public required string Type { get; init; }
    /// <summary>FHIRPath expression (may cover several resource types joined by '|').</summary>
    public string? Expression { get; init; }
    public IReadOnlyList<string> Base { get; init; } = [];
    public IReadOnlyList<string> Target { get; init; } = [];
    public IReadOnlyList<string> Modifier { get; init; } = [];
    public IReadOnlyList<string> Comparator { get; init; } = [];
    public IReadOnlyList<SearchComponentInfo> Components { get; init; } = [];
    public string? Description { get; init; }
    public override string ToString() => $"{Code} ({Type})";
}

public sealed record SearchComponentInfo(string Definition, string Expression);
