#!/usr/bin/env bash
# A forum's decision belongs to the family in the kelurahan whose forum decided it: a reload
# that moves the family elsewhere keeps the decision in the history, applies it no more,
# and classify and check list it; moved back, it applies again. A pack made after amend
# shows the class in force, and the decision where a forum made one; a forum file without
# its recap sheet still cannot decide for another kelurahan's families; the file each
# decision came from is recorded with its SHA-256.
# Usage: forum-decisions.sh REGSOSEK_GEO SAMPLE_DIR
set -uo pipefail
bin=$1
data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*"; exit 1; }
q() { sqlite3 -batch -noheader "$@"; }
final() { q w.sqlite "SELECT kelurahan_code || '|' || poverty_class || '|' || poverty_class_final FROM households WHERE household_id = '$1'"; }

"$bin" -q run "$data/households.csv" "$data/boundaries.gpkg" -o map.gpkg --db w.sqlite || fail "run"
id=KPG-012200 # Oebobo (5371030009), ranked sangat miskin
[ "$(final $id)" = "5371030009|sangat miskin|sangat miskin" ] || fail "the sample changed: $(final $id)"
printf 'household_id,agreed_class,note\n%s,tidak miskin,bekerja tetap\n' "$id" > oebobo.csv
"$bin" -q amend oebobo.csv --db w.sqlite || fail "amend"
[ "$(final $id)" = "5371030009|sangat miskin|tidak miskin" ] || fail "the decision is not in force: $(final $id)"

# 9. The forum file's provenance: its size and SHA-256 as sha256sum gives it.
[ "$(q w.sqlite "SELECT sha256 FROM forum_runs ORDER BY id DESC LIMIT 1")" = "$(sha256sum oebobo.csv | cut -d' ' -f1)" ] \
  || fail "forum_runs.sha256 is not the file's: '$(q w.sqlite "SELECT sha256 FROM forum_runs")'"
[ "$(q w.sqlite "SELECT size FROM forum_runs ORDER BY id DESC LIMIT 1")" = "$(stat -c %s oebobo.csv)" ] \
  || fail "forum_runs.size is not the file's"
echo "ok: forum_runs records the file's size and SHA-256"

# 5. Reloaded with the family's point in Naioni (another kecamatan's kelurahan): the decision
#    stays in the history, is not applied, and classify and check say so.
elsewhere=$(q w.sqlite "SELECT lat || ',' || lon FROM households WHERE kelurahan_code != '5371030009'
  AND join_method = 'within' ORDER BY household_id LIMIT 1")
awk -F, -v OFS=, -v id=$id -v ll="$elsewhere" 'BEGIN { split(ll, p, ",") }
  $1 == id { $(NF-4) = p[1]; $(NF-3) = p[2] } { print }' "$data/households.csv" > moved.csv
grep -q "^$id,.*,${elsewhere%,*},${elsewhere#*,}," moved.csv || fail "moving the household in the CSV"
"$bin" -q load moved.csv --replace --db w.sqlite || fail "load --replace"
"$bin" -q join "$data/boundaries.gpkg" --db w.sqlite || fail "join"
"$bin" -q classify --db w.sqlite 2> classify.err || fail "classify: $(cat classify.err)"
moved_to=$(q w.sqlite "SELECT kelurahan_code FROM households WHERE household_id = '$id'")
[ "$moved_to" != 5371030009 ] || fail "the household did not move"
[ "$(final $id | cut -d'|' -f3)" = "$(final $id | cut -d'|' -f2)" ] \
  || fail "Oebobo's decision still applies in $moved_to: $(final $id)"
grep -q "warning: 1 forum decisions not applied: their households are now in another kelurahan" classify.err \
  || fail "classify does not say so: $(cat classify.err)"
[ "$(q w.sqlite "SELECT count(*) FROM forum_decisions WHERE household_id = '$id'")" = 1 ] || fail "the history lost the decision"
q w.sqlite "SELECT message FROM classify_issues WHERE household_id = '$id'" > issue.txt
grep -q "forum decision not applied: made in kelurahan 5371030009 (oebobo.csv, row 2), and the household is now in kelurahan $moved_to" issue.txt \
  || fail "classify_issues does not list it: $(cat issue.txt)"
# The summaries count the ranking's class there, as an independent count over the records.
[ "$(q w.sqlite "SELECT tidak_miskin FROM kelurahan_summary WHERE code = '$moved_to'")" = \
  "$(q w.sqlite "SELECT count(*) FROM household_classes c JOIN household_areas a USING (hh)
     WHERE a.kelurahan_code = '$moved_to' AND c.poverty_class = 'tidak miskin'")" ] \
  || fail "the summary of $moved_to counts the decision"
"$bin" check --db w.sqlite > check.out || fail "check: $(cat check.out)"
grep -q "forum decision is in force only for a household still in the kelurahan that made it" check.out \
  || fail "check does not verify where decisions apply"
grep -q "latest forum decision not in force is listed by classify" check.out || fail "check does not verify the list"
# check fails on a store whose view applies every decision anywhere (as 48a4b33's did), and
# on one where classify did not list it.
cp w.sqlite tampered.sqlite
view=$(q tampered.sqlite "SELECT replace(sql, ' AND d.kelurahan_code IS a.kelurahan_code', '') FROM sqlite_master
  WHERE name = 'households'")
q tampered.sqlite "DROP VIEW households; $view" || fail "tampering with the view"
"$bin" -q check --db tampered.sqlite > tampered.out 2>&1 && fail "check passes when Oebobo's decision applies in $moved_to"
grep -q "FAIL.*in force only for a household still in the kelurahan" tampered.out || fail "check: $(cat tampered.out)"
cp w.sqlite tampered.sqlite
q tampered.sqlite "DELETE FROM classify_issues WHERE household_id = '$id'"
"$bin" -q check --db tampered.sqlite > /dev/null 2>&1 && fail "check passes with the decision unlisted"
echo "ok: a reload that moves a family leaves its forum decision in the history, not applied, listed"

# Moved back: the decision applies again.
"$bin" -q load "$data/households.csv" --replace --db w.sqlite && "$bin" -q join "$data/boundaries.gpkg" --db w.sqlite \
  && "$bin" -q classify --db w.sqlite 2> classify2.err || fail "reload back"
[ "$(final $id)" = "5371030009|sangat miskin|tidak miskin" ] || fail "back in Oebobo, the decision does not apply: $(final $id)"
grep -q "not applied" classify2.err && fail "classify still warns: $(cat classify2.err)"
echo "ok: back in Oebobo, its forum's decision applies again"

# 6. A pack made after amend: the list shows the class in force, the decision in its box,
#    and the recap counts what the list shows.
"$bin" -q pack --kelurahan 5371030009 -o pack --db w.sqlite || fail "pack"
book=pack/5371030009-Oebobo.xlsx
OGR_XLSX_HEADERS=FORCE ogr2ogr -f CSV list.csv "$book" "Daftar keluarga" || fail "reading the workbook"
row=$(python3 - list.csv "$id" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1], newline="")):
    if r["ID keluarga"] == sys.argv[2]:
        print(r["Kelas"] + "|" + r["Kelas disepakati"])
PY
)
[ "$row" = "tidak miskin|tidak miskin" ] || fail "the workbook shows $id as '$row', not the decision in force"
listed_sm=$(python3 - list.csv <<'PY'
import csv, sys
print(sum(1 for r in csv.DictReader(open(sys.argv[1], newline="")) if r["Kelas"] == "sangat miskin"))
PY
)
OGR_XLSX_HEADERS=FORCE ogr2ogr -f CSV recap.csv "$book" Rekap || fail "reading the recap"
recap_sm=$(python3 - recap.csv <<'PY'
import csv, sys
print(next(r["Nilai"] for r in csv.DictReader(open(sys.argv[1], newline="")) if r["Keterangan"] == "sangat miskin"))
PY
)
want_sm=$(q w.sqlite "SELECT count(*) FROM households WHERE kelurahan_code = '5371030009' AND poverty_class_final = 'sangat miskin'")
[ "$listed_sm" = "$want_sm" ] || fail "the list shows $listed_sm sangat miskin, the store $want_sm"
[ "$recap_sm" = "$want_sm" ] || fail "the recap counts $recap_sm sangat miskin, the list $listed_sm"
pdftotext -layout pack/5371030009-Oebobo.pdf sheet.txt
grep -E "$id +tidak miskin .* tidak miskin" sheet.txt >/dev/null || fail "the sheet does not show the decision: $(grep "$id" sheet.txt)"
# A second forum that agrees returns the workbook as it is: nothing changes, the decision stands.
"$bin" amend "$book" --db w.sqlite 2> agree.err || fail "amend of the unchanged pack"
grep -q "0 decisions applied" agree.err || fail "the unchanged pack changed something: $(cat agree.err)"
[ "$(final $id)" = "5371030009|sangat miskin|tidak miskin" ] || fail "the decision did not stand: $(final $id)"
echo "ok: a pack after amend lists the class in force and the decision; a forum that agrees changes nothing"

# 7. The row's own kelurahan code is checked, without a recap: a CSV, and the workbook
#    without its Rekap sheet.
other=$(q w.sqlite "SELECT household_id FROM households WHERE kelurahan_code != '5371030009' ORDER BY household_id LIMIT 1")
printf 'household_id,kelurahan_code,agreed_class\n%s,5371030009,miskin\n' "$other" > wrong.csv
"$bin" -q amend wrong.csv --db w.sqlite 2> wrong.err || fail "amend wrong.csv: $(cat wrong.err)"
[ "$(q w.sqlite "SELECT reason FROM forum_rejects ORDER BY id DESC LIMIT 1")" = other_kelurahan ] \
  || fail "a CSV row of another kelurahan was not refused"
[ "$(q w.sqlite "SELECT count(*) FROM forum_decisions WHERE household_id = '$other'")" = 0 ] || fail "it was applied"
OGR_XLSX_HEADERS=FORCE ogr2ogr -f XLSX norecap.xlsx "$book" -nln "Daftar keluarga" -dialect SQLite -sql "
  SELECT \"ID keluarga\", \"Kode kelurahan\", \"Kelas disepakati\" FROM \"Daftar keluarga\"
  UNION ALL SELECT '$other', '5371030009', 'miskin'" || fail "making the workbook without Rekap"
"$bin" -q amend norecap.xlsx --db w.sqlite 2> norecap.err || fail "amend norecap.xlsx: $(cat norecap.err)"
[ "$(q w.sqlite "SELECT count(*) FROM forum_rejects WHERE reason = 'other_kelurahan' AND message LIKE '%norecap.xlsx%the row says 5371030009%'")" = 1 ] \
  || fail "the workbook without Rekap applied another kelurahan's row"
[ "$(q w.sqlite "SELECT count(*) FROM forum_decisions WHERE household_id = '$other'")" = 0 ] || fail "it was applied"
echo "ok: a row whose own kelurahan code is another's is refused, with or without the Rekap sheet"

# 10. Editions (DTSEN's next quarter): a decision belongs to the edition it was made on. A
#     corrected file of the same edition keeps it; a new edition starts without it, saying so;
#     asked to carry, the new edition takes it, still only where the family stayed.
decided() { q "$1" "SELECT count(*) FROM households WHERE poverty_class_final IS NOT poverty_class"; }
"$bin" -q run "$data/households.csv" "$data/boundaries.gpkg" -o q1.gpkg --db e.sqlite --edition 2025-Q1 || fail "run Q1"
stay=$(q e.sqlite "SELECT household_id FROM households WHERE kelurahan_code = '5371030009' AND poverty_class = 'miskin'
  ORDER BY household_id LIMIT 1")
printf 'household_id,agreed_class\n%s,tidak miskin\n%s,tidak miskin\n' "$id" "$stay" > q1.csv
"$bin" -q amend q1.csv --db e.sqlite || fail "amend Q1"
[ "$(q e.sqlite "SELECT group_concat(DISTINCT edition) FROM forum_decisions")" = 2025-Q1 ] || fail "decisions' edition"
[ "$(decided e.sqlite)" = 2 ] || fail "Q1's decisions not in force"
cp e.sqlite carry.sqlite
"$bin" -q load "$data/households.csv" --replace --db e.sqlite 2> same.err || fail "reload Q1"
"$bin" -q join "$data/boundaries.gpkg" --db e.sqlite && "$bin" -q classify --db e.sqlite || fail "join/classify"
[ "$(q e.sqlite "SELECT edition FROM load_runs ORDER BY id DESC LIMIT 1")" = 2025-Q1 ] || fail "a corrected file is a new edition"
[ "$(decided e.sqlite)" = 2 ] || fail "a corrected file of Q1 lost Q1's decisions"
"$bin" -q load moved.csv --replace --edition 2025-Q2 --db e.sqlite 2> new.err || fail "load Q2"
grep -q "2 forum decisions of edition 2025-Q1 do not apply to edition 2025-Q2 (kept in forum_decisions); --carry-decisions" new.err ||
  fail "a new edition does not say what became of the decisions: $(cat new.err)"
"$bin" -q join "$data/boundaries.gpkg" --db e.sqlite && "$bin" -q classify --db e.sqlite 2> c2.err || fail "join/classify Q2"
[ "$(decided e.sqlite)" = 0 ] || fail "Q1's decisions apply to Q2"
! grep -q "not applied" c2.err || fail "an earlier edition's decisions listed as waiting: $(cat c2.err)"
"$bin" check --db e.sqlite > check2.out || fail "check Q2: $(grep FAIL check2.out)"
# Carried: the family that stayed keeps its decision; the one moved to Naioni does not.
"$bin" -q load moved.csv --replace --edition 2025-Q2 --carry-decisions --db carry.sqlite 2> carry.err || fail "carry"
"$bin" -q join "$data/boundaries.gpkg" --db carry.sqlite && "$bin" -q classify --db carry.sqlite 2> c3.err || fail "join/classify carried"
[ "$(q carry.sqlite "SELECT group_concat(household_id) FROM households WHERE poverty_class_final IS NOT poverty_class")" = "$stay" ] ||
  fail "carried decisions in force: $(q carry.sqlite "SELECT group_concat(household_id) FROM households WHERE poverty_class_final IS NOT poverty_class")"
grep -q "warning: 1 forum decisions not applied" c3.err || fail "the moved family's carried decision not listed: $(cat c3.err)"
"$bin" check --db carry.sqlite > check3.out || fail "check carried: $(grep FAIL check3.out)"
printf 'id_keluarga,lintang,bujur\nQ3-1,-10.17,123.60\n' > q3.csv
if "$bin" -q load q3.csv --append --edition 2025-Q3 --db carry.sqlite 2> app.err; then fail "appended another edition"; fi
grep -q "an edition is loaded whole" app.err || fail "$(cat app.err)"
echo "ok: decisions belong to their edition; a corrected file keeps them, a new edition carries them only when asked"
