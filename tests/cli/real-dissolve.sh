#!/usr/bin/env bash
# The upper levels dissolved from the real desa of Maluku (../shared/data/real-desa beside the
# repository: borders digitised twice, gaps, overlaps, islands), against SpatiaLite's ST_Union
# of the same desa as the oracle: every kecamatan, kab/kota and provinsi is valid, covers the
# union of its desa, and adds to it no more than the slivers filled between them (under 1%);
# the symmetric difference is reported. Skipped (exit 77) when the file is not there: CI
# does not depend on it. Usage: real-dissolve.sh REGSOSEK_GEO SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
real=${REAL_DESA:-$src/../shared/data/real-desa/desa-35-81.gpkg}
[ -f "$real" ] || { echo "skipped: no real desa file at $real"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*"; exit 1; }

ogr2ogr -q maluku.gpkg "$real" -nln kelurahan -nlt MULTIPOLYGON \
  -sql "SELECT kode_desa AS kode_kel, nama_desa AS nama_kel, geom FROM desa WHERE kode_desa LIKE '81.%'" \
  || fail "extracting Maluku"
printf 'id,lat,lon\nM1,-3.6954,128.1814\n' > one.csv
"$bin" -q load one.csv --db m.sqlite || fail "load"
"$bin" -v join maluku.gpkg --db m.sqlite 2> join.log || { cat join.log; fail "join"; }
grep "gaps between their parts filled\|dissolved in" join.log
"$bin" -q classify --db m.sqlite && "$bin" -q export m.gpkg --db m.sqlite || fail "classify, export"

sqlite3 -batch -noheader m.gpkg > checks.txt <<SQL
.load mod_spatialite
ATTACH '$work/maluku.gpkg' AS b;
CREATE TEMP TABLE u AS SELECT 'kecamatan' AS level, substr(kode_kel, 1, 8) AS code, ST_Union(GeomFromGPB(geom)) AS g
  FROM b.kelurahan GROUP BY 2;
INSERT INTO u SELECT 'kabkota', substr(kode_kel, 1, 5), ST_Union(GeomFromGPB(geom)) FROM b.kelurahan GROUP BY 2;
INSERT INTO u SELECT 'provinsi', substr(kode_kel, 1, 2), ST_Union(GeomFromGPB(geom)) FROM b.kelurahan GROUP BY 2;
CREATE TEMP TABLE d AS SELECT 'kecamatan' AS level, code, GeomFromGPB(geom) AS g FROM kecamatan
  UNION ALL SELECT 'kabkota', code, GeomFromGPB(geom) FROM kabkota
  UNION ALL SELECT 'provinsi', code, GeomFromGPB(geom) FROM provinsi;
SELECT 'areas_missing_or_extra', (SELECT count(*) FROM u) != (SELECT count(*) FROM d)
  OR (SELECT count(*) FROM u LEFT JOIN d USING (level, code) WHERE d.g IS NULL) > 0;
SELECT 'dissolved_invalid', count(*) FROM d WHERE ST_IsValid(g) != 1;
SELECT 'desa_not_covered', count(*) FROM u JOIN d USING (level, code)
  WHERE ST_Area(ST_Difference(u.g, d.g)) > 1e-6 * ST_Area(u.g);
SELECT 'more_than_slivers_added', count(*) FROM u JOIN d USING (level, code)
  WHERE ST_Area(ST_Difference(d.g, u.g)) > 0.01 * ST_Area(u.g);
SELECT 'dissolved_households', count(*) FROM d;
SQL
cat checks.txt
sqlite3 -batch -noheader m.gpkg ".load mod_spatialite" "ATTACH '$work/maluku.gpkg' AS b" \
  "SELECT 'symmetric difference from ST_Union, share of the area: ' || printf('%.4f%%', 100 * sum(ST_Area(ST_SymDifference(GeomFromGPB(k.geom), x.u))) / sum(ST_Area(x.u)))
   FROM kecamatan k JOIN (SELECT substr(kode_kel, 1, 8) AS code, ST_Union(GeomFromGPB(geom)) AS u FROM b.kelurahan GROUP BY 1) x USING (code)"
status=0
while IFS='|' read -r name count; do
  case "$name" in
    *_households) [ "$count" -gt 0 ] || { echo "FAIL: $name = 0"; status=1; } ;;
    *) [ "$count" = 0 ] || { echo "FAIL: $name = $count"; status=1; } ;;
  esac
done < checks.txt
[ "$(wc -l < checks.txt)" = 5 ] || { echo "FAIL: the oracle printed $(wc -l < checks.txt) lines"; status=1; }
exit $status
