#!/usr/bin/env bash
# Exports the sample and opens the GeoPackage in real QGIS (PyQGIS, headless).
set -euo pipefail
bin=$1
data=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" -q run "$data/households.csv" "$data/boundaries.gpkg" -o "$work/kupang.gpkg" --db "$work/work.sqlite"
QT_QPA_PLATFORM=offscreen /usr/bin/python3 "$here/qgis_open.py" "$work/kupang.gpkg" "$work/map.png"
