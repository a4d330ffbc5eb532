#!/usr/bin/env bash
# $summary benchmark (not a test): a seeded population, 32 connections (wrk), each request the summary care record of
# another patient, opened by the demo hospital doctor under emergency access (ETREAT with a reason: the policy runs
# in full, and every opening is written to the access log). The issue's target: p99 <= 50 ms at 10,000 patients.
#   PATIENTS=10000 DURATION=30s bench/summary/run.sh     (reuses WORK if it holds data)
# CALLER=system opens the summaries with the harness's system token instead (registry client, system/*.cruds: the
# policy's shortest path); WARMUP and RUNS set the warm-up and the number of measured runs (one RESULT line each).
#   CALLER=system WARMUP=20s RUNS=3 DURATION=10s WORK=/tmp/fj10k bench/summary/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PATIENTS="${PATIENTS:-10000}"
DURATION="${DURATION:-30s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
CALLER="${CALLER:-emergency}"
WARMUP="${WARMUP:-5s}"
RUNS="${RUNS:-1}"
WORK="${WORK:-$(mktemp -d)}"
command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null || { apt-get update -qq && apt-get install -y wrk >/dev/null; }; }
dotnet build src/Fellesjournal.Server -c Release --nologo -v q -clp:ErrorsOnly
APP="src/Fellesjournal.Server/bin/Release/net10.0/fellesjournal.dll"
[ -d "$WORK/pop" ] || dotnet "$APP" seed --patients "$PATIENTS" --out "$WORK/pop"
[ -d "$WORK/data" ] || dotnet "$APP" seed --patients "$PATIENTS" --into-store --data "$WORK/data"
python3 - "$WORK/pop" >"$WORK/ids.txt" <<'PY'
import json, os, sys
with open(os.path.join(sys.argv[1], "Patient.ndjson")) as f:
    for line in f:
        print(json.loads(line)["id"])
PY
echo "patients: $(wc -l <"$WORK/ids.txt")"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
URL="http://127.0.0.1:$PORT"
dotnet "$APP" serve --dev-identity --data "$WORK/data" --urls "$URL" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null; wait 2>/dev/null' EXIT
if [ "$CALLER" = system ]; then QUERY="persona=registry&scope=system/*.cruds"
else QUERY="persona=hospital-doctor&purpose=ETREAT&reason=Bevisstl%C3%B8s%20pasient"; fi
token() {
  curl -sf "$URL/dev/token?$QUERY" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
for _ in $(seq 1 300); do BENCH_TOKEN="$(token 2>/dev/null)" && break; sleep 0.2; done
export BENCH_TOKEN IDS="$WORK/ids.txt"
first="$(head -1 "$WORK/ids.txt")"
curl -sf -o "$WORK/sample.json" -H "Authorization: Bearer $BENCH_TOKEN" "$URL/fhir/Patient/$first/\$summary" ||
  { echo "summary failed"; cat "$WORK/server.log"; exit 1; }
echo "sample document: $(wc -c <"$WORK/sample.json") bytes"
# Warm-up (JIT, page cache), then the measured run.
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s bench/summary/summary.lua "$URL" >/dev/null
for _ in $(seq 1 "$RUNS"); do
  printf '%-10s ' '$summary'
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s -s bench/summary/summary.lua "$URL" | grep RESULT
done
# The same server, data and load: plain Patient reads, for comparison.
printf '%-10s ' 'read'
OP=read wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s -s bench/summary/summary.lua "$URL" | grep RESULT
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "data: $WORK"
