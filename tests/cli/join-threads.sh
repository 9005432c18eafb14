#!/usr/bin/env bash
# The join gives the same answer for every household whatever the number of threads, and
# survives many runs with more threads than cores (a race in shared GEOS structures shows
# up as a crash or a difference here).
set -euo pipefail
bin=$1
data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$bin" -q load "$data/households.csv" --db j.sqlite
answer() {
  sqlite3 j.sqlite "SELECT household_id, kelurahan_code, kecamatan_code, join_method, round(join_distance_m, 6),
                           join_flags, code_mismatch, kecamatan_polygon_code FROM households ORDER BY household_id" | sha256sum
}
"$bin" -q join "$data/boundaries.gpkg" --db j.sqlite --threads 1
one=$(answer)
for i in $(seq 1 12); do
  "$bin" -q join "$data/boundaries.gpkg" --db j.sqlite --threads 8
  [ "$(answer)" = "$one" ] || { echo "FAIL: run $i with 8 threads differs from 1 thread"; exit 1; }
done
echo "ok: 12 joins with 8 threads agree with 1 thread on every household"
