#!/usr/bin/env python3
"""The benchmark harness behind bench/run.sh (see docs/performance.md). Standard library only.

Per run: import the seeded population into a fresh store (timed; the runs' import processes take turns,
imports_in_turns()) and start a server on it as a separate process (start-up time until /fhir/metadata answers).
The runs' servers then run side by side and take turns: each workload with wrk (read by id, each search-mix class,
$summary when the server has it, create) in short slices, rotating over every (run, workload), so each run meets the
machine's slow and fast phases alike (interleaved()); around each slice the server's CPU time and disk writes. Then
each server's peak RSS and CPU time from /proc, the servers stopped, and the plain-SQL "limit" for import, create and
read on each run's database file. Medians over the runs go to <out-dir>/<date>-<store>-<N>.json and .md.
"""
import argparse, datetime, json, os, platform, random, shutil, signal, socket, sqlite3, statistics
import subprocess, sys, time, urllib.parse, urllib.request, urllib.error

sys.path.insert(0, os.path.dirname(__file__))
from pgcluster import PgCluster  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TARGETS = {  # from the issues; see docs/performance.md
    "import_rps": (">=", 10000), "create_rps": (">=", 2000), "read_rps": (">=", 10000),
    "search_mix_rps": (">=", 2000), "search_p99_ms": ("<=", 50), "summary_p99_ms": ("<=", 50),
    "postgres_import_rps": (">=", 5000), "postgres_search_rps": (">=", 1500),
}


def log(*a):
    print("[bench]", *a, file=sys.stderr, flush=True)


def loadavg():
    return open("/proc/loadavg").read().split()[:3]


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    dotnet = subprocess.run(["dotnet", "--version"], capture_output=True, text=True).stdout.strip()
    try:
        wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    except FileNotFoundError:  # bench/import needs no wrk
        wrk = subprocess.CompletedProcess([], 1, "", "")
    return {"nproc": os.cpu_count(), "cpu_model": cpu, "memory_gib": round(mem / 1048576, 1),
            "kernel": platform.release(), "dotnet": dotnet, "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "wrk": " ".join((wrk.stdout + wrk.stderr).split()[:2])}


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


TOKENS = {}  # server base URL -> a token from that server's development issuer (each server signs its own)
PIDS = {}  # server base URL -> its process id (measure() reads the server's CPU and disk writes around a slice)


def token_for(url):
    p = urllib.parse.urlsplit(url)
    return TOKENS.get(f"{p.scheme}://{p.netloc}")


def headers(url):
    h = {"Accept": "application/fhir+json"}
    if token := token_for(url):
        h["Authorization"] = "Bearer " + token
    return h


def fetch_token(url):
    """A system token with every scope from the server's development issuer (serve --dev-identity)."""
    q = urllib.parse.urlencode({"persona": "registry", "scope": "system/*.cruds"})
    with urllib.request.urlopen(url + "/dev/token?" + q, timeout=10) as r:
        return json.load(r)["access_token"]


def create_body():
    """The small Patient that bench/http/create.lua posts (the harness's create workload and its limit)."""
    return open(os.path.join(ROOT, "bench/http/create.lua")).read().split("[[", 1)[1].split("]]", 1)[0]


def warm_up_create(url):
    """One create before the workload: the validator's first use (seconds on a loaded machine) is start-up cost,
    not throughput, and with short durations it would leave the create workload without a single answer."""
    body = create_body()
    h = dict(headers(url), **{"Content-Type": "application/fhir+json"})
    try:
        with urllib.request.urlopen(urllib.request.Request(url + "/fhir/Patient", data=body.encode(), headers=h, method="POST"),
                                    timeout=120) as r:
            r.read()
    except Exception as e:
        log(f"create warm-up failed: {e}")


def http_status(url, timeout=5):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers(url)),
                                    timeout=timeout) as r:
            r.read(); return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except Exception:
        return None


def result_rows(url, paths_file, limit=10):
    """(type, id) of the matches of the first `limit` queries of a class, for the plain-SQL limit."""
    rows = []
    for path in open(paths_file).read().split()[:limit]:
        try:
            with urllib.request.urlopen(urllib.request.Request(url + path, headers=headers(url)),
                                        timeout=20) as r:
                b = json.load(r)
        except Exception:
            break
        rows.append([[e["resource"]["resourceType"], e["resource"]["id"]] for e in b.get("entry", [])
                     if "resource" in e and e.get("search", {}).get("mode", "match") == "match"])
    return rows


def server_pid(url):
    p = urllib.parse.urlsplit(url)
    return PIDS.get(f"{p.scheme}://{p.netloc}")


def cpu_seconds(pid):
    """User + system CPU seconds of a process so far (/proc/PID/stat)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_and_writes(pid):
    """(CPU seconds, bytes written to disk) of a server process so far; None when it is unknown or gone."""
    if pid is None:
        return None
    try:
        io = dict(l.split(": ") for l in open(f"/proc/{pid}/io").read().split("\n") if ": " in l)
        return cpu_seconds(pid), int(io.get("write_bytes", 0))
    except OSError:
        return None


def proc_stats(pid):
    status = open(f"/proc/{pid}/status").read().split("\n")
    hwm = next((int(l.split()[1]) for l in status if l.startswith("VmHWM")), 0)
    threads = next((int(l.split()[1]) for l in status if l.startswith("Threads")), None)
    return {"peak_rss_mb": round(hwm / 1024, 1), "cpu_s": round(cpu_seconds(pid), 2), "threads": threads}


def store_args(app, store):
    """['--store', store] when serve knows the option, [] for sqlite without it, None if unsupported."""
    p = subprocess.run(["dotnet", app, "serve", "--store", store, "--bogus-probe"], capture_output=True,
                       text=True, timeout=60)
    knows = "unknown option '--store'" not in (p.stdout + p.stderr)
    if knows:
        return ["--store", store]
    return [] if store == "sqlite" else None


PROBE = "s = 0\nfor i in range(1500000):\n    s += i * i\n"


def machine_probe():
    """Wall seconds of a fixed CPU loop on every core at once (median of three), taken right before each measured
    workload: a slow probe flags a figure measured while the machine, or work left over from the previous step, was
    slowing everything (it is reported, not used to correct figures: see docs/performance.md)."""
    times = []
    for _ in range(3):
        t0 = time.monotonic()
        ps = [subprocess.Popen([sys.executable, "-c", PROBE]) for _ in range(os.cpu_count() or 1)]
        for p in ps:
            p.wait()
        times.append(time.monotonic() - t0)
    return round(statistics.median(times), 4)


QUIET = 1.15  # a probe within 15 % of the machine's quiet probe counts as quiet


def settle(a):
    """Wait (up to --settle seconds) until the machine probe is back within QUIET of the quiet probe taken at the
    start, so a workload is not measured while work left over from the previous step (the database's checkpoint or
    autovacuum, the kernel's write-back, the server's background compilation) still runs. Returns the last probe
    and the seconds waited; a probe that never settled is kept and shows in the report's probe range."""
    t0 = time.monotonic()
    probe = machine_probe()
    while a.quiet_probe and probe > QUIET * a.quiet_probe and time.monotonic() - t0 < a.settle:
        time.sleep(1)
        probe = machine_probe()
    return probe, round(time.monotonic() - t0, 1)


def after_import(pg, db):
    """What an operator does after a bulk load, outside the timed import: VACUUM (hint bits, visibility map) and a
    checkpoint on PostgreSQL, so autovacuum and the checkpointer do not run during the measured workloads; a sync of
    the file system for either store, so the kernel's write-back of the imported pages does not either."""
    t0 = time.monotonic()
    if pg:
        pg.psql("VACUUM (ANALYZE)", db=db)
        pg.psql("CHECKPOINT", db=db)
    os.sync()
    return round(time.monotonic() - t0, 1)


def wrk_env(env_paths, url):
    env = dict(os.environ)
    env.pop("BENCH_TOKEN", None)
    if token := token_for(url):
        env["BENCH_TOKEN"] = token
    if env_paths:
        env["BENCH_PATHS"] = env_paths
    return env


def warm(a, script, url, env_paths=None):
    """The workload's load, unrecorded, for --warmup seconds: its code paths are compiled (tiered JIT) and its pages
    cached before the measured seconds, so the first measurement of a workload is not slower for that alone."""
    if a.warmup > 0:
        subprocess.run(["wrk", f"-t{a.threads}", f"-c{a.connections}", f"-d{a.warmup}s", "--timeout", "10s", "-s", script, url],
                       cwd=ROOT, env=wrk_env(env_paths, url), capture_output=True, text=True, timeout=a.warmup + 60)


def measure(a, script, url, env_paths=None, duration=None):
    """One recorded wrk run of `duration` seconds (default --duration), after waiting for a quiet machine."""
    duration = duration or a.duration
    probe, settle_s = settle(a)
    cmd = ["wrk", f"-t{a.threads}", f"-c{a.connections}", f"-d{duration}s", "--timeout", "10s", "-s", script, url]
    pid = server_pid(url)
    before = cpu_and_writes(pid)
    p = subprocess.run(cmd, cwd=ROOT, env=wrk_env(env_paths, url), capture_output=True, text=True, timeout=duration + 60)
    after = cpu_and_writes(pid)
    line = next((l for l in p.stdout.split("\n") if l.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result ({' '.join(cmd)}):\n{p.stdout}\n{p.stderr}")
    r = json.loads(line[6:])
    if r["requests"] == 0:  # nothing answered within the timeout: no latency figures
        r.update(rps=0.0, p50_ms=None, p95_ms=None, p99_ms=None, max_ms=None)
    elif r["non2xx"] > r["requests"] / 100:  # refusals answer fast: a throughput made of them means nothing
        raise RuntimeError(f"{r['non2xx']} of {r['requests']} responses were not 2xx ({' '.join(cmd)})")
    out = {k: r[k] for k in ("rps", "p50_ms", "p95_ms", "p99_ms", "max_ms", "requests", "non2xx", "socket_errors")} | {
        "probe_s": probe, "settle_s": settle_s}
    if before and after and r["requests"]:  # the server's own cost per request: tells a slower server from a busier machine
        out["cpu_us"] = round((after[0] - before[0]) / r["requests"] * 1e6, 1)
        out["write_bytes"] = round((after[1] - before[1]) / r["requests"])
    return out


def interleaved(a, workloads):
    """Measures workloads ({key: (url, script, paths file)}) in --slices slices each, taking turns: every workload is
    warmed once (--warmup), then in round k each runs for duration/slices seconds, the order rotated by k. A
    workload's figures are the medians over its slices. The keys are (run, workload): the runs' servers run side by
    side and take turns too. Why: this VM has slow and fast phases lasting seconds to minutes that the machine probe
    does not see (it fits in a core's cache; the server does not). Measured one run after another, each run met its
    own phase (search classes spread 2.6-24.4 % over three runs, and within one run the five slices of a class rose
    by a third from first to last, in the next run fell); taking turns, every run meets every phase alike, so the
    runs differ by what differs between them. A workload whose slice fails is left out from then on, with its error.
    Returns ({key: figures}, {key: error})."""
    keys = list(workloads)
    errors = {}
    for k in keys:
        url, script, paths = workloads[k]
        warm(a, script, url, paths)
    slice_s = max(1, round(a.duration / a.slices))
    slices = {k: [] for k in keys}
    i = 0
    while True:
        todo = keys if i < a.slices else unsettled(a, slices, errors)
        if not todo or i >= max(a.slices, a.max_slices):
            break
        for k in round_order(todo, i):
            if k in errors:
                continue
            url, script, paths = workloads[k]
            try:
                slices[k].append(measure(a, script, url, paths, slice_s))
            except Exception as e:  # noqa: BLE001 - recorded, the other workloads go on
                errors[k] = str(e)[-2000:]
        i += 1
    return {k: combine_slices(v) for k, v in slices.items() if k not in errors and v}, errors


def round_order(keys, i):
    """Round i's order of the (run, workload) keys: the workloads rotated by i, and within each workload its runs
    one right after another, rotated by i too. The runs' slices of one workload are seconds apart, so they meet the
    same phase of the machine, and a run's figure differs from another's by what differs between the runs."""
    names = list(dict.fromkeys(k[1] for k in keys))
    out = []
    for name in names[i % len(names):] + names[:i % len(names)]:
        ks = [k for k in keys if k[1] == name]
        out += ks[i % len(ks):] + ks[:i % len(ks)]
    return out


def unsettled(a, slices, errors):
    """The (run, workload) keys whose workload is not yet measured precisely enough: after the first --slices
    rounds, a workload gets further rounds (on every run, taking turns as before) while the run-to-run spread its
    slices' own noise would give alone (slice_noise_spread) is above --precision percent, up to --max-slices. Why:
    at 10,000 patients five slices left 2.2-7.4 % of spread from noise alone, and the workloads differ in how noisy
    they are (create, with an fsync per request, most), so each gets the slices it needs, not all the most."""
    if not a.precision:
        return []
    by_name = {}
    for k in slices:
        if k not in errors:
            by_name.setdefault(k[1], []).append(k)
    out = []
    for name, ks in by_name.items():
        noise = slice_noise_spread([[s["rps"] for s in slices[k]] for k in ks], trials=400)
        if noise is not None and noise > a.precision:
            out.extend(ks)
    return out


def combine_slices(items):
    """One workload's figure from its slices: median throughput and percentiles, every request and error counted."""
    out = {k: med([i.get(k) for i in items]) for k in ("rps", "p50_ms", "p95_ms", "p99_ms", "probe_s", "cpu_us", "write_bytes")}
    out["max_ms"] = max((i["max_ms"] for i in items if i["max_ms"] is not None), default=None)
    for k in ("requests", "non2xx", "socket_errors"):
        out[k] = sum(i[k] for i in items)
    out["settle_s"] = round(sum(i["settle_s"] for i in items), 1)
    out["slices_rps"] = [i["rps"] for i in items]
    if all(i.get("cpu_us") is not None for i in items):
        out["slices_cpu_us"] = [i["cpu_us"] for i in items]
    return out


def timed_import(app, source, data, store_opts=()):
    """`fellesjournal import SOURCE` as a whole process: (resources loaded, wall s, CPU s of the process).
    A rejected resource makes the command exit 1, so a result means every resource passed validation."""
    t0, c0 = time.monotonic(), os.times()
    p = subprocess.run(["dotnet", app, "import", source, "--data", data, *store_opts], capture_output=True, text=True)
    wall, c1 = time.monotonic() - t0, os.times()
    cpu = (c1.children_user - c0.children_user) + (c1.children_system - c0.children_system)
    out = p.stdout + p.stderr
    if p.returncode != 0:
        raise RuntimeError(f"import failed ({p.returncode}):\n{out[-3000:]}")
    return loaded_count(out), wall, cpu


def loaded_count(output):
    """The resources `fellesjournal import` reports as loaded, from its output."""
    return next((int(l.split(":")[1].strip().replace(",", "")) for l in output.split("\n")
                 if "loaded (new versions)" in l), None)


def imports_in_turns(a, jobs, pg=None):
    """Every run's `fellesjournal import` as one whole process, all of them started but taking turns: one runs for
    --import-turn seconds while the others are stopped (SIGSTOP), the order rotated each round, each turn after a
    quiet probe (settle()). A run's wall time is the sum of its turns (its process start included), its CPU time
    the process's own (wait4). Why: one import after another, each met its own phase of the machine (13,437,
    12,408 and 12,101/s at 10,000 patients, 10.8 % apart, while three imports after dropping the page cache were
    2.3 % apart and half an hour earlier 8 % slower); taking turns, every run meets every phase alike, as the
    workloads' slices do. jobs: {run: (source, data dir, store options, log path)}. Returns ({run: figures},
    {run: error})."""
    procs, logs, out, errors = {}, {}, {}, {}
    acc = {r: {"wall_s": 0.0, "turns": 0, "probes": [], "settle_s": 0.0, "db_cpu_s": 0.0} for r in jobs}
    todo, i = list(jobs), 0
    try:
        while todo:
            for r in todo[i % len(todo):] + todo[:i % len(todo)]:
                probe, settle_s = settle(a)
                c0 = pg.cpu_seconds() if pg else 0
                t0 = time.monotonic()
                if r not in procs:
                    source, data, opts, logpath = jobs[r]
                    logs[r] = open(logpath, "w")
                    procs[r] = subprocess.Popen(["dotnet", a.app, "import", source, "--data", data, *opts],
                                                stdout=logs[r], stderr=subprocess.STDOUT, start_new_session=True)
                else:
                    os.killpg(procs[r].pid, signal.SIGCONT)
                usage = wait_turn(procs[r], a.import_turn)
                t = acc[r]
                t["wall_s"] += time.monotonic() - t0
                t["turns"] += 1
                t["probes"].append(probe)
                t["settle_s"] += settle_s
                t["db_cpu_s"] += (pg.cpu_seconds() - c0) if pg else 0
                if usage is None:
                    continue
                todo.remove(r)
                logs[r].close()
                text = open(jobs[r][3]).read()
                if procs[r].returncode != 0:
                    errors[r] = f"import failed ({procs[r].returncode}):\n{text[-3000:]}"
                    continue
                loaded = loaded_count(text)
                out[r] = {"resources": loaded, "wall_s": round(t["wall_s"], 2),
                          "rps": round(loaded / t["wall_s"], 1) if loaded else None,
                          "cpu_s": round(usage.ru_utime + usage.ru_stime, 2), "turns": t["turns"],
                          "probe_s": med(t["probes"]), "settle_s": round(t["settle_s"], 1)}
                if pg:
                    out[r]["db_cpu_s"] = round(t["db_cpu_s"], 2)
            i += 1
    finally:
        for r, p in procs.items():  # a harness that fails leaves no stopped import behind
            if r in todo:
                os.killpg(p.pid, signal.SIGKILL)
                os.wait4(p.pid, 0)
                logs[r].close()
    return out, errors


def wait_turn(proc, seconds):
    """Lets a started or continued import run for `seconds`, then stops it (SIGSTOP, waiting until it has stopped).
    Returns its resource usage once it has exited (proc.returncode set), None while it is stopped."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.02)
    else:
        os.killpg(proc.pid, signal.SIGSTOP)
        _, status, usage = os.wait4(proc.pid, os.WUNTRACED)
        if os.WIFSTOPPED(status):
            return None
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage


def start_server(a, data, store_opts, logf):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    t0 = time.monotonic()
    proc = subprocess.Popen(["dotnet", a.app, "serve", "--dev-identity", "--data", data, "--urls", url] + store_opts,
                            stdout=logf, stderr=subprocess.STDOUT)
    while time.monotonic() - t0 < 120:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}; see {logf.name}")
        if http_status(url + "/fhir/metadata", timeout=2) == 200:
            started = round(time.monotonic() - t0, 3)
            TOKENS[url] = fetch_token(url)  # the checks and wrk (wrk_env) send it to this server only
            PIDS[url] = proc.pid
            return proc, url, started
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not answer /fhir/metadata within 120 s")


def stop_server(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill(); proc.wait()


def sqlite_limits(a, db_path, pop, read_paths, create_body, search_rows=None):
    """Plain SQL on the same database file: the ceiling the store itself gives (single thread, Python sqlite3)."""
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL"); con.execute("PRAGMA synchronous = FULL")
    con.execute("DROP TABLE IF EXISTS bench_limit")
    con.execute("CREATE TABLE bench_limit (res_type TEXT NOT NULL, res_id TEXT NOT NULL, json BLOB NOT NULL,"
                " PRIMARY KEY (res_type, res_id))")
    # Import: every NDJSON line, raw, in transactions of 1,000 rows (the import's batch size).
    n, t0, batch = 0, time.monotonic(), []
    for f in sorted(os.listdir(pop)):
        if not f.endswith(".ndjson"):
            continue
        rtype = f[:-7]
        with open(os.path.join(pop, f), "rb") as fh:
            for line in fh:
                line = line.strip()
                if not line:
                    continue
                batch.append((rtype, f"{n}", line)); n += 1
                if len(batch) == 1000:
                    con.execute("BEGIN"); con.executemany("INSERT INTO bench_limit VALUES (?,?,?)", batch)
                    con.execute("COMMIT"); batch = []
    if batch:
        con.execute("BEGIN"); con.executemany("INSERT INTO bench_limit VALUES (?,?,?)", batch); con.execute("COMMIT")
    import_rps = n / (time.monotonic() - t0)
    # Create: one row per transaction (autocommit), durable.
    body = create_body.encode()
    end, k = time.monotonic() + a.limit_duration, 0
    t0 = time.monotonic()
    while time.monotonic() < end:
        con.execute("INSERT INTO bench_limit VALUES ('Patient', ?, ?)", (f"c{k}", body)); k += 1
    create_rps = k / (time.monotonic() - t0)
    con.execute("DROP TABLE bench_limit")
    # Read: the current version's JSON by primary key, same ids as the read workload.
    keys = [p.split("/")[2:4] for p in read_paths]
    rnd = random.Random(1)
    stmt = ("SELECT json FROM resource_version WHERE res_type = ? AND res_id = ? ORDER BY version DESC LIMIT 1")
    end, k, misses = time.monotonic() + a.limit_duration, 0, 0
    t0 = time.monotonic()
    while time.monotonic() < end:
        for _ in range(100):
            if con.execute(stmt, rnd.choice(keys)).fetchone() is None:
                misses += 1
            k += 1
    read_rps = k / (time.monotonic() - t0)
    # Search: the same result rows (matches of the class's first queries) read by primary key, per query.
    search = {}
    for c, queries in (search_rows or {}).items():
        if not queries:
            continue
        end, k = time.monotonic() + min(a.limit_duration, 2), 0
        t0 = time.monotonic()
        while time.monotonic() < end:
            for key in queries[k % len(queries)]:
                con.execute(stmt, key).fetchone()
            k += 1
        search[c] = round(k / (time.monotonic() - t0), 1)
    con.close()
    return {"search_rps": search, "import_rps": round(import_rps, 1), "create_rps": round(create_rps, 1), "read_rps": round(read_rps, 1),
            "read_misses": misses}


SUMMARY = "$summary"
READ_SCRIPT, CREATE_SCRIPT = "bench/harness/paths.lua", "bench/harness/create.lua"


def prepare_runs(a, pop, store_opts, work, failed, pg=None):
    """Every run's store: a fresh data directory (and on PostgreSQL a fresh database), the population imported
    (timed, the runs taking turns: imports_in_turns()), then the operator's maintenance. Returns the runs' result
    dicts with their private fields (_data, _opts, _db); a run whose import fails goes to `failed`."""
    runs, jobs = {}, {}
    for r in range(1, a.runs + 1):
        data = os.path.join(work, f"data-{r}")
        shutil.rmtree(data, ignore_errors=True)
        res = runs[r] = {"run": r, "load_start": loadavg(), "_data": data, "_opts": store_opts, "_db": None}
        if pg:  # a fresh database per run, like the fresh SQLite file
            res["_db"] = db = f"fj_bench_{r}"
            pg.create_database(db)
            res["_opts"] = store_opts + ["--connection", pg.connection(db)]
        jobs[r] = (pop, data, res["_opts"], os.path.join(work, f"import-run{r}.log"))
    log(f"importing {a.runs} runs, taking turns of {a.import_turn:g} s")
    done, errors = imports_in_turns(a, jobs, pg)
    for r, err in errors.items():
        log(f"run {r} FAILED: {err}")
        failed.append({"run": r, "error": err[-2000:], "load": loadavg()})
    for r in done:
        res = runs[r]
        res["import"] = done[r]
        if pg:
            res["database_mb"] = pg.database_size_mb(res["_db"])
        res["import"]["maintenance_s"] = after_import(pg, res["_db"])
        log(f"run {r}: import {res['import']}")
    return [runs[r] for r in sorted(done)]


def pin_databases(runs, pg=None):
    """Holds every run's database files in memory while the workloads run (bench/harness/pin.py: why). Returns the
    pinning process (close its stdin to release) and what it reported; a failure to pin is reported, not fatal."""
    files = []
    for res in runs:
        files += pg.database_files(res["_db"]) if pg else [os.path.join(res["_data"], "fellesjournal.db")]
    p = subprocess.Popen([sys.executable, os.path.join(ROOT, "bench/harness/pin.py"), *files],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    report = json.loads(line) if line.startswith("{") else {"pinned_mb": 0, "error": "pin.py gave no report"}
    log(f"database files held in memory: {report}")
    return p, report


def measure_runs(a, runs, paths_dir, classes, failed, pg=None):
    """Starts every prepared run's server side by side, then measures read, the search classes with $summary, and
    create on all of them, taking turns (interleaved()); a run whose server or workload fails moves to `failed`."""
    servers = {}  # run number -> (process, url, log file)
    by_run = {res["run"]: res for res in runs}  # the runs still measured
    read_paths = os.path.join(paths_dir, "read.paths")

    def fail(r, err):
        log(f"run {r} FAILED: {err}")
        failed.append({"run": r, "error": str(err)[-2000:], "load": loadavg()})
        runs.remove(by_run.pop(r))
        if r in servers:
            proc, _, logf = servers.pop(r)
            stop_server(proc)
            logf.close()

    def phase(workloads):
        done, errors = interleaved(a, workloads)
        for (r, _), err in errors.items():
            if r in by_run:
                fail(r, err)
        return {k: v for k, v in done.items() if k[0] in by_run}

    pg_cpu0 = pg.cpu_seconds() if pg else None
    pinner, a.pinned = pin_databases(runs, pg)
    try:
        for res in list(runs):
            r = res["run"]
            logpath = os.path.join(a.cache, f"server-{a.store}-{a.patients}-run{r}.log")
            res["server_log"] = logpath
            logf = open(logpath, "w")
            try:
                proc, url, res["startup_s"] = start_server(a, res["_data"], res["_opts"], logf)
                servers[r] = (proc, url, logf)
                # The first authenticated request pays the first use of the token, policy and audit paths.
                http_status(url + open(read_paths).read().split()[0], timeout=120)
            except Exception as e:  # noqa: BLE001
                if r not in servers:
                    logf.close()
                fail(r, e)

        for (r, _), v in phase({(r, "read"): (u, READ_SCRIPT, read_paths) for r, (_, u, _) in servers.items()}).items():
            by_run[r]["read"] = v
            log(f"run {r}: read {v['rps']}/s (slices {v['slices_rps']})")

        # The search classes and $summary: every (run, workload) in turn.
        workloads = {}
        for res in runs:
            r, url = res["run"], servers[res["run"]][1]
            res["search"] = {}
            for c in classes:
                pf = os.path.join(paths_dir, f"search-{c}.paths")
                first = open(pf).readline().strip()
                st = http_status(url + first, timeout=30)
                if st != 200:
                    res["search"][c] = {"skipped": f"HTTP {st} for {first}"}
                    continue
                res.setdefault("search_rows", {})[c] = result_rows(url, pf)
                workloads[(r, c)] = (url, READ_SCRIPT, pf)
            sp = os.path.join(paths_dir, "summary.paths")
            st = http_status(url + open(sp).readline().strip())
            if st == 200:
                workloads[(r, SUMMARY)] = (url, READ_SCRIPT, sp)
            else:
                res["summary"] = {"skipped": f"$summary answered HTTP {st}"}
        for (r, name), v in phase(workloads).items():
            if name == SUMMARY:
                by_run[r]["summary"] = v
            else:
                by_run[r]["search"][name] = v
            log(f"run {r}: {name} {v['rps']}/s p99 {v['p99_ms']} ms (slices {v['slices_rps']})")

        for r, (_, url, _) in servers.items():
            warm_up_create(url)
        for (r, _), v in phase({(r, "create"): (u + "/fhir/Patient", CREATE_SCRIPT, None)
                                for r, (_, u, _) in servers.items()}).items():
            by_run[r]["create"] = v
            log(f"run {r}: create {v['rps']}/s (slices {v['slices_rps']})")
        for res in runs:
            res.update(proc_stats(servers[res["run"]][0].pid))
    finally:
        for proc, _, logf in servers.values():
            stop_server(proc)
            logf.close()
        pinner.stdin.close()
        pinner.wait()
    if pg and runs:  # the database server's CPU over the workloads, shared evenly by the runs that took turns
        share = (pg.cpu_seconds() - pg_cpu0) / len(runs)
        for res in runs:
            res["db_cpu_s"] = round(res["import"]["db_cpu_s"] + share, 2)


def finish_run(a, res, pop, paths_dir, pg=None):
    """The plain-SQL limits on run r's store, then its data removed."""
    r, data = res["run"], res["_data"]
    if pg:
        res["limit"] = {"import_rps": pg.copy_limit(res["_db"], pop)}
        pg.drop_database(res["_db"])
    elif not res["_opts"] or res["_opts"][1] == "sqlite":
        db = os.path.join(data, "fellesjournal.db")
        res["limit"] = sqlite_limits(a, db, pop, open(os.path.join(paths_dir, "read.paths")).read().split(),
                                     create_body(), res.get("search_rows"))
    log(f"run {r}: limit {res.get('limit')}")
    for k in ("search_rows", "_data", "_opts", "_db"):
        res.pop(k, None)
    res["load_end"] = loadavg()
    shutil.rmtree(data, ignore_errors=True)


def med(values):
    v = [x for x in values if isinstance(x, (int, float))]
    return round(statistics.median(v), 3) if v else None


def med_wrk(items):
    items = [i for i in items if i and "rps" in i]
    if not items:
        return None
    return {k: med([i[k] for i in items]) for k in ("rps", "p50_ms", "p95_ms", "p99_ms", "max_ms")} | {
        "non2xx": sum(i["non2xx"] for i in items), "socket_errors": sum(i["socket_errors"] for i in items)}


def aggregate(runs, classes):
    m = {"import_rps": med([r["import"]["rps"] for r in runs]),
         "import_cpu_s": med([r["import"].get("cpu_s") for r in runs]),
         "startup_s": med([r["startup_s"] for r in runs]),
         "read": med_wrk([r["read"] for r in runs]),
         "create": med_wrk([r["create"] for r in runs]),
         "summary": med_wrk([r["summary"] for r in runs]),
         "search": {c: med_wrk([r["search"].get(c) for r in runs]) for c in classes},
         "peak_rss_mb": med([r.get("peak_rss_mb") for r in runs]),
         "cpu_s": med([r.get("cpu_s") for r in runs]),
         "db_cpu_s": med([r.get("db_cpu_s") for r in runs]),
         "database_mb": med([r.get("database_mb") for r in runs])}
    ok = [s for s in m["search"].values() if s]
    # Equal-weight mix from the per-class runs: the time for one query of each class, inverted.
    m["search_mix_rps"] = (0.0 if any(not s["rps"] for s in ok) else
                           round(len(ok) / sum(1 / s["rps"] for s in ok), 1)) if ok else None
    m["search_worst_p99_ms"] = (None if any(s["p99_ms"] is None for s in ok) else
                                max((s["p99_ms"] for s in ok), default=None))
    if all("limit" in r for r in runs):
        m["limit"] = {k: med([r["limit"].get(k) for r in runs]) for k in ("import_rps", "create_rps", "read_rps")}
        m["limit"]["search_rps"] = {c: med([r["limit"].get("search_rps", {}).get(c) for r in runs]) for c in classes}
    return m


def spread_pct(values):
    """(max - min) / median in percent: how reproducible a figure was across the runs; None below two runs."""
    v = [x for x in values if isinstance(x, (int, float))]
    return (max(v) - min(v)) / statistics.median(v) * 100 if len(v) > 1 and statistics.median(v) else None


def spread(values):
    p = spread_pct(values)
    return "–" if p is None else f"{p:.1f} %"


def slice_noise_spread(per_run_slices, factor=1, trials=1000):
    """The run-to-run spread the slices' own noise would give alone. Each run's slices are taken relative to that
    run's median (so whatever differs between runs drops out); their relative standard deviation drives runs of k
    normal slices, and the median spread of their medians over many simulated sets of runs is returned. Beside the
    measured spread it tells how much of it is the slices' noise (more slices shrink it) and how much the runs
    themselves differ; with `factor`, what that many times the slices per run would give. None without slices."""
    runs = [s for s in per_run_slices if isinstance(s, list) and len(s) > 1 and statistics.median(s) > 0]
    if len(runs) < 2 or len(runs) != len(per_run_slices):
        return None
    rel = [[x / statistics.median(s) for x in s] for s in runs]
    k, n = len(rel[0]), len(rel)
    if all(len(s) == k for s in rel):
        # Slices taken in rounds: slice i of every run met the same phase of the machine, which moves them alike and
        # does not part the runs; it drops out with each round's mean (the residuals' variance shrinks by (n-1)/n).
        resid = [rel[r][i] / statistics.fmean(rel[q][i] for q in range(n)) for r in range(n) for i in range(k)]
        sd = statistics.stdev(resid) * (n / (n - 1)) ** 0.5
    else:
        sd = statistics.stdev([x for s in rel for x in s])
    rng = random.Random(0)  # the same report from the same results
    return statistics.median(
        spread_pct([statistics.median([rng.gauss(1, sd) for _ in range(len(s) * factor)]) for s in runs])
        for _ in range(trials))


def noise_note(doc):
    """The sentence comparing the measured spreads with what the slices' noise alone gives (sliced results only)."""
    runs = doc["run_results"]
    if doc.get("slices", 1) < 2 or len(runs) < 2:
        return ""
    def of(key, factor):
        return slice_noise_spread([(r.get(key) or {}).get("slices_rps") for r in runs], factor)
    def classes(factor):
        v = [slice_noise_spread([(r["search"].get(c) or {}).get("slices_rps") for r in runs], factor)
             for c in doc["median"]["search"]]
        v = [x for x in v if x is not None]
        return statistics.median(v) if v else None
    def line(factor):
        parts = [f"{name} {pct(of(key, factor))}" for name, key in (("read", "read"), ("create", "create"), ("$summary", "summary"))]
        return ", ".join(parts + [f"search classes {pct(classes(factor))} (median)"])
    return (" Expected from the slices' own noise alone, as if every run were the same server on the same machine: "
            + line(1) + f"; with four times the slices per run: " + line(4) + ". A measured spread well above the "
            "first figure means the runs themselves differed.")


def pct(p):
    return "–" if p is None else f"{p:.1f} %"


def measured(doc, key):
    """The value of `key` of every measured workload (import, read, create, $summary, search classes) of every run."""
    return [w[key] for r in doc["run_results"] for w in [r.get("import"), r.get("read"), r.get("create"), r.get("summary")]
            + list(r.get("search", {}).values()) if isinstance(w, dict) and w.get(key) is not None]


def probe_range(doc):
    """Min, median and max of the machine probes over all runs and workloads."""
    v = [p for p in measured(doc, "probe_s") if p]
    return (min(v), statistics.median(v), max(v)) if v else None


def settle_waits(doc):
    """Median and max of the seconds waited for a quiet machine before the measured workloads."""
    v = measured(doc, "settle_s")
    return (statistics.median(v), max(v)) if v else None


def search_spread(doc):
    """The median over the search classes of their run-to-run spreads."""
    runs = doc["run_results"]
    v = [spread_pct([(r["search"].get(c) or {}).get("rps") for r in runs]) for c in doc["median"]["search"]]
    v = [x for x in v if x is not None]
    return f"{statistics.median(v):.1f} %" if v else "–"


def fmt(x, nd=0):
    if x is None:
        return "–"
    return f"{x:,.{nd}f}"


def ms(x):
    return "none answered" if x is None else f"{x:.1f}"


def ratio(x, lim):
    return f"{x / lim:.2f}" if x and lim else "–"


def slices_note(doc):
    k = doc.get("slices") or 1
    if k <= 1:
        return ""
    return (f" (in {k} slices of {max(1, round(doc['duration_s'] / k))} s: the runs' servers side by side, every run and "
            "workload taking turns; a run's figure for a workload is the median of its slices"
            + (f"; then more slices of a workload, up to {doc['max_slices']}, while its slices' noise alone would "
               f"spread the runs by more than {doc['precision_pct']:g} %, which took {slices_taken(doc)}"
               if doc.get("precision_pct") and doc.get("max_slices", 0) > k else "") + ")")


def slices_taken(doc):
    """How many slices each workload got (per run), e.g. "read 12, create 20, $summary 5, search classes 5–14"."""
    runs = doc["run_results"]
    def n(w):
        return len(w.get("slices_rps") or []) if isinstance(w, dict) else 0
    parts = [f"{name} {n(runs[0].get(key))}" for name, key in (("read", "read"), ("create", "create"), ("$summary", "summary"))
             if runs and n(runs[0].get(key))]
    cls = [n(w) for w in (runs[0].get("search") or {}).values() if n(w)] if runs else []
    if cls:
        parts.append(f"search classes {min(cls)}" + (f"–{max(cls)}" if max(cls) > min(cls) else ""))
    return ", ".join(parts) or "none"


def server_cost(w):
    """The server's CPU time and disk writes per request (medians over the slices), when measured."""
    if not isinstance(w, dict) or w.get("cpu_us") is None:
        return ""
    return f" ({w['cpu_us']:.0f} µs CPU, {w['write_bytes'] / 1024:.1f} KB written per request)"


def import_turns(doc):
    n = [r["import"].get("turns") for r in doc["run_results"] if r["import"].get("turns")]
    return "–" if not n else f"{min(n)}" + (f"–{max(n)}" if max(n) > min(n) else "") + " turns"


def pinned_note(doc):
    p = doc.get("pinned")
    if not p:
        return ""
    return (f"Database files held in memory (mlock, bench/harness/pin.py) while the workloads ran: {p['pinned_mb']:,.0f} MB"
            + (f"; not all of them: {p['error']}." if p.get("error") else ".") + "\n")


def markdown(doc):
    m, mc, lim = doc["median"], doc["machine"], doc["median"].get("limit") or {}
    L = [f"# Benchmark: {doc['store']}, {doc['patients']:,} patients ({doc['date']})", "",
         f"`bench/run.sh --patients {doc['patients']} --store {doc['store']} --duration {doc['duration_s']} "
         f"--connections {doc['connections']} --runs {doc['runs']}"
         + "".join(f" --{flag} {doc[key]:g}" for flag, key in (("warmup", "warmup_s"), ("slices", "slices"),
                   ("precision", "precision_pct"), ("max-slices", "max_slices"), ("import-turn", "import_turn_s"))
                   if doc.get(key) is not None)
         + f"` — wrk {doc['threads']} threads, "
         f"{doc['connections']} keep-alive connections, {doc['duration_s']} s per workload"
         f"{f' after {w} s of unrecorded warm-up load' if (w := doc.get('warmup_s')) else ''}"
         f"{slices_note(doc)}; medians of "
         f"{doc['runs']} runs; population {doc['population']['resources']:,} resources (seed {doc['seed']}).", "",
         f"Machine: {mc['cpu_model']}, nproc {mc['nproc']}, {mc['memory_gib']} GiB; .NET {mc['dotnet']}, "
         f"SQLite {mc['sqlite']}, {mc['wrk']}. **Load average (1/5/15 min) at start {' '.join(doc['load_start'])}, "
         f"at end {' '.join(doc['load_end'])}** — the machine is shared; figures under load are noisy.", "",
         "| Workload | Median | p50 ms | p95 ms | p99 ms | Limit (plain SQL) | Ratio | Target |",
         "|---|---|---|---|---|---|---|---|"]
    t = TARGETS
    L.append(f"| import (resources/s) | {fmt(m['import_rps'])} | | | | {fmt(lim.get('import_rps'))} | "
             f"{ratio(m['import_rps'], lim.get('import_rps'))} | ≥ {t['import_rps'][1]:,} |")
    for name, key, tgt in (("create (req/s)", "create", "≥ 2,000/s"), ("read by id (req/s)", "read", "≥ 10,000/s")):
        w = m[key]
        if w:
            L.append(f"| {name} | {fmt(w['rps'])} | {ms(w['p50_ms'])} | {ms(w['p95_ms'])} | {ms(w['p99_ms'])} | "
                     f"{fmt(lim.get(key + '_rps'))} | {ratio(w['rps'], lim.get(key + '_rps'))} | {tgt} |")
    for c, w in m["search"].items():
        if w:
            L.append(f"| search: {c} (req/s) | {fmt(w['rps'])} | {ms(w['p50_ms'])} | {ms(w['p95_ms'])} | {ms(w['p99_ms'])} | "
                     f"{fmt((lim.get('search_rps') or {}).get(c))} | {ratio(w['rps'], (lim.get('search_rps') or {}).get(c))} | p99 ≤ 50 ms |")
        else:
            L.append(f"| search: {c} | skipped | | | | | | |")
    L.append(f"| search mix, equal weights (req/s) | {fmt(m['search_mix_rps'])} | | | "
             f"{ms(m['search_worst_p99_ms'])} (worst class) | – | – | ≥ 2,000/s, p99 ≤ 50 ms |")
    s = m["summary"]
    L.append(f"| Patient/$summary (req/s) | {fmt(s['rps'])} | {ms(s['p50_ms'])} | {ms(s['p95_ms'])} | {ms(s['p99_ms'])} | – | – | p99 ≤ 50 ms |"
             if s else "| Patient/$summary | not available (skipped) | | | | | | p99 ≤ 50 ms |")
    L += [f"| import process CPU time (s) | {m.get('import_cpu_s')} | | | | | | |",
          f"| server start-up (s) | {m['startup_s']} | | | | | | |",
          f"| server peak RSS (MB) | {m['peak_rss_mb']} | | | | | | |",
          f"| server CPU time over the run (s) | {m['cpu_s']} | | | | | | |"] + (
         [f"| database CPU time, import and workloads (s) | {m['db_cpu_s']} | | | | | | |",
          f"| database size after import (MB) | {m['database_mb']} | | | | | | |"] if m.get("db_cpu_s") is not None else []) + ["",
          "Non-2xx responses / socket errors (all runs): " + ", ".join(
              f"{k} {w['non2xx']}/{w['socket_errors']}" for k, w in
              [("read", m["read"]), ("create", m["create"]), ("summary", m["summary"])] +
              list(m["search"].items()) if w) + ".", "",
          "Run-to-run spread, (max − min) / median: " + ", ".join(
              f"{name} {spread([(r.get(key) or {}).get('rps') for r in doc['run_results']])}"
              for name, key in (("import", "import"), ("read", "read"), ("create", "create"), ("$summary", "summary")))
          + ", search classes (median of their spreads) " + search_spread(doc) + "." + noise_note(doc) + (
              " Machine probe (a fixed CPU loop on every core, taken just before each measured workload): "
              "{:.3f} / {:.3f} / {:.3f} s (min / median / max); a slow probe means the machine, or work left over "
              "from the previous step, was slowing everything at that moment.".format(*pr)
              if (pr := probe_range(doc)) else "") + (
              " Before each workload the harness waited up to {:g} s for a probe within {:.0f} % of the quiet probe "
              "taken at its start ({:.3f} s); waited {:.1f} s at the median, {:.1f} s at most.".format(
                  doc["settle_max_s"], (QUIET - 1) * 100, doc["quiet_probe_s"], *sw)
              if doc.get("quiet_probe_s") and (sw := settle_waits(doc)) else ""), "",
          pinned_note(doc),
          "Per run: " + "; ".join(
              f"run {r['run']}: import {fmt(r['import']['rps'])}/s ({r['import'].get('cpu_s')} s CPU), read {fmt(r['read']['rps'])}/s"
              f"{server_cost(r['read'])}, create {fmt(r['create']['rps'])}/s{server_cost(r['create'])}, "
              f"load {r['load_start'][0]}→{r['load_end'][0]}" for r in doc["run_results"]) + ".",
          "", ("Failed runs (left out of the medians): " + "; ".join(
              f"run {f['run']}: {f['error'][:300]}" for f in doc.get("failed_runs", [])) + "."
              if doc.get("failed_runs") else "No failed runs."),
          "", "Notes: import = resources loaded / wall time of `fellesjournal import` (process start included)"
          + (f"; the runs' imports ran side by side, taking turns of {t:g} s while the others were stopped "
             f"(SIGSTOP), so a run's wall time is the sum of its turns ({import_turns(doc)} each)"
             if (t := doc.get("import_turn_s")) else "") + ". "
          "Limit = the same rows through Python's sqlite3 on the same database file, one thread, WAL, "
          "synchronous=FULL: import = raw NDJSON lines into a plain table in 1,000-row transactions; create = one "
          "row per transaction; read = the current version's (compressed) JSON by primary key over the same ids. "
          "search = the result rows of the class's first 10 queries (as the server returned them) read by primary key, "
          "per query — finding the rows is not included, so it is a ceiling, not an equivalent query. The search mix is computed from the per-class figures (equal weights)."
          + (" On PostgreSQL (a private server started by the harness: fsync, synchronous_commit and full_page_writes "
             "on, shared_buffers 2GB, a fresh database per run) the only limit is import: the raw NDJSON lines into a "
             "one-column table with `\\copy` (psql), one COPY per file." if doc["store"] == "postgres" else "")]
    return "\n".join(L) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--patients", type=int, default=1000)
    ap.add_argument("--store", default="sqlite", choices=["sqlite", "postgres"])
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=None,
                    help="seconds of unrecorded load before each workload (default: 3, or 1 when --duration is under 6)")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--slices", type=int, default=5,
                    help="each workload is measured in this many slices of duration/slices seconds, every run and "
                         "workload taking turns; a run's figures are its slices' medians")
    ap.add_argument("--precision", type=float, default=3.0,
                    help="after --slices rounds, a workload gets more slices while its slices' noise alone would "
                         "spread the runs by more than this many percent (0: never)")
    ap.add_argument("--max-slices", type=int, default=None,
                    help="slices per workload and run at most (default: four times --slices)")
    ap.add_argument("--import-turn", type=float, default=5,
                    help="the runs' imports run side by side, taking turns of this many seconds (the others stopped)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--limit-duration", type=float, default=None)
    ap.add_argument("--settle", type=float, default=30,
                    help="seconds to wait at most for a quiet machine before each measured workload (0: do not wait)")
    ap.add_argument("--mix", default=os.path.join(ROOT, "bench/workloads/search-mix.txt"))
    ap.add_argument("--out-dir", default=os.path.join(ROOT, "bench/results"))
    ap.add_argument("--cache", default=os.environ.get("BENCH_CACHE", "/tmp/fellesjournal-bench"))
    ap.add_argument("--app", default=os.path.join(ROOT, "src/Fellesjournal.Server/bin/Release/net10.0/fellesjournal.dll"))
    ap.add_argument("--render", metavar="JSON", help="only re-write the .md of an existing results JSON")
    a = ap.parse_args()
    if a.render:
        open(a.render[:-5] + ".md", "w").write(markdown(json.load(open(a.render))))
        return 0
    a.app = os.path.abspath(a.app)
    a.limit_duration = a.limit_duration or min(a.duration, 5)
    a.max_slices = a.max_slices or 4 * a.slices
    if a.warmup is None:
        a.warmup = 3 if a.duration >= 6 else 1
    os.makedirs(a.cache, exist_ok=True)
    os.makedirs(a.out_dir, exist_ok=True)
    load_start = loadavg()
    # The machine's quiet speed, before anything of the harness runs: the reference settle() waits for.
    a.quiet_probe = min(machine_probe() for _ in range(3)) if a.settle > 0 else None
    log(f"quiet probe {a.quiet_probe} s")

    store_opts = store_args(a.app, a.store)
    if store_opts is None:
        log(f"store '{a.store}' is not supported by this server build (serve has no --store option); skipped.")
        return 0

    pop = os.path.join(a.cache, f"pop-{a.patients}-seed{a.seed}")
    if not os.path.exists(os.path.join(pop, ".complete")):
        shutil.rmtree(pop, ignore_errors=True)
        log(f"seeding {a.patients} patients into {pop}")
        subprocess.run(["dotnet", a.app, "seed", "--patients", str(a.patients), "--seed", str(a.seed), "--out", pop],
                       check=True, stdout=subprocess.DEVNULL)
        open(os.path.join(pop, ".complete"), "w").close()
    work = os.path.join(a.cache, f"work-{os.getpid()}")
    paths_dir = os.path.join(work, "paths")
    subprocess.run([sys.executable, os.path.join(ROOT, "bench/harness/sample.py"), pop, a.mix, paths_dir], check=True)
    info = json.load(open(os.path.join(paths_dir, "classes.json")))
    classes = [c["class"] for c in info["classes"] if c["paths"]]

    runs, failed = [], []
    pg = None
    if a.store == "postgres":
        log("starting a private PostgreSQL server")
        pg = PgCluster()
    try:
        runs = prepare_runs(a, pop, store_opts, work, failed, pg)
        if runs:
            measure_runs(a, runs, paths_dir, classes, failed, pg)
        for res in runs:
            finish_run(a, res, pop, paths_dir, pg)
        json.dump(runs, open(os.path.join(a.cache, f"last-runs-{a.store}-{a.patients}.json"), "w"), indent=1)
    finally:
        if pg:
            pg.stop()
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(work, ignore_errors=True)

    date = datetime.datetime.now(datetime.timezone.utc)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    doc = {"date": date.strftime("%Y-%m-%dT%H:%MZ"), "commit": commit or None, "store": a.store, "patients": a.patients, "seed": a.seed,
           "duration_s": a.duration, "warmup_s": a.warmup, "slices": a.slices,
           "precision_pct": a.precision, "max_slices": a.max_slices, "import_turn_s": a.import_turn,
           "pinned": getattr(a, "pinned", None), "connections": a.connections, "threads": a.threads, "runs": a.runs,
           "load_start": load_start, "load_end": loadavg(), "machine": machine(),
           "quiet_probe_s": a.quiet_probe, "settle_max_s": a.settle,
           "population": {"resources": info["population_resources"], "files": info["population_files"],
                          "read_paths": info["read_paths"], "sampled_patients": info["sampled_patients"]},
           "search_classes": info["classes"], "targets": TARGETS,
           "median": aggregate(runs, classes), "run_results": runs, "failed_runs": failed}
    if not runs:
        log("every run failed"); print(json.dumps(failed, indent=1)); return 1
    base = os.path.join(a.out_dir, f"{date:%Y-%m-%d}-{a.store}-{a.patients}")
    json.dump(doc, open(base + ".json", "w"), indent=1)
    open(base + ".md", "w").write(markdown(doc))
    log(f"wrote {base}.json and {base}.md")
    print(open(base + ".md").read())
    return 0


if __name__ == "__main__":
    sys.exit(main())
