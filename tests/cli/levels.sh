#!/usr/bin/env bash
# The coarser levels. A boundary file with its own kab/kota and provinsi layers: they are used
# as given (their names, their polygons), not dissolved, and still nest. A --public export:
# in every area of every level the desil and programme counts are either all shown, none of
# them small, or all hidden. An export cut to one kecamatan with --only.
set -euo pipefail
bin=$1
data=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$work"

# The sample's layers, and a kab/kota and a provinsi layer made by SpatiaLite, their own names.
cp "$data/boundaries.gpkg" levels.gpkg
ogr2ogr -update levels.gpkg "$data/boundaries.gpkg" -dialect SQLite -nln kabupaten_kota -nlt MULTIPOLYGON \
  -sql "SELECT '5371' AS kode_kab, 'KOTA KUPANG (layer)' AS nama_kab, ST_Union(geom) AS geom FROM kecamatan"
ogr2ogr -update levels.gpkg "$data/boundaries.gpkg" -dialect SQLite -nln provinsi -nlt MULTIPOLYGON \
  -sql "SELECT '53' AS kode_prov, 'NTT (layer)' AS nama_prov, ST_Buffer(ST_Union(geom), 0.01) AS geom FROM kecamatan"

"$bin" run "$data/households-2022.csv" levels.gpkg -o map.gpkg --db w.sqlite 2> run.log
grep -q "kabkota from layer 'kabupaten_kota', code 'kode_kab', name 'nama_kab'" run.log || fail "kab/kota layer not used"
grep -q "provinsi from layer 'provinsi', code 'kode_prov'" run.log || fail "provinsi layer not used"
if grep -q "dissolving kecamatan\|dissolving kabkota" run.log; then fail "a level given was dissolved"; fi
[ "$(sqlite3 w.sqlite "SELECT kabkota_dissolved || provinsi_dissolved FROM boundary_sets")" = 00 ] ||
  fail "boundary_sets says a given level was dissolved"
[ "$(sqlite3 map.gpkg "SELECT name || '|' || parent_name FROM kabkota")" = "KOTA KUPANG (layer)|NTT (layer)" ] ||
  fail "the layers' names are not the ones exported"
# The provinsi is drawn as the union of its kab/kota, so that the map nests: not the layer's
# polygon (buffered by 0.01 degree), whose code and name it keeps.
sqlite3 -batch -noheader map.gpkg > checks.txt <<SQL
.load mod_spatialite
ATTACH '$work/levels.gpkg' AS b;
SELECT 'provinsi_not_the_union_of_kabkota', count(*) FROM provinsi p, kabkota k
  WHERE ST_Area(ST_SymDifference(GeomFromGPB(p.geom), GeomFromGPB(k.geom))) > 1e-9 * ST_Area(GeomFromGPB(k.geom));
SELECT 'provinsi_is_the_layers', count(*) FROM provinsi p, b.provinsi q
  WHERE ST_Area(ST_SymDifference(GeomFromGPB(p.geom), GeomFromGPB(q.geom))) < 0.01 * ST_Area(GeomFromGPB(q.geom));
SELECT 'nesting_mismatches', (SELECT households FROM provinsi) != (SELECT sum(households) FROM kabkota)
  OR (SELECT households FROM kabkota) != (SELECT sum(households) FROM kecamatan)
  OR (SELECT households FROM kabkota) != (SELECT count(*) FROM households WHERE kecamatan_code IS NOT NULL);
SQL
"$bin" -q check map.gpkg --db w.sqlite > check.txt || { cat check.txt; fail "check"; }

# --public: the desil and programmes of an area go together.
"$bin" -q export public.gpkg --public --min-count 300 --db w.sqlite
for level in kelurahan kecamatan kabkota provinsi; do
  sqlite3 -batch -noheader public.gpkg >> checks.txt <<SQL
SELECT '${level}_desil_half_hidden', count(*) FROM $level WHERE
  (desil_1 IS NULL) + (desil_2 IS NULL) + (desil_3 IS NULL) + (desil_4 IS NULL) + (desil_5 IS NULL)
  + (desil_6 IS NULL) + (desil_7 IS NULL) + (desil_8 IS NULL) + (desil_9 IS NULL) + (desil_10 IS NULL)
  + (pkh IS NULL) + (sembako IS NULL) + (pbi_jk IS NULL) NOT IN (0, 13);
SELECT '${level}_small_desil_shown', count(*) FROM $level WHERE
  min(CASE WHEN desil_1 > 0 THEN desil_1 ELSE 1e9 END, CASE WHEN desil_2 > 0 THEN desil_2 ELSE 1e9 END,
      CASE WHEN desil_5 > 0 THEN desil_5 ELSE 1e9 END, CASE WHEN desil_10 > 0 THEN desil_10 ELSE 1e9 END,
      CASE WHEN pkh > 0 THEN pkh ELSE 1e9 END) < 300;
SELECT '${level}_hidden_class_with_desil_shown', count(*) FROM $level WHERE desil_1 IS NOT NULL
  AND (sangat_miskin IS NULL OR miskin IS NULL OR rentan_miskin IS NULL OR tidak_miskin IS NULL);
SQL
done
# --only: one kecamatan's map, named in either scheme, against the boundary file's own codes
# and the whole export; check knows the cut, and finds a household taken out of it.
"$bin" -q export alak.gpkg --only 5371010 --db w.sqlite
"$bin" -q export alak-kemendagri.gpkg --only 53.71.01 --db w.sqlite
sqlite3 -batch -noheader alak.gpkg >> checks.txt <<SQL
ATTACH '$work/levels.gpkg' AS b;
ATTACH '$work/map.gpkg' AS whole;
ATTACH '$work/alak-kemendagri.gpkg' AS k;
SELECT 'cut_kelurahan_mismatches', (SELECT count(*) FROM kelurahan) != (SELECT count(*) FROM b.kelurahan WHERE kode_kec = '5371010')
  OR (SELECT count(*) FROM kelurahan WHERE code NOT IN (SELECT kode_kel FROM b.kelurahan WHERE kode_kec = '5371010')) > 0;
SELECT 'cut_household_mismatches', (SELECT count(*) FROM households) != (SELECT count(*) FROM whole.households WHERE kecamatan_code = '5371010')
  OR (SELECT count(*) FROM households WHERE kecamatan_code != '5371010') > 0;
SELECT 'cut_parent_mismatches', (SELECT group_concat(code) FROM kecamatan) || '|' || (SELECT group_concat(code) FROM kabkota) || '|'
  || (SELECT group_concat(code) FROM provinsi) != '5371010|5371|53';
SELECT 'cut_schemes_differ', (SELECT count(*) FROM households) != (SELECT count(*) FROM k.households)
  OR (SELECT count(*) FROM kelurahan) != (SELECT count(*) FROM k.kelurahan);
SELECT 'cut_households', count(*) FROM households;
SQL
"$bin" -q check alak.gpkg --db w.sqlite > check-cut.txt || { cat check-cut.txt; fail "check of the cut"; }
grep -q "ok    the export holds every household of its cut once" check-cut.txt || fail "check did not see the cut"
ogrinfo -q alak.gpkg -sql "DELETE FROM households WHERE fid = (SELECT min(fid) FROM households)" >/dev/null
if "$bin" -q check alak.gpkg --db w.sqlite > /dev/null 2>&1; then fail "check missed a household taken out of the cut"; fi
"$bin" -q export nowhere.gpkg --only 9999 --db w.sqlite 2> only.err && fail "an unknown --only code was exported"
grep -q "no provinsi, kab/kota, kecamatan or kelurahan of the boundaries has that code" only.err || fail "--only 9999: $(cat only.err)"
[ ! -e nowhere.gpkg ] || fail "a refused export left a file"

sqlite3 -batch -noheader public.gpkg >> checks.txt <<SQL
SELECT 'desil_hidden_households', count(*) FROM kelurahan WHERE desil_1 IS NULL;
SELECT 'desil_shown_households', count(*) FROM kabkota WHERE desil_1 IS NOT NULL;
SQL
. "$here/oracle-verdict.sh" checks.txt 22
