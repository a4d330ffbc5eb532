#!/usr/bin/env bash
# Single entry point of the benchmark harness (docs/performance.md):
#   bench/run.sh [--patients N] [--store sqlite|postgres] [--duration S] [--connections C] [--runs R] [--slices K]
#                [--seed S] [--threads T] [--mix FILE] [--out-dir DIR] [--no-build] [--app DLL]
# Builds Release once, seeds N patients (cached in $BENCH_CACHE, default /tmp/fellesjournal-bench), then
# bench/harness/bench.py runs import, server start-up, read, search mix, $summary and create with wrk against
# 127.0.0.1 and writes bench/results/<date>-<store>-<N>.json and .md. Exit 3 when wrk is unavailable.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=1
ARGS=()
for arg in "$@"; do
  if [ "$arg" = "--no-build" ]; then BUILD=0; else ARGS+=("$arg"); fi
done

if ! command -v wrk >/dev/null; then
  echo "Installing wrk (Debian package)..." >&2
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y wrk >/dev/null 2>&1; } || true
  fi
  command -v wrk >/dev/null || { echo "wrk is not installed and could not be installed; benchmark skipped." >&2; exit 3; }
fi
command -v python3 >/dev/null || { echo "python3 is required." >&2; exit 2; }

if [ "$BUILD" = 1 ]; then
  dotnet build src/Fellesjournal.Server -c Release --nologo -v q -clp:ErrorsOnly >&2
fi
exec python3 bench/harness/bench.py "${ARGS[@]}"
