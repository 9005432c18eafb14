#!/usr/bin/env bash
# Two DTSEN editions of the sample (issue #30): the later made from the earlier by a seeded
# generator that removes, moves, re-desils and adds a known share of households
# (bench/gen_editions.py, which writes the truth), each run through the tool with its given
# national desil (method given_desil) and exported; then `compare`. Checked against:
#  - a recount in plain SQL over the two exports (sqlite3 on the GeoPackages, none of the
#    tool's code): per kelurahan and per kecamatan, households in each edition, added, gone,
#    moved in and out, desil up and down, pkh in each, entered and left; the musyawarah lists;
#  - the generator's truth: the same new and gone ids, every re-desilled household with both
#    desil, moves only where the generator moved;
#  - QGIS: the change map opens styled, each kelurahan in the colour its counts call for;
#  - two working databases, or one and an export, compare exactly as their exports do;
#  - --public: area layers only, no count from 1 to 4 anywhere, readable by all; the private
#    file its owner's alone; ids twice in an edition and a kelurahan changed under a point that
#    did not move reported in issues, not matched; clear refusals.
set -euo pipefail
bin=$1
data=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$work"

python3 "$here/../../bench/gen_editions.py" "$data/households.csv" e1.csv e2.csv truth.csv --seed 30
printf '[classify]\nmethod = given_desil\n' > dtsen.ini
"$bin" -q run e1.csv "$data/boundaries.gpkg" -o e1.gpkg --db s1.sqlite --rules dtsen.ini --edition 2025-Q1
"$bin" -q run e2.csv "$data/boundaries.gpkg" -o e2.gpkg --db s2.sqlite --rules dtsen.ini --edition 2025-Q2
"$bin" compare e1.gpkg e2.gpkg -o change.gpkg 2> compare.log || { cat compare.log; fail "compare"; }
grep -q "2025-Q1 -> 2025-Q2" compare.log || fail "editions not named: $(cat compare.log)"
[ "$(stat -c %a change.gpkg)" = 600 ] || fail "the change names families: mode $(stat -c %a change.gpkg)"

# A given desil is said to be given, and by which file, on the map and the forum's sheet.
ogrinfo -so e1.gpkg households > meta.txt
grep -q "DESIL_GIVEN_BY=e1.csv, edisi 2025-Q1" meta.txt && grep -q "EDITION=2025-Q1" meta.txt &&
  grep -q "METHOD=given_desil" meta.txt && grep -q "INPUTS=e1.csv (.*, edition 2025-Q1)" meta.txt || fail "the export's metadata: $(grep -E 'DESIL|EDITION|METHOD' meta.txt)"
"$bin" -q pack --kelurahan 5371030009 -o pack --db s1.sqlite || fail "pack under given_desil"
pdftotext -layout pack/5371030009-Oebobo.pdf sheet.txt
grep -q "Metode: given_desil (desil: e1.csv, edisi 2025-Q1)" sheet.txt || fail "the forum's sheet does not say the desil was given"

# What a person sees: QGIS opens the change styled, each kelurahan in its class's colour.
QT_QPA_PLATFORM=offscreen /usr/bin/python3 "$here/qgis_change.py" change.gpkg change-map.png > qgis.log 2>&1 ||
  { cat qgis.log; fail "the change map in QGIS"; }
grep -q "^ok: 5[01] kelurahan drawn" qgis.log || fail "$(cat qgis.log)"

# The changed households went in by SQL and their R-tree was packed by the tool: a window
# asked through the index finds exactly the points SQLite finds by their coordinates.
by_index=$(ogrinfo -q change.gpkg household_changes -spat 123.58 -10.18 123.60 -10.16 | grep -c "^OGRFeature" || true)
by_sql=$(ogrinfo -q change.gpkg -dialect SQLite -sql "SELECT count(*) AS n FROM household_changes
  WHERE ST_X(geom) BETWEEN 123.58 AND 123.60 AND ST_Y(geom) BETWEEN -10.18 AND -10.16" | awk '/n \(Integer\)/ { print $4 }')
[ "$by_index" -gt 50 ] && [ "$by_index" = "$by_sql" ] || fail "the spatial index finds $by_index points, SQL $by_sql"
[ "$(sqlite3 change.gpkg "PRAGMA integrity_check")" = ok ] || fail "integrity"
[ "$(sqlite3 change.gpkg "SELECT feature_count = (SELECT count(*) FROM household_changes) FROM gpkg_ogr_contents
  WHERE table_name = 'household_changes'")" = 1 ] || fail "the feature count"

# The recount: each household of either edition by id, in plain SQL over the exports.
recount() { # LEVEL COLUMN -> code|old|new|added|gone|in|out|up|down|pkh_old|pkh_new|entered|left
  sqlite3 -separator '|' :memory: "
  ATTACH 'e1.gpkg' AS a; ATTACH 'e2.gpkg' AS b;
  CREATE TABLE o AS SELECT household_id AS id, $2 AS code, desil AS d FROM a.households;
  CREATE TABLE n AS SELECT household_id AS id, $2 AS code, desil AS d FROM b.households;
  CREATE UNIQUE INDEX oi ON o(id); CREATE UNIQUE INDEX ni ON n(id);
  WITH side AS (
    SELECT o.code, 1 AS old, 0 AS new, n.id IS NULL AS gone, 0 AS added, 0 AS moved_in,
      n.id IS NOT NULL AND n.code IS NOT o.code AS moved_out, 0 AS up, 0 AS down,
      coalesce(o.d BETWEEN 1 AND 4, 0) AS p_old, 0 AS p_new, 0 AS entered,
      coalesce(o.d BETWEEN 1 AND 4, 0) AND NOT coalesce(n.d BETWEEN 1 AND 4, 0) AS left_
    FROM o LEFT JOIN n ON n.id = o.id WHERE o.code IS NOT NULL
    UNION ALL
    SELECT n.code, 0, 1, 0, o.id IS NULL, o.id IS NOT NULL AND o.code IS NOT n.code, 0,
      o.id IS NOT NULL AND n.d > o.d, o.id IS NOT NULL AND n.d < o.d,
      0, coalesce(n.d BETWEEN 1 AND 4, 0),
      coalesce(n.d BETWEEN 1 AND 4, 0) AND NOT coalesce(o.d BETWEEN 1 AND 4, 0), 0
    FROM n LEFT JOIN o ON o.id = n.id WHERE n.code IS NOT NULL)
  SELECT code, sum(old), sum(new), sum(added), sum(gone), sum(moved_in), sum(moved_out), sum(up), sum(down),
    sum(p_old), sum(p_new), sum(entered), sum(left_) FROM side GROUP BY code ORDER BY code"
}
told() { # LEVEL -> the same columns from the change, areas with households only
  sqlite3 -separator '|' change.gpkg "SELECT code, households_old, households_new, added, gone, moved_in, moved_out,
    desil_up, desil_down, pkh_old, pkh_new, pkh_entered, pkh_left FROM $1_change
    WHERE households_old + households_new > 0 ORDER BY code"
}
for level in kelurahan:kelurahan_code kecamatan:kecamatan_code kabkota:kabkota_code; do
  recount "${level%%:*}" "${level#*:}" > want-${level%%:*}.txt
  told "${level%%:*}" > got-${level%%:*}.txt
  [ "$(wc -l < want-${level%%:*}.txt)" -ge 1 ] || fail "no ${level%%:*} recounted"
  diff want-${level%%:*}.txt got-${level%%:*}.txt > /dev/null ||
    { diff want-${level%%:*}.txt got-${level%%:*}.txt | head -6; fail "${level%%:*} counts differ from the recount"; }
done
[ "$(wc -l < want-kelurahan.txt)" -ge 45 ] || fail "only $(wc -l < want-kelurahan.txt) kelurahan"
# net = new - old, and the kelurahan sum to their kecamatan.
sqlite3 change.gpkg "SELECT count(*) FROM kelurahan_change WHERE pkh_net <> pkh_new - pkh_old
  OR households_net <> households_new - households_old" | grep -qx 0 || fail "net is not new - old"

# The generator's truth: new and gone exactly; desil of the re-desilled; moves only where it moved.
sqlite3 :memory: ".mode csv" ".import truth.csv truth" "ATTACH 'change.gpkg' AS c;
  CREATE TABLE loaded AS SELECT household_id AS id FROM truth WHERE household_id IN
   (SELECT household_id FROM c.household_changes) OR status = 'stayed';
  SELECT 'new', (SELECT count(*) FROM truth WHERE status = 'new'),
   (SELECT count(*) FROM c.household_changes WHERE status = 'new'),
   (SELECT count(*) FROM c.household_changes h JOIN truth t USING (household_id) WHERE h.status = 'new' AND t.status = 'new');
  SELECT 'gone', (SELECT count(*) FROM truth WHERE status = 'gone'),
   (SELECT count(*) FROM c.household_changes WHERE status = 'gone'),
   (SELECT count(*) FROM c.household_changes h JOIN truth t USING (household_id) WHERE h.status = 'gone' AND t.status = 'gone');
  SELECT 'redesil', (SELECT count(*) FROM truth WHERE status IN ('stayed', 'moved') AND old_desil <> new_desil),
   (SELECT count(*) FROM c.household_changes WHERE desil_change <> 0),
   (SELECT count(*) FROM c.household_changes h JOIN truth t USING (household_id)
     WHERE h.old_desil = CAST(t.old_desil AS INTEGER) AND h.new_desil = CAST(t.new_desil AS INTEGER) AND h.desil_change <> 0);
  SELECT 'moved', (SELECT count(*) FROM truth WHERE status = 'moved'),
   (SELECT count(*) FROM c.household_changes WHERE status = 'moved'),
   (SELECT count(*) FROM c.household_changes h JOIN truth t USING (household_id) WHERE h.status = 'moved' AND t.status = 'moved');" > truth-check.txt
# A row or two of the sample is rejected by the load in both editions (a coordinate out of
# range): the truth counts it, the editions do not. Everything compare says must be true.
while IFS=, read -r what truth said agreed; do
  [ "$said" = "$agreed" ] || fail "$what: $said said, $agreed of them true"
  [ "$what" = moved ] && { [ $((said * 100)) -ge $((truth * 95)) ] || fail "moved: $said of $truth found"; continue; }
  [ $((truth - said)) -le 2 ] && [ "$said" -gt 0 ] || fail "$what: truth $truth, compare $said"
done < truth-check.txt

# The musyawarah lists: per kelurahan, the families that entered or left desil 1-4.
sqlite3 :memory: "ATTACH 'e1.gpkg' AS a; ATTACH 'e2.gpkg' AS b;
  CREATE TABLE o AS SELECT household_id, kelurahan_code, desil FROM a.households; CREATE INDEX oi ON o(household_id);
  CREATE TABLE n AS SELECT household_id, kelurahan_code, desil FROM b.households; CREATE INDEX ni ON n(household_id);
  SELECT coalesce(n.kelurahan_code, o.kelurahan_code), count(*) FROM o FULL JOIN n ON n.household_id = o.household_id
  WHERE coalesce(o.desil BETWEEN 1 AND 4, 0) <> coalesce(n.desil BETWEEN 1 AND 4, 0)
  GROUP BY 1 ORDER BY 1" > want-lists.txt
sqlite3 change.gpkg "SELECT kelurahan_code, count(*) FROM musyawarah WHERE perubahan LIKE '%desil 1-4'
  GROUP BY 1 ORDER BY 1" > got-lists.txt
diff want-lists.txt got-lists.txt > /dev/null || { diff want-lists.txt got-lists.txt | head; fail "musyawarah lists"; }
# ... and as one CSV a desa, its staff's alone, with the layer's rows in the layer's order.
"$bin" -q compare e1.gpkg e2.gpkg -o listed.gpkg --lists lists || fail "compare --lists"
[ "$(stat -c %a lists)" = 700 ] || fail "the lists' folder is mode $(stat -c %a lists)"
[ "$(ls lists | wc -l)" = "$(sqlite3 listed.gpkg "SELECT count(DISTINCT kelurahan_code) FROM musyawarah")" ] || fail "a list a desa"
[ -z "$(find lists -type f ! -perm 600)" ] || fail "a list readable by others"
oebobo=$(ls lists/5371030009-*.csv)
tail -n +2 "$oebobo" | cut -d, -f2 > listed-ids.txt
sqlite3 listed.gpkg "SELECT household_id FROM musyawarah WHERE kelurahan_code = '5371030009' ORDER BY fid" > layer-ids.txt
cmp -s listed-ids.txt layer-ids.txt || fail "$oebobo is not the layer's list"
head -1 "$oebobo" | grep -q "^sls,id_keluarga,perubahan,desil_lama,desil_baru" || fail "the list's header"
[ "$(sed -n 2p "$oebobo" | cut -d, -f3)" = "masuk desil 1-4" ] || fail "the list does not start with the families entering"
if "$bin" -q compare e1.gpkg e2.gpkg -o p.gpkg --public --lists lists2 2> err.txt; then fail "--lists with --public"; fi
grep -q "does not go with --public" err.txt && [ ! -e lists2 ] && [ ! -e p.gpkg ] || fail "$(cat err.txt)"

# --public: the area layers alone, no count from 1 to 4, readable by all.
"$bin" -q compare e1.gpkg e2.gpkg -o public.gpkg --public
[ "$(stat -c %a public.gpkg)" = 644 ] || fail "public mode $(stat -c %a public.gpkg)"
layers=$(sqlite3 public.gpkg "SELECT group_concat(table_name, ' ') FROM (SELECT table_name FROM gpkg_contents ORDER BY 1)")
[ "$layers" = "kabkota_change kecamatan_change kelurahan_change layer_styles provinsi_change" ] || fail "public layers: $layers"
for level in kelurahan kecamatan; do
  # Every count of households; a net is the difference of two counts published beside it.
  cols=$(sqlite3 public.gpkg "SELECT group_concat('abs(coalesce(\"' || name || '\", 0)) BETWEEN 1 AND 4', ' OR ')
    FROM pragma_table_info('${level}_change') WHERE type IN ('INTEGER', 'MEDIUMINT') AND name NOT IN ('fid', 'suppressed')
    AND name NOT LIKE '%net'")
  small=$(sqlite3 public.gpkg "SELECT count(*) FROM ${level}_change WHERE $cols")
  [ "$small" = 0 ] || fail "$small $level rows publish a count from 1 to 4"
  nets=$(sqlite3 public.gpkg "SELECT count(*) FROM ${level}_change WHERE (households_net IS NOT NULL AND
    households_net IS NOT households_new - households_old) OR (pkh_net IS NOT NULL AND pkh_net IS NOT pkh_new - pkh_old)")
  [ "$nets" = 0 ] || fail "$nets $level rows publish a net that is not the difference of two counts beside it"
done
# One small count hidden alone would be given away by the totals: never one of the six tied.
lonely=$(sqlite3 public.gpkg "SELECT count(*) FROM kelurahan_change WHERE (households_old IS NULL) + (households_new IS NULL)
  + (added IS NULL) + (gone IS NULL) + (moved_in IS NULL) + (moved_out IS NULL) = 1")
[ "$lonely" = 0 ] || fail "$lonely kelurahan hide one of their tied counts alone"
hidden=$(sqlite3 public.gpkg "SELECT count(*) FROM kelurahan_change WHERE suppressed = 1")
shown=$(sqlite3 public.gpkg "SELECT count(*) FROM kelurahan_change WHERE pkh_net IS NOT NULL")
[ "$hidden" -gt 0 ] || fail "nothing suppressed: is the test still testing?"
[ "$shown" -ge 40 ] || fail "only $shown of 51 kelurahan show PKH's net change"

# Ids twice in an edition, and a kelurahan changed under a point that did not move: reported.
cp e2.gpkg e2-edited.gpkg
id=$(sqlite3 :memory: "ATTACH 'e1.gpkg' AS a; ATTACH 'e2.gpkg' AS b; SELECT n.household_id FROM b.households n
  JOIN a.households o ON o.household_id = n.household_id WHERE n.geom = o.geom AND n.kelurahan_code = o.kelurahan_code
  ORDER BY n.household_id LIMIT 1 OFFSET 100")
other=$(sqlite3 e2.gpkg "SELECT code FROM kelurahan WHERE code <> (SELECT kelurahan_code FROM households
  WHERE household_id = '$id') ORDER BY code LIMIT 1")
ogrinfo -q e2-edited.gpkg -sql "UPDATE households SET kelurahan_code = '$other' WHERE household_id = '$id'" > /dev/null
ogr2ogr -append e2-edited.gpkg e2.gpkg -nln households -sql "SELECT * FROM households WHERE household_id LIKE 'KPG-%' ORDER BY household_id LIMIT 2"
"$bin" -q compare e1.gpkg e2-edited.gpkg -o edited.gpkg 2> edited.log || { cat edited.log; fail "compare edited"; }
sqlite3 edited.gpkg "SELECT kind || ' ' || count(*) FROM issues GROUP BY kind ORDER BY kind" > issues.txt
# Two ids twice in the later edition: each of their rows and the earlier edition's row of the
# same id unmatched, listed, and counted in their areas' totals only.
grep -qx "duplicate_id 4" issues.txt || fail "ids twice: $(cat issues.txt)"
[ "$(sqlite3 edited.gpkg "SELECT count(*) FROM issues WHERE kind = 'duplicate_id' AND edition = '2025-Q2'
  AND detail LIKE 'the id is on 2 rows of %e2-edited.gpkg%'")" = 2 ] || fail "the repeated ids' detail"
[ "$(sqlite3 edited.gpkg "SELECT count(*) FROM issues WHERE kind = 'duplicate_id' AND edition = '2025-Q1'
  AND detail LIKE 'the id repeats in the other edition (%e2-edited.gpkg)%'")" = 2 ] || fail "their namesakes' detail"
[ "$(sqlite3 edited.gpkg "SELECT count(*) FROM household_changes WHERE status = 'duplicate_id'")" = 6 ] ||
  fail "the repeated ids' rows are not listed"
ATTACHED="ATTACH 'e2-edited.gpkg' AS b"
[ "$(sqlite3 edited.gpkg "$ATTACHED; SELECT (SELECT sum(households_new) FROM kelurahan_change) =
  (SELECT count(*) FROM b.households WHERE kelurahan_code IS NOT NULL)")" = 1 ] || fail "the repeated rows are not in the totals"
grep -qx "not_comparable 1" issues.txt || fail "the kelurahan changed under a point: $(cat issues.txt)"
sqlite3 edited.gpkg "SELECT detail FROM issues WHERE household_id = '$id'" | grep -q "the point did not move" ||
  fail "the reason of $id"
grep -q "6 rows carry an id that repeats" edited.log || fail "no warning: $(cat edited.log)"

# Two working databases, or one of each, compare as their exports do: the same counts, the same
# polygons, the same households with the same change.
"$bin" -q compare s1.sqlite s2.sqlite -o stores.gpkg || fail "compare the working databases"
"$bin" -q compare s1.sqlite e2.gpkg -o mixed.gpkg || fail "compare a database with an export"
for other in stores mixed; do
  same=$(sqlite3 :memory: "ATTACH 'change.gpkg' AS a; ATTACH '$other.gpkg' AS b;
    SELECT (SELECT count(*) FROM a.kelurahan_change x JOIN b.kelurahan_change y USING (code) WHERE x.geom IS y.geom
      AND x.households_old = y.households_old AND x.households_new = y.households_new AND x.pkh_net = y.pkh_net
      AND x.moved_in = y.moved_in AND x.boundary = y.boundary) = (SELECT count(*) FROM a.kelurahan_change),
    (SELECT count(*) FROM a.household_changes x JOIN b.household_changes y USING (household_id) WHERE x.status = y.status
      AND x.geom IS y.geom AND x.desil_change IS y.desil_change AND x.entered IS y.entered AND x.new_forum IS y.new_forum)
      = (SELECT count(*) FROM a.household_changes) AND (SELECT count(*) FROM b.household_changes) = (SELECT count(*) FROM a.household_changes)")
  [ "$same" = "1|1" ] || fail "$other differs from the exports' comparison ($same)"
done
cp s2.sqlite stale.sqlite
printf 'id_keluarga,lintang,bujur\nLATE-1,-10.17,123.60\n' > late.csv
"$bin" -q load late.csv --append --db stale.sqlite
if "$bin" -q compare s1.sqlite stale.sqlite -o stale.gpkg 2> err.txt; then fail "compared a database not classified since"; fi
grep -q "stale.sqlite: not classified since its last load or join: run \`regsosek-geo classify --db stale.sqlite\` first" err.txt ||
  fail "$(cat err.txt)"

# Each edition's programmes by its own rules: the later edition's PKH reaches desil 1-3 and it
# adds PIP. PKH entered and left are counted against each edition's own range; PIP, of one
# edition only, is listed as not compared and has no columns.
printf '[classify]\nmethod = given_desil\n[programme]\npkh = desil 1-3\nsembako = desil 1-5\npbi_jk = desil 1-5\npip = desil 1-2\n' > q2.ini
"$bin" -q run e2.csv "$data/boundaries.gpkg" -o e2-rules.gpkg --db s2r.sqlite --rules q2.ini --edition 2025-Q2
"$bin" -q compare e1.gpkg e2-rules.gpkg -o rules.gpkg || fail "compare under two rules"
want=$(sqlite3 :memory: "ATTACH 'e1.gpkg' AS a; ATTACH 'e2-rules.gpkg' AS b;
  CREATE TABLE o AS SELECT household_id, kelurahan_code, desil FROM a.households; CREATE INDEX oi ON o(household_id);
  CREATE TABLE n AS SELECT household_id, kelurahan_code, desil FROM b.households; CREATE INDEX ni ON n(household_id);
  SELECT sum(coalesce(o.desil BETWEEN 1 AND 4, 0) AND NOT coalesce(n.desil BETWEEN 1 AND 3, 0)) || ' '
    || sum(coalesce(n.desil BETWEEN 1 AND 3, 0) AND NOT coalesce(o.desil BETWEEN 1 AND 4, 0))
  FROM o FULL JOIN n ON n.household_id = o.household_id
  WHERE coalesce(o.kelurahan_code, n.kelurahan_code) IS NOT NULL")
got=$(sqlite3 rules.gpkg "SELECT sum(pkh_left) || ' ' || sum(pkh_entered) FROM kelurahan_change")
[ "$want" = "$got" ] || fail "PKH under each edition's rules: left and entered $got, recounted $want"
[ "$(sqlite3 rules.gpkg "SELECT count(*) FROM issues WHERE kind = 'programme_in_one_edition' AND edition = '2025-Q2'
  AND detail LIKE 'programme pip %'")" = 1 ] || fail "PIP not listed as of one edition"
[ "$(sqlite3 rules.gpkg "SELECT count(*) FROM pragma_table_info('kelurahan_change') WHERE name LIKE 'pip%'")" = 0 ] ||
  fail "PIP has columns"

# Refusals: a public export, the output over an input, a programme neither edition defines.
"$bin" -q export e1-public.gpkg --db s1.sqlite --public
if "$bin" -q compare e1-public.gpkg e2.gpkg -o x.gpkg 2> err.txt; then fail "a public export compared"; fi
grep -q "e1-public.gpkg: no households layer" err.txt || fail "$(cat err.txt)"
if "$bin" -q compare e1.gpkg e2.gpkg -o e2.gpkg --overwrite 2> err.txt; then fail "wrote over its input"; fi
grep -q "is an input of the comparison" err.txt || fail "$(cat err.txt)"
if "$bin" -q compare e1.gpkg e2.gpkg -o y.gpkg --programme pip 2> err.txt; then fail "an unknown programme"; fi
grep -q "both define: pkh, sembako, pbi_jk" err.txt || fail "$(cat err.txt)"
[ ! -e x.gpkg ] && [ ! -e y.gpkg ] && [ ! -e stale.gpkg ] || fail "a refused compare left a file"
[ -z "$(ls -a | grep partial || true)" ] || fail "partial files left"
echo "compare: recounts, truth, lists, public and issues all agree"
