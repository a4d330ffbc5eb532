using Fellesjournal.Storage.Tests.Postgres;
using Fellesjournal.Storage;
using Fellesjournal.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;
using static Fellesjournal.Storage.Tests.TempStore;

namespace Fellesjournal.Storage.Tests;

/// <summary>_text (narrative) and _content (narrative and strings) on both stores, and the backfill on upgrade.</summary>
public class SearchFullTextTests
{
    private static readonly string[] Resources =
    [
        """{"resourceType":"Condition","id":"c1","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Kronisk <b>hodepine</b> hos Ødegård &amp; sønn</p></div>"},"subject":{"reference":"Patient/p1"},"note":[{"text":"Vurder MR caput"}]}""",
        """{"resourceType":"Condition","id":"c2","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">Akutt migrene</div>"},"subject":{"reference":"Patient/p1"},"note":[{"text":"Kronisk hodepine i familien"}]}""",
        """{"resourceType":"Condition","id":"c3","subject":{"reference":"Patient/p2"},"code":{"text":"Hodepine, spenningstype"}}""",
        """{"resourceType":"Patient","id":"p1","name":[{"family":"Ødegård","given":["José"]}]}""",
    ];

    private static async Task<TempStore> Seed(string store)
    {
        var t = new TempStore(store);
        await t.Store.MergeAsync(Resources.Select(r => Put(r)).ToList());
        return t;
    }

    private static async Task<string> Ids(TempStore t, string? type, string key, params string[] values)
    {
        var page = await t.Store.SearchAsync(new SearchQuery(type, [new SearchCriterion(key, null, values)], Count: 100));
        return string.Join(",", page.Resources.Select(r => r.Id).Order());
    }

    private static async Task AssertSearches(TempStore t)
    {
        Assert.Equal("c1", await Ids(t, "Condition", "_text", "hodepine"));
        Assert.Equal("c1,c2,c3", await Ids(t, "Condition", "_content", "hodepine"));
        // Words are ANDed within a value, in any order; values are alternatives.
        Assert.Equal("c1,c2", await Ids(t, "Condition", "_content", "hodepine kronisk"));
        Assert.Equal("c1", await Ids(t, "Condition", "_text", "kronisk hodepine"));
        Assert.Equal("c1,c2", await Ids(t, "Condition", "_text", "hodepine", "migrene"));
        Assert.Equal("", await Ids(t, "Condition", "_text", "caput"));
        Assert.Equal("c1", await Ids(t, "Condition", "_content", "caput"));
        // Case and accents as in string search (å folds to a, ø is a letter of its own); markup and entities are not words.
        Assert.Equal("c1", await Ids(t, "Condition", "_text", "ØDEGÅRD"));
        Assert.Equal("c1", await Ids(t, "Condition", "_text", "odegard", "sønn"));
        Assert.Equal("c1", await Ids(t, "Condition", "_text", "ødegard"));
        Assert.Equal("", await Ids(t, "Condition", "_text", "odegard"));
        Assert.Equal("", await Ids(t, "Condition", "_text", "amp"));
        Assert.Equal("", await Ids(t, "Condition", "_text", "xhtml"));
        Assert.Equal("p1", await Ids(t, "Patient", "_content", "jose"));
        Assert.Equal("c1,p1", await Ids(t, null, "_content", "Ødegård"));
        await Assert.ThrowsAsync<SearchException>(() => Ids(t, "Condition", "_text", "-"));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task Text_and_content_search_words(string store)
    {
        await using var t = await Seed(store);
        await AssertSearches(t);
        // A new version replaces the old text; a deletion removes it.
        await t.Store.MergeAsync([Put("""{"resourceType":"Condition","id":"c3","subject":{"reference":"Patient/p2"},"code":{"text":"Svimmelhet"}}""")]);
        await t.Store.MergeAsync([new ResourceWrite("Condition", "c1", null)]);
        Assert.Equal("c2", await Ids(t, "Condition", "_content", "hodepine"));
        Assert.Equal("c3", await Ids(t, "Condition", "_content", "svimmelhet"));
    }

    [Theory, SqliteStore, PostgresStore]
    public async Task A_database_from_before_the_index_is_backfilled_on_open(string store)
    {
        await using var t = await Seed(store);
        // Old versions must not come back: c2 gets a second version first.
        await t.Store.MergeAsync([Put(Resources[1].Replace("migrene", "tinnitus"))]);
        await t.Store.DisposeAsync();
        if (store == "sqlite")
        {
            using var c = new SqliteConnection($"Data Source={Path.Combine(t.Dir, SqliteResourceStore.DefaultFileName)};Pooling=False");
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "DROP TABLE fts_text";
            cmd.ExecuteNonQuery();
        }
        else
        {
            using var c = new NpgsqlConnection(t.ConnectionString);
            c.Open();
            using var cmd = new NpgsqlCommand("DELETE FROM fts_text; INSERT INTO store_task (name) VALUES ('fulltext_backfill')", c);
            cmd.ExecuteNonQuery();
        }
        await t.ReopenAsync();
        Assert.Equal("", await Ids(t, "Condition", "_text", "migrene"));
        Assert.Equal("c2", await Ids(t, "Condition", "_text", "tinnitus"));
        Assert.Equal("c1", await Ids(t, "Condition", "_text", "hodepine"));
        Assert.Equal("c1,c2,c3", await Ids(t, "Condition", "_content", "hodepine"));
    }
}
