using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.FhirPath;

/// <summary>Type names of items and the is/as/ofType test (FHIR types via the definitions' hierarchy).</summary>
internal static class Types
{
    /// <summary>System type name of a System value; null for nodes.</summary>
    public static string? SystemName(object v) => v switch
    {
        string => "String",
        bool => "Boolean",
        int or long => "Integer",
        decimal => "Decimal",
        PartialDateTime d => d.HasTime ? "DateTime" : "Date",
        PartialTime => "Time",
        Quantity => "Quantity",
        _ => null,
    };

    /// <summary>Namespace-qualified type name, for messages and type().</summary>
    public static string NameOf(object item) => item is ElementNode n
        ? "FHIR." + (n.TypeName ?? "Element")
        : "System." + (SystemName(item) ?? item.GetType().Name);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ElementNode> TypeInfos = new();

    /// <summary>type(): a SimpleTypeInfo-like object with namespace and name.</summary>
    public static ElementNode TypeInfoOf(object item)
    {
        var full = NameOf(item);
        return TypeInfos.GetOrAdd(full, k =>
        {
            var dot = k.IndexOf('.');
            var json = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["namespace"] = k[..dot], ["name"] = k[(dot + 1)..] });
            return ElementNode.Parse(json);
        });
    }

    private static readonly HashSet<string> SystemTypes = ["Any", "String", "Boolean", "Integer", "Decimal", "Date", "DateTime", "Time", "Quantity"];

    /// <summary>Throws for a type name that is neither a FHIR nor a System type (as(string1)).</summary>
    public static void CheckKnown(TypeSpec type, Fellesjournal.Fhir.Definitions.FhirDefinitions defs)
    {
        var known = type.Namespace switch
        {
            "System" => SystemTypes.Contains(type.Name),
            "FHIR" => defs.GetStructure(type.Name) is not null,
            null => SystemTypes.Contains(type.Name) || defs.GetStructure(type.Name) is not null,
            _ => false,
        };
        if (!known) throw new FhirPathException($"Unknown type '{type}'");
    }

    /// <summary>as()/ofType(): FHIR primitives match their exact type only (a code is not cast to string).</summary>
    public static bool IsExactly(object item, TypeSpec type)
    {
        if (item is ElementNode { IsPrimitive: true } n) return type.Namespace is null or "FHIR" && n.TypeName == type.Name;
        return Is(item, type);
    }

    public static bool Is(object item, TypeSpec type)
    {
        if (item is ElementNode n)
        {
            if (type.Namespace is not (null or "FHIR")) return false;
            return n.TypeName is { } t && n.Definitions.IsSubtypeOf(t, type.Name);
        }
        if (type.Namespace is not (null or "System")) return false;
        return SystemName(item) == type.Name;
    }

    /// <summary>Reads a type specifier from a function argument (ofType(Quantity), is(System.String)).</summary>
    public static TypeSpec FromArgument(Expr arg)
    {
        switch (arg)
        {
            case InvokeExpr { Target: null, Member: IdentifierExpr id }:
                return new TypeSpec(null, id.Name);
            case InvokeExpr { Target: InvokeExpr { Target: null, Member: IdentifierExpr ns }, Member: IdentifierExpr id }:
                return new TypeSpec(ns.Name, id.Name);
            default:
                throw new FhirPathException("Expected a type name as argument");
        }
    }
}
