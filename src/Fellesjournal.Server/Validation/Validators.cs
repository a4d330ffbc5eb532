using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Validation;

namespace Fellesjournal.Server.Validation;

/// <summary>The validator used on every write (HTTP, transactions, import, demo data).</summary>
public static class Validators
{
    public static IResourceValidator CreateDefault(FhirDefinitions defs) => new ValidatorChain(
        new CoreValidator(ReferenceEquals(defs, FhirDefinitions.Default) ? FhirValidator.Default : new FhirValidator(defs)),
        new NorwegianIdentifierValidator());
}
