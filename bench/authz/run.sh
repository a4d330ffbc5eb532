#!/usr/bin/env bash
# Cost of the access policy and the access log on the search mix (not a test; docs/performance.md, "Policy and
# audit cost"). The mix is the search mix's URLs that name one patient (the only searches personnel may make), run
# with wrk (32 connections) RUNS times each by:
#   system  a system client with system/*.rs: token check, scopes, the patient's facts (locked sections), audit
#   gp      a GP naming the patient under ETREAT with a reason: the same facts read (relations, blocks, locks),
#           the policy's decision, an emergency-flagged audit record
#   open    the same commit built with -p:BenchOpen=true (FJ_BENCH_OPEN: no authentication, policy or audit; a
#           normal build has no such path) on its own copy of the same seeded store
#   oldopen optional: BASELINE_APP=path/to/fellesjournal.dll, an older build (the approach before FJ_BENCH_OPEN)
# Prints each caller's median and its loss against open.
# Usage: PATIENTS=100 DURATION=10s RUNS=3 [WARMUP=15s] [BASELINE_APP=...] bench/authz/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PATIENTS="${PATIENTS:-100}"
DURATION="${DURATION:-10s}"
RUNS="${RUNS:-3}"
# Unrecorded load before each caller's runs: on this VM a fresh server runs at half speed or less for its first
# 10-20 s (tiered compilation), which would otherwise decide the first run.
WARMUP="${WARMUP:-15s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
WORK="${WORK:-$(mktemp -d)}"
command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null || { apt-get update -qq && apt-get install -y wrk >/dev/null; }; }
dotnet build src/Fellesjournal.Server -c Release --nologo -v q -clp:ErrorsOnly
APP="src/Fellesjournal.Server/bin/Release/net10.0/fellesjournal.dll"
OPEN_APP="$WORK/open-app/fellesjournal.dll"
dotnet build src/Fellesjournal.Server -c Release --nologo -v q -clp:ErrorsOnly -p:BenchOpen=true -o "$WORK/open-app"
[ -d "$WORK/pop" ] || dotnet "$APP" seed --patients "$PATIENTS" --out "$WORK/pop" >/dev/null
[ -d "$WORK/data" ] || dotnet "$APP" seed --patients "$PATIENTS" --into-store --data "$WORK/data" >/dev/null
python3 bench/search/make_urls.py "$WORK/pop" "$WORK/urls" >/dev/null
grep -E 'patient=|subject=Patient/|Patient\?_id=|Patient\?identifier=' "$WORK/urls/mix.txt" > "$WORK/named.txt"
echo "named-patient mix: $(wc -l < "$WORK/named.txt") URLs; $(nproc) cores"

# Both servers run side by side (the idle one costs nothing) and the callers take turns, one run each per round:
# this VM has slow and fast phases that last tens of seconds, and callers measured one after another compared
# phases as much as builds (the open build's three runs once fell from 6,293 to 5,016/s while the others had run
# in a fast phase).
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null' EXIT
start() { # app data [args...]; sets PORT
  local app="$1" data="$2"; shift 2
  PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
  dotnet "$app" serve --data "$data" --urls "http://127.0.0.1:$PORT" "$@" >"$WORK/server-$PORT.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/fhir/metadata" && return 0; sleep 0.2; done
  echo "server did not start" >&2; exit 1
}
token() { curl -sf "http://127.0.0.1:$1/dev/token?$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'; }
RESULTS="$WORK/results.txt"; : > "$RESULTS"
load() { # label port token seconds
  BENCH_TOKEN="$3" URLS="$WORK/named.txt" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$4" -s bench/search/search.lua "http://127.0.0.1:$2"
}
run() { # label port token round
  printf '%-8s run %d  ' "$1" "$4"
  line="$(load "$1" "$2" "$3" "$DURATION" | grep RESULT | tr -d '\n')"
  printf '%s' "$line"
  echo "$1 $(echo "$line" | grep -oE 'rps=[0-9.]+' | cut -d= -f2)" >> "$RESULTS"
  echo "  load $(cut -d' ' -f1 /proc/loadavg)"
}

# The open build on a copy of the same store (same rows; copied before any request, so no cache is warmed).
rm -rf "$WORK/data-open"; cp -r "$WORK/data" "$WORK/data-open"
rm -f "$WORK/data-open/audit.db"*
start "$APP" "$WORK/data" --dev-identity; GUARDED="$PORT"
start "$OPEN_APP" "$WORK/data-open"; OPEN="$PORT"
SYSTEM="$(token "$GUARDED" 'persona=registry&scope=system/*.rs')"
GP="$(token "$GUARDED" 'persona=gp&purpose=ETREAT&reason=benchmark')"
AUDIT_BEFORE="$(stat -c %s "$WORK/data/audit.db" 2>/dev/null || echo 0)"
load system "$GUARDED" "$SYSTEM" "$WARMUP" >/dev/null
load gp "$GUARDED" "$GP" "$WARMUP" >/dev/null
load open "$OPEN" "" "$WARMUP" >/dev/null
for i in $(seq 1 "$RUNS"); do
  run system "$GUARDED" "$SYSTEM" "$i"
  run gp "$GUARDED" "$GP" "$i"
  run open "$OPEN" "" "$i"
done
echo "audit.db grew by $(( $(stat -c %s "$WORK/data/audit.db") - AUDIT_BEFORE )) bytes"

if [ -n "${BASELINE_APP:-}" ]; then
  [ -d "$WORK/data-oldopen" ] || dotnet "$BASELINE_APP" seed --patients "$PATIENTS" --into-store --data "$WORK/data-oldopen" >/dev/null
  start "$BASELINE_APP" "$WORK/data-oldopen"
  load oldopen "$PORT" "" "$WARMUP" >/dev/null
  for i in $(seq 1 "$RUNS"); do run oldopen "$PORT" "" "$i"; done
fi
python3 - "$RESULTS" <<'PY'
import sys, statistics
runs = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) == 2:
        try: runs.setdefault(parts[0], []).append(float(parts[1]))
        except ValueError: pass
med = {k: statistics.median(v) for k, v in runs.items()}
for k, v in med.items():
    loss = f"  loss vs open {100 * (1 - v / med['open']):.0f} %" if 'open' in med and k != 'open' else ''
    print(f"{k:8s} median {v:,.0f} req/s{loss}")
PY
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
