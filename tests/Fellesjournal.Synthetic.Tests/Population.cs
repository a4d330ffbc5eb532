using System.Text.Json;

namespace Fellesjournal.Synthetic.Tests;

/// <summary>Generated populations shared by the tests (generation is deterministic, so caching is safe).</summary>
internal static class Population
{
    private static readonly Lazy<List<(string Type, string Id, byte[] Json)>> Small = new(() => new PopulationGenerator(42, 50).Generate().ToList());
    private static readonly Lazy<List<(string Type, string Id, byte[] Json)>> Medium = new(() => new PopulationGenerator(7, 600).Generate().ToList());

    public static List<(string Type, string Id, byte[] Json)> Fifty => Small.Value;
    public static List<(string Type, string Id, byte[] Json)> SixHundred => Medium.Value;

    public static JsonElement Parse(byte[] json) => JsonDocument.Parse(json).RootElement;
}
