#!/usr/bin/env bash
# Load throughput: regsosek-geo load against ogr2ogr -f SQLite -dsco SPATIALITE=YES on the
# same synthetic CSV, in the same run. Prints wall time, rows/s and peak memory for each,
# and the ratios. Usage: bench/load-bench.sh [ROWS (default 1000000)] [BUILD_DIR (default build)]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
build=${2:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)"; exit 1; }
"$build/bench/gen_households" sample-data/boundaries.gpkg "$rows" 42 > "$work/h.csv"
echo "input: $rows rows, $(du -h "$work/h.csv" | cut -f1)"

measure() { # name, command...: prints "name seconds peak_kb"
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >/dev/null 2>"$work/$name.err" || {
    cat "$work/$name.err"; exit 1; }
  echo "$name $(cat "$work/$name.time")"
}
r1=$(measure regsosek-geo "$build/regsosek-geo" -q load "$work/h.csv" --db "$work/rg.sqlite")
r2=$(measure ogr2ogr ogr2ogr -f SQLite -dsco SPATIALITE=YES "$work/ogr.sqlite" "$work/h.csv" \
  -oo X_POSSIBLE_NAMES=bujur -oo Y_POSSIBLE_NAMES=lintang -a_srs EPSG:4326 -nln households)
printf '%-14s %10s %12s %12s\n' tool seconds rows/s peak_MB
for r in "$r1" "$r2"; do
  set -- $r
  awk -v n="$1" -v t="$2" -v m="$3" -v rows="$rows" 'BEGIN { printf "%-14s %10.2f %12.0f %12.1f\n", n, t, rows / t, m / 1024 }'
done
set -- $r1; t1=$2; m1=$3
set -- $r2; t2=$2; m2=$3
awk -v a="$t1" -v b="$t2" -v ma="$m1" -v mb="$m2" \
  'BEGIN { printf "speed: regsosek-geo is %.2fx ogr2ogr (target 5x); peak memory %.0f%% of ogr2ogr (target < 200 MB)\n", b / a, 100 * ma / mb }'
