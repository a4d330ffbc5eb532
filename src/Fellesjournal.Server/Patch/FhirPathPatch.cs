using System.Text.Json.Nodes;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Server.Http;

namespace Fellesjournal.Server.Patch;

/// <summary>
/// FHIRPath Patch (a Parameters resource with add/insert/delete/replace/move operations).
/// It needs the FHIRPath engine to select the target elements; until the engine is available
/// every FHIRPath Patch answers 501 with an explanation.
/// </summary>
public static class FhirPathPatch
{
    public static JsonObject Apply(FhirDefinitions defs, JsonObject resource, JsonObject parameters) =>
        throw new FhirException(501, "not-supported",
            "FHIRPath Patch is not available yet (it needs the FHIRPath engine). Use JSON Patch (application/json-patch+json).");
}
