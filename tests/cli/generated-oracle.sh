#!/usr/bin/env bash
# The join on 2,000 generated polygons (Voronoi cells sharing their borders, densified,
# no kecamatan layer) and 20,000 points, 15% of them exactly on vertices, checked for
# every point against SpatiaLite SQL with the same oracle as the sample.
# Usage: generated-oracle.sh REGSOSEK_GEO GEN_BOUNDARIES
set -euo pipefail
bin=$1
gen=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$gen" boundaries.gpkg points.csv 2000 20000 7 0.002 2>/dev/null
"$bin" -q run points.csv boundaries.gpkg -o out.gpkg --db work.sqlite
sqlite3 -batch -noheader work.sqlite > checks.txt <<SQL
.load mod_spatialite
ATTACH 'out.gpkg' AS out;
ATTACH 'boundaries.gpkg' AS b;
.read $here/join-oracle.sql
SELECT 'points_lost', 20000 - (SELECT count(*) FROM out.households) - (SELECT count(*) FROM main.rejects);
SELECT 'kecamatan_not_dissolved', (SELECT count(*) FROM main.kecamatan WHERE dissolved = 1)
  != (SELECT count(DISTINCT substr(kode_kel, 1, 7)) FROM b.kelurahan);
SELECT 'within_households', count(*) FROM hh WHERE join_method = 'within';
SELECT 'boundary_households', count(*) FROM hh WHERE join_method = 'boundary';
SELECT 'nearest_households', count(*) FROM hh WHERE join_method = 'nearest';
SELECT 'unmatched_households', count(*) FROM hh WHERE join_method = 'unmatched';
SQL
. "$here/oracle-verdict.sh" checks.txt 14
