using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Fellesjournal.Storage.Tests.Postgres;

/// <summary>
/// A real PostgreSQL server for the tests, started once per test process on a free loopback port in a temp
/// directory (initdb with trust auth; as the postgres user when running as root, since initdb refuses root) and
/// stopped and removed when the process exits. Shared by every PostgreSQL test across classes, so the
/// parameterised store tests can run in their own classes in parallel. Each test gets its own database.
/// When the binaries are absent, <see cref="SkipReason"/> says why and the PostgreSQL rows are skipped.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private static readonly Lazy<PostgresServer> Shared = new(() => new PostgresServer(), LazyThreadSafetyMode.ExecutionAndPublication);

    public static PostgresServer Instance => Shared.Value;

    /// <summary>Why PostgreSQL tests cannot run here, or null. Cheap: checks the binaries only.</summary>
    public static string? SkipReason { get; } = FindBin() is null
        ? "PostgreSQL server binaries (initdb, pg_ctl) not found (PG_BIN or /usr/lib/postgresql/*/bin); install postgresql to run these tests"
        : null;

    public string Bin { get; }
    public string Root { get; }
    public string DataDir => Path.Combine(Root, "data");
    public int Port { get; }
    private readonly bool _asPostgresUser;
    private int _dbCounter;

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Maximum Pool Size=20;Timeout=5;Command Timeout=60";

    private static string? FindBin()
    {
        var env = Environment.GetEnvironmentVariable("PG_BIN");
        if (env is not null) return File.Exists(Path.Combine(env, "initdb")) ? env : null; // explicit: only there
        if (!Directory.Exists("/usr/lib/postgresql")) return null;
        return Directory.GetDirectories("/usr/lib/postgresql")
            .Select(d => Path.Combine(d, "bin"))
            .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
            .OrderByDescending(b => b, StringComparer.Ordinal).FirstOrDefault();
    }

    /// <summary>A private server (tests that crash or stop it must not disturb the shared one).</summary>
    public PostgresServer() : this(primary: null) { }

    /// <summary>A streaming replica of <paramref name="primary"/> (pg_basebackup -R: standby.signal and
    /// primary_conninfo written by the backup), started on its own port.</summary>
    public static PostgresServer ReplicaOf(PostgresServer primary) => new(primary);

    private PostgresServer(PostgresServer? primary)
    {
        Bin = FindBin() ?? throw new InvalidOperationException(SkipReason);
        _asPostgresUser = Environment.UserName == "root";
        SweepStale();
        Root = Path.Combine(Path.GetTempPath(), "fj-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
        if (_asPostgresUser) Run("/bin/chown", ["postgres", Root], asPostgres: false);
        if (primary is null)
            Run(Path.Combine(Bin, "initdb"), ["-D", DataDir, "--auth=trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"]);
        else
            Run(Path.Combine(Bin, "pg_basebackup"), ["-h", "127.0.0.1", "-p", primary.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-U", "postgres", "-D", DataDir, "-R", "-X", "stream", "-c", "fast", "--no-sync"]);
        Port = FreePort();
        Start();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Destroy();
    }

    /// <summary>Settings for speed only (fsync off: the tests never survive an OS crash, and a server crash
    /// keeps the OS page cache, so acknowledged commits still survive <c>pg_ctl restart -m immediate</c>).</summary>
    private string Options => $"-c listen_addresses=127.0.0.1 -p {Port} -k {Root} -c fsync=off -c full_page_writes=off -c max_connections=200";

    public void Start() =>
        Run(Path.Combine(Bin, "pg_ctl"), ["-D", DataDir, "-o", Options, "-l", Path.Combine(Root, "server.log"), "-w", "-t", "60", "start"]);

    /// <summary>Crash-restarts the server (<c>-m immediate</c>: no clean shutdown, recovery from WAL on start).</summary>
    public void RestartImmediate() =>
        Run(Path.Combine(Bin, "pg_ctl"), ["-D", DataDir, "-o", Options, "-l", Path.Combine(Root, "server.log"), "-m", "immediate", "-w", "-t", "60", "restart"]);

    public void StopImmediate() => Run(Path.Combine(Bin, "pg_ctl"), ["-D", DataDir, "-m", "immediate", "-w", "stop"]);

    /// <summary>A fresh, empty database; the store applies its migrations on open.</summary>
    public string CreateDatabase()
    {
        var name = $"fj_{Environment.ProcessId}_{Interlocked.Increment(ref _dbCounter)}";
        using var c = new NpgsqlConnection(ConnectionString("postgres"));
        c.Open();
        using var cmd = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'", c);
        cmd.ExecuteNonQuery();
        return name;
    }

    public void DropDatabase(string name)
    {
        using var c = new NpgsqlConnection(ConnectionString("postgres"));
        c.Open();
        using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", c);
        cmd.ExecuteNonQuery();
    }

    public void Dispose() => Destroy();

    /// <summary>Runs a client tool of this installation (pg_dump, pg_restore, psql) against the server.</summary>
    public void RunClient(string tool, params string[] args) =>
        Run(Path.Combine(Bin, tool), ["-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", .. args], asPostgres: false);

    private void Destroy()
    {
        try { StopImmediate(); } catch { /* already down */ }
        try { Directory.Delete(Root, recursive: true); } catch { /* best effort */ }
    }

    /// <summary>Removes directories of earlier runs whose server is no longer running (the test host may be
    /// killed before ProcessExit finishes).</summary>
    private static void SweepStale()
    {
        foreach (var d in Directory.GetDirectories(Path.GetTempPath(), "fj-pg-*"))
            if (!File.Exists(Path.Combine(d, "data", "postmaster.pid")) && Directory.GetLastWriteTimeUtc(d) < DateTime.UtcNow.AddMinutes(-1))
                try { Directory.Delete(d, recursive: true); } catch { /* another run's, or in use */ }
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private void Run(string exe, string[] args, bool asPostgres = true)
    {
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgres && _asPostgresUser)
        {
            psi.FileName = "/usr/sbin/runuser";
            foreach (var a in new[] { "-u", "postgres", "--", exe }) psi.ArgumentList.Add(a);
        }
        else psi.FileName = exe;
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        // pg_ctl start leaves the server holding inherited pipes: read asynchronously and do not wait for EOF.
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException($"{exe} timed out"); }
        if (p.ExitCode != 0)
        {
            var log = Path.Combine(Root, "server.log");
            throw new InvalidOperationException($"{Path.GetFileName(exe)} failed ({p.ExitCode}): " +
                (err.Wait(2000) ? err.Result : "") + (output.Wait(100) ? output.Result : "") +
                (File.Exists(log) ? File.ReadAllText(log) : ""));
        }
    }
}
