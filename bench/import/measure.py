"""Runs `fellesjournal import FILE` and the raw SQLite insert of the same lines, taking turns, and writes the medians.
Usage: measure.py APP FILE RUNS OUT_DIR"""
import datetime
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

app, path, runs, out_dir = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
lines = [l.rstrip(b"\n") for l in open(path, "rb") if l.strip()]
# The raw table's key, read before any timing (the server reads it from the JSON as part of its work).
keys = [(d["resourceType"], d["id"]) for d in map(json.loads, lines)]


def run_import():
    data = tempfile.mkdtemp(prefix="fj-import-")
    try:
        t0, c0 = time.monotonic(), os.times()
        p = subprocess.run(["dotnet", app, "import", path, "--data", data], capture_output=True, text=True)
        wall, c1 = time.monotonic() - t0, os.times()
        if p.returncode != 0:
            sys.exit(f"import failed ({p.returncode}):\n{(p.stdout + p.stderr)[-3000:]}")
        out = p.stdout + p.stderr
        loaded = next(int(l.split(":")[1].strip().replace(",", "")) for l in out.split("\n") if "loaded (new versions)" in l)
        if loaded != len(lines):
            sys.exit(f"import loaded {loaded} of {len(lines)} resources:\n{out[-3000:]}")
        cpu = (c1.children_user - c0.children_user) + (c1.children_system - c0.children_system)
        return {"wall_s": round(wall, 3), "rps": round(loaded / wall, 1), "cpu_s": round(cpu, 2),
                "cpu_us_per_resource": round(cpu / loaded * 1e6, 1)}
    finally:
        shutil.rmtree(data, ignore_errors=True)


def run_raw():
    d = tempfile.mkdtemp(prefix="fj-raw-")
    try:
        con = sqlite3.connect(os.path.join(d, "raw.db"), isolation_level=None)
        con.execute("PRAGMA journal_mode = WAL"); con.execute("PRAGMA synchronous = FULL")
        con.execute("CREATE TABLE raw (res_type TEXT NOT NULL, res_id TEXT NOT NULL, json BLOB NOT NULL,"
                    " PRIMARY KEY (res_type, res_id))")
        t0 = time.monotonic()
        for i in range(0, len(lines), 1000):
            con.execute("BEGIN")
            con.executemany("INSERT INTO raw VALUES (?,?,?)",
                            [(keys[k][0], keys[k][1], lines[k]) for k in range(i, min(i + 1000, len(lines)))])
            con.execute("COMMIT")
        wall = time.monotonic() - t0
        con.close()
        return {"wall_s": round(wall, 3), "rps": round(len(lines) / wall, 1)}
    finally:
        shutil.rmtree(d, ignore_errors=True)


def git(*args):
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True).stdout.strip()
    except OSError:
        return None


load_start = os.getloadavg()[0]
imports, raws = [], []
for i in range(runs):
    imports.append(run_import())
    raws.append(run_raw())
    print(f"run {i + 1}: import {imports[-1]['rps']:,.0f}/s ({imports[-1]['wall_s']} s, {imports[-1]['cpu_s']} s CPU), "
          f"raw SQLite {raws[-1]['rps']:,.0f}/s", flush=True)

med = lambda rows, k: statistics.median(r[k] for r in rows)
spread = lambda rows, k: round(100 * (max(r[k] for r in rows) - min(r[k] for r in rows)) / med(rows, k), 1)
mem_kb = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
result = {
    "date": datetime.date.today().isoformat(),
    "commit": (git("rev-parse", "--short", "HEAD") or "?") + (" (with uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else ""),
    "file": os.path.basename(path), "resources": len(lines), "bytes": os.path.getsize(path),
    "machine": {"cores": os.cpu_count(), "memory_gib": round(mem_kb / 2**20, 1),
                "load_start": round(load_start, 2), "load_end": round(os.getloadavg()[0], 2)},
    "import": {"runs": imports, "rps_median": med(imports, "rps"), "spread_pct": spread(imports, "rps"),
               "cpu_us_per_resource_median": med(imports, "cpu_us_per_resource")},
    "raw_sqlite": {"runs": raws, "rps_median": med(raws, "rps"), "spread_pct": spread(raws, "rps")},
}
result["ratio_to_raw"] = round(result["import"]["rps_median"] / result["raw_sqlite"]["rps_median"], 3)
os.makedirs(out_dir, exist_ok=True)
base = os.path.join(out_dir, f"{result['date']}-sqlite-import")
with open(base + ".json", "w") as fh:
    json.dump(result, fh, indent=2)
imp, raw = result["import"], result["raw_sqlite"]
each = lambda part: " / ".join(f"{r['rps']:,.0f}" for r in part["runs"])
with open(base + ".md", "w") as fh:
    fh.write(f"# Import of one {len(lines):,}-resource NDJSON file ({result['date']}, commit {result['commit']})\n\n")
    fh.write(f"`bench/import/run.sh`, {runs} runs taking turns with the raw insert; {result['machine']['cores']} cores, "
             f"{result['machine']['memory_gib']} GiB, load average {result['machine']['load_start']} → "
             f"{result['machine']['load_end']}. Import: wall time of the whole `fellesjournal import` process (start-up "
             f"included) into a fresh SQLite store, every resource validated, indexed and durable.\n\n")
    fh.write("| | median | runs | spread |\n|---|---:|---|---:|\n")
    fh.write(f"| `fellesjournal import` (target ≥ 10,000/s) | **{imp['rps_median']:,.0f}/s** | "
             f"{each(imp)} | {imp['spread_pct']} % |\n")
    fh.write(f"| raw SQLite insert of the same lines | {raw['rps_median']:,.0f}/s | "
             f"{each(raw)} | {raw['spread_pct']} % |\n\n")
    fh.write(f"Ratio import / raw: **{result['ratio_to_raw']}**. CPU of the import process per resource "
             f"(user + system, median): {imp['cpu_us_per_resource_median']} µs.\n")
print(open(base + ".md").read())
