using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;

namespace Fellesjournal.Fhir.Search;

/// <summary>Extraction of search-index values; <see cref="SearchIndexer"/> is the FHIRPath-based implementation.</summary>
public interface ISearchIndexer
{
    FhirDefinitions Definitions { get; }

    /// <summary>Search values and patient-compartment key of a resource; never throws for bad expressions.</summary>
    ResourceIndex Extract(ElementNode resource, string? id = null);
}
