#!/usr/bin/env bash
# Load throughput: regsosek-geo load against ogr2ogr -f SQLite -dsco SPATIALITE=YES on the
# same synthetic CSV, in the same run. Each tool runs RUNS times, interleaved, each time into
# a fresh database; the median time and the highest peak memory are reported, with the
# ratios. (One run each swung the ratio between 4x and 5x on a shared virtual machine.)
# Usage: bench/load-bench.sh [ROWS (default 1000000)] [BUILD_DIR (default build)] [RUNS (default 3)]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
build=${2:-build}
runs=${3:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)"; exit 1; }
"$build/bench/gen_households" sample-data/boundaries.gpkg "$rows" 42 > "$work/h.csv"
echo "input: $rows rows, $(du -h "$work/h.csv" | cut -f1); $runs runs of each tool, interleaved"

measure() { # name, command...: appends "seconds peak_kb" to $work/name.times
  local name=$1; shift
  rm -f "$work"/*.sqlite*
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >/dev/null 2>"$work/$name.err" || {
    cat "$work/$name.err"; exit 1; }
  cat "$work/$name.time" >> "$work/$name.times"
}
for _ in $(seq "$runs"); do
  measure regsosek-geo "$build/regsosek-geo" -q load "$work/h.csv" --db "$work/rg.sqlite"
  measure ogr2ogr ogr2ogr -f SQLite -dsco SPATIALITE=YES "$work/ogr.sqlite" "$work/h.csv" \
    -oo X_POSSIBLE_NAMES=bujur -oo Y_POSSIBLE_NAMES=lintang -a_srs EPSG:4326 -nln households
done
summary() { # name: "median_seconds max_peak_kb all_times"
  sort -n "$work/$1.times" | awk '{ t[NR] = $1; if ($2 > m) m = $2; all = all " " $1 }
    END { printf "%s %s%s\n", (NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2), m, all }'
}
printf '%-14s %10s %12s %12s   %s\n' tool median_s rows/s peak_MB "all runs, s"
for name in regsosek-geo ogr2ogr; do
  set -- $(summary $name)
  t=$1 m=$2; shift 2
  awk -v n="$name" -v t="$t" -v m="$m" -v rows="$rows" -v all="$*" \
    'BEGIN { printf "%-14s %10.2f %12.0f %12.1f   %s\n", n, t, rows / t, m / 1024, all }'
done
set -- $(summary regsosek-geo); t1=$1; m1=$2
set -- $(summary ogr2ogr); t2=$1; m2=$2
awk -v a="$t1" -v b="$t2" -v ma="$m1" -v mb="$m2" \
  'BEGIN { printf "speed: regsosek-geo is %.2fx ogr2ogr (target 5x); peak memory %.0f MB (target < 200 MB), %.0f%% of ogr2ogr\n", b / a, ma / 1024, 100 * ma / mb }'
