#!/usr/bin/env bash
# The forum packs of a kab/kota: HOUSEHOLDS households in POLYGONS kelurahan (generated, the
# desa of Indonesia's average size), run once, then `pack --all` timed (a PDF and a workbook
# per kelurahan). Target: 100,000 households in ~100 kelurahan under 30 s on 2 cores.
#
# Usage: bench/pack-bench.sh [HOUSEHOLDS (100000)] [POLYGONS (100)] [BUILD_DIR (build)] [WORK_DIR]
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
households=${1:-100000}
polygons=${2:-100}
build=$(cd "${3:-build}" && pwd)
. bench/lib.sh
bench_workdir "${4:-}"
bench_data "$build" "$polygons" "$households"
rg=$build/regsosek-geo
rm -rf packs pack.sqlite map.gpkg
"$rg" -q run households.csv boundaries.gpkg -o map.gpkg --db pack.sqlite
t0=$(date +%s.%N)
"$rg" -q pack --all -o packs --db pack.sqlite
t1=$(date +%s.%N)
files=$(ls packs | wc -l)
mb=$(du -sm packs | cut -f1)
pages=$(for f in packs/*.pdf; do pdfinfo "$f" | awk '/^Pages:/ { print $2 }'; done | awk '{ s += $1 } END { print s }')
awk -v a="$t0" -v b="$t1" -v f="$files" -v m="$mb" -v p="$pages" -v h="$households" -v k="$polygons" 'BEGIN {
  printf "pack --all: %d households in %d kelurahan: %d files (%d PDF pages, %d MB) in %.2f s on %s cores (target < 30 s)\n",
    h, k, f, p, m, b - a, "'"$(nproc)"'" }'
