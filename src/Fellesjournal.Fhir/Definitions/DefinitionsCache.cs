using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fellesjournal.Fhir.Definitions;

/// <summary>
/// The compact form of the definitions: only what the engine uses, as one gzipped JSON file
/// written beside the package on first load. Reading it is an order of magnitude faster than
/// parsing the 50 MB of official bundles.
/// </summary>
internal sealed class DefinitionsCache
{
    public const int FormatVersion = 3;
    public int Format { get; set; } = FormatVersion;
    public List<StructureDto> Structures { get; set; } = [];
    public List<SearchParamDto> SearchParameters { get; set; } = [];
    public Dictionary<string, List<string>> PatientCompartment { get; set; } = [];

    internal sealed class StructureDto
    {
        public string Name { get; set; } = "";
        public string Url { get; set; } = "";
        public string Kind { get; set; } = "";
        public bool Abstract { get; set; }
        public string? Base { get; set; }
        public string? Regex { get; set; }
        public List<ElementDto> Elements { get; set; } = [];
    }

    internal sealed class ElementDto
    {
        public string Path { get; set; } = "";
        public int Min { get; set; }
        public string Max { get; set; } = "1";
        public List<TypeDto>? Types { get; set; }
        public string? ContentReference { get; set; }
        public string? BindingStrength { get; set; }
        public string? BindingValueSet { get; set; }
        public List<ConstraintInfo>? Constraints { get; set; }
        public bool Summary { get; set; }
        public bool Modifier { get; set; }
        public bool XmlAttr { get; set; }
        public bool Xhtml { get; set; }
        public string? Fixed { get; set; }
    }

    internal sealed class TypeDto
    {
        public string Code { get; set; } = "";
        public List<string>? TargetProfiles { get; set; }
        public List<string>? Profiles { get; set; }
    }

    internal sealed class SearchParamDto
    {
        public string Url { get; set; } = "";
        public string Code { get; set; } = "";
        public string Type { get; set; } = "";
        public string? Expression { get; set; }
        public List<string> Base { get; set; } = [];
        public List<string>? Target { get; set; }
        public List<string>? Modifier { get; set; }
        public List<string>? Comparator { get; set; }
        public List<SearchComponentInfo>? Components { get; set; }
        public string? Description { get; set; }
    }

    private static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static DefinitionsCache? TryRead(string file)
    {
        try
        {
            if (!File.Exists(file)) return null;
            using var fs = File.OpenRead(file);
            using var gz = new GZipStream(fs, CompressionMode.Decompress);
            var cache = JsonSerializer.Deserialize<DefinitionsCache>(gz, Options);
            return cache?.Format == FormatVersion ? cache : null;
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidDataException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void TryWrite(string file)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var tmp = file + "." + Environment.ProcessId + ".tmp";
            using (var fs = File.Create(tmp))
            using (var gz = new GZipStream(fs, CompressionLevel.Fastest))
                JsonSerializer.Serialize(gz, this, Options);
            File.Move(tmp, file, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only installation still works; it just parses the bundles every start.
        }
    }
}
