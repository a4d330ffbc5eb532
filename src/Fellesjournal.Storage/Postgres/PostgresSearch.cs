using System.Text;
using Fellesjournal.Fhir.Definitions;
using Fellesjournal.Storage.Sqlite;
using Npgsql;

namespace Fellesjournal.Storage.Postgres;

/// <summary>
/// Emits the store-neutral search tree (built by the same builder as for SQLite, so both stores answer the
/// same query the same way) as PostgreSQL SQL: named parameters <c>@pN</c>, and the few SQLite-only functions
/// in predicate fragments mapped to their PostgreSQL equivalents.
/// </summary>
internal sealed class PostgresSearch
{
    private readonly List<KeyValuePair<string, object>> _params = [];
    public string Where { get; private set; } = "1 = 1";

    public static PostgresSearch Translate(SearchQuery q, FhirDefinitions defs) => Emit(SqliteSearchTranslator.Build(q, defs));

    public static PostgresSearch Emit(SearchNode root)
    {
        var t = new PostgresSearch();
        var sb = new StringBuilder();
        t.Emit(root, sb);
        t.Where = sb.ToString();
        return t;
    }

    public async Task BindAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        foreach (var (k, v) in _params)
            cmd.Parameters.AddWithValue(k, v is SeqAtOrAfter s
                ? await PostgresReads.FirstSeqAtOrAfterAsync(cmd.Connection!, cmd.Transaction, s.Millis, ct).ConfigureAwait(false)
                : v);
    }

    /// <summary>SQLite function names in fragments → PostgreSQL (same argument order).</summary>
    private static string Dialect(string sql) => sql.Replace("instr(", "strpos(", StringComparison.Ordinal);

    private string Param(object value)
    {
        var name = "p" + _params.Count;
        _params.Add(new(name, value));
        return "@" + name;
    }

    private string Format(string sql, object[] args) =>
        Dialect(args.Length == 0 ? sql : string.Format(sql, args.Select(a => (object)Param(a)).ToArray()));

    private void Emit(SearchNode node, StringBuilder sb)
    {
        switch (node)
        {
            case AndNode a:
                if (a.Items.Count == 0) { sb.Append("1 = 1"); break; }
                for (var i = 0; i < a.Items.Count; i++)
                {
                    if (i > 0) sb.Append(" AND ");
                    Emit(a.Items[i], sb);
                }
                break;
            case OrNode o:
                if (o.Items.Count > 1 && o.Items.All(x => x is IndexPredicate) &&
                    o.Items.Cast<IndexPredicate>().Select(x => (x.Table, x.Ident)).Distinct().Count() == 1)
                {
                    var first = (IndexPredicate)o.Items[0];
                    var conds = string.Join(" OR ", o.Items.Cast<IndexPredicate>().Select(x => "(" + Format(x.Sql, x.Args) + ")"));
                    EmitIndex(first.Table, first.Ident, conds, sb);
                    break;
                }
                if (o.Items.Count == 0) { sb.Append("1 = 0"); break; }
                sb.Append('(');
                for (var i = 0; i < o.Items.Count; i++)
                {
                    if (i > 0) sb.Append(" OR ");
                    Emit(o.Items[i], sb);
                }
                sb.Append(')');
                break;
            case NotNode n:
                sb.Append("NOT (");
                Emit(n.Inner, sb);
                sb.Append(')');
                break;
            case RowPredicate r:
                sb.Append('(').Append(Format(r.Sql, r.Args)).Append(')');
                break;
            case IndexPredicate p:
                EmitIndex(p.Table, p.Ident, Format(p.Sql, p.Args), sb);
                break;
            default:
                throw new InvalidOperationException("Unknown search node " + node.GetType().Name);
        }
    }

    private void EmitIndex(string table, long? ident, string condition, StringBuilder sb)
    {
        sb.Append("r.seq IN (SELECT i.seq FROM ").Append(table).Append(" i WHERE ");
        if (ident is { } h) sb.Append("i.h_ident = ").Append(Param(h)).Append(" AND ");
        sb.Append('(').Append(condition).Append("))");
    }
}
