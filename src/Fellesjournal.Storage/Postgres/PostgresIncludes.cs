using Fellesjournal.Storage.Search;
using Npgsql;

namespace Fellesjournal.Storage.Postgres;

/// <summary>_include / _revinclude (with :iterate) as in the SQLite store, with arrays instead of JSON lists.</summary>
internal static class PostgresIncludes
{
    public const int MaxIncluded = 1000;
    private const int MaxRounds = 4;
    private const string Columns = PostgresReads.Columns;

    public static async Task<IReadOnlyList<StoredResource>> RunAsync(NpgsqlConnection c, NpgsqlTransaction? tx, IReadOnlyList<IncludeSpec> specs,
        IReadOnlyList<StoredResource> matches, CompartmentAccess? access, CancellationToken ct)
    {
        var seen = new HashSet<(string, string)>(matches.Select(m => (m.ResourceType, m.Id)));
        var result = new List<StoredResource>();
        IReadOnlyList<StoredResource> frontier = matches;
        for (var round = 0; round < MaxRounds && frontier.Count > 0 && result.Count < MaxIncluded; round++)
        {
            var added = new List<StoredResource>();
            foreach (var spec in specs)
            {
                if (round > 0 && !spec.Iterate) continue;
                var found = spec.Reverse ? await ReverseAsync(c, tx, spec, frontier, access, ct).ConfigureAwait(false)
                    : await ForwardAsync(c, tx, spec, frontier, access, ct).ConfigureAwait(false);
                foreach (var r in found)
                    if (result.Count + added.Count < MaxIncluded && seen.Add((r.ResourceType, r.Id))) added.Add(r);
            }
            result.AddRange(added);
            frontier = added;
        }
        return result;
    }

    private static string[] Ids(IReadOnlyList<StoredResource> from, string type) =>
        from.Where(r => r.ResourceType == type).Select(r => r.Id).Distinct().ToArray();

    private static async Task<List<StoredResource>> ForwardAsync(NpgsqlConnection c, NpgsqlTransaction? tx, IncludeSpec spec,
        IReadOnlyList<StoredResource> from, CompartmentAccess? access, CancellationToken ct)
    {
        if (!from.Any(r => r.ResourceType == spec.SourceType)) return [];
        await using var cmd = new NpgsqlCommand { Connection = c, Transaction = tx };
        cmd.Parameters.AddWithValue("src", spec.SourceType);
        cmd.Parameters.AddWithValue("ids", Ids(from, spec.SourceType));
        cmd.Parameters.AddWithValue("h", IndexHash.Of(spec.SourceType, spec.Param));
        var targetType = "";
        if (spec.TargetType is not null) { targetType = " AND i.target_type = @tt"; cmd.Parameters.AddWithValue("tt", spec.TargetType); }
        cmd.CommandText =
            $"SELECT {Columns} FROM resource_version r WHERE r.is_current = 1 AND r.deleted = 0 AND (r.res_type, r.res_id) IN (" +
            "SELECT i.target_type, i.target_id FROM resource_version m JOIN idx_reference i ON i.seq = m.seq" +
            " WHERE m.res_type = @src AND m.res_id = ANY(@ids) AND m.is_current = 1" +
            $" AND i.h_ident = @h AND i.base_url IS NULL AND i.target_type IS NOT NULL{targetType})" + PostgresReads.AccessAnd("r", access, cmd) +
            $" LIMIT {MaxIncluded}";
        return await ReadAsync(cmd, ct).ConfigureAwait(false);
    }

    private static async Task<List<StoredResource>> ReverseAsync(NpgsqlConnection c, NpgsqlTransaction? tx, IncludeSpec spec,
        IReadOnlyList<StoredResource> from, CompartmentAccess? access, CancellationToken ct)
    {
        var result = new List<StoredResource>();
        foreach (var type in from.Select(r => r.ResourceType).Distinct())
        {
            if (spec.TargetType is not null && spec.TargetType != type) continue;
            await using var cmd = new NpgsqlCommand { Connection = c, Transaction = tx };
            cmd.Parameters.AddWithValue("src", spec.SourceType);
            cmd.Parameters.AddWithValue("t", type);
            cmd.Parameters.AddWithValue("ids", Ids(from, type));
            cmd.Parameters.AddWithValue("h", IndexHash.Of(spec.SourceType, spec.Param));
            cmd.CommandText =
                $"SELECT {Columns} FROM resource_version r WHERE r.is_current = 1 AND r.deleted = 0 AND r.res_type = @src" +
                " AND r.seq IN (SELECT i.seq FROM idx_reference i WHERE i.h_ident = @h AND i.target_type = @t AND i.base_url IS NULL" +
                " AND i.target_id = ANY(@ids))" + PostgresReads.AccessAnd("r", access, cmd) + $" ORDER BY r.seq LIMIT {MaxIncluded}";
            result.AddRange(await ReadAsync(cmd, ct).ConfigureAwait(false));
        }
        return result;
    }

    private static async Task<List<StoredResource>> ReadAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var list = new List<StoredResource>();
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false)) list.Add(PostgresReads.ReadRow(r));
        return list;
    }
}
