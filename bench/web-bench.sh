#!/usr/bin/env bash
# `export DIR -f web` on HOUSEHOLDS (default 1,000,000) households over the real desa of Jawa
# Timur and Maluku (SHAPE=real, the default) or the generated country's 84,000 desa
# (SHAPE=country), timed beside a peer doing the same tiling by hand with GDAL's own tools on
# the same store: `export --public`, then `ogr2ogr -f MVT` for each level at the same zooms
# with the same fields (no per-area files, no search, no page: less than the site holds),
# RUNS times interleaved (default 3): median seconds, highest peak memory, the ratio. Then the
# site's size, its largest tile, and the first map drawn in headless Chromium, served by
# python3 -m http.server on 127.0.0.1.
# Usage: bench/web-bench.sh [HOUSEHOLDS] [BUILD_DIR (build)] [WORK_DIR] [RUNS]
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
if [ ! -f store.sqlite ] || [ "$(cat stored 2>/dev/null)" != "$(cat generated)" ]; then
  rm -f store.sqlite
  "$build/regsosek-geo" -q run households.csv boundaries.gpkg -o map.gpkg --db store.sqlite
  cp generated stored
fi
# The levels and zooms the site was written with, for the peer: "id tile_min tile_max".
levels() { python3 -c '
import json
for l in json.load(open("site/site.json"))["levels"]:
    print(l["id"], l["tile_min"], l["tile_max"])'; }
peer() {
  rm -rf peer && mkdir peer
  "$build/regsosek-geo" -q export peer/pub.gpkg --public --db store.sqlite --layers "$(cut -d" " -f1 levels.txt | paste -sd,)"
  while read -r id z0 z1; do
    ogr2ogr -f MVT "peer/$id" peer/pub.gpkg "$id" -select code,name,parent_code,poverty_rate,suppressed \
      -dsco FORMAT=DIRECTORY -dsco COMPRESS=NO -dsco MINZOOM="$z0" -dsco MAXZOOM="$z1"
  done < levels.txt
}
export -f peer
export build
rm -f rg.times peer.times
for _ in $(seq "$runs"); do
  /usr/bin/time -f "%e %M" -o rg.time "$build/regsosek-geo" -q export site -f web --overwrite --db store.sqlite
  cat rg.time >> rg.times
  levels > levels.txt
  /usr/bin/time -f "%e %M" -o peer.time bash -c peer
  cat peer.time >> peer.times
done
read -r rg_s rg_mb <<< "$(bench_median rg.times)"
read -r peer_s peer_mb <<< "$(bench_median peer.times)"
tiles=$(find site/tiles -name '*.pbf' | wc -l)
largest=$(find site/tiles -name '*.pbf' -printf '%s %p\n' | sort -n | tail -1)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory site "$port" > http.log 2>&1 &
server=$!
sleep 1
draws=$(node "$here/bench/web-first-draw.cjs" "http://127.0.0.1:$port/" 3 | tr '\n' ' ')
kill "$server"
echo "export -f web, $households households, $SHAPE desa ($(python3 -c 'import json; print(sum(l["areas"] for l in json.load(open("site/site.json"))["levels"]))') areas), median of $runs:"
echo "  regsosek-geo           $rg_s s  peak $rg_mb MB"
echo "  export --public + ogr2ogr -f MVT per level  $peer_s s  peak $peer_mb MB"
awk -v a="$rg_s" -v b="$peer_s" 'BEGIN { printf "  ratio                  %.2fx\n", b / a }'
echo "  site: $(du -sh site | cut -f1) in $(find site -type f | wc -l) files; tiles $(du -sh site/tiles | cut -f1) in $tiles, largest $largest bytes;"
echo "        data $(du -sh site/data | cut -f1), search.json $(du -h site/search.json | cut -f1), downloads $(du -sh site/unduh | cut -f1)"
echo "  peer's tiles: $(du -sh peer --exclude=pub.gpkg | cut -f1) in $(find peer -name '*.pbf' | wc -l)"
echo "  first map drawn in Chromium (ms, 3 fresh browsers): $draws"
