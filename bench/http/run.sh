#!/usr/bin/env bash
# HTTP benchmark of the FHIR server on the SQLite store: single-resource create/s and read/s
# with 32 concurrent connections (wrk), RUNS runs each, medians written to
# bench/results/<date>-sqlite-http.md. Not a test: numbers depend on the machine.
#   RUNS=3 DURATION=15s CONNECTIONS=32 bench/http/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${RUNS:-3}"
DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
READ_IDS=1000
export BENCH_READ_IDS=$READ_IDS

if ! command -v wrk >/dev/null; then
  echo "Installing wrk (Debian package)..."
  apt-get install -y wrk >/dev/null || { apt-get update -qq && apt-get install -y wrk >/dev/null; }
fi

dotnet build src/Fellesjournal.Server -c Release --nologo -v q -clp:ErrorsOnly
APP="src/Fellesjournal.Server/bin/Release/net10.0/fellesjournal.dll"
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

start_server() {
  PORT="$(free_port)"
  rm -rf "$WORK/data"
  dotnet "$APP" serve --dev-identity --data "$WORK/data" --urls "http://127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  URL="http://127.0.0.1:$PORT"
  for _ in $(seq 1 300); do
    # Every /fhir request needs a token: a system token from the development issuer (wrk scripts read BENCH_TOKEN).
    BENCH_TOKEN="$(curl -sf "$URL/dev/token?persona=registry&scope=system/*.cruds" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])' 2>/dev/null)" || { sleep 0.2; continue; }
    export BENCH_TOKEN
    curl -sf -o /dev/null -X POST -H 'Content-Type: application/fhir+json' -H "Authorization: Bearer $BENCH_TOKEN" \
      -d '{"resourceType":"Patient","active":true}' "$URL/fhir/Patient" && return 0
    sleep 0.2
  done
  echo "server did not start"; cat "$WORK/server.log"; exit 1
}

stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; }

# Requests/sec and the count of non-2xx responses from wrk's output.
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
errors() { awk '/Non-2xx or 3xx responses/ {print $5}' "$1" | grep . || echo 0; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

preload() {
  # One transaction Bundle puts bench-0 .. bench-(N-1).
  python3 - "$READ_IDS" >"$WORK/preload.json" <<'PY'
import json, sys
n = int(sys.argv[1])
entries = [{"resource": {"resourceType": "Patient", "id": f"bench-{i}", "active": True,
                         "name": [{"family": f"Family{i}", "given": ["Kari"]}], "gender": "female", "birthDate": "1980-01-01"},
            "request": {"method": "PUT", "url": f"Patient/bench-{i}"}} for i in range(n)]
print(json.dumps({"resourceType": "Bundle", "type": "transaction", "entry": entries}))
PY
  curl -sf -o /dev/null -X POST -H 'Content-Type: application/fhir+json' -H "Authorization: Bearer $BENCH_TOKEN" --data-binary "@$WORK/preload.json" "$URL/fhir"
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
declare -a CREATE READ CREATE_ERR READ_ERR
for run in $(seq 1 "$RUNS"); do
  start_server
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s bench/http/create.lua "$URL/fhir/Patient" >"$WORK/create-$run.txt"
  preload
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s bench/http/read.lua "$URL" >"$WORK/read-$run.txt"
  stop_server
  CREATE+=("$(rps "$WORK/create-$run.txt")"); CREATE_ERR+=("$(errors "$WORK/create-$run.txt")")
  READ+=("$(rps "$WORK/read-$run.txt")"); READ_ERR+=("$(errors "$WORK/read-$run.txt")")
  echo "run $run: create ${CREATE[-1]}/s (non-2xx ${CREATE_ERR[-1]}), read ${READ[-1]}/s (non-2xx ${READ_ERR[-1]})"
done
CREATE_MED="$(printf '%s\n' "${CREATE[@]}" | median)"
READ_MED="$(printf '%s\n' "${READ[@]}" | median)"

OUT="bench/results/$(date -u +%Y-%m-%d)-sqlite-http.md"
{
  echo "# HTTP benchmark: FHIR server on SQLite ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  echo "Script: \`bench/http/run.sh\` (wrk, $THREADS threads, $CONNECTIONS connections, $DURATION per run, $RUNS runs, Release build)."
  echo
  echo "## Machine"
  echo
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) — nproc $(nproc)"
  echo "- Memory: $(free -h | awk '/Mem:/ {print $2}') total"
  echo "- OS: $(uname -sr); .NET $(dotnet --version); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo "- Disk for the data dir: $(df -h "$WORK" | awk 'NR==2 {print $1" ("$2")"}')"
  echo "- Load average (1/5/15 min) before: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg). The machine was shared with other builds and tests while measuring."
  echo
  echo "## Results"
  echo
  echo "| Run | create/s | create non-2xx | read/s | read non-2xx |"
  echo "|---|---|---|---|---|"
  for i in $(seq 0 $((RUNS - 1))); do
    echo "| $((i + 1)) | ${CREATE[$i]} | ${CREATE_ERR[$i]} | ${READ[$i]} | ${READ_ERR[$i]} |"
  done
  echo
  echo "**Median create: $CREATE_MED/s** (target ≥ 2,000/s). **Median read: $READ_MED/s** (target ≥ 10,000/s)."
  echo
  echo "Create: POST /fhir/Patient, small Patient, server-assigned id, validated, durable (SQLite WAL, synchronous=FULL), full representation returned."
  echo "Read: GET /fhir/Patient/{id} over $READ_IDS preloaded patients, random id per request."
} >"$OUT"
echo "Wrote $OUT"
cat "$OUT"
