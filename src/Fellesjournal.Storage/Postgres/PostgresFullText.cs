using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Fhir.Model;
using Fellesjournal.Fhir.Search;
using Npgsql;

namespace Fellesjournal.Storage.Postgres;

/// <summary>The PostgreSQL side of the full-text index (<c>fts_text</c>, tsvector + GIN, 'simple' configuration):
/// rows written with the index rows, and the one-time backfill of databases from before it.</summary>
internal static class PostgresFullText
{
    private const string InsertSql = """
        INSERT INTO fts_text (seq, narrative, content)
        SELECT s, to_tsvector('simple', n), to_tsvector('simple', c) FROM unnest(@s, @n, @c) AS x(s, n, c)
        """;

    public static async Task InsertAsync(NpgsqlConnection c, NpgsqlTransaction? tx, IEnumerable<(long Seq, FullText Text)> rows, CancellationToken ct)
    {
        var list = rows.ToList();
        if (list.Count == 0) return;
        await using var cmd = new NpgsqlCommand(InsertSql, c, tx);
        cmd.Parameters.AddWithValue("s", list.Select(r => r.Seq).ToArray());
        cmd.Parameters.AddWithValue("n", list.Select(r => r.Text.Narrative).ToArray());
        cmd.Parameters.AddWithValue("c", list.Select(r => r.Text.Content).ToArray());
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Fills <c>fts_text</c> for the current versions when the migration left the task pending.</summary>
    public static Task<bool> BackfillAsync(NpgsqlDataSource ds, FhirDefinitions defs, CancellationToken ct) =>
        PostgresBackfill.RunAsync(ds, "fulltext_backfill", async (conn, tx, batch) =>
        {
            var texts = new List<(long, FullText)>();
            foreach (var (seq, _, json) in batch)
                if (FullTextExtractor.Extract(ElementNode.Parse(json, defs)) is { } text) texts.Add((seq, text));
            await InsertAsync(conn, tx, texts, ct).ConfigureAwait(false);
        }, ct);
}
