using Fellesjournal.Fhir.Definitions;

namespace Fellesjournal.Server.Validation;

/// <summary>The validator used on every write (HTTP, transactions, import, demo data).</summary>
public static class Validators
{
    public static IResourceValidator CreateDefault(FhirDefinitions defs) => new StructuralValidator(defs);
}
