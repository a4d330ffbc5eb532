#!/usr/bin/env bash
# Runs the whole test suite and prints one closing line: "N passed, N failed, N skipped".
# Installs what the tests need on a fresh machine (npm definitions via the build; PostgreSQL with apt in CI).
set -uo pipefail
cd "$(dirname "$0")"
results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

# PostgreSQL server binaries for the PostgreSQL store tests: installed with apt in CI when missing. Without them
# (no apt, no network) those tests are reported as skipped, not failed.
if [ "${CI:-}" = "true" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo_cmd="sudo"
    { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq postgresql >/dev/null; } \
      || echo "test.sh: could not install PostgreSQL; its tests will be skipped" >&2
  else
    echo "test.sh: apt-get not available; PostgreSQL tests will be skipped" >&2
  fi
fi

dotnet build Fellesjournal.sln -c Release --nologo -v q -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }

status=0
for proj in tests/*/*.csproj; do
  name="$(basename "$proj" .csproj)"
  dotnet test "$proj" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" || status=1
done

# Count outcomes across all TRX files (dotnet test's own summary is per project).
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(echo "$counters" | grep -o 'passed="[0-9]*"' | grep -o '[0-9]*'); passed=$((passed + ${p:-0}))
  f=$(echo "$counters" | grep -o ' failed="[0-9]*"' | grep -o '[0-9]*'); failed=$((failed + ${f:-0}))
  n=$(echo "$counters" | grep -o 'notExecuted="[0-9]*"' | grep -o '[0-9]*'); skipped=$((skipped + ${n:-0}))
done
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then failed=1; status=1; fi
[ "$failed" -gt 0 ] && status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
