using System.Text.Json;
using Fellesjournal.Storage.Search;

namespace Fellesjournal.Storage.Sqlite;

/// <summary>
/// Searches in contained resources (<see cref="ContainedMatch"/>, both stores). A contained resource is the marker row
/// of its ord block in <c>idx_token</c> (<see cref="IndexRows"/>), alias <c>c</c>: its seq is the container's, its code
/// the contained id. Each criterion is an <c>EXISTS</c> over the same seq and ord block, so all criteria hold of the
/// same contained resource; the first parameter criterion also narrows the markers through its value index.
/// </summary>
internal sealed partial class TranslatedSearch
{
    /// <summary>FROM of the page and count statements: <c>resource_version r</c>, or with
    /// <see cref="SearchPlan.ReturnContained"/> a derived table <c>r</c> with the contained block's
    /// <c>c_ord</c> and <c>c_id</c> (null for a top-level match).</summary>
    public string From { get; private set; } = "resource_version r";

    /// <summary>True when each result row is a contained resource or (both) a top-level one: read <c>r.c_ord</c>
    /// (the second sort key) and <c>r.c_id</c> (<see cref="ExtraColumns"/>).</summary>
    public bool ReturnsContained { get; private set; }

    /// <summary>Columns selected after the sort keys.</summary>
    public string ExtraColumns { get; private set; } = "";

    private string ContainedSemiJoin(ContainedMatch x, string a)
    {
        var c = Alias("c");
        return $"{a}.seq IN (SELECT {c}.seq FROM idx_token {c} WHERE {Markers(x, c)})" + ContainerConditions(x, a);
    }

    /// <summary>The markers of contained resources of the type that satisfy the criteria.</summary>
    private string Markers(ContainedMatch x, string c)
    {
        var sql = $"{c}.h_ident = {P(IndexHash.Contained(x.Type, IndexRows.MarkerParam))}";
        // The first parameter criterion, through its (h_ident, value) index: the marker's seq must have such a row (the
        // EXISTS below then checks it is in the same block).
        var driver = x.Inner is AllOf all ? all.Items.FirstOrDefault(i => i is ParamMatch || i is AnyOf o && SameParam(o)) : null;
        if (driver is not null)
        {
            var items = driver is AnyOf any ? any.Items.Cast<ParamMatch>().ToList() : [(ParamMatch)driver];
            var i = Alias("i");
            sql += $" AND {c}.seq IN (SELECT {i}.seq FROM {Table(items[0].Condition.Kind)} {i} WHERE {i}.h_ident = " +
                   $"{P(IndexHash.Contained(items[0].ResourceType, items[0].Param))} AND ({Alternatives(items, i)}))";
        }
        return sql + " AND " + InContained(x.Inner, c);
    }

    /// <summary>The container's type among those the caller may search, and no type lock on the contained type in its
    /// compartment.</summary>
    private string ContainerConditions(ContainedMatch x, string a)
    {
        var sql = "";
        if (x.ContainerTypes is { } types)
            sql += types.Count == 0 ? " AND 0 = 1" : $" AND {a}.res_type IN (SELECT value FROM json_each({P(JsonSerializer.Serialize(types))}))";
        if (x.LockedPatients.Count > 0)
            sql += $" AND ({a}.patient_id IS NULL OR {a}.patient_id NOT IN (SELECT value FROM json_each({P(JsonSerializer.Serialize(x.LockedPatients))})))";
        return sql;
    }

    /// <summary>A criterion on the contained resource whose marker row is <paramref name="c"/>.</summary>
    private string InContained(SearchExpr e, string c) => e switch
    {
        AllOf { Items.Count: 0 } => "1 = 1",
        AllOf x => string.Join(" AND ", x.Items.Select(i => InContained(i, c))),
        AnyOf { Items.Count: 0 } => "0 = 1",
        AnyOf x when SameParam(x) => InBlock(x.Items.Cast<ParamMatch>().ToList(), c),
        AnyOf x => "(" + string.Join(" OR ", x.Items.Select(i => InContained(i, c))) + ")",
        NotExpr x => $"NOT ({InContained(x.Inner, c)})",
        IdIn x => x.Ids.Count == 1 ? $"{c}.code = {P(x.Ids[0])}" : $"{c}.code IN ({string.Join(", ", x.Ids.Select(P))})",
        ParamMatch x => InBlock([x], c),
        ParamPresent x => Block(x.Kind, x.ResourceType, x.Param, c, _ => "1 = 1"),
        ChainMatch x => Block(IndexKind.Reference, x.ResourceType, x.Param, c, i => ChainTarget(x, i)),
        _ => throw new InvalidOperationException("Search node " + e.GetType().Name + " cannot apply to contained resources"),
    };

    private string InBlock(List<ParamMatch> alternatives, string c)
    {
        var first = alternatives[0];
        return Block(first.Condition.Kind, first.ResourceType, first.Param, c,
            i => Alternatives(alternatives, i));
    }

    /// <summary>A row of the parameter in the same block as the marker ("+h_ident": the (seq, ord) key drives).</summary>
    private string Block(IndexKind kind, string type, string param, string c, Func<string, string> cond)
    {
        var i = Alias("i");
        return $"EXISTS (SELECT 1 FROM {Table(kind)} {i} WHERE {i}.seq = {c}.seq AND {i}.ord > {c}.ord AND {i}.ord < {c}.ord + {IndexRows.Stride}" +
               $" AND +{i}.h_ident = {P(IndexHash.Contained(type, param))} AND ({cond(i)}))";
    }

    /// <summary>
    /// <see cref="SearchPlan.ReturnContained"/>: the rows are (container, contained block) pairs, and with both also
    /// top-level matches (block null), as a derived table <c>r</c> ordered by container seq, then block.
    /// </summary>
    public void BuildContainedResults()
    {
        var root = (AllOf)Plan.Filter;
        var common = root.Items.Take(root.Items.Count - 1).ToList();
        var (own, match) = root.Items[^1] switch
        {
            ContainedMatch m => ((AllOf?)null, m),
            AnyOf { Items: [AllOf o, ContainedMatch m] } => (o, m),
            _ => throw new InvalidOperationException("A contained search's filter ends with its ContainedMatch."),
        };
        var c = Alias("c");
        var contained = $"SELECT r.*, {c}.ord AS c_ord, {c}.code AS c_id FROM resource_version r JOIN idx_token {c} ON {c}.seq = r.seq" +
                        $" WHERE {string.Format(Live, "r")} AND {Emit(new AllOf(common), "r")} AND {Markers(match, c)}{ContainerConditions(match, "r")}";
        var union = own is null ? contained
            : contained + " UNION ALL SELECT r.*, CAST(NULL AS INTEGER) AS c_ord, CAST(NULL AS TEXT) AS c_id FROM resource_version r" +
              $" WHERE {string.Format(Live, "r")} AND {Emit(new AllOf([.. common, .. own.Items]), "r")}";
        From = $"({union}) r";
        Where = "1 = 1";
        ReturnsContained = true;
        ExtraColumns = ", r.c_id";
        SortColumns.Clear();
        SortColumns.Add(("r.seq", false));
        // Blocks count down from -Stride: descending is position order in "contained".
        SortColumns.Add(("r.c_ord", true));
    }
}
