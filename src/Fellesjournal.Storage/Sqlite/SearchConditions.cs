using System.Text.Json;
using Fellesjournal.Storage.Search;

namespace Fellesjournal.Storage.Sqlite;

/// <summary>Conditions added to the translator for expanded token sets and composite ranges (both stores).</summary>
internal sealed partial class TranslatedSearch
{
    /// <summary>True when translating for PostgreSQL (set before emitting).</summary>
    public bool Postgres { get; init; }

    /// <summary>An expanded value set as two JSON array parameters: the codes drive the (h_ident, code) index, the
    /// (system, code) hashes make the match exact for codings.</summary>
    private string TokenSet(TokenSetCondition c, ParamMatch m, string i)
    {
        var codes = JsonSerializer.Serialize(c.Codes.Select(x => x.Code).Distinct().ToArray());
        var hashes = JsonSerializer.Serialize(c.Codes.Select(x => IndexHash.Of(m.ResourceType, m.Param, x.System, x.Code)).ToArray());
        // A plain code element (status, gender) is stored without a system: its system is implied, the code decides.
        return $"{i}.code IN (SELECT value FROM json_each({P(codes)})) AND ({i}.system IS NULL OR " +
               $"{i}.h_sys_code IN (SELECT CAST(value AS BIGINT) FROM json_each({P(hashes)})))";
    }

    /// <summary><c>token$[prefix]number</c> over the stored component text "system|code$value[|unit-system|unit-code]".</summary>
    private string CompositeRange(CompositeRangeCondition c, string i)
    {
        var split = $"instr({i}.components, '$')";
        var lead = $"substr({i}.components, 1, {split} - 1)";
        var rest = $"substr({i}.components, {split} + 1)";
        string EndsWith(string expr, string suffix)
        {
            var p = P(suffix);
            return $"substr({expr}, length({expr}) - length({p}) + 1) = {p}";
        }
        var sql = $"{split} > 0 AND " + (c.System is null ? EndsWith(lead, "|" + c.Code) : $"{lead} = {P(c.System + "|" + c.Code)}");
        // SQLite's CAST reads the leading number of "120|unit..."; PostgreSQL needs the part cut out first.
        var value = Postgres ? $"CAST(split_part({rest}, '|', 1) AS double precision)" : $"CAST({rest} AS REAL)";
        sql += " AND " + Number(c.Value, value);
        if (c.UnitCode is not null)
            sql += " AND " + EndsWith(rest, (c.UnitSystem is null ? "" : "|" + c.UnitSystem) + "|" + c.UnitCode);
        return sql;
    }

    /// <summary>_text/_content: SQLite's FTS5 table, PostgreSQL's tsvector columns (GIN), both keyed by seq.</summary>
    private string FullText(TextMatch x, string a)
    {
        if (Postgres)
            return $"{a}.seq IN (SELECT f.seq FROM fts_text f WHERE f.{(x.NarrativeOnly ? "narrative" : "content")}" +
                   $" @@ plainto_tsquery('simple', {P(string.Join(" ", x.NormalizedTerms))}))";
        return $"{a}.seq IN (SELECT rowid FROM {SqliteFullText.Table} WHERE {SqliteFullText.Table} MATCH {P(SqliteFullText.Query(x.NarrativeOnly, x.NormalizedTerms))})";
    }
}
