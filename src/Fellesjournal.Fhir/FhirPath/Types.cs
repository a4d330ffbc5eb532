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
