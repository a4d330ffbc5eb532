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

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
from bench import machine, spread_pct, timed_import  # noqa: E402  (the harness's own helpers)

app, path, runs, out_dir = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
lines = [l.rstrip(b"\n") for l in open(path, "rb") if l.strip()]
# The raw table's key, read before any timing (the server reads it from the JSON as part of its work).
keys = [(d["resourceType"], d["id"]) for d in map(json.loads, lines)]


def run_import():
    data = tempfile.mkdtemp(prefix="fj-import-")
    try:
        loaded, wall, cpu = timed_import(app, path, data)
        if loaded != len(lines):
            sys.exit(f"import loaded {loaded} of {len(lines)} resources")
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
spread = lambda rows, k: round(spread_pct([r[k] for r in rows]) or 0.0, 1)
result = {
    "date": datetime.date.today().isoformat(),
    "commit": (git("rev-parse", "--short", "HEAD") or "?") + (" (with uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else ""),
    "file": os.path.basename(path), "resources": len(lines), "bytes": os.path.getsize(path),
    "machine": machine() | {"load_start": round(load_start, 2), "load_end": round(os.getloadavg()[0], 2)},
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
    fh.write(f"`bench/import/run.sh`, {runs} runs taking turns with the raw insert; {result['machine']['nproc']} cores, "
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
