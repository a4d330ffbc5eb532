using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Fellesjournal.Fhir.Definitions;

namespace Fellesjournal.Fhir.Terminology;

/// <summary>
/// The CodeSystems and ValueSets of the FHIR R4 package, loaded lazily (index on first use, each
/// value set computed once and cached as hash sets). Answers membership from the value set's
/// compose over loaded code systems, or else from its published expansion. Thread-safe.
/// </summary>
public sealed class TerminologyService
{
    private static readonly Lazy<TerminologyService> DefaultInstance =
        new(() => new TerminologyService(FhirDefinitions.Default.PackageDirectory));

    /// <summary>The package's terminology; nothing is read until the first question.</summary>
    public static TerminologyService Default => DefaultInstance.Value;

    private readonly string _packageDir;
    private readonly Lazy<TerminologyIndex> _index;
    private readonly ConcurrentDictionary<string, Lazy<CodeSystemInfo?>> _codeSystems = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<ValueSetContent?>> _valueSets = new(StringComparer.Ordinal);

    /// <summary>How long building the index took (0 until first use).</summary>
    public TimeSpan IndexTime { get; private set; }

    public TerminologyService(string packageDirectory, string? expansionsDirectory = null)
    {
        _packageDir = packageDirectory;
        expansionsDirectory ??= Path.Combine(Path.GetDirectoryName(Path.GetFullPath(packageDirectory).TrimEnd(Path.DirectorySeparatorChar))!,
            "hl7.fhir.r4.expansions");
        _index = new Lazy<TerminologyIndex>(() =>
        {
            var sw = Stopwatch.StartNew();
            var idx = TerminologyIndex.Build(_packageDir, expansionsDirectory);
            IndexTime = sw.Elapsed;
            return idx;
        });
    }

    public int ValueSetCount => _index.Value.ValueSets.Count;
    public int CodeSystemCount => _index.Value.CodeSystems.Count;

    /// <summary>
    /// Is (system, code) in the value set? <paramref name="valueSetUrl"/> may carry "|version" (the package has one version of each).
    /// With a null <paramref name="system"/> the code is matched alone (code elements). Null when the value set is unknown or cannot be computed.
    /// </summary>
    public bool? IsMember(string valueSetUrl, string? system, string code) =>
        GetValueSet(valueSetUrl) is { } vs ? vs.Contains(system, code) : null;

    /// <summary>The full expansion of a value set, or null when unknown or not computable.</summary>
    public ValueSetContent? Expand(string valueSetUrl) => GetValueSet(valueSetUrl);

    /// <summary>True when the value set is in the package and its content can be computed.</summary>
    public bool CanEvaluate(string valueSetUrl) => GetValueSet(valueSetUrl) is not null;

    public CodeSystemInfo? GetCodeSystem(string url)
    {
        url = StripVersion(url);
        return _codeSystems.GetOrAdd(url, u => new Lazy<CodeSystemInfo?>(() => LoadCodeSystem(u))).Value;
    }

    private ValueSetContent? GetValueSet(string url)
    {
        // Fast path after first use: one dictionary lookup by the url as given (with or without |version),
        // then a hash set lookup in the content.
        if (_byRequestedUrl.TryGetValue(url, out var known)) return known.Value;
        var bare = StripVersion(url);
        var lazy = _valueSets.GetOrAdd(bare, u => new Lazy<ValueSetContent?>(() => ValueSetBuilder.Build(this, u, [])));
        if (_byRequestedUrl.Count < 100_000) _byRequestedUrl.TryAdd(url, lazy);
        return lazy.Value;
    }

    private readonly ConcurrentDictionary<string, Lazy<ValueSetContent?>> _byRequestedUrl = new(StringComparer.Ordinal);

    internal ValueSetContent? GetValueSet(string url, HashSet<string> visiting)
    {
        url = StripVersion(url);
        if (_valueSets.TryGetValue(url, out var lazy) && lazy.IsValueCreated) return lazy.Value;
        // Nested includes are computed directly (guarding against cycles) rather than through the outer Lazy.
        return visiting.Contains(url) ? null : ValueSetBuilder.Build(this, url, visiting);
    }

    internal JsonDocument? LoadValueSetJson(string url) => LoadJson(_index.Value.ValueSets.GetValueOrDefault(url));
    internal JsonDocument? LoadExpansionJson(string url) => LoadJson(_index.Value.Expansions.GetValueOrDefault(url));

    private CodeSystemInfo? LoadCodeSystem(string url)
    {
        using var doc = LoadJson(_index.Value.CodeSystems.GetValueOrDefault(url));
        return doc is null ? null : CodeSystemInfo.FromJson(doc.RootElement);
    }

    private static JsonDocument? LoadJson(string? file) =>
        file is null ? null : JsonDocument.Parse(File.ReadAllBytes(file));

    internal static string StripVersion(string url)
    {
        var bar = url.IndexOf('|');
        return bar < 0 ? url : url[..bar];
    }
}
