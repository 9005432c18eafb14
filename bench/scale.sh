#!/usr/bin/env bash
# The whole job at growing numbers of households on the same country-shaped boundaries, to
# see that its cost grows linearly in the households and its memory does not grow at all:
# for each count, `regsosek-geo run` from scratch (a fresh store) and again on the boundaries
# it prepared (load --replace, join, classify, export), each timed with its peak memory, and
# the disk the store, the GeoPackage and the CSV take. Prints a line per count and the cost
# per million households, from which a national run is projected.
#
# Usage: bench/scale.sh [BUILD_DIR (build)] [WORK_DIR] [COUNTS ("1000000 10000000 50000000")]
#   Each count's files are removed once measured (50M households need ~45 GB while they run).
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
build=$(cd "${1:-build}" && pwd)
counts=${3:-"1000000 10000000 50000000"}
. bench/lib.sh
bench_workdir "${2:-}"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: scripts/install-deps.sh --bench"; exit 1; }
rg=$build/regsosek-geo
[ -f boundaries.gpkg ] || "$build/bench/gen_country" boundaries.gpkg 84000 2022

timed() { # NAME command...: seconds and peak MB into NAME.time
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$name.time" "$@" >/dev/null 2>"$name.err" || { tail -5 "$name.err"; exit 1; }
}
sum() { awk '{ s += $1; m = $2 > m ? $2 : m } END { printf "%.1f %d\n", s, m / 1024 }' "$@"; }
mb() { du -m "$1" | cut -f1; }

: > scale.results
printf '%12s %12s %10s %12s %10s %10s %10s %10s\n' households "scratch s" "peak MB" "prepared s" "peak MB" \
  "CSV MB" "store MB" "gpkg MB"
for n in $counts; do
  [ -f "households-$n.csv" ] || "$build/bench/gen_households" boundaries.gpkg "$n" 42 > "households-$n.csv" 2>/dev/null
  rm -f store.sqlite map.gpkg
  timed "s$n" "$rg" -q run "households-$n.csv" boundaries.gpkg -o map.gpkg --db store.sqlite
  timed "p$n-load" "$rg" -q load "households-$n.csv" --db store.sqlite --replace
  timed "p$n-join" "$rg" -q join boundaries.gpkg --db store.sqlite
  timed "p$n-classify" "$rg" -q classify --db store.sqlite
  timed "p$n-export" "$rg" -q export map.gpkg --db store.sqlite --overwrite
  read -r scratch scratch_mb < <(sum "s$n.time")
  read -r prepared prepared_mb < <(sum "p$n-load.time" "p$n-join.time" "p$n-classify.time" "p$n-export.time")
  printf '%12d %12s %10s %12s %10s %10s %10s %10s\n' "$n" "$scratch" "$scratch_mb" "$prepared" "$prepared_mb" \
    "$(mb "households-$n.csv")" "$(mb store.sqlite)" "$(mb map.gpkg)" | tee -a scale.results
  rm -f "households-$n.csv" store.sqlite map.gpkg
done
awk '{ if ($1 > n) { n = $1; s = $2; p = $4; d = $7 + $8 } }
  END { printf "per million households at %d: %.1f s from scratch, %.1f s prepared; 85,036,166 households:" \
        " ~%.0f s from scratch, ~%.0f s prepared, ~%.0f GB of store and GeoPackage\n", n, s / n * 1e6, p / n * 1e6,
        s / n * 85036166, p / n * 85036166, d / n * 85036166 / 1024 }' scale.results
