using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Search;

namespace Fellesjournal.Storage;

/// <summary>A write with its search values extracted, ready for a store's writer.</summary>
internal readonly record struct PreparedWrite(ResourceWrite Write, ResourceIndex Index)
{
    /// <summary>Extracts search values for a batch (CPU work, done outside the write lock; parallel for larger batches).
    /// Shared by every store so they index identically.</summary>
    public static PreparedWrite[] PrepareBatch(IReadOnlyList<ResourceWrite> batch, ISearchIndexer indexer, FhirDefinitions definitions)
    {
        var prepared = new PreparedWrite[batch.Count];
        void One(int i)
        {
            var w = batch[i];
            if (string.IsNullOrEmpty(w.ResourceType) || string.IsNullOrEmpty(w.Id))
                throw new ArgumentException("A write needs a resource type and an id.");
            prepared[i] = new PreparedWrite(w, w.Json is not { } json ? ResourceIndex.Empty
                : w.Index ?? Extract(ElementNode.Parse(json, definitions), w.Id));
        }
        ResourceIndex Extract(ElementNode node, string id) => indexer.Extract(node, id) with { Text = FullTextExtractor.Extract(node) };
        if (batch.Count >= 32 && Environment.ProcessorCount > 1)
            Parallel.For(0, batch.Count, One);
        else
            for (var i = 0; i < batch.Count; i++) One(i);
        return prepared;
    }
}
