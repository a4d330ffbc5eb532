using System.Text.Json;

namespace Fellesjournal.Fhir.Terminology;

/// <summary>Canonical url → file of every CodeSystem and ValueSet of the package, built by a light scan of top-level properties.</summary>
internal sealed class TerminologyIndex
{
    public Dictionary<string, string> CodeSystems { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> ValueSets { get; } = new(StringComparer.Ordinal);
    /// <summary>Pre-computed expansions (hl7.fhir.r4.expansions), by value set url.</summary>
    public Dictionary<string, string> Expansions { get; } = new(StringComparer.Ordinal);

    public static TerminologyIndex Build(string packageDir, string? expansionsDir)
    {
        var index = new TerminologyIndex();
        foreach (var f in Directory.EnumerateFiles(packageDir, "CodeSystem-*.json").Order(StringComparer.Ordinal))
            if (ReadUrl(f) is { } url) index.CodeSystems.TryAdd(url, f);
        foreach (var f in Directory.EnumerateFiles(packageDir, "ValueSet-*.json").Order(StringComparer.Ordinal))
            if (ReadUrl(f) is { } url) index.ValueSets.TryAdd(url, f);
        if (expansionsDir is not null && Directory.Exists(expansionsDir))
        {
            foreach (var f in Directory.EnumerateFiles(expansionsDir, "ValueSet-*.json").Order(StringComparer.Ordinal))
                if (ReadUrl(f) is { } url) index.Expansions.TryAdd(url, f);
        }
        return index;
    }

    /// <summary>The top-level "url" of a JSON file, skipping everything nested (cheap: no DOM).</summary>
    private static string? ReadUrl(string file)
    {
        try
        {
            var bytes = File.ReadAllBytes(file);
            var r = new Utf8JsonReader(bytes);
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return null;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var isUrl = r.ValueTextEquals("url");
                r.Read();
                if (isUrl && r.TokenType == JsonTokenType.String) return r.GetString();
                r.Skip();
            }
        }
        catch (JsonException) { }
        catch (IOException) { }
        return null;
    }
}
