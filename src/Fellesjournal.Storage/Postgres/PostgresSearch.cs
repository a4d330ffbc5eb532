using System.Text.RegularExpressions;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Storage.Search;
using Fellesjournal.Storage.Sqlite;
using Npgsql;

namespace Fellesjournal.Storage.Postgres;

/// <summary>
/// The store-neutral search tree, translated by the same translator as for SQLite (so both stores answer the same
/// query the same way), then mapped to PostgreSQL: <c>$pN</c> parameters become <c>@pN</c>, and the few
/// SQLite-only constructs in the emitted SQL become their PostgreSQL equivalents. The compartment key is
/// <c>''</c> (not NULL) outside a compartment here, because it is part of every key.
/// </summary>
internal sealed partial class PostgresSearch
{
    private readonly TranslatedSearch _t;

    public SearchPlan Plan => _t.Plan;
    public string Where { get; }
    public string From { get; }
    public string ExtraColumns => _t.ExtraColumns;
    public bool ReturnsContained => _t.ReturnsContained;
    public List<(string Sql, bool Desc)> SortColumns { get; }

    private PostgresSearch(TranslatedSearch t)
    {
        _t = t;
        Where = Dialect(t.Where);
        From = Dialect(t.From);
        SortColumns = t.SortColumns.Select(k => (Dialect(k.Sql), k.Desc)).ToList();
    }

    public static PostgresSearch Translate(SearchQuery q, FhirDefinitions defs) => new(SqliteSearchTranslator.Translate(q, defs, postgres: true));

    public static string Dialect(string sql)
    {
        sql = ParamName().Replace(sql, "@p$1");
        // A membership test against a JSON list becomes "= ANY(array)": the planner then uses the list as an index
        // condition (patient_id = ANY(...) on the compartment index) instead of joining a function scan it
        // assumes to return 100 rows. NOT IN is <> ALL by definition, NULLs included.
        sql = InJsonList().Replace(sql, m => (m.Groups[1].Success ? " <> ALL" : " = ANY") +
            $"(ARRAY(SELECT json_array_elements_text({m.Groups[3].Value}::json){(m.Groups[2].Value == "value" ? "" : "::bigint")}))");
        sql = JsonEach().Replace(sql, "json_array_elements_text($1::json)");
        // CROSS JOIN only fixes SQLite's join order; PostgreSQL plans the order itself (and refuses ON after CROSS JOIN).
        return sql.Replace("instr(", "strpos(", StringComparison.Ordinal)
                  .Replace(" CROSS JOIN ", " JOIN ", StringComparison.Ordinal)
                  .Replace(".patient_id IS NULL", ".patient_id = ''", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\$p(\d+)")]
    private static partial Regex ParamName();

    [GeneratedRegex(@" (NOT )?IN \(SELECT (CAST\(value AS BIGINT\)|value) FROM json_each\((@p\d+)\)\)")]
    private static partial Regex InJsonList();

    [GeneratedRegex(@"json_each\((@p\d+)\)")]
    private static partial Regex JsonEach();

    public async Task BindAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        foreach (var (k, v) in _t.Parameters)
            cmd.Parameters.AddWithValue(k.TrimStart('$'), v is SeqAtOrAfter s
                ? await PostgresReads.FirstSeqAtOrAfterAsync(cmd.Connection!, cmd.Transaction, s.Millis, ct).ConfigureAwait(false)
                : v);
    }
}
