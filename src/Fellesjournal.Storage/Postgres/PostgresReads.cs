using System.Globalization;
using System.Text;
using Fellesjournal.Storage.Sqlite;
using Fellesjournal.Storage.Search;
using Npgsql;

namespace Fellesjournal.Storage.Postgres;

/// <summary>Read queries, the same SQL shapes as <c>SqliteReads</c> (seq order, seq-based cursors and time bounds).</summary>
internal static class PostgresReads
{
    public const string Columns = "r.seq, r.res_type, r.res_id, r.version, r.last_updated, r.deleted, r.json_len, r.json, r.patient_id";
    /// <summary>Index of the first sort key column after <see cref="Columns"/>.</summary>
    private const int KeyColumn = 9;
    public const int MaxCount = 1000;

    /// <summary>As <c>SqliteReads.Get</c>: the current version is chosen first and filtered after.</summary>
    public static async Task<StoredResource?> GetAsync(NpgsqlConnection c, NpgsqlTransaction? tx, string type, string id, long? version,
        CancellationToken ct, CompartmentAccess? access = null)
    {
        await using var cmd = new NpgsqlCommand { Connection = c, Transaction = tx };
        var filter = AccessAnd("r", access, cmd);
        cmd.CommandText = version is null
            ? $"SELECT {Columns} FROM (SELECT * FROM resource_version WHERE res_type = @t AND res_id = @i ORDER BY version DESC LIMIT 1) r WHERE 1 = 1{filter}"
            : $"SELECT {Columns} FROM resource_version r WHERE r.res_type = @t AND r.res_id = @i AND r.version = @v{filter}";
        cmd.Parameters.AddWithValue("t", type);
        cmd.Parameters.AddWithValue("i", id);
        if (version is { } v) cmd.Parameters.AddWithValue("v", v);
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await r.ReadAsync(ct).ConfigureAwait(false) ? ReadRow(r) : null;
    }

    /// <summary>The access condition (shared with SQLite, mapped to this dialect) with its parameters bound on
    /// <paramref name="cmd"/> as <c>@p0</c>, <c>@p1</c>, ...; "" when unrestricted.</summary>
    public static string AccessAnd(string a, CompartmentAccess? access, NpgsqlCommand cmd)
    {
        var n = 0;
        var sql = AccessSql.And(a, access, v =>
        {
            var name = "p" + n++;
            cmd.Parameters.AddWithValue(name, v);
            return "$" + name;
        });
        return sql.Length == 0 ? sql : PostgresSearch.Dialect(sql);
    }

    public static StoredResource ReadRow(NpgsqlDataReader r)
    {
        var deleted = r.GetInt16(5) != 0;
        var len = r.GetInt32(6);
        var json = deleted || r.IsDBNull(7) ? [] : JsonCodec.Decompress((byte[])r.GetValue(7), len);
        var patient = r.IsDBNull(8) ? "" : r.GetString(8);
        return new StoredResource(r.GetString(1), r.GetString(2), r.GetInt64(3),
            DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)), deleted, json,
            PatientId: patient.Length == 0 ? null : patient);
    }

    private static int Clamp(int count) => Math.Clamp(count, 0, MaxCount);

    /// <summary>Time → seq by binary search over the primary key (lastUpdated never decreases with seq).</summary>
    public static async Task<long> FirstSeqAtOrAfterAsync(NpgsqlConnection c, NpgsqlTransaction? tx, long millis, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT coalesce(max(seq), 0) FROM resource_version", c, tx);
        long lo = 1, hi = (long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))! + 1;
        cmd.CommandText = "SELECT seq, last_updated FROM resource_version WHERE seq >= @s ORDER BY seq LIMIT 1";
        var p = new NpgsqlParameter<long>("s", 0L);
        cmd.Parameters.Add(p);
        while (lo < hi)
        {
            var mid = lo + (hi - lo) / 2;
            p.TypedValue = mid;
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (!await r.ReadAsync(ct).ConfigureAwait(false) || r.GetInt64(1) >= millis) hi = mid;
            else lo = r.GetInt64(0) + 1;
        }
        return lo;
    }

    public static async Task<HistoryPage> HistoryAsync(NpgsqlConnection c, HistoryQuery q, CancellationToken ct)
    {
        if (q.Id is not null && q.ResourceType is null) throw new ArgumentException("Instance history needs a resource type.");
        await using var cmd = new NpgsqlCommand { Connection = c };
        var sql = new StringBuilder($"SELECT {Columns} FROM resource_version r WHERE 1 = 1");
        if (q.ResourceType is not null) { sql.Append(" AND r.res_type = @t"); cmd.Parameters.AddWithValue("t", q.ResourceType); }
        if (q.Id is not null) { sql.Append(" AND r.res_id = @i"); cmd.Parameters.AddWithValue("i", q.Id); }
        if (q.Since is { } since)
        {
            sql.Append(" AND r.seq >= @since");
            cmd.Parameters.AddWithValue("since", await FirstSeqAtOrAfterAsync(c, null, since.ToUnixTimeMilliseconds(), ct).ConfigureAwait(false));
        }
        if (q.At is { } at)
        {
            var atEnd = await FirstSeqAtOrAfterAsync(c, null, at.ToUnixTimeMilliseconds() + 1, ct).ConfigureAwait(false);
            sql.Append(" AND r.seq < @at AND NOT EXISTS (SELECT 1 FROM resource_version n WHERE n.res_type = r.res_type" +
                       " AND n.res_id = r.res_id AND n.version > r.version AND n.seq < @at)");
            cmd.Parameters.AddWithValue("at", atEnd);
        }
        // Each version is judged on its own compartment key and type.
        sql.Append(AccessAnd("r", q.Access, cmd));
        if (q.Cursor is not null)
        {
            sql.Append(" AND r.seq < @cseq");
            cmd.Parameters.AddWithValue("cseq", ParseHistoryCursor(q.Cursor));
        }
        var count = Clamp(q.Count);
        if (count == 0) return new HistoryPage([], null, null);
        sql.Append(" ORDER BY r.seq DESC LIMIT @n");
        cmd.Parameters.AddWithValue("n", (long)count + 1);
        cmd.CommandText = sql.ToString();
        var list = new List<StoredResource>();
        long lastLu = 0, lastSeq = 0;
        string? next = null;
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                if (list.Count == count) { next = $"h{lastLu}.{lastSeq}"; break; }
                list.Add(ReadRow(r));
                lastSeq = r.GetInt64(0);
                lastLu = r.GetInt64(4);
            }
        return new HistoryPage(list, next, null);
    }

    private static long ParseHistoryCursor(string cursor)
    {
        var dot = cursor.IndexOf('.');
        if (cursor.Length > 1 && cursor[0] == 'h' && dot > 1 &&
            long.TryParse(cursor.AsSpan(1, dot - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) &&
            long.TryParse(cursor.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
            return seq;
        throw new SearchException("Invalid paging cursor.", "_cursor");
    }

    public static async Task<SearchPage> SearchAsync(NpgsqlConnection c, NpgsqlTransaction? tx, PostgresSearch t, SearchQuery q, CancellationToken ct)
    {
        var count = Clamp(q.Count);
        long? total = null;
        if (q.IncludeTotal)
            total = q.EstimateTotal ? await EstimateAsync(c, tx, t, ct).ConfigureAwait(false) : await CountAsync(c, tx, t, null, ct).ConfigureAwait(false);
        var list = new List<StoredResource>();
        string? next = null, previous = null;
        if (count > 0)
        {
            await using var cmd = new NpgsqlCommand { Connection = c, Transaction = tx };
            var keys = t.SortColumns;
            // Keyset paging in both directions as on SQLite (SearchPaging).
            var pos = SearchPaging.Parse(q.Cursor, keys.Count);
            var select = new StringBuilder($"SELECT {Columns}");
            for (var k = 0; k < keys.Count; k++) select.Append($", {keys[k].Sql} AS k{k}");
            select.Append($"{t.ExtraColumns} FROM {t.From} WHERE {t.Where}");
            var sql = new StringBuilder($"SELECT * FROM ({select}) AS q WHERE 1 = 1");
            var n = 0;
            if (pos.At is { } at)
                sql.Append(" AND ").Append(SearchPaging.Condition(keys, at, pos.Backward, v =>
                {
                    var name = "c" + n++;
                    cmd.Parameters.AddWithValue(name, v);
                    return "@" + name;
                }));
            sql.Append(SearchPaging.OrderBy(keys, pos.Backward)).Append(" LIMIT @n");
            cmd.CommandText = sql.ToString();
            cmd.Parameters.AddWithValue("n", (long)count + 1);
            await t.BindAsync(cmd, ct).ConfigureAwait(false);
            var positions = new List<(object?[] Keys, long Seq)>();
            var more = false;
            await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
                while (await r.ReadAsync(ct).ConfigureAwait(false))
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
            : await PostgresIncludes.RunAsync(c, tx, t.Plan.Includes, list.Where(m => m.Container is null).ToList(), q.Access, ct).ConfigureAwait(false);
        return new SearchPage(list, next, total, included, previous);
    }

    private static async Task<long> CountAsync(NpgsqlConnection c, NpgsqlTransaction? tx, PostgresSearch t, int? cap, CancellationToken ct)
    {
        var sql = cap is null ? $"SELECT count(*) FROM {t.From} WHERE {t.Where}"
            : $"SELECT count(*) FROM (SELECT 1 FROM {t.From} WHERE {t.Where} LIMIT {cap}) AS capped";
        await using var cc = new NpgsqlCommand(sql, c, tx);
        await t.BindAsync(cc, ct).ConfigureAwait(false);
        return (long)(await cc.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    /// <summary>_total=estimate: exact up to the cap; beyond it the planner's row estimate (EXPLAIN, nothing is read),
    /// never below the cap.</summary>
    private static async Task<long> EstimateAsync(NpgsqlConnection c, NpgsqlTransaction? tx, PostgresSearch t, CancellationToken ct)
    {
        var capped = await CountAsync(c, tx, t, Sqlite.SqliteReads.EstimateCap, ct).ConfigureAwait(false);
        if (capped < Sqlite.SqliteReads.EstimateCap) return capped;
        await using var cmd = new NpgsqlCommand($"EXPLAIN (FORMAT JSON) SELECT 1 FROM {t.From} WHERE {t.Where}", c, tx);
        await t.BindAsync(cmd, ct).ConfigureAwait(false);
        var json = (string)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var rows = doc.RootElement[0].GetProperty("Plan").GetProperty("Plan Rows").GetDouble();
        return Math.Max(capped, (long)rows);
    }
}
