#!/usr/bin/env bash
# valgrind memcheck on an end-to-end run (load, join, classify, export, rank) of the
# first 3,000 sample households: no invalid read or write, no definite or indirect leak.
set -euo pipefail
bin=$1
data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -3001 "$data/households.csv" > "$work/h.csv"
vg() { valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 -q "$@"; }
vg "$bin" -q run "$work/h.csv" "$data/boundaries.gpkg" -o "$work/map.gpkg" --db "$work/w.sqlite"
vg "$bin" -q export "$work/map.geojson" --db "$work/w.sqlite"
vg "$bin" -q rank --kelurahan 5371030009 -o "$work/list.csv" --db "$work/w.sqlite"
echo "ok: valgrind memcheck clean on run, export and rank"
