#!/usr/bin/env bash
# Exports the sample, checks the GeoPackage with GDAL's validate_gpkg (the GeoPackage
# requirements), and opens it in real QGIS (PyQGIS, headless). The public export is
# validated too.
set -euo pipefail
bin=$1
data=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" -q run "$data/households.csv" "$data/boundaries.gpkg" -o "$work/kupang.gpkg" --db "$work/work.sqlite"
# A minimum count high enough that some kelurahan of the sample are suppressed.
"$bin" -q export "$work/public.gpkg" --public --min-count 150 --db "$work/work.sqlite"
for f in kupang public; do
  /usr/bin/python3 -m osgeo_utils.samples.validate_gpkg "$work/$f.gpkg" || { echo "FAIL: $f.gpkg is not a valid GeoPackage"; exit 1; }
done
QT_QPA_PLATFORM=offscreen /usr/bin/python3 "$here/qgis_open.py" "$work/kupang.gpkg" "$work/map.png" "$work/public.gpkg"
