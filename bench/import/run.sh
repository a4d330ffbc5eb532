#!/usr/bin/env bash
# Import benchmark as issue 3 states it (not a test): `fellesjournal import` of one 100,000-resource NDJSON file
# into a fresh SQLite store, RUNS times, against the store's raw insert rate (the same lines into a plain table
# with Python's sqlite3, WAL, synchronous=FULL, 1,000-row transactions), the two taking turns.
# Writes bench/results/<date>-sqlite-import.{json,md}. See docs/performance.md, "Import".
#   RUNS=5 [RESOURCES=100000] [PATIENTS=800] [SEED=1] [APP=path/to/fellesjournal.dll] bench/import/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${RUNS:-5}"
RESOURCES="${RESOURCES:-100000}"
PATIENTS="${PATIENTS:-800}"   # about 104,000 resources: enough for 100,000 lines
SEED="${SEED:-1}"
CACHE="${BENCH_CACHE:-/tmp/fellesjournal-bench}"
if [ -z "${APP:-}" ]; then
  dotnet build src/Fellesjournal.Server -c Release --nologo -v q -clp:ErrorsOnly
  APP="src/Fellesjournal.Server/bin/Release/net10.0/fellesjournal.dll"
fi
POP="$CACHE/pop-$PATIENTS-seed$SEED"
FILE="$CACHE/import-$RESOURCES-seed$SEED.ndjson"
mkdir -p "$CACHE"
[ -d "$POP" ] || dotnet "$APP" seed --patients "$PATIENTS" --seed "$SEED" --out "$POP" >/dev/null
[ -f "$FILE" ] || python3 bench/import/make_file.py "$POP" "$RESOURCES" "$FILE"
python3 bench/import/measure.py "$APP" "$FILE" "$RUNS" bench/results
