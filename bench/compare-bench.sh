#!/usr/bin/env bash
# compare on two editions of HOUSEHOLDS (default 1,000,000) households on the real desa of
# Jawa Timur and Maluku (SHAPE=real, the default here; SHAPE=country for the generated
# country): the later edition made by bench/gen_editions.py (5 % moved, 4 % added, 3 % removed,
# 20 % re-desilled, every row in a new order), each run through the tool with its given desil
# and exported; then `regsosek-geo compare` timed beside a GeoPandas peer doing the same job
# (bench/peers/compare_geopandas.py) on the same two exports, RUNS times interleaved (default
# 3): the median seconds and the highest peak memory of each, and the ratio.
# Usage: bench/compare-bench.sh [HOUSEHOLDS] [BUILD_DIR (build)] [WORK_DIR] [RUNS]
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
households=${1:-1000000}
build=$(cd "${2:-build}" && pwd)
runs=${4:-3}
here=$(pwd)
export SHAPE=${SHAPE:-real}
. bench/lib.sh
bench_workdir "${3:-}"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: scripts/install-deps.sh --bench"; exit 1; }
bench_data "$build" 84000 "$households"
if [ ! -f e2.gpkg ] || [ "$(cat editions 2>/dev/null)" != "$(cat generated)" ]; then
  python3 "$here/bench/gen_editions.py" households.csv e1.csv e2.csv truth.csv --seed 2025
  printf '[classify]\nmethod = given_desil\n' > dtsen.ini
  rm -f e1.gpkg e2.gpkg s1.sqlite s2.sqlite
  for e in 1 2; do
    /usr/bin/time -f "%e %M" -o run$e.time "$build/regsosek-geo" -q run e$e.csv boundaries.gpkg -o e$e.gpkg \
      --db s$e.sqlite --rules dtsen.ini --edition 2025-Q$e
    echo "edition $e: $(wc -l < e$e.csv) rows, run in $(cut -d' ' -f1 run$e.time) s"
  done
  cp generated editions
fi
rm -f rg.times gp.times
for _ in $(seq "$runs"); do
  rm -f change.gpkg peer.gpkg
  /usr/bin/time -f "%e %M" -o rg.time "$build/regsosek-geo" -q compare e1.gpkg e2.gpkg -o change.gpkg
  cat rg.time >> rg.times
  /usr/bin/time -f "%e %M" -o gp.time /usr/bin/python3 "$here/bench/peers/compare_geopandas.py" e1.gpkg e2.gpkg peer.gpkg
  cat gp.time >> gp.times
done
read -r rg_s rg_mb <<< "$(bench_median rg.times)"
read -r gp_s gp_mb <<< "$(bench_median gp.times)"
# The two agree on what they both count: each kelurahan's households, new, gone and pkh net
# (as numbers: the peer writes its counts as reals).
agree() { sqlite3 "$1" "SELECT code, CAST(households_old AS INTEGER), CAST(households_new AS INTEGER),
  CAST(added AS INTEGER), CAST(gone AS INTEGER), CAST(pkh_net AS INTEGER) FROM kelurahan_change
  WHERE households_old + households_new > 0 ORDER BY code"; }
diff <(agree change.gpkg) <(agree peer.gpkg) > /dev/null || echo "WARNING: the peer counts differently"
echo "compare, $households households per edition, $SHAPE desa, median of $runs:"
echo "  regsosek-geo  $rg_s s  peak $rg_mb MB  ($(sqlite3 change.gpkg 'SELECT count(*) FROM household_changes') changed households written)"
echo "  GeoPandas     $gp_s s  peak $gp_mb MB"
awk -v a="$rg_s" -v b="$gp_s" 'BEGIN { printf "  ratio         %.1fx faster\n", b / a }'
