using System.Text.Json;

namespace Fellesjournal.Services.Medication;

/// <summary>One interacting pair: each side a list of ATC codes or class prefixes (fewer than 7 characters).</summary>
public sealed record InteractionPair(IReadOnlyList<string> A, IReadOnlyList<string> B, string Severity, string Effect,
    string Mitigation, string Source)
{
    public bool Matches(string atc1, string atc2) =>
        (Side(A, atc1) && Side(B, atc2)) || (Side(A, atc2) && Side(B, atc1));

    private static bool Side(IReadOnlyList<string> codes, string atc) => codes.Any(c => atc.StartsWith(c, StringComparison.Ordinal));
}

/// <summary>
/// The drug–drug interaction table kept as data (<c>Medication/interactions.json</c>, embedded): clinically
/// significant pairs by ATC code, each with its public source.
/// </summary>
public sealed class InteractionTable(IReadOnlyList<InteractionPair> pairs)
{
    public IReadOnlyList<InteractionPair> Pairs { get; } = pairs;

    public static InteractionTable Default { get; } = Load();

    public IEnumerable<InteractionPair> Find(string atc1, string atc2) => Pairs.Where(p => p.Matches(atc1, atc2));

    public static InteractionTable Load()
    {
        using var s = typeof(InteractionTable).Assembly.GetManifestResourceStream("Fellesjournal.Services.Medication.interactions.json")
            ?? throw new InvalidOperationException("interactions.json is not embedded");
        using var doc = JsonDocument.Parse(s);
        var pairs = doc.RootElement.GetProperty("pairs").EnumerateArray().Select(p => new InteractionPair(
            p.GetProperty("a").EnumerateArray().Select(x => x.GetString()!).ToList(),
            p.GetProperty("b").EnumerateArray().Select(x => x.GetString()!).ToList(),
            p.GetProperty("severity").GetString()!, p.GetProperty("effect").GetString()!,
            p.GetProperty("mitigation").GetString()!, p.GetProperty("source").GetString()!)).ToList();
        return new InteractionTable(pairs);
    }
}
