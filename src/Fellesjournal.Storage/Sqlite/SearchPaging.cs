using System.Text;

namespace Fellesjournal.Storage.Sqlite;

/// <summary>Where a page starts: after a position (forward, "next"), before one (backward, "previous"), the first page
/// (forward, no position) or the last page (backward, no position).</summary>
internal sealed record PagePosition(bool Backward, (object?[] Keys, long Seq)? At);

/// <summary>
/// Paging in both directions over the keyset order (sort keys with nulls last, then seq), shared by both stores.
/// A backward page is read in the reversed order and turned around, so "previous" costs what "next" costs and a
/// page link stays valid while rows are written (positions, not offsets). Cursors: "s…"/"k…" = after a position,
/// "b" + that = before it, "l" = the last page.
/// </summary>
internal static class SearchPaging
{
    public const string LastPage = SearchPage.LastPageCursor;

    public static PagePosition Parse(string? cursor, int keyCount) => cursor switch
    {
        null => new PagePosition(false, null),
        LastPage => new PagePosition(true, null),
        ['b', .. var rest] => new PagePosition(true, SearchCursor.Parse(rest, keyCount)),
        _ => new PagePosition(false, SearchCursor.Parse(cursor, keyCount)),
    };

    /// <summary>The condition "strictly after (or before) the position" over the aliases k0.. and seq;
    /// <paramref name="bind"/> adds a parameter and returns its SQL name.</summary>
    public static string Condition(List<(string Sql, bool Desc)> keys, (object?[] Keys, long Seq) at, bool before, Func<object, string> bind)
    {
        var ors = new List<string>();
        var equal = new StringBuilder("1 = 1");
        for (var k = 0; k < keys.Count; k++)
        {
            var v = at.Keys[k];
            var col = "k" + k;
            if (v is null)
            {
                // Nulls come last: nothing is after a null within this key; every non-null value is before it.
                if (before) ors.Add($"({equal} AND {col} IS NOT NULL)");
                equal.Append($" AND {col} IS NULL");
                continue;
            }
            var p = bind(v);
            var cmp = keys[k].Desc != before ? "<" : ">";
            ors.Add(before ? $"({equal} AND {col} {cmp} {p})" : $"({equal} AND ({col} {cmp} {p} OR {col} IS NULL))");
            equal.Append($" AND {col} = {p}");
        }
        ors.Add($"({equal} AND seq {(before ? "<" : ">")} {bind(at.Seq)})");
        return "(" + string.Join(" OR ", ors) + ")";
    }

    /// <summary>ORDER BY of the page query (reversed for a backward page). <c>NULLS LAST</c> rather than a
    /// <c>k IS NULL</c> key first: PostgreSQL evaluated a sort key's subquery once per mention in the ORDER BY.</summary>
    public static string OrderBy(List<(string Sql, bool Desc)> keys, bool backward)
    {
        var sb = new StringBuilder(" ORDER BY ");
        for (var k = 0; k < keys.Count; k++)
            sb.Append($"k{k}{(keys[k].Desc != backward ? " DESC" : "")} NULLS {(backward ? "FIRST" : "LAST")}, ");
        sb.Append(backward ? "seq DESC" : "seq");
        return sb.ToString();
    }

    /// <summary>Next and previous cursors of a page, given its rows' positions in forward order and whether the query
    /// found more rows than the page holds (in the direction it read).</summary>
    public static (string? Next, string? Previous) Links(PagePosition pos, List<(object?[] Keys, long Seq)> rows, bool more)
    {
        string After((object?[] Keys, long Seq) r) => SearchCursor.Format(r.Keys, r.Seq);
        string Before((object?[] Keys, long Seq) r) => "b" + SearchCursor.Format(r.Keys, r.Seq);
        if (!pos.Backward)
        {
            var next = more ? After(rows[^1]) : null;
            // An empty page after a position: everything before it is the last page.
            var prev = pos.At is null ? null : rows.Count > 0 ? Before(rows[0]) : LastPage;
            return (next, prev);
        }
        return (rows.Count > 0 && pos.At is not null ? After(rows[^1]) : null, more ? Before(rows[0]) : null);
    }
}
