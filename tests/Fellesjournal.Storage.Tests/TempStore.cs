using System.Text;
using System.Text.Json;
using Fellesjournal.Storage;
using Fellesjournal.Storage.Postgres;
using Fellesjournal.Storage.Sqlite;
using Fellesjournal.Storage.Tests.Postgres;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Fellesjournal.Storage.Tests;

/// <summary>A store of the given kind ("sqlite": a fresh temp directory; "postgres": a fresh database on the
/// shared test server), deleted on dispose.</summary>
public sealed class TempStore : IAsyncDisposable
{
    public string Kind { get; }
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "fj-store-" + Guid.NewGuid().ToString("N"));
    public string? Database { get; }
    public IResourceStore Store { get; private set; }

    private readonly Fellesjournal.Fhir.Search.ISearchIndexer? _indexer;

    public TempStore(Fellesjournal.Fhir.Search.ISearchIndexer? indexer = null) : this("sqlite", indexer) { }

    public TempStore(string kind, Fellesjournal.Fhir.Search.ISearchIndexer? indexer = null)
    {
        Kind = kind;
        _indexer = indexer;
        if (kind == "postgres") Database = PostgresServer.Instance.CreateDatabase();
        Store = OpenStore();
    }

    public string? ConnectionString => Database is null ? null : PostgresServer.Instance.ConnectionString(Database);

    private IResourceStore OpenStore() => Kind switch
    {
        "sqlite" => SqliteResourceStore.Open(Dir, _indexer),
        "postgres" => PostgresResourceStore.Open(ConnectionString!, _indexer),
        _ => throw new ArgumentException(Kind),
    };

    /// <summary>Another store instance on the same database (a second server).</summary>
    public IResourceStore OpenAnother() => OpenStore();

    public async Task ReopenAsync()
    {
        await Store.DisposeAsync();
        Store = OpenStore();
    }

    /// <summary>Runs raw SQL against the store's database and returns the rows as strings (both stores).</summary>
    public List<string[]> Query(string sql)
    {
        var rows = new List<string[]>();
        if (Kind == "sqlite")
        {
            using var c = new SqliteConnection($"Data Source={Path.Combine(Dir, SqliteResourceStore.DefaultFileName)};Mode=ReadOnly;Pooling=False");
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            using var r = cmd.ExecuteReader();
            while (r.Read()) rows.Add(Enumerable.Range(0, r.FieldCount).Select(i => Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!).ToArray());
        }
        else
        {
            using var c = new NpgsqlConnection(ConnectionString);
            c.Open();
            using var cmd = new NpgsqlCommand(sql, c);
            using var r = cmd.ExecuteReader();
            while (r.Read()) rows.Add(Enumerable.Range(0, r.FieldCount).Select(i => Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!).ToArray());
        }
        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        if (Database is not null)
        {
            try { PostgresServer.Instance.DropDatabase(Database); } catch (NpgsqlException) { }
        }
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
