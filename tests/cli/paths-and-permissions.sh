#!/usr/bin/env bash
# What a boundary file holds never names a path outside the output folder, and what holds
# personal data is its owner's alone: the store, the forums' packs and the rank lists are
# created 0600 in 0700 folders whatever the umask; a --public export follows the umask.
# Usage: paths-and-permissions.sh REGSOSEK_GEO SAMPLE_DIR
set -uo pipefail
bin=$1
data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*"; exit 1; }
mode() { stat -c '%a' "$1"; }

# 1. A kelurahan code that is a path, has a separator, a control character or is too long:
#    the join refuses the boundary file, naming the feature, and nothing is written anywhere.
mkdir -p deep/er/out
"$bin" -q load "$data/households.csv" --db deep/er/w.sqlite || fail "load"
n=0
for code in '../../trav_out' 'A/B' "$(printf 'AB\tC')" '..' "$(printf '1%.0s' $(seq 40))"; do
  n=$((n + 1))
  rm -f hostile.gpkg
  ogr2ogr -q hostile.gpkg "$data/boundaries.gpkg" kelurahan kecamatan \
    || fail "making the hostile file"
  CODE="$code" /usr/bin/python3 -c '
import os
from osgeo import ogr
ds = ogr.Open("hostile.gpkg", 1)
layer = ds.GetLayerByName("kelurahan")
f = layer.GetFeature(3)
f.SetField("kode_kel", os.environ["CODE"])
layer.SetFeature(f)' || fail "editing the hostile file"
  "$bin" -q join hostile.gpkg --db deep/er/w.sqlite 2> join$n.err
  status=$?
  [ $status = 1 ] || fail "code '$code': join exit status $status, expected 1"
  grep -q "hostile.gpkg: kelurahan feature 3 (.*): code '.*' cannot name an area: it" join$n.err \
    || fail "code '$code': unclear error: $(cat join$n.err)"
done
[ -z "$(find . -name 'trav_out*')" ] || fail "a file named by the code was written: $(find . -name 'trav_out*')"
echo "ok: codes with '../', '/', a tab, '..' or 41 characters are refused by the join: $(head -1 join1.err)"

# The file names made from codes stay in the folder even for a store a hostile file got
# into (an older release joined it): the code is taken apart, not followed.
"$bin" -q join "$data/boundaries.gpkg" --db deep/er/w.sqlite || fail "join"
"$bin" -q classify --db deep/er/w.sqlite || fail "classify"
code=$(sqlite3 deep/er/w.sqlite "SELECT code FROM kelurahan ORDER BY code LIMIT 1")
sqlite3 deep/er/w.sqlite "PRAGMA foreign_keys=OFF; UPDATE kelurahan SET code = '../../trav_out' WHERE code = '$code';
  UPDATE household_areas SET kelurahan_code = '../../trav_out' WHERE kelurahan_code = '$code';
  UPDATE kelurahan_summary SET code = '../../trav_out' WHERE code = '$code'" || fail "tampering"
(cd deep/er && "$bin" -q rank --all -o out --db w.sqlite && "$bin" -q pack --all -o out --db w.sqlite) \
  || fail "rank/pack --all on the tampered store"
[ -z "$(find . -name '*trav_out*' -not -path './deep/er/out/*')" ] || fail "written outside: $(find . -name '*trav_out*')"
ls deep/er/out | grep -q '^______trav_out-' || fail "the tampered kelurahan's files: $(ls deep/er/out | head)"
echo "ok: files named from a code stay in the output folder: $(ls deep/er/out | grep trav_out | head -1)"

# 2. Personal data: 0600 files in 0700 folders, even under umask 000.
umask 000
"$bin" -q run "$data/households.csv" "$data/boundaries.gpkg" -o map.gpkg --db w.sqlite || fail "run"
[ "$(mode w.sqlite)" = 600 ] || fail "the store is $(mode w.sqlite)"
[ "$(mode map.gpkg)" = 600 ] || fail "the export is $(mode map.gpkg)"
"$bin" -q export layers/ --db w.sqlite || fail "export to a folder"
[ "$(mode layers)" = 700 ] || fail "the export's folder is $(mode layers)"
for f in layers/*; do [ "$(mode "$f")" = 600 ] || fail "$f is $(mode "$f")"; done
"$bin" -q rank --all -o lists --db w.sqlite || fail "rank --all"
"$bin" -q rank --kelurahan 5371030009 -o oebobo.csv --db w.sqlite || fail "rank --kelurahan"
"$bin" -q pack --all -o forum --db w.sqlite || fail "pack --all"
for d in lists forum; do
  [ "$(mode $d)" = 700 ] || fail "folder $d is $(mode $d)"
  for f in $d/*; do [ "$(mode "$f")" = 600 ] || fail "$f is $(mode "$f")"; done
done
[ "$(mode oebobo.csv)" = 600 ] || fail "the rank list is $(mode oebobo.csv)"
echo "ok: store, export, rank lists and packs are 0600 in 0700 folders under umask 000"

# 3. Public outputs follow the umask.
umask 022
"$bin" -q export public.gpkg --public --db w.sqlite || fail "export --public"
[ "$(mode public.gpkg)" = 644 ] || fail "the public export is $(mode public.gpkg), expected 644 under umask 022"
"$bin" -q export public/ --public --db w.sqlite || fail "export --public to a folder"
[ "$(mode public)" = 755 ] || fail "the public folder is $(mode public)"
for f in public/*; do [ "$(mode "$f")" = 644 ] || fail "$f is $(mode "$f")"; done
echo "ok: a --public export follows the umask (644, folders 755)"
