using Fellesjournal.Fhir.Search;

namespace Fellesjournal.Storage;

/// <summary>A store that names the search-value extraction it indexes with, so a bulk loader can extract values in
/// its own parallel stage from the tree it already parsed for validation and pass them in <see cref="ResourceWrite.Index"/>.</summary>
public interface ISearchIndexedStore
{
    ISearchIndexer Indexer { get; }
}
