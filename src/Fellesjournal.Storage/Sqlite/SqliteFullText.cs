using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Search;
using Microsoft.Data.Sqlite;

namespace Fellesjournal.Storage.Sqlite;

/// <summary>
/// The full-text index for <c>_text</c>/<c>_content</c>: an FTS5 table keyed by the version's seq, holding the current
/// versions only (like the index tables). Contentless with delete support: the text is already in the resource, the
/// table keeps only the word index. Text arrives normalized (<see cref="FullTextExtractor"/>), so the tokenizer need
/// not fold accents. See docs/decisions/0010-full-text-search.md.
/// </summary>
internal static class SqliteFullText
{
    public const string Table = "fts_text";

    public const string Create =
        $"CREATE VIRTUAL TABLE IF NOT EXISTS {Table} USING fts5(narrative, content, content='', contentless_delete=1, " +
        "tokenize='unicode61 remove_diacritics 0')";

    public const string Insert = $"INSERT INTO {Table} (rowid, narrative, content) VALUES ($a, $b, $c)";
    public const string Delete = $"DELETE FROM {Table} WHERE rowid = $a";

    /// <summary>Creates the table; a database from before it gets the text of its current versions (in one transaction,
    /// so an interrupted upgrade simply runs again).</summary>
    public static void Ensure(SqliteConnection conn, FhirDefinitions defs)
    {
        using (var check = conn.CreateCommand())
        {
            check.CommandText = $"SELECT count(*) FROM sqlite_master WHERE name = '{Table}'";
            if ((long)check.ExecuteScalar()! > 0) return;
        }
        using var tx = conn.BeginTransaction();
        using (var create = conn.CreateCommand())
        {
            create.Transaction = tx;
            create.CommandText = Create;
            create.ExecuteNonQuery();
        }
        using var read = conn.CreateCommand();
        read.Transaction = tx;
        read.CommandText = "SELECT seq, json_len, json FROM resource_version WHERE is_current = 1 AND deleted = 0";
        using var ins = conn.CreateCommand();
        ins.Transaction = tx;
        ins.CommandText = Insert;
        var (a, b, c) = (ins.Parameters.Add("$a", SqliteType.Integer), ins.Parameters.Add("$b", SqliteType.Text), ins.Parameters.Add("$c", SqliteType.Text));
        using (var r = read.ExecuteReader())
            while (r.Read())
            {
                var json = JsonCodec.Decompress((byte[])r.GetValue(2), r.GetInt32(1));
                if (FullTextExtractor.Extract(ElementNode.Parse(json, defs)) is not { } text) continue;
                (a.Value, b.Value, c.Value) = (r.GetInt64(0), text.Narrative, text.Content);
                ins.ExecuteNonQuery();
            }
        tx.Commit();
    }

    /// <summary>An FTS5 query: every term (a quoted string, so no operator syntax leaks in) in the column.</summary>
    public static string Query(bool narrativeOnly, IReadOnlyList<string> terms)
    {
        var col = narrativeOnly ? "narrative" : "content";
        return string.Join(" AND ", terms.Select(t => $"{col} : \"{t.Replace("\"", "\"\"")}\""));
    }
}
