#!/usr/bin/env bash
# The forum workflow from pack to amend to the final map, on the Kupang sample:
#   pack --all writes a sheet (PDF) and a workbook per kelurahan: the sheet read back by
#   poppler (title, identity, the families in rank order; pages rendered and not blank),
#   the workbook by GDAL (typed cells, the recap, the families in rank order, the
#   drop-down, no formula); names appear only with --fields;
#   a workbook filled in (by ogr2ogr, as another program would) with decisions and bad rows
#   is amended: each bad row ends with its reason, the export's final classes and the
#   summaries equal a count made in SQL over the exported households;
#   the same file again changes nothing, a later file overrides and the history stays,
#   classify keeps the decisions, --drop-forum-decisions forgets them, a CSV amends too.
set -euo pipefail
bin=$1
data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*"; exit 1; }
q() { sqlite3 -batch -noheader "$@"; }

"$bin" -q run "$data/households.csv" "$data/boundaries.gpkg" -o map.gpkg --db w.sqlite
"$bin" -q pack --all -o packs --db w.sqlite
[ "$(ls packs/*.xlsx | wc -l)" = 51 ] || fail "pack --all wrote $(ls packs/*.xlsx | wc -l) workbooks, not 51"
[ "$(ls packs/*.pdf | wc -l)" = 51 ] || fail "pack --all wrote $(ls packs/*.pdf | wc -l) sheets, not 51"
[ -z "$(ls -A packs | grep -vE '\.(xlsx|pdf)$' || true)" ] || fail "pack left other files: $(ls -A packs)"

# The sheet as poppler reads it: the kelurahan's name, its identity, its families in rank
# order; every page rendered is more than white paper.
sheet=packs/5371030009-Oebobo.pdf
pdftotext -layout "$sheet" sheet.txt
grep -q "Oebobo" <(grep -A1 "PETA KELURAHAN/DESA" sheet.txt) || fail "the map page has no title with the name"
grep -q "DAFTAR KELUARGA — KELURAHAN/DESA Oebobo" sheet.txt || fail "the list has no title"
grep -q "5371030 *Oebobo" sheet.txt || fail "the identity block lacks the kecamatan"
grep -q "Forum Konsultasi Publik Regsosek 2022" sheet.txt || fail "no activity and period"
grep -q "Aturan: \[classify\]; method = desil" <(tr -s '\n ' '  ' < sheet.txt) || fail "the sheet does not state the rules in force"
grep -oE 'KPG-[0-9]{6}' sheet.txt > sheet.ids
q w.sqlite "SELECT household_id FROM households WHERE kelurahan_code = '5371030009'
  ORDER BY welfare_rank IS NULL, welfare_rank, household_id" > sheet.want
cmp -s sheet.want sheet.ids || fail "the sheet's families are not all there in rank order"
pages=$(pdfinfo "$sheet" | awk '/^Pages:/ { print $2 }')
[ "$pages" -ge 2 ] || fail "the sheet has $pages pages"
pdftoppm -r 20 -gray "$sheet" page
for p in page-*.pgm; do
  # The share of pixels that are not white: ink on the page.
  ink=$(python3 -c "
import sys
data = open(sys.argv[1], 'rb').read()
parts = data.split(maxsplit=4)
w, h, px = int(parts[1]), int(parts[2]), parts[4][-int(parts[1]) * int(parts[2]):]
print(sum(1 for b in px if b < 200) * 1000 // (w * h))" "$p")
  [ "$ink" -ge 5 ] || fail "$p is blank ($ink per mille of ink)"
done
# The map page in colour is mostly drawn on (the neighbours, the sea, the markers).
pdftoppm -r 20 -f 1 -l 1 "$sheet" map
map_ink=$(python3 -c "
import sys
data = open(sys.argv[1], 'rb').read()
parts = data.split(maxsplit=4)
w, h = int(parts[1]), int(parts[2]); px = parts[4][-3 * w * h:]
print(sum(1 for i in range(0, len(px), 3) if min(px[i:i + 3]) < 250) * 100 // (w * h))" map-*.ppm)
[ "$map_ink" -ge 40 ] || fail "the map page is mostly white ($map_ink% drawn)"
# Personal fields appear only when asked for.
grep -qiE "Petrus|Jl\. " sheet.txt && fail "names or addresses in a sheet made without --fields"
"$bin" -q pack --kelurahan 53.71.04.1001 -o named --fields nama_kepala_keluarga --db w.sqlite
pdftotext named/5371030009-Oebobo.pdf named.txt
grep -qE "KPG-[0-9]{6} · [A-Z][a-z]+ [A-Z]" named.txt || fail "--fields did not add the names"
book=packs/5371030009-Oebobo.xlsx
export OGR_XLSX_HEADERS=FORCE

# The family list as GDAL reads it: every household of Oebobo once, in rank order, typed.
ogr2ogr -f CSV list.csv "$book" "Daftar keluarga"
want=$(q w.sqlite "SELECT count(*) FROM households WHERE kelurahan_code = '5371030009'")
[ "$(( $(wc -l < list.csv) - 1 ))" = "$want" ] || fail "the list has $(( $(wc -l < list.csv) - 1 )) families, not $want"
q w.sqlite "SELECT household_id FROM households WHERE kelurahan_code = '5371030009'
  ORDER BY welfare_rank IS NULL, welfare_rank, household_id" > ids.want
cut -d, -f2 list.csv | tail -n +2 > ids.got
cmp -s ids.want ids.got || fail "the list is not in rank order"
grep -q 'Peringkat: Integer' <(ogrinfo -ro -so "$book" "Daftar keluarga") || fail "ranks are not numbers"
grep -q 'Kode kelurahan: String' <(ogrinfo -ro -so "$book" "Daftar keluarga") || fail "codes are not text"
grep -q 'Nilai (String) = 53.71.04.1001' <(ogrinfo -ro -q "$book" Rekap) || fail "the recap lacks the Kemendagri code"
grep -q 'Keterangan (String) = Aturan yang berlaku' <(ogrinfo -ro -q "$book" Rekap) || fail "the recap lacks the rules"
mkdir x && (cd x && unzip -q "../$book")
grep -q '<formula1>"sangat miskin,miskin,rentan miskin,tidak miskin"</formula1>' x/xl/worksheets/sheet2.xml \
  || fail "no drop-down of the four classes"
grep -q '<f>' x/xl/worksheets/sheet*.xml && fail "a cell of the workbook is a formula"

# Filled in: ranks 1-5 agreed tidak miskin (with a note), 6-7 agreed as they are, 8 an
# unreadable class; then an unknown id, a household of another kelurahan, a duplicate.
ogr2ogr -f XLSX filled.xlsx "$book" Rekap
ogr2ogr -update -f XLSX filled.xlsx "$book" -nln "Daftar keluarga" -dialect SQLite -sql "
  SELECT \"ID keluarga\", \"Kode kelurahan\",
    CASE WHEN Peringkat <= 5 THEN 'tidak miskin' WHEN Peringkat <= 7 THEN Kelas WHEN Peringkat = 8 THEN 'kaya' END
      AS \"Kelas disepakati\",
    CASE WHEN Peringkat <= 5 THEN 'bekerja tetap' END AS \"Catatan forum\"
  FROM \"Daftar keluarga\"
  UNION ALL SELECT 'NOPE-1', NULL, 'miskin', NULL
  UNION ALL SELECT 'KPG-000001', NULL, 'miskin', NULL
  UNION ALL SELECT (SELECT \"ID keluarga\" FROM \"Daftar keluarga\" WHERE Peringkat = 1), NULL, 'miskin', NULL"
"$bin" amend filled.xlsx --db w.sqlite 2> amend.err || { cat amend.err; fail "amend failed"; }
grep -q "5 decisions applied" amend.err || { cat amend.err; fail "not 5 decisions"; }
reasons=$(q w.sqlite "SELECT group_concat(reason, ' ') FROM (SELECT reason FROM forum_rejects ORDER BY source_row)")
[ "$reasons" = "unreadable_class unknown_household other_kelurahan duplicate_row" ] || fail "rejects: $reasons"
grep -q "filled.xlsx: row 9: 'kaya'" <(q w.sqlite "SELECT message FROM forum_rejects WHERE reason = 'unreadable_class'") \
  || fail "the reject does not name the file and row"

# The final map: ranking's and forum's classes side by side; summaries count the final ones.
"$bin" -q export final.gpkg --db w.sqlite
top5=$(q w.sqlite "SELECT household_id FROM households WHERE kelurahan_code = '5371030009' AND welfare_rank <= 5")
for id in $top5; do
  [ "$(q final.gpkg "SELECT poverty_class || '|' || poverty_class_final FROM households WHERE household_id = '$id'")" \
    = "sangat miskin|tidak miskin" ] || fail "$id: the final class is not the forum's"
done
[ "$(q final.gpkg "SELECT count(*) FROM households WHERE poverty_class IS NOT poverty_class_final")" = 5 ] \
  || fail "other households changed class"
bad=$(q final.gpkg "SELECT count(*) FROM kelurahan k WHERE
     sangat_miskin != (SELECT count(*) FROM households h WHERE h.kelurahan_code = k.code AND poverty_class_final = 'sangat miskin')
  OR tidak_miskin  != (SELECT count(*) FROM households h WHERE h.kelurahan_code = k.code AND poverty_class_final = 'tidak miskin')
  OR miskin        != (SELECT count(*) FROM households h WHERE h.kelurahan_code = k.code AND poverty_class_final = 'miskin')
  OR rentan_miskin != (SELECT count(*) FROM households h WHERE h.kelurahan_code = k.code AND poverty_class_final = 'rentan miskin')")
[ "$bad" = 0 ] || fail "$bad kelurahan summaries disagree with their final classes"
[ "$(q final.gpkg "SELECT sum(sangat_miskin) FROM kecamatan")" = "$(q final.gpkg "SELECT sum(sangat_miskin) FROM kelurahan")" ] \
  || fail "kecamatan do not sum their kelurahan"
"$bin" check final.gpkg --db w.sqlite > check.out || { cat check.out; fail "check failed"; }

# The same file again: nothing changes. A later CSV overrides one household; the history stays.
"$bin" amend filled.xlsx --db w.sqlite 2> again.err
grep -q "0 decisions applied" again.err || fail "a second amend of the same file changed something"
first=$(echo "$top5" | head -1)
printf 'household_id,agreed_class,note\n%s,miskin,dicek ulang\n' "$first" > later.csv
"$bin" -q amend later.csv --db w.sqlite
[ "$(q w.sqlite "SELECT group_concat(class_after, '>') FROM (SELECT class_after FROM forum_decisions
  WHERE household_id = '$first' ORDER BY id)")" = "tidak miskin>miskin" ] || fail "the history of $first is wrong"
[ "$(q w.sqlite "SELECT poverty_class_final FROM households WHERE household_id = '$first'")" = miskin ] \
  || fail "the later file did not override"

# classify keeps the decisions; --drop-forum-decisions forgets them.
"$bin" -q classify --db w.sqlite
[ "$(q w.sqlite "SELECT count(*) FROM households WHERE poverty_class IS NOT poverty_class_final")" = 5 ] \
  || fail "classify lost the forum's decisions"
"$bin" -q check --db w.sqlite > /dev/null || fail "check failed after classify"
"$bin" -q classify --db w.sqlite --drop-forum-decisions
[ "$(q w.sqlite "SELECT count(*) FROM households WHERE poverty_class IS NOT poverty_class_final")" = 0 ] \
  || fail "--drop-forum-decisions kept decisions"
[ "$(q w.sqlite "SELECT sangat_miskin FROM kelurahan_summary WHERE code = '5371030009'")" \
  = "$(q w.sqlite "SELECT count(*) FROM households WHERE kelurahan_code = '5371030009' AND poverty_class = 'sangat miskin'")" ] \
  || fail "the summaries still count dropped decisions"
# Ids that a spreadsheet would run as formulas are string cells in the workbook: GDAL reads
# them back as the same texts, and no cell of any sheet is a formula.
mkdir formulas && cd formulas
printf '%s\n' 'id,lat,lon,jumlah_art,pengeluaran' '"=HYPERLINK(""http://x"",""y"")",-10.16893,123.60105,1,1000000' \
  '+6281234,-10.16894,123.60106,2,2000000' '-5,-10.16895,123.60107,3,3000000' '@SUM(A1),-10.16896,123.60108,1,4000000' \
  > f.csv
"$bin" -q run f.csv "$data/boundaries.gpkg" -o f.gpkg --db f.sqlite
"$bin" -q pack --kelurahan 5371030009 -o p --db f.sqlite
ogr2ogr -f CSV ids.csv p/5371030009-Oebobo.xlsx "Daftar keluarga"
python3 - ids.csv <<'PY' || fail "formula-looking ids did not come back as the same texts"
import csv, sys
got = sorted(r["ID keluarga"] for r in csv.DictReader(open(sys.argv[1], newline="")))
assert got == sorted(['=HYPERLINK("http://x","y")', "+6281234", "-5", "@SUM(A1)"]), got
PY
mkdir x && (cd x && unzip -q ../p/5371030009-Oebobo.xlsx)
grep -q '<f>' x/xl/worksheets/sheet*.xml && fail "a formula-looking id became a formula"
pdftotext p/5371030009-Oebobo.pdf - > sheet.txt
grep -qF '=HYPERLINK' sheet.txt || fail "the sheet lost a formula-looking id"
cd ..
echo "forum: ok"
