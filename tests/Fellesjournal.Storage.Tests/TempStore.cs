using System.Text;
using System.Text.Json;
using Fellesjournal.Storage;
using Fellesjournal.Storage.Sqlite;

namespace Fellesjournal.Storage.Tests;

/// <summary>A store in a fresh temp directory, deleted on dispose.</summary>
public sealed class TempStore : IAsyncDisposable
{
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "fj-store-" + Guid.NewGuid().ToString("N"));
    public SqliteResourceStore Store { get; private set; }

    private readonly Fellesjournal.Fhir.Search.ISearchIndexer? _indexer;

    public TempStore(Fellesjournal.Fhir.Search.ISearchIndexer? indexer = null)
    {
        _indexer = indexer;
        Store = SqliteResourceStore.Open(Dir, indexer);
    }

    public async Task ReopenAsync()
    {
        await Store.DisposeAsync();
        Store = SqliteResourceStore.Open(Dir, _indexer);
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }

    public static ResourceWrite Put(string json, long? ifMatch = null, bool mustNotExist = false)
    {
        using var doc = JsonDocument.Parse(json);
        var type = doc.RootElement.GetProperty("resourceType").GetString()!;
        var id = doc.RootElement.GetProperty("id").GetString()!;
        return new ResourceWrite(type, id, Encoding.UTF8.GetBytes(json), ifMatch, mustNotExist);
    }

    public static string Text(StoredResource r) => Encoding.UTF8.GetString(r.Json.Span);

    public static JsonElement Parse(StoredResource r) => JsonDocument.Parse(r.Json).RootElement;
}
