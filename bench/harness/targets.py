#!/usr/bin/env python3
"""Prints the targets-vs-measured Markdown table of docs/performance.md from results JSON files.

  targets.py bench/results/<date>-sqlite-<N>.json [bench/results/<date>-postgres-<N>.json]
"""
import json, os, sys


def row(target, value, ok, source):
    mark = "–" if ok is None else ("met" if ok else "**not met**")
    return f"| {target} | {value} | {mark} | {source} |"


def main(files):
    docs = [json.load(open(f)) for f in files]
    print("| Target (from the issues) | Measured (median) | Status | Result file |")
    print("|---|---|---|---|")
    for d in docs:
        m, src = d["median"], f"`{os.path.basename(files[docs.index(d)])}` (load {d['load_start'][0]}→{d['load_end'][0]})"
        pg = d["store"] == "postgres"
        imp = m["import_rps"]
        print(row(f"{d['store']} import ≥ {5000 if pg else 10000:,} resources/s", f"{imp:,.0f}/s",
                  imp >= (5000 if pg else 10000), src))
        if not pg:
            print(row("create ≥ 2,000/s", f"{m['create']['rps']:,.0f}/s", m["create"]["rps"] >= 2000, src))
            print(row("read ≥ 10,000/s", f"{m['read']['rps']:,.0f}/s", m["read"]["rps"] >= 10000, src))
        mix = m["search_mix_rps"]
        print(row(f"{d['store']} search mix ≥ {1500 if pg else 2000:,}/s", f"{mix:,.0f}/s (equal weights)",
                  mix >= (1500 if pg else 2000), src))
        for c, w in m["search"].items():
            if w and w["p99_ms"] is None:
                print(row(f"search p99 ≤ 50 ms: {c}", "no request answered during the run", False, src))
            elif w:
                print(row(f"search p99 ≤ 50 ms: {c}", f"{w['p99_ms']:.1f} ms ({w['rps']:,.0f}/s)", w["p99_ms"] <= 50, src))
            else:
                print(row(f"search p99 ≤ 50 ms: {c}", "skipped", None, src))
        s = m["summary"]
        print(row("$summary p99 ≤ 50 ms", f"{s['p99_ms']:.1f} ms" if s else "not implemented yet",
                  (s["p99_ms"] <= 50) if s else None, src))


if __name__ == "__main__":
    main(sys.argv[1:])
