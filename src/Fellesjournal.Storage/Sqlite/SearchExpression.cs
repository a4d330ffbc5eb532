using System.Text;
using Microsoft.Data.Sqlite;

namespace Fellesjournal.Storage.Sqlite;

/// <summary>
/// The search as a small expression tree, built from a <see cref="SearchQuery"/> and emitted as SQL.
/// Predicates are SQL fragments with <c>{0}</c>, <c>{1}</c>... placeholders for their arguments; the
/// emitter turns them into named parameters. New search features (chaining, _has, sorting) add node types.
/// </summary>
internal abstract record SearchNode;

internal sealed record AndNode(IReadOnlyList<SearchNode> Items) : SearchNode;

internal sealed record OrNode(IReadOnlyList<SearchNode> Items) : SearchNode;

internal sealed record NotNode(SearchNode Inner) : SearchNode;

/// <summary>A condition on the resource row (alias <c>r</c>).</summary>
internal sealed record RowPredicate(string Sql, params object[] Args) : SearchNode;

/// <summary>"Has an index row in <paramref name="Table"/> (alias <c>i</c>) for the parameter
/// (<paramref name="Ident"/> = hash(type, param), omitted when the condition is on a more specific hash)
/// that satisfies <paramref name="Sql"/>."</summary>
internal sealed record IndexPredicate(string Table, long? Ident, string Sql, params object[] Args) : SearchNode;

/// <summary>An argument resolved when the query runs: the first seq whose lastUpdated is at or after
/// <paramref name="Millis"/> (max seq + 1 when there is none).</summary>
internal sealed record SeqAtOrAfter(long Millis);

/// <summary>The WHERE clause over <c>resource_version r</c> and its parameters.</summary>
internal sealed class TranslatedSearch
{
    private readonly List<KeyValuePair<string, object>> _params = [];
    public string Where { get; private set; } = "1 = 1";

    public static TranslatedSearch Emit(SearchNode root)
    {
        var t = new TranslatedSearch();
        var sb = new StringBuilder();
        t.Emit(root, sb);
        t.Where = sb.ToString();
        return t;
    }

    public void Bind(SqliteCommand cmd)
    {
        foreach (var (k, v) in _params)
            cmd.Parameters.AddWithValue(k, v is SeqAtOrAfter s ? SeqBounds.FirstAtOrAfter(cmd.Connection!, cmd.Transaction, s.Millis) : v);
    }

    private string Param(object value)
    {
        var name = "$p" + _params.Count;
        _params.Add(new(name, value));
        return name;
    }

    private string Format(string sql, object[] args) =>
        args.Length == 0 ? sql : string.Format(sql, args.Select(a => (object)Param(a)).ToArray());

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
                // Alternatives on the same index table and parameter share one subquery.
                if (o.Items.Count > 1 && o.Items.All(x => x is IndexPredicate) &&
                    o.Items.Cast<IndexPredicate>().Select(x => (x.Table, x.Ident)).Distinct().Count() == 1)
                {
                    var first = (IndexPredicate)o.Items[0];
                    var conds = string.Join(" OR ", o.Items.Cast<IndexPredicate>().Select(x => "(" + Format(x.Sql, x.Args) + ")"));
                    EmitIndex(first.Table, first.Ident, conds, sb);
                    break;
                }
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
