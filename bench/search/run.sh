#!/usr/bin/env bash
# Search benchmark (not a test): 10 query classes on a seeded store, 32 connections (wrk), each class alone for
# DURATION then the mix. Usage: PATIENTS=300 DURATION=10s bench/search/run.sh   (reuses WORK if it holds data)
set -euo pipefail
cd "$(dirname "$0")/../.."
PATIENTS="${PATIENTS:-300}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
WORK="${WORK:-$(mktemp -d)}"
command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null || { apt-get update -qq && apt-get install -y wrk >/dev/null; }; }
dotnet build src/Fellesjournal.Server -c Release --nologo -v q -clp:ErrorsOnly
APP="src/Fellesjournal.Server/bin/Release/net10.0/fellesjournal.dll"
[ -d "$WORK/pop" ] || dotnet "$APP" seed --patients "$PATIENTS" --out "$WORK/pop"
[ -d "$WORK/data" ] || dotnet "$APP" seed --patients "$PATIENTS" --into-store --data "$WORK/data"
python3 bench/search/make_urls.py "$WORK/pop" "$WORK/urls"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
dotnet "$APP" serve --data "$WORK/data" --urls "http://127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null; wait 2>/dev/null' EXIT
for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/fhir/metadata" && break; sleep 0.2; done
# Warm-up.
URLS="$WORK/urls/mix.txt" wrk -t"$THREADS" -c"$CONNECTIONS" -d3s -s bench/search/search.lua "http://127.0.0.1:$PORT" >/dev/null
for f in "$WORK"/urls/*.txt; do
  name="$(basename "$f" .txt)"
  [ "$name" = mix ] && continue
  printf '%-24s ' "$name"
  URLS="$f" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s bench/search/search.lua "http://127.0.0.1:$PORT" | grep RESULT
done
printf '%-24s ' "mix"
URLS="$WORK/urls/mix.txt" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s bench/search/search.lua "http://127.0.0.1:$PORT" | grep RESULT
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
