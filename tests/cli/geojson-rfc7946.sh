#!/usr/bin/env bash
# Exports the sample as GeoJSON and GeoJSON Text Sequences, opens each file with ogrinfo
# and checks it against RFC 7946 with an independent checker.
set -euo pipefail
bin=$1
data=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$bin" -q run "$data/households.csv" "$data/boundaries.gpkg" -o map.geojson --db work.sqlite
"$bin" -q export points.geojsonl --layers households --db work.sqlite
"$bin" -q export points.geojsons --layers households --db work.sqlite
for f in map-households.geojson map-kelurahan.geojson map-kecamatan.geojson points.geojsonl points.geojsons; do
  ogrinfo -ro -al -so "$f" > "$f.info"
  grep -q "Feature Count: [1-9]" "$f.info" || { echo "FAIL: ogrinfo finds no features in $f"; exit 1; }
done
households=$(sqlite3 work.sqlite "SELECT count(*) FROM households")
grep -q "Feature Count: $households\$" map-households.geojson.info || { echo "FAIL: households count"; exit 1; }
/usr/bin/python3 "$here/check_rfc7946.py" map-households.geojson map-kelurahan.geojson map-kecamatan.geojson \
  points.geojsonl points.geojsons
