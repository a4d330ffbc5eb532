using Microsoft.Data.Sqlite;

namespace Fellesjournal.Storage.Sqlite;

/// <summary>
/// Time → seq: lastUpdated never decreases with seq (the writer's clock is monotonic), so the first version
/// written at or after an instant is found by binary search over the primary key (~log2(n) seeks) instead
/// of a time index that every insert would have to maintain.
/// </summary>
internal static class SeqBounds
{
    public static long FirstAtOrAfter(SqliteConnection c, SqliteTransaction? tx, long millis)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT coalesce(max(seq), 0) FROM resource_version";
        long lo = 1, hi = (long)SqliteStatements.Scalar(cmd)! + 1; // max + 1 stands for "none"
        cmd.CommandText = "SELECT seq, last_updated FROM resource_version WHERE seq >= $s ORDER BY seq LIMIT 1";
        var p = cmd.Parameters.Add("$s", SqliteType.Integer);
        while (lo < hi)
        {
            var mid = lo + (hi - lo) / 2;
            p.Value = mid;
            // P(mid): the first version at or after mid is at or after the instant (or there is none). P is
            // monotonic; the smallest such mid is a valid bound because no seq lies between it and the answer.
            using var r = SqliteStatements.Reader(cmd);
            if (!r.Read() || r.GetInt64(1) >= millis) hi = mid;
            else lo = r.GetInt64(0) + 1;
        }
        return lo;
    }
}
