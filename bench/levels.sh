#!/usr/bin/env bash
# The whole job with four levels (kelurahan, kecamatan, and kab/kota and provinsi dissolved
# from them, each with desil and programme counts) against the same job of the two-level
# version it replaced (BASELINE, built here from git), same files, same run. Each job is run
# RUNS times; the fastest is reported, from scratch and with the boundaries prepared.
#
# Usage: bench/levels.sh [HOUSEHOLDS (1000000)] [POLYGONS (84000)] [BUILD_DIR (build)] [WORK_DIR]
#   BASELINE=b193f84 RUNS=2
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
repo=$(pwd)
households=${1:-1000000}
polygons=${2:-84000}
build=$(cd "${3:-build}" && pwd)
baseline=${BASELINE:-b193f84}
runs=${RUNS:-2}
. bench/lib.sh
bench_workdir "${4:-}"
bench_data "$build" "$polygons" "$households"

# The baseline, built once per revision in the work folder.
if [ ! -x "baseline-$baseline/build/regsosek-geo" ]; then
  rm -rf "baseline-$baseline"
  git -C "$repo" archive --prefix="baseline-$baseline/" "$baseline" | tar -x
  cmake -S "baseline-$baseline" -B "baseline-$baseline/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "baseline-$baseline/build" -j"$(nproc)" --target regsosek-geo >/dev/null
fi

now() { date +%s.%N; }
# job NAME BIN: the fastest of RUNS whole jobs from scratch, and of RUNS on a store that
# holds the boundaries already (a new batch), into NAME.scratch / NAME.prepared.
job() {
  local name=$1 rg=$2 best_s=999999 best_p=999999 t0 t1 t2
  for ((i = 0; i < runs; i++)); do
    rm -f "$name.sqlite" "$name.gpkg"
    t0=$(now)
    "$rg" -q run households.csv boundaries.gpkg -o "$name.gpkg" --db "$name.sqlite" 2>/dev/null
    t1=$(now)
    "$rg" -q load households.csv --db "$name.sqlite" --replace 2>/dev/null
    "$rg" -q join boundaries.gpkg --db "$name.sqlite" 2>/dev/null
    "$rg" -q classify --db "$name.sqlite"
    "$rg" -q export "$name.gpkg" --db "$name.sqlite" --overwrite
    t2=$(now)
    best_s=$(awk -v a="$best_s" -v b="$t1" -v c="$t0" 'BEGIN { print (b - c < a ? b - c : a) }')
    best_p=$(awk -v a="$best_p" -v b="$t2" -v c="$t1" 'BEGIN { print (b - c < a ? b - c : a) }')
  done
  echo "$best_s" > "$name.scratch"
  echo "$best_p" > "$name.prepared"
}
job two "$work/baseline-$baseline/build/regsosek-geo"
job four "$build/regsosek-geo"

echo
echo "$households households, $polygons kelurahan, $(nproc) cores; the whole job, fastest of $runs, seconds"
printf '%-52s %12s %12s\n' version "from scratch" "prepared"
printf '%-52s %12.2f %12.2f\n' "two levels ($baseline)" "$(cat two.scratch)" "$(cat two.prepared)"
printf '%-52s %12.2f %12.2f\n' "four levels, desil and programmes ($(sqlite3 four.sqlite \
  'SELECT count(*) FROM kabkota') kab/kota, $(sqlite3 four.sqlite 'SELECT count(*) FROM provinsi') provinsi)" \
  "$(cat four.scratch)" "$(cat four.prepared)"
awk -v a="$(cat two.scratch)" -v b="$(cat four.scratch)" -v c="$(cat two.prepared)" -v d="$(cat four.prepared)" \
  'BEGIN { printf "four levels / two: %.2fx from scratch, %.2fx prepared (at most 1.30 is the target)\n", b / a, d / c }'
