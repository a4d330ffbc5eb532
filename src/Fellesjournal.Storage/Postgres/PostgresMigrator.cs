using System.Reflection;
using Npgsql;

namespace Fellesjournal.Storage.Postgres;

/// <summary>
/// Applies the embedded <c>Migrations/NNNN_name.sql</c> scripts in order, each in its own transaction, and records
/// them in <c>schema_version</c>. A session advisory lock serializes servers that start at the same time; scripts
/// only add (never drop or rewrite), so running against a newer or shared database is safe.
/// </summary>
public static class PostgresMigrator
{
    /// <summary>Arbitrary constant: the advisory lock key for migrations.</summary>
    private const long LockKey = 0x46_4A_4D_49_47; // "FJMIG"

    public static IReadOnlyList<(int Version, string Name, string Sql)> Scripts { get; } = LoadScripts();

    private static List<(int, string, string)> LoadScripts()
    {
        var asm = typeof(PostgresMigrator).Assembly;
        var list = new List<(int, string, string)>();
        foreach (var res in asm.GetManifestResourceNames().Where(n => n.Contains(".Postgres.Migrations.") && n.EndsWith(".sql")))
        {
            var file = res[(res.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..];
            var version = int.Parse(file[..file.IndexOf('_')], System.Globalization.CultureInfo.InvariantCulture);
            using var s = new StreamReader(asm.GetManifestResourceStream(res)!);
            list.Add((version, file, s.ReadToEnd()));
        }
        return list.OrderBy(x => x.Item1).ToList();
    }

    /// <summary>Applies missing migrations; returns the names of those applied now.</summary>
    public static async Task<IReadOnlyList<string>> MigrateAsync(NpgsqlDataSource ds, CancellationToken ct = default)
    {
        await using var conn = await ds.OpenConnectionAsync(ct).ConfigureAwait(false);
        await Exec(conn, null, $"SELECT pg_advisory_lock({LockKey})", ct).ConfigureAwait(false);
        var applied = new List<string>();
        try
        {
            await Exec(conn, null, """
                CREATE TABLE IF NOT EXISTS schema_version (
                  version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                """, ct).ConfigureAwait(false);
            var done = new HashSet<int>();
            await using (var cmd = new NpgsqlCommand("SELECT version FROM schema_version", conn))
            await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
                while (await r.ReadAsync(ct).ConfigureAwait(false)) done.Add(r.GetInt32(0));
            foreach (var (version, name, sql) in Scripts)
            {
                if (done.Contains(version)) continue;
                await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
                await Exec(conn, tx, sql, ct).ConfigureAwait(false);
                await using (var ins = new NpgsqlCommand("INSERT INTO schema_version (version, name) VALUES (@v, @n)", conn, tx))
                {
                    ins.Parameters.AddWithValue("v", version);
                    ins.Parameters.AddWithValue("n", name);
                    await ins.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
                await tx.CommitAsync(ct).ConfigureAwait(false);
                applied.Add(name);
            }
        }
        finally
        {
            await Exec(conn, null, $"SELECT pg_advisory_unlock({LockKey})", CancellationToken.None).ConfigureAwait(false);
        }
        return applied;
    }

    /// <summary>The highest applied version (0 when none).</summary>
    public static async Task<int> CurrentVersionAsync(NpgsqlDataSource ds, CancellationToken ct = default)
    {
        await using var conn = await ds.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM schema_version", conn);
        return (int)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    private static async Task Exec(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
