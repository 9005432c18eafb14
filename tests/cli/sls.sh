#!/usr/bin/env bash
# A boundary file that is BPS's wilkerstat SLS map and nothing else (issue #28): one layer named
# for its edition, sub-SLS with kdprov .. kdsubsls, idsls, idsubsls and nm* fields, in no
# order, neighbours digitised apart (overlapping by 1 m across some borders, 6 m along others,
# 4 m gaps along others). Made here from the sample's kelurahan cut by a 0.01-degree grid.
# The run takes the desa as the dissolve of their SLS, named from nmdesa .. nmprov, and
# places every household it did on the desa layer, and in the SLS its point lies in, checked
# against SpatiaLite on the SLS polygons themselves. The same map as a Shapefile whose codes became numbers (leading
# zeros lost) gives the same desa.
set -euo pipefail
bin=$1
data=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$work"

"$here/make_sls_map.sh" "$data" sls.gpkg
sls_count=$(ogrinfo -q sls.gpkg -sql "SELECT count(*) AS n FROM PETA_SLS_5371_202501" | awk '/n \(Integer\)/ { print $4 }')
[ "$sls_count" -gt 300 ] || fail "the SLS map has $sls_count features"

"$bin" -v run "$data/households.csv" sls.gpkg -o sls-map.gpkg --db sls.sqlite 2> run.log ||
  { tail -5 run.log; fail "run on the SLS map"; }
grep -q "SLS from layer 'PETA_SLS_5371_202501'" run.log || fail "the SLS layer not announced: $(grep SLS run.log)"
grep -q "51 kelurahan dissolved from $sls_count SLS" run.log || fail "desa not dissolved from the SLS"
"$bin" -q run "$data/households.csv" "$data/boundaries.gpkg" -o desa-map.gpkg --db desa.sqlite
"$bin" -q check sls-map.gpkg --db sls.sqlite > check.txt || { grep FAIL check.txt; fail "check"; }

sqlite3 -batch -noheader sls.sqlite > checks.txt <<SQL
.load mod_spatialite
ATTACH '$work/sls.gpkg' AS s;
ATTACH '$work/desa.sqlite' AS d;
ATTACH '$data/boundaries.gpkg' AS b;
ATTACH '$work/sls-map.gpkg' AS sm;
-- Every desa of the file, named and nested as its SLS say.
SELECT 'desa_names_differ', count(*) FROM b.kelurahan k LEFT JOIN main.kelurahan m ON m.code = k.kode_kel
  WHERE m.name IS NOT k.nama_kel OR m.parent_code IS NOT k.kode_kec;
SELECT 'kecamatan_names_differ', count(*) FROM b.kecamatan k LEFT JOIN main.kecamatan m ON m.code = k.kode_kec
  WHERE m.name IS NOT k.nama_kec;
SELECT 'upper_names_differ', (SELECT group_concat(code || ' ' || name) FROM kabkota) || '|'
  || (SELECT group_concat(code || ' ' || name) FROM provinsi) != '5371 Kota Kupang|53 Nusa Tenggara Timur';
-- Each desa is the union of its SLS (SpatiaLite's), with at most its gaps filled: nothing of
-- the union is missing, and what it adds is under 1% of it.
CREATE TEMP TABLE u AS SELECT kdprov || kdkab || kdkec || kddesa AS code, ST_Union(GeomFromGPB(geom)) AS g
  FROM s.PETA_SLS_5371_202501 GROUP BY 1;
SELECT 'desa_missing_part_of_its_sls', count(*) FROM u JOIN main.kelurahan m USING (code)
  WHERE ST_Area(ST_Difference(u.g, m.geom)) > 1e-6 * ST_Area(u.g);
SELECT 'desa_beyond_its_sls', count(*) FROM u JOIN main.kelurahan m USING (code)
  WHERE ST_Area(ST_Difference(m.geom, u.g)) > 0.01 * ST_Area(u.g);
-- Every household in an SLS is in that SLS's desa; in SLS of two desa, the smaller code, the
-- join's rule for overlapping desa.
CREATE TEMP TABLE inside AS SELECT h.household_id, min(p.kdprov || p.kdkab || p.kdkec || p.kddesa) AS code
  FROM main.households h JOIN s.PETA_SLS_5371_202501 p
    ON p.fid IN (SELECT id FROM s.rtree_PETA_SLS_5371_202501_geom r WHERE r.minx <= h.lon AND r.maxx >= h.lon
                 AND r.miny <= h.lat AND r.maxy >= h.lat)
   AND ST_Covers(GeomFromGPB(p.geom), MakePoint(h.lon, h.lat, 4326))
  WHERE h.join_method IN ('within', 'boundary') GROUP BY 1;
SELECT 'in_sls_households', count(*) FROM inside;
SELECT 'in_sls_other_desa', count(*) FROM inside i JOIN main.households h USING (household_id) WHERE h.kelurahan_code IS NOT i.code;
SELECT 'located_in_no_sls_nor_filled_gap', count(*) FROM main.households h
  WHERE h.join_method = 'within' AND h.household_id NOT IN (SELECT household_id FROM inside)
  AND NOT EXISTS (SELECT 1 FROM u WHERE u.code = h.kelurahan_code
                  AND ST_Distance(u.g, MakePoint(h.lon, h.lat, 4326)) < 0.0001);
-- Against the desa layer the SLS were cut from: the same desa for all but households within
-- metres of a border the SLS moved (1 in 100 at most: 0.5% here), and the same households placed.
SELECT 'same_desa_households', count(*) FROM main.households a JOIN d.households b USING (household_id)
  WHERE a.kelurahan_code IS b.kelurahan_code;
SELECT 'desa_differs_for_over_1_percent', count(*) > (SELECT count(*) FROM main.households) / 100
  FROM main.households a JOIN d.households b USING (household_id) WHERE a.kelurahan_code IS NOT b.kelurahan_code;
SELECT 'households_lost', (SELECT count(*) FROM main.households) - (SELECT count(*) FROM d.households);
-- Each SLS is kept, and each household with a point is given the SLS it lies in: in SLS that
-- overlap, the smallest code (so the SLS of the desa the household is in).
SELECT 'sls_not_kept', (SELECT count(*) FROM s.PETA_SLS_5371_202501)
  - (SELECT count(*) FROM main.sls m JOIN s.PETA_SLS_5371_202501 p ON p.idsubsls = m.code
     AND m.parent_code = p.kdprov || p.kdkab || p.kdkec || p.kddesa AND m.name = p.nmsls);
CREATE TEMP TABLE in_sls AS SELECT h.household_id, min(p.idsubsls) AS code
  FROM main.households h JOIN s.PETA_SLS_5371_202501 p
    ON p.fid IN (SELECT id FROM s.rtree_PETA_SLS_5371_202501_geom r WHERE r.minx <= h.lon AND r.maxx >= h.lon
                 AND r.miny <= h.lat AND r.maxy >= h.lat)
   AND ST_Covers(GeomFromGPB(p.geom), MakePoint(h.lon, h.lat, 4326))
  WHERE h.join_method IN ('within', 'boundary') GROUP BY 1;
SELECT 'in_sls_households', count(*) FROM in_sls i JOIN main.households h USING (household_id) WHERE h.sls_code = i.code;
SELECT 'sls_differs_from_spatialite', count(*) FROM in_sls i JOIN main.households h USING (household_id)
  WHERE h.sls_code IS NOT i.code;
SELECT 'sls_of_another_desa', count(*) FROM main.households h JOIN main.sls m ON m.code = h.sls_code
  WHERE m.parent_code IS NOT h.kelurahan_code;
SELECT 'located_without_sls', count(*) FROM main.households WHERE geom IS NOT NULL AND sls_code IS NULL
  AND join_method = 'within' AND household_id IN (SELECT household_id FROM in_sls);
SELECT 'exported_sls_differs', count(*) FROM main.households h JOIN sm.households e USING (household_id)
  WHERE e.sls_code IS NOT h.sls_code;
SQL

# Forum groups: each desa's SLS in forums of at most 12, as many as needed, every SLS once, the
# families counted as the store has them, connected where SpatiaLite says they are, the same
# from the same store.
"$bin" forums -o groups.csv --db sls.sqlite 2> forums.log || { cat forums.log; fail "forums"; }
"$bin" -q forums -o groups-again.csv --db sls.sqlite
cmp -s groups.csv groups-again.csv || fail "the forums differ from one run to the next"
scattered=$(sed -n 's/.*warning: \([0-9]*\) forums hold SLS that do not all border.*/\1/p' forums.log)
sqlite3 -batch -noheader sls.sqlite >> checks.txt <<SQL
.load mod_spatialite
.import --csv '$work/groups.csv' g
ATTACH '$work/sls.gpkg' AS s;
SELECT 'forum_sls_households', count(*) FROM g;
SELECT 'sls_not_once_in_a_forum', (SELECT count(DISTINCT substr(idsubsls, 1, 14)) FROM s.PETA_SLS_5371_202501)
  - (SELECT count(*) FROM g WHERE idsls IN (SELECT substr(idsubsls, 1, 14) FROM s.PETA_SLS_5371_202501))
  + (SELECT count(*) - count(DISTINCT idsls) FROM g);
SELECT 'forums_over_12_sls', count(*) FROM (SELECT forum FROM g GROUP BY forum HAVING count(*) > 12);
SELECT 'forums_across_desa', count(*) FROM g WHERE substr(idsls, 1, 10) != kode_desa OR forum NOT LIKE kode_desa || '-%';
SELECT 'forums_not_as_few_as_can_be', count(*) FROM (SELECT kode_desa, count(*) AS n, count(DISTINCT forum) AS f
  FROM g GROUP BY 1) WHERE f != (n + 11) / 12;
SELECT 'forum_families_differ', count(*) FROM g WHERE CAST(keluarga AS INTEGER)
  != (SELECT count(*) FROM households h WHERE substr(h.sls_code, 1, 14) = g.idsls);
SELECT 'desa_with_several_forums_households', count(*) FROM (SELECT kode_desa FROM g GROUP BY 1 HAVING count(DISTINCT forum) > 1);
-- A forum is connected when each of its SLS is reached from its first through SLS within 0.0001
-- degree of one another (an SLS of two parts is one SLS).
CREATE TEMP TABLE u AS SELECT g.forum, g.idsls, ST_Union(GeomFromGPB(p.geom)) AS geom
  FROM g JOIN s.PETA_SLS_5371_202501 p ON substr(p.idsubsls, 1, 14) = g.idsls GROUP BY g.idsls;
CREATE TEMP TABLE adj AS SELECT a.idsls AS x, b.idsls AS y FROM u a JOIN u b ON a.forum = b.forum
  AND a.idsls != b.idsls AND ST_Distance(a.geom, b.geom) < 0.0001;
CREATE TEMP TABLE reach AS WITH RECURSIVE r(forum, idsls) AS (SELECT forum, min(idsls) FROM u GROUP BY forum
  UNION SELECT r.forum, adj.y FROM r JOIN adj ON adj.x = r.idsls) SELECT * FROM r;
SELECT 'scattered_forums_differ', (SELECT count(*) FROM (SELECT forum, count(*) AS n FROM u GROUP BY 1) f
  WHERE n != (SELECT count(*) FROM reach WHERE reach.forum = f.forum)) != ${scattered:-0};
SQL

# A pack per forum: each forum's families and no other, SLS by SLS; the sheet names the forum
# and its SLS; a forum's workbook returned unchanged changes nothing.
"$bin" -q pack --forums --all -o fkp --db sls.sqlite
[ "$(ls fkp/*.xlsx | wc -l)" = "$(cut -d, -f2 groups.csv | sed 1d | sort -u | wc -l)" ] || fail "not a pack per forum"
echo "forum,household_id" > listed.csv
for f in fkp/*.xlsx; do
  forum=$(basename "$f" | cut -d- -f1,2)
  ogr2ogr -f CSV /vsistdout/ "$f" "Daftar keluarga" -oo HEADERS=FORCE 2>/dev/null |
    awk -F, -v f="$forum" 'NR > 1 { print f "," $2 }' >> listed.csv
done
sqlite3 -batch -noheader sls.sqlite >> checks.txt <<SQL
.import --csv '$work/listed.csv' listed
.import --csv '$work/groups.csv' gg
SELECT 'forum_pack_households', count(*) FROM listed;
SELECT 'forum_pack_lists_differ', (SELECT count(*) FROM (SELECT forum, household_id FROM listed EXCEPT
    SELECT g.forum, h.household_id FROM households h JOIN gg g ON g.idsls = substr(h.sls_code, 1, 14)))
  + (SELECT count(*) FROM (SELECT g.forum, h.household_id FROM households h JOIN gg g ON g.idsls = substr(h.sls_code, 1, 14)
    EXCEPT SELECT forum, household_id FROM listed));
SQL
one=$(ls fkp/*.pdf | head -1)
forum=$(basename "$one" | cut -d- -f1,2)
pdftotext "$one" - | grep -q "FORUM $forum" || fail "$one does not name its forum"
first_sls=$(sqlite3 sls.sqlite "SELECT h.sls_name FROM households h JOIN forum_groups g ON g.idsls = substr(h.sls_code, 1, 14)
  WHERE g.forum = '$forum' ORDER BY g.position LIMIT 1")
pdftotext "$one" - | grep -q "SLS $first_sls" || fail "$one does not open its first SLS ($first_sls)"
"$bin" amend "${one%.pdf}.xlsx" --db sls.sqlite 2> amend.log || fail "amend of a forum's pack: $(cat amend.log)"
grep -q ": 0 decisions applied" amend.log || fail "an unchanged forum pack changed something: $(cat amend.log)"

# The office's own grouping given back: unchanged, the same file; one SLS moved to another forum
# of its desa, kept; and refused, naming the file and line, with the store's grouping left as it
# was, when an SLS is missing, twice, unknown, or a forum is too large or spans two desa.
"$bin" -q forums --groups groups.csv -o given.csv --db sls.sqlite
cmp -s groups.csv given.csv || fail "the grouping given back unchanged came out changed"
moved=$(awk -F, 'NR > 1 && $2 ~ /-2$/ { print $1; exit }' groups.csv)
target="${moved:0:10}-baru"
awk -F, -v OFS=, -v s="$moved" -v t="$target" '$1 == s { $2 = t } { print }' groups.csv > edited.csv
"$bin" -q forums --groups edited.csv -o kept.csv --db sls.sqlite
[ "$(sqlite3 sls.sqlite "SELECT forum || ' ' || source FROM forum_groups WHERE idsls = '$moved'")" = "$target $work/edited.csv" ] ||
  [ "$(sqlite3 sls.sqlite "SELECT forum || ' ' || source FROM forum_groups WHERE idsls = '$moved'")" = "$target edited.csv" ] ||
  fail "the SLS moved by the office is not where it put it"
grep -q "^$moved,$target," kept.csv || fail "the CSV does not show the SLS moved"
before=$(sqlite3 sls.sqlite "SELECT group_concat(idsls || forum) FROM forum_groups")
refuse() { # FILE EXPECTED-MESSAGE
  if "$bin" -q forums --groups "$1" -o refused.csv --db sls.sqlite 2> refused.err; then fail "$1 was taken"; fi
  grep -q "$2" refused.err || fail "$1: unclear: $(cat refused.err)"
  [ ! -e refused.csv ] || fail "$1: a refused grouping wrote its CSV"
  [ "$(sqlite3 sls.sqlite "SELECT group_concat(idsls || forum) FROM forum_groups")" = "$before" ] ||
    fail "$1: a refused grouping changed the store's"
}
sed '3d' groups.csv > missing.csv
refuse missing.csv "missing.csv: 1 SLS of the map are in no forum (the first: $(sed -n '3p' groups.csv | cut -d, -f1))"
{ cat groups.csv; sed -n '2p' groups.csv; } > twice.csv
refuse twice.csv "twice.csv: line $(wc -l < twice.csv): column 'idsls': SLS $(sed -n '2p' groups.csv | cut -d, -f1) is in the file twice"
sed '2s/^[0-9]*/53710100019999/' groups.csv > unknown.csv
refuse unknown.csv "unknown.csv: line 2: column 'idsls': SLS 53710100019999 is not in the SLS map joined"
desa=$(awk -F, 'NR > 1 { n[$3]++ } END { for (d in n) if (n[d] > 12) print d }' groups.csv | sort | head -1)
awk -F, -v OFS=, -v d="$desa" '$3 == d { $2 = d "-1" } { print }' groups.csv > large.csv
refuse large.csv "large.csv: 1 forums hold more than 12 SLS (the first: $desa-1)"
last=$(($(wc -l < groups.csv)))
awk -F, -v OFS=, -v last="$last" 'NR == 2 || NR == last { $2 = "LINTAS" } { print }' groups.csv > across.csv
refuse across.csv "across.csv: 1 forums hold SLS of more than one desa (the first: LINTAS)"

# A second join on the boundaries the store prepared gives every household the same SLS.
sqlite3 sls.sqlite "SELECT household_id, sls_code FROM households ORDER BY hh" > first.txt
"$bin" -v join sls.gpkg --db sls.sqlite 2> again.log
grep -q "reusing the boundaries" again.log || fail "the second join did not reuse the prepared boundaries"
sqlite3 sls.sqlite "SELECT household_id, sls_code FROM households ORDER BY hh" | cmp -s - first.txt ||
  fail "the SLS changed on the prepared boundaries"

# Households without a point, placed by Blok I's r101 .. r105 (numbers, zeros lost): in the SLS
# the code names, when the map has it; in their desa alone when it does not.
cp sls.sqlite code.sqlite
sls=$(sqlite3 code.sqlite "SELECT code FROM sls WHERE parent_code = '5371010001' ORDER BY code LIMIT 1")
printf 'id_keluarga,lintang,bujur,r101,r102,r103,r104,r105\nBLOK-1,,,53,71,10,1,%d\nBLOK-2,,,53,71,10,1,9999\n' \
  "$((10#${sls:10:4}))" > blok.csv
"$bin" -q load blok.csv --append --db code.sqlite
"$bin" -q join sls.gpkg --db code.sqlite 2> /dev/null
"$bin" -q classify --db code.sqlite
[ "$(sqlite3 code.sqlite "SELECT group_concat(household_id || ' ' || join_method || ' ' || kelurahan_code || ' '
      || coalesce(sls_code, '-'), '; ') FROM households WHERE household_id LIKE 'BLOK-%'")" = \
  "BLOK-1 code 5371010001 $sls; BLOK-2 code 5371010001 -" ] ||
  fail "placed by code: $(sqlite3 code.sqlite "SELECT * FROM households WHERE household_id LIKE 'BLOK-%'")"

# check sees a household put in an SLS of another desa.
sqlite3 code.sqlite "UPDATE household_areas SET sls_code = (SELECT code FROM sls WHERE parent_code <> '5371010001'
  LIMIT 1) WHERE hh = (SELECT hh FROM households WHERE kelurahan_code = '5371010001' LIMIT 1)"
if "$bin" check --db code.sqlite > tampered.txt 2>&1; then fail "check missed an SLS of another desa"; fi
grep -q "FAIL.*a household's SLS is one of the SLS map's, in the household's desa" tampered.txt ||
  fail "check: $(grep FAIL tampered.txt)"

# The same map as a Shapefile, as a regional office may send it: the codes numbers, no idsls.
ogr2ogr -f "ESRI Shapefile" shp sls.gpkg -nln peta_sls -dialect SQLite -sql "SELECT CAST(kdprov AS INTEGER) AS kdprov,
  CAST(kdkab AS INTEGER) AS kdkab, CAST(kdkec AS INTEGER) AS kdkec, CAST(kddesa AS INTEGER) AS kddesa,
  CAST(kdsls AS INTEGER) AS kdsls, nmdesa, nmkec, nmkab, nmprov, geom FROM PETA_SLS_5371_202501"
ogrinfo -so shp/peta_sls.shp peta_sls | grep -q "kdkec: Integer" || fail "the Shapefile kept its codes as text"
"$bin" -q join shp/peta_sls.shp --db sls.sqlite 2> shp.log || { cat shp.log; fail "join on the Shapefile"; }
sqlite3 -batch -noheader sls.sqlite >> checks.txt <<SQL
ATTACH '$data/boundaries.gpkg' AS b;
SELECT 'shapefile_desa_codes_differ', count(*) FROM b.kelurahan k LEFT JOIN main.kelurahan m ON m.code = k.kode_kel
  WHERE m.code IS NULL OR m.parent_code IS NOT k.kode_kec;
SELECT 'shapefile_desa_households', count(*) FROM households WHERE kelurahan_code LIKE '53710%';
SQL

# The SLS map beside the desa layer it was cut from, in one file, one SLS of 5371010001 given to
# 5371010002 by mistake: the desa come from their layer, the SLS are kept, the SLS lying in
# another desa is named, and each household whose point lies in an SLS of another desa than
# its desa polygon (that one's, and the slivers where the two digitisations differ) keeps its
# desa, gets no SLS and is flagged, as SpatiaLite finds them (a point beyond every desa polygon
# placed in the nearest desa too, when an SLS of another desa holds it).
cp "$data/boundaries.gpkg" both.gpkg
wrong=$(sqlite3 sls.gpkg "SELECT idsubsls FROM PETA_SLS_5371_202501 WHERE kddesa = '001' AND kdkec = '010'
  ORDER BY ST_Area(geom) DESC LIMIT 1" 2>/dev/null || true)
[ -n "$wrong" ] || wrong=$(ogrinfo -q sls.gpkg -sql "SELECT idsubsls FROM PETA_SLS_5371_202501 WHERE kddesa = '001'
  AND kdkec = '010' ORDER BY ST_Area(geom) DESC LIMIT 1" -dialect SQLite | awk '/idsubsls/ { print $4 }')
ogr2ogr -update both.gpkg sls.gpkg -nln PETA_SLS_5371_202501 -dialect SQLite -sql "SELECT kdprov, kdkab, kdkec,
  CASE WHEN idsubsls = '$wrong' THEN '002' ELSE kddesa END AS kddesa,
  CASE WHEN idsubsls = '$wrong' THEN '9999' ELSE kdsls END AS kdsls, kdsubsls,
  CASE WHEN idsubsls = '$wrong' THEN '53710100029999' ELSE idsls END AS idsls,
  CASE WHEN idsubsls = '$wrong' THEN '5371010002999900' ELSE idsubsls END AS idsubsls,
  nmprov, nmkab, nmkec, nmdesa, nmsls, geom FROM PETA_SLS_5371_202501"
"$bin" -v run "$data/households.csv" both.gpkg -o both-map.gpkg --db both.sqlite 2> both.log ||
  { tail -5 both.log; fail "run on a desa layer with an SLS map beside it"; }
grep -q "kelurahan from layer 'kelurahan'" both.log || fail "the desa layer was not used"
grep -q "$sls_count SLS beside 51 desa/kelurahan: both kept" both.log || fail "the SLS beside the desa not kept"
grep -q "1 of $sls_count SLS lie mostly (over 50%) outside the desa their code names (the most: SLS 5371010002999900, 100% outside" both.log ||
  fail "the SLS in another desa not named: $(grep -i sls both.log)"
flagged=$(sed -n 's/.*join: \([0-9]*\) households lie in an SLS of another desa.*/\1/p' both.log)
sqlite3 -batch -noheader both.sqlite >> checks.txt <<SQL
.load mod_spatialite
ATTACH '$work/both.gpkg' AS s;
CREATE TEMP TABLE first_sls AS SELECT h.household_id, h.kelurahan_code,
  (SELECT p.kdprov || p.kdkab || p.kdkec || p.kddesa FROM s.PETA_SLS_5371_202501 p
   WHERE p.fid IN (SELECT id FROM s.rtree_PETA_SLS_5371_202501_geom r WHERE r.minx <= h.lon AND r.maxx >= h.lon
                   AND r.miny <= h.lat AND r.maxy >= h.lat)
     AND ST_Covers(GeomFromGPB(p.geom), MakePoint(h.lon, h.lat, 4326)) ORDER BY p.idsubsls LIMIT 1) AS sls_desa
  FROM main.households h WHERE h.join_method IN ('within', 'boundary', 'nearest');
SELECT 'sls_other_desa_households', count(*) FROM main.households WHERE join_flags LIKE '%sls_other_desa%';
SELECT 'sls_other_desa_differs', (SELECT count(*) FROM first_sls WHERE sls_desa IS NOT NULL AND sls_desa != kelurahan_code)
  != (SELECT count(*) FROM main.households WHERE join_flags LIKE '%sls_other_desa%')
  OR (SELECT count(*) FROM main.households WHERE join_flags LIKE '%sls_other_desa%') != ${flagged:-0};
SELECT 'flagged_with_an_sls', count(*) FROM main.households WHERE join_flags LIKE '%sls_other_desa%' AND sls_code IS NOT NULL;
SELECT 'desa_layer_not_kept', count(*) FROM main.kelurahan k JOIN s.kelurahan b ON b.kode_kel = k.code
  WHERE ST_Area(ST_SymDifference(k.geom, GeomFromGPB(b.geom))) > 1e-9;
SQL

# The same map as GeoJSON (RFC 7946, as a web download comes): the same desa and the same SLS
# for every household as from the Shapefile joined last (whose SLS have no sub-SLS suffix).
ogr2ogr -f GeoJSON sls.geojson sls.gpkg PETA_SLS_5371_202501
cp sls.sqlite geojson.sqlite
"$bin" -q join sls.geojson --db geojson.sqlite 2> /dev/null || fail "join on the GeoJSON SLS map"
sqlite3 -batch -noheader geojson.sqlite >> checks.txt <<SQL
ATTACH '$work/sls.sqlite' AS g;
SELECT 'geojson_households', count(*) FROM households WHERE sls_code IS NOT NULL;
SELECT 'geojson_answers_differ', count(*) FROM households a JOIN g.households b USING (household_id)
  WHERE a.kelurahan_code IS NOT b.kelurahan_code OR substr(a.sls_code, 1, 14) IS NOT substr(b.sls_code, 1, 14);
SQL

# A file with neither a desa layer nor SLS fields still says what it found.
ogr2ogr -f GPKG other.gpkg sls.gpkg -nln blok -sql "SELECT nmsls, geom FROM PETA_SLS_5371_202501"
if "$bin" -q join other.gpkg --db sls.sqlite 2> other.err; then fail "a layer without codes was used"; fi
grep -q "no kelurahan layer (layers found: blok)" other.err || fail "unclear: $(cat other.err)"

. "$here/oracle-verdict.sh" checks.txt 35
