using System.Diagnostics;

namespace Fellesjournal.Fhir.Definitions;

/// <summary>
/// The FHIR R4 core definitions: resource and data types with their elements, search parameters
/// and the Patient compartment. Immutable and thread-safe once loaded.
/// </summary>
public sealed class FhirDefinitions
{
    private static readonly Lazy<FhirDefinitions> DefaultInstance = new(() => Load());

    /// <summary>The definitions from the installed package, loaded once per process.</summary>
    public static FhirDefinitions Default => DefaultInstance.Value;

    private readonly Dictionary<string, StructureInfo> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, SearchParameterInfo>> _searchByType = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SearchParameterInfo> _searchByUrl = new(StringComparer.Ordinal);

    public string PackageDirectory { get; }
    /// <summary>How long loading took (the start-up cost of the engine).</summary>
    public TimeSpan LoadTime { get; private set; }
    public bool LoadedFromCache { get; private set; }

    public IReadOnlyCollection<StructureInfo> Types => _types.Values;
    public IEnumerable<string> ResourceTypes => _types.Values.Where(t => t.IsResource && !t.IsAbstract).Select(t => t.Name);
    public IReadOnlyCollection<SearchParameterInfo> SearchParameters => _searchByUrl.Values;
    /// <summary>Patient CompartmentDefinition: resource type → the search parameters that link it to the patient.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> PatientCompartment { get; private set; } =
        new Dictionary<string, IReadOnlyList<string>>();

    private FhirDefinitions(string packageDir) => PackageDirectory = packageDir;

    /// <summary>Loads from <paramref name="packageDir"/> (or the located package), using the compact cache when present.</summary>
    public static FhirDefinitions Load(string? packageDir = null)
    {
        var sw = Stopwatch.StartNew();
        packageDir ??= DefinitionsLocator.FindPackageDirectory();
        var cacheFile = CacheFile(packageDir);
        var cache = DefinitionsCache.TryRead(cacheFile);
        var fromCache = cache is not null;
        if (cache is null)
        {
            cache = DefinitionsReader.Read(packageDir);
            cache.TryWrite(cacheFile);
        }
        var defs = new FhirDefinitions(packageDir);
        defs.Build(cache);
        defs.LoadTime = sw.Elapsed;
        defs.LoadedFromCache = fromCache;
        return defs;
    }

    private static string CacheFile(string packageDir)
    {
        // definitions/node_modules/hl7.fhir.r4.examples → definitions/.cache
        var dir = new DirectoryInfo(packageDir);
        var definitionsDir = dir.Parent?.Name == "node_modules" ? dir.Parent.Parent!.FullName : packageDir;
        return Path.Combine(definitionsDir, ".cache", $"r4-core-v{DefinitionsCache.FormatVersion}.json.gz");
    }

    public StructureInfo? GetStructure(string typeName) => _types.GetValueOrDefault(typeName);

    public bool IsResourceType(string name) => _types.TryGetValue(name, out var s) && s.IsResource;
    public bool IsConcreteResourceType(string name) => _types.TryGetValue(name, out var s) && s.IsResource && !s.IsAbstract;
    public bool IsPrimitiveType(string name) => _types.TryGetValue(name, out var s) && s.IsPrimitive;

    /// <summary>True when <paramref name="type"/> is <paramref name="baseType"/> or derives from it.</summary>
    public bool IsSubtypeOf(string type, string baseType)
    {
        for (var t = type; t is not null; t = _types.GetValueOrDefault(t)?.BaseName)
            if (t == baseType) return true;
        return false;
    }

    /// <summary>
    /// The child element definitions of an element: inline children (root, backbone elements),
    /// the target of a content reference, or the children of its data type.
    /// </summary>
    public ElementInfo? ChildContainer(ElementInfo? element, string? typeName)
    {
        if (element is not null)
        {
            if (element.Children.Count > 0) return element;
            if (element.ContentReferenceTarget is { } target) return target;
        }
        return typeName is not null && _types.TryGetValue(typeName, out var s) ? s.Root : null;
    }

    /// <summary>
    /// Resolves a JSON property name under a parent to its definition and FHIR type
    /// ("valueQuantity" → value[x] with type Quantity). Null when the element is unknown.
    /// </summary>
    public ChildResolution? ResolveChild(ElementInfo? parent, string? parentType, string jsonName)
    {
        var container = ChildContainer(parent, parentType);
        if (container is null) return null;
        var map = container.JsonNames ??= BuildJsonNames(container);
        return map.TryGetValue(jsonName, out var r) ? r : null;
    }

    private static Dictionary<string, ChildResolution> BuildJsonNames(ElementInfo container)
    {
        var map = new Dictionary<string, ChildResolution>(StringComparer.Ordinal);
        foreach (var c in container.Children)
        {
            if (c.IsChoice)
            {
                foreach (var t in c.Types)
                    map[c.Name + char.ToUpperInvariant(t.Name[0]) + t.Name[1..]] = new ChildResolution(c, t.Name);
            }
            else
            {
                var type = c.Types.Count > 0 ? c.Types[0].Name
                    : c.ContentReferenceTarget?.Types.FirstOrDefault()?.Name ?? "BackboneElement";
                if (c.Path.EndsWith(".id", StringComparison.Ordinal) && c.Types is [{ IsSystemType: true }]) type = "id";
                map[c.Name] = new ChildResolution(c, type);
            }
        }
        return map;
    }

    /// <summary>Search parameters that apply to a resource type (its own and those of Resource/DomainResource), by code.</summary>
    public IReadOnlyDictionary<string, SearchParameterInfo> SearchParametersFor(string resourceType) =>
        _searchByType.TryGetValue(resourceType, out var d) ? d : _searchByType.GetValueOrDefault("Resource") ?? [];

    public SearchParameterInfo? GetSearchParameter(string resourceType, string code) =>
        SearchParametersFor(resourceType).GetValueOrDefault(code);

    public SearchParameterInfo? GetSearchParameterByUrl(string url) => _searchByUrl.GetValueOrDefault(url);

    private void Build(DefinitionsCache cache)
    {
        foreach (var s in cache.Structures)
            _types[s.Name] = BuildStructure(s);
        foreach (var s in _types.Values)
        {
            foreach (var e in s.ElementsByPath.Values)
            {
                if (e.ContentReference is { } cr)
                    e.ContentReferenceTarget = s.ElementsByPath.GetValueOrDefault(cr.TrimStart('#'));
            }
        }
        PatientCompartment = cache.PatientCompartment.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value);

        foreach (var dto in cache.SearchParameters)
        {
            var sp = new SearchParameterInfo
            {
                Url = dto.Url,
                Code = dto.Code,
                Type = dto.Type,
                Expression = dto.Expression,
                Base = dto.Base,
                Target = (IReadOnlyList<string>?)dto.Target ?? [],
                Modifier = (IReadOnlyList<string>?)dto.Modifier ?? [],
                Comparator = (IReadOnlyList<string>?)dto.Comparator ?? [],
                Components = (IReadOnlyList<SearchComponentInfo>?)dto.Components ?? [],
                Description = dto.Description,
            };
            _searchByUrl[sp.Url] = sp;
        }
        foreach (var rt in _types.Values.Where(t => t.IsResource))
        {
            var d = new Dictionary<string, SearchParameterInfo>(StringComparer.Ordinal);
            foreach (var sp in _searchByUrl.Values)
            {
                if (sp.Base.Any(b => IsSubtypeOf(rt.Name, b))) d.TryAdd(sp.Code, sp);
            }
            _searchByType[rt.Name] = d;
        }
    }

    private static StructureInfo BuildStructure(DefinitionsCache.StructureDto s)
    {
        var byPath = new Dictionary<string, ElementInfo>(StringComparer.Ordinal);
        ElementInfo? root = null;
        var children = new Dictionary<string, List<ElementInfo>>(StringComparer.Ordinal);
        foreach (var e in s.Elements)
        {
            var lastDot = e.Path.LastIndexOf('.');
            var rawName = lastDot < 0 ? e.Path : e.Path[(lastDot + 1)..];
            var isChoice = rawName.EndsWith("[x]", StringComparison.Ordinal);
            var info = new ElementInfo
            {
                Path = e.Path,
                Name = isChoice ? rawName[..^3] : rawName,
                IsChoice = isChoice,
                Min = e.Min,
                Max = e.Max == "*" ? -1 : int.TryParse(e.Max, out var m) ? m : 1,
                Types = e.Types?.Select(t => new TypeRef(t.Code, (IReadOnlyList<string>?)t.TargetProfiles ?? [], (IReadOnlyList<string>?)t.Profiles ?? [])).ToArray() ?? [],
                ContentReference = e.ContentReference,
                Binding = e.BindingStrength is null ? null : new BindingInfo(e.BindingStrength, e.BindingValueSet),
                Constraints = (IReadOnlyList<ConstraintInfo>?)e.Constraints ?? [],
                IsSummary = e.Summary,
                IsModifier = e.Modifier,
                IsXmlAttribute = e.XmlAttr,
                IsXhtml = e.Xhtml,
                FixedJson = e.Fixed,
            };
            byPath[e.Path] = info;
            if (lastDot < 0) root = info;
            else
            {
                var parent = e.Path[..lastDot];
                if (!children.TryGetValue(parent, out var list)) children[parent] = list = [];
                list.Add(info);
            }
        }
        foreach (var (parent, list) in children)
        {
            if (!byPath.TryGetValue(parent, out var p)) continue;
            p.Children = list;
            p.ChildByName = list.ToDictionary(c => c.Name, StringComparer.Ordinal);
        }
        return new StructureInfo
        {
            Name = s.Name,
            Url = s.Url,
            Kind = s.Kind,
            IsAbstract = s.Abstract,
            BaseName = s.Base,
            Root = root ?? throw new InvalidDataException($"StructureDefinition {s.Name} has no root element"),
            ElementsByPath = byPath,
            PrimitiveRegex = s.Regex,
        };
    }
}

/// <summary>A JSON property resolved against the definitions.</summary>
public sealed record ChildResolution(ElementInfo Definition, string TypeName);
