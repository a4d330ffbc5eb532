using System.Globalization;
using System.Text;
using Fellesjournal.Storage.Search;
using Microsoft.Data.Sqlite;

namespace Fellesjournal.Storage.Sqlite;

/// <summary>Read queries shared by pooled reader connections and the writer's open transaction.</summary>
internal static class SqliteReads
{
    public const string Columns = "r.seq, r.res_type, r.res_id, r.version, r.last_updated, r.deleted, r.json_len, r.json, r.patient_id";
    /// <summary>Index of the first sort key column after <see cref="Columns"/>.</summary>
    private const int KeyColumn = 9;
    public const int MaxCount = 1000;
    /// <summary>_total=estimate counts at most this many matches.</summary>
    public const int EstimateCap = 10_000;

    /// <summary>The current version (or <paramref name="version"/>), or null when it does not exist or
    /// <paramref name="access"/> does not permit it. The current version is chosen first and filtered after, so a
    /// hidden current version never falls back to an older permitted one.</summary>
    public static StoredResource? Get(SqliteConnection c, SqliteTransaction? tx, string type, string id, long? version,
        CompartmentAccess? access = null)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        var filter = AccessSql.And("r", access, AccessSql.Binder(cmd));
        cmd.CommandText = version is null
            ? $"SELECT {Columns} FROM (SELECT * FROM resource_version WHERE res_type = $t AND res_id = $i ORDER BY version DESC LIMIT 1) r WHERE 1 = 1{filter}"
            : $"SELECT {Columns} FROM resource_version r WHERE r.res_type = $t AND r.res_id = $i AND r.version = $v{filter}";
        cmd.Parameters.AddWithValue("$t", type);
        cmd.Parameters.AddWithValue("$i", id);
        if (version is { } v) cmd.Parameters.AddWithValue("$v", v);
        using var r = SqliteStatements.Reader(cmd);
        return r.Read() ? ReadRow(r) : null;
    }

    public static StoredResource ReadRow(SqliteDataReader r)
    {
        var deleted = r.GetInt64(5) != 0;
        var len = r.GetInt32(6);
        var json = deleted || r.IsDBNull(7) ? [] : JsonCodec.Decompress((byte[])r.GetValue(7), len);
        return new StoredResource(r.GetString(1), r.GetString(2), r.GetInt64(3),
            DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)), deleted, json,
            PatientId: r.IsDBNull(8) ? null : r.GetString(8));
    }

    private static int Clamp(int count) => Math.Clamp(count, 0, MaxCount);

    public static HistoryPage History(SqliteConnection c, HistoryQuery q)
    {
        if (q.Id is not null && q.ResourceType is null) throw new ArgumentException("Instance history needs a resource type.");
        using var cmd = c.CreateCommand();
        var sql = new StringBuilder($"SELECT {Columns} FROM resource_version r WHERE 1 = 1");
        if (q.ResourceType is not null) { sql.Append(" AND r.res_type = $t"); cmd.Parameters.AddWithValue("$t", q.ResourceType); }
        if (q.Id is not null) { sql.Append(" AND r.res_id = $i"); cmd.Parameters.AddWithValue("$i", q.Id); }
        // Time bounds become seq bounds (lastUpdated grows with seq); the order by seq is the order by lastUpdated.
        if (q.Since is { } since)
        {
            sql.Append(" AND r.seq >= $since");
            cmd.Parameters.AddWithValue("$since", SeqBounds.FirstAtOrAfter(c, null, since.ToUnixTimeMilliseconds()));
        }
        if (q.At is { } at)
        {
            // Versions that were current at that instant: written at or before it, not superseded by then.
            var atEnd = SeqBounds.FirstAtOrAfter(c, null, at.ToUnixTimeMilliseconds() + 1);
            sql.Append(" AND r.seq < $at AND NOT EXISTS (SELECT 1 FROM resource_version n WHERE n.res_type = r.res_type" +
                       " AND n.res_id = r.res_id AND n.version > r.version AND n.seq < $at)");
            cmd.Parameters.AddWithValue("$at", atEnd);
        }
        // Each version is judged on its own compartment key and type.
        sql.Append(AccessSql.And("r", q.Access, AccessSql.Binder(cmd)));
        if (q.Cursor is not null)
        {
            var (_, seq) = ParseHistoryCursor(q.Cursor);
            sql.Append(" AND r.seq < $cseq");
            cmd.Parameters.AddWithValue("$cseq", seq);
        }
        var count = Clamp(q.Count);
        if (count == 0) return new HistoryPage([], null, null);
        sql.Append(" ORDER BY r.seq DESC LIMIT $n");
        cmd.Parameters.AddWithValue("$n", count + 1);
        cmd.CommandText = sql.ToString();
        var list = new List<StoredResource>();
        long lastLu = 0, lastSeq = 0;
        string? next = null;
        using (var r = SqliteStatements.Reader(cmd))
            while (r.Read())
            {
                if (list.Count == count) { next = $"h{lastLu}.{lastSeq}"; break; }
                list.Add(ReadRow(r));
                lastSeq = r.GetInt64(0);
                lastLu = r.GetInt64(4);
            }
        return new HistoryPage(list, next, null);
    }

    private static (long, long) ParseHistoryCursor(string cursor)
    {
        var dot = cursor.IndexOf('.');
        if (cursor.Length > 1 && cursor[0] == 'h' && dot > 1 &&
            long.TryParse(cursor.AsSpan(1, dot - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var lu) &&
            long.TryParse(cursor.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
            return (lu, seq);
        throw new SearchException("Invalid paging cursor.", "_cursor");
    }

    public static SearchPage Search(SqliteConnection c, SqliteTransaction? tx, TranslatedSearch t, SearchQuery q)
    {
        var count = Clamp(q.Count);
        long? total = null;
        if (q.IncludeTotal)
        {
            using var cc = c.CreateCommand();
            cc.Transaction = tx;
            // An estimate counts at most EstimateCap rows (then reports the cap): cheap on any result size.
            cc.CommandText = q.EstimateTotal
                ? $"SELECT count(*) FROM (SELECT 1 FROM {t.From} WHERE {t.Where} LIMIT {EstimateCap})"
                : $"SELECT count(*) FROM {t.From} WHERE {t.Where}";
            t.Bind(cc);
            total = (long)SqliteStatements.Scalar(cc)!;
        }
        var list = new List<StoredResource>();
        string? next = null, previous = null;
        if (count > 0)
        {
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            var keys = t.SortColumns;
            // Keyset paging: a cursor holds a row's sort values and seq; seq breaks ties, so pages are stable while
            // other rows are written (new rows land where their keys put them, nothing repeats).
            var pos = SearchPaging.Parse(q.Cursor, keys.Count);
            var select = new StringBuilder($"SELECT {Columns}");
            for (var k = 0; k < keys.Count; k++) select.Append($", {keys[k].Sql} AS k{k}");
            select.Append($"{t.ExtraColumns} FROM {t.From} WHERE {t.Where}");
            var sql = new StringBuilder($"SELECT * FROM ({select}) WHERE 1 = 1");
            var n = 0;
            if (pos.At is { } at)
                sql.Append(" AND ").Append(SearchPaging.Condition(keys, at, pos.Backward, v =>
                {
                    var name = "$c" + n++;
                    cmd.Parameters.AddWithValue(name, v);
                    return name;
                }));
            sql.Append(SearchPaging.OrderBy(keys, pos.Backward)).Append(" LIMIT $n");
            cmd.CommandText = sql.ToString();
            cmd.Parameters.AddWithValue("$n", count + 1);
            t.Bind(cmd);
            var positions = new List<(object?[] Keys, long Seq)>();
            var more = false;
            using (var r = SqliteStatements.Reader(cmd))
                while (r.Read())
                {
                    if (list.Count == count) { more = true; break; }
                    var rowKeys = new object?[keys.Count];
                    for (var k = 0; k < keys.Count; k++) rowKeys[k] = r.IsDBNull(KeyColumn + k) ? null : r.GetValue(KeyColumn + k);
                    list.Add(t.ReturnsContained && rowKeys[1] is { } block
                        ? ContainedResources.Resolve(ReadRow(r), Convert.ToInt64(block), r.IsDBNull(KeyColumn + 2) ? null : r.GetString(KeyColumn + 2))
                        : ReadRow(r));
                    positions.Add((rowKeys, r.GetInt64(0)));
                }
            if (pos.Backward) { list.Reverse(); positions.Reverse(); }
            (next, previous) = SearchPaging.Links(pos, positions, more);
        }
        var included = t.Plan.Includes.Count == 0 || list.Count == 0 ? null
            : SqliteIncludes.Run(c, tx, t.Plan.Includes, list.Where(m => m.Container is null).ToList(), q.Access);
        return new SearchPage(list, next, total, included, previous);
    }
}
