"""A private PostgreSQL server for `bench/run.sh --store postgres` (standard library only).

initdb into a fresh directory under the system temp directory (as the postgres user when running as root, since
initdb refuses root; the directory must then be reachable by that user, which a private cache path may not be), a free
loopback port, trust authentication, and production durability (fsync, synchronous_commit and full_page_writes on:
the figures must be those of a server that keeps acknowledged writes). Each run gets a fresh database. The
server's CPU time is read from /proc: the postmaster's own time plus that of its reaped children (backends that
have exited) plus the live backends'.
"""
import glob, os, shutil, socket, subprocess, tempfile, time

SHARED_BUFFERS = "2GB"  # a quarter of what a small production node would give it; the harness machine has 24 GiB


def find_bin():
    env = os.environ.get("PG_BIN")
    if env:
        return env if os.path.exists(os.path.join(env, "initdb")) else None
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return os.path.dirname(bins[0]) if bins else None


class PgCluster:
    def __init__(self):
        self.bin = find_bin()
        if not self.bin:
            raise RuntimeError("PostgreSQL server binaries not found (PG_BIN or /usr/lib/postgresql/*/bin); "
                               "install postgresql (apt-get install postgresql)")
        root = self.root = tempfile.mkdtemp(prefix="fj-bench-pg-")
        self.data = os.path.join(root, "pgdata")
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(root, "postgres")
        self._run("initdb", "-D", self.data, "--auth=trust", "-U", "postgres", "-E", "UTF8", "--locale=C",
                  "--no-instructions")
        s = socket.socket(); s.bind(("127.0.0.1", 0)); self.port = s.getsockname()[1]; s.close()
        opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {root} -c shared_buffers={SHARED_BUFFERS} "
                f"-c max_connections=200 -c fsync=on -c synchronous_commit=on -c full_page_writes=on")
        self._run("pg_ctl", "-D", self.data, "-o", opts, "-l", os.path.join(root, "server.log"), "-w", "-t", "120",
                  "start")

    def _run(self, tool, *args):
        cmd = [os.path.join(self.bin, tool), *args]
        if self.as_postgres:
            cmd = ["/usr/sbin/runuser", "-u", "postgres", "--"] + cmd
        subprocess.run(cmd, check=True, capture_output=True, text=True)

    def psql(self, sql, db="postgres"):
        cmd = [os.path.join(self.bin, "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", db,
               "-v", "ON_ERROR_STOP=1", "-q", "-A", "-t", "-c", sql]
        return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()

    def connection(self, db):
        return f"Host=127.0.0.1;Port={self.port};Username=postgres;Database={db}"

    def create_database(self, name):
        self.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.psql(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'")

    def drop_database(self, name):
        self.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def database_files(self, name):
        """The files of one database (its directory under base/), e.g. to hold them in memory while measuring."""
        d = os.path.join(self.data, "base", self.psql(f"SELECT oid FROM pg_database WHERE datname = '{name}'"))
        return [os.path.join(d, f) for f in sorted(os.listdir(d)) if os.path.isfile(os.path.join(d, f))]

    def database_size_mb(self, name):
        return round(int(self.psql(f"SELECT pg_database_size('{name}')")) / 1048576, 1)

    def cpu_seconds(self):
        """CPU time (user+sys) of the whole server so far: postmaster, reaped children, live children."""
        try:
            pm = int(open(os.path.join(self.data, "postmaster.pid")).readline())
        except OSError:
            return None
        tck = os.sysconf("SC_CLK_TCK")

        def stat(pid):
            return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()

        total = sum(int(x) for x in stat(pm)[11:15])  # utime, stime, cutime, cstime
        for p in os.listdir("/proc"):
            if p.isdigit() and int(p) != pm:
                try:
                    f = stat(p)
                except OSError:
                    continue
                if int(f[1]) == pm:  # field 4 (ppid) is index 1 after the command name
                    total += int(f[11]) + int(f[12])
        return round(total / tck, 2)

    def copy_limit(self, db, pop):
        """Raw ingest ceiling: every NDJSON line into a plain one-column table with COPY, one statement per file."""
        files = [os.path.join(pop, f) for f in sorted(os.listdir(pop)) if f.endswith(".ndjson")]
        n = 0
        for path in files:
            with open(path, "rb") as fh:
                n += sum(1 for line in fh if line.strip())
        self.psql("CREATE TABLE bench_limit (json text NOT NULL)", db)
        t0 = time.monotonic()
        for path in files:
            # CSV with control characters as quote and delimiter: the JSON lines go in unchanged.
            self.psql(f"\\copy bench_limit (json) FROM '{path}' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')", db)
        rps = n / (time.monotonic() - t0)
        self.psql("DROP TABLE bench_limit", db)
        return round(rps, 1)

    def stop(self):
        try:
            self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        except Exception:
            pass
        shutil.rmtree(self.root, ignore_errors=True)
