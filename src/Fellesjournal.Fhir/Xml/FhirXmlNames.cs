using Fellesjournal.Fhir.Definitions;

namespace Fellesjournal.Fhir.Xml;

/// <summary>Names and type facts shared by the FHIR XML reader and writer.</summary>
internal static class FhirXmlNames
{
    public const string FhirNamespace = "http://hl7.org/fhir";
    public const string XhtmlNamespace = "http://www.w3.org/1999/xhtml";

    /// <summary>The JSON kind of a primitive FHIR type: boolean and numbers are not strings in FHIR JSON.</summary>
    public static PrimitiveJsonKind JsonKindOf(string? fhirType) => fhirType switch
    {
        "boolean" => PrimitiveJsonKind.Boolean,
        "integer" or "positiveInt" or "unsignedInt" or "decimal" => PrimitiveJsonKind.Number,
        _ => PrimitiveJsonKind.String,
    };

    /// <summary>True for element types that hold a whole resource (contained, Bundle.entry.resource, ...).</summary>
    public static bool IsResourceSlot(string? typeName) => typeName is "Resource" or "DomainResource";

    public static bool IsXhtml(ElementInfo? def, string? typeName) => typeName == "xhtml" || def?.IsXhtml == true;
}

internal enum PrimitiveJsonKind { String, Boolean, Number }
