using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Xml;

namespace Fellesjournal.Fhir.FhirPath.Conformance;

/// <summary>Loads a resource file for evaluation: FHIR JSON directly, FHIR XML through the XML reader.</summary>
public static class ResourceFile
{
    public static ElementNode Load(string path, FhirDefinitions? defs = null)
    {
        defs ??= FhirDefinitions.Default;
        var text = File.ReadAllText(path);
        var isXml = path.EndsWith(".xml", StringComparison.OrdinalIgnoreCase) || text.TrimStart().StartsWith('<');
        return isXml ? FhirXmlReader.Parse(text, defs) : ElementNode.Parse(text, defs);
    }
}
