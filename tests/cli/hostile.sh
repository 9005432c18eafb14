#!/usr/bin/env bash
# Hostile input and a hostile machine: millions of columns, a 10 GB line, deeply nested
# GeoJSON, a polygon with millions of vertices, NaN vertices, a full disk during load and
# join, an output folder that cannot be written. Each case asserts exit status, message and
# what is left behind, and (outside sanitizer builds, whose shadow memory needs the address
# space) that memory stays bounded under `ulimit -v`.
# Usage: hostile.sh REGSOSEK_GEO SAMPLE_DIR SANITIZED(0|1)
set -uo pipefail
bin=$1
data=$2
sanitized=${3:-0}
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*"; exit 1; }
count() { sqlite3 "$1" "$2"; }
# Runs the tool with at most 1.5 GB of address space (a 10 GB line read whole would need more).
bounded() { if [ "$sanitized" = 1 ]; then "$bin" "$@"; else (ulimit -v 1500000; exec "$bin" "$@"); fi; }
# rows read = loaded + rejected, from the tool's own provenance table
accounted() {
  [ "$(count "$1" 'SELECT rows_read = loaded + rejected FROM load_runs ORDER BY id DESC LIMIT 1')" = 1 ] \
    || fail "$1: rows read != loaded + rejected"
}

# 1. Two million columns: read within the record limit, each row loaded or rejected.
/usr/bin/python3 - <<'PY'
n = 2_000_000
with open("wide.csv", "w") as f:
    f.write("id,lat,lon" + ",x" * n + "\n")
    f.write("W1,-10.17,123.6" + "," * n + "\n")
    f.write("W2,-10.18,123.6" + ",y" * n + "\n")
    f.write("W3,-10.19,123.6\n")
PY
bounded -q load wide.csv --db wide.sqlite 2> wide.err || fail "wide: $(cat wide.err)"
accounted wide.sqlite
[ "$(count wide.sqlite "SELECT group_concat(household_id) FROM households ORDER BY household_id")" = "W1,W2" ] \
  || fail "wide: wrong households"
[ "$(count wide.sqlite "SELECT line || ' ' || reason FROM rejects")" = "4 field_count" ] || fail "wide: wrong reject"
[ "$(count wide.sqlite "SELECT sha256 FROM load_runs")" = "$(sha256sum wide.csv | cut -d' ' -f1)" ] \
  || fail "wide: load_runs.sha256 is not the file's SHA-256"
echo "ok: two million columns: 2 rows loaded, the short row rejected (field_count)"

# 2. A 10 GB line between two good rows. The file is sparse: 10 GB of NUL bytes that take
# no disk. The reader keeps 16 MiB of it, rejects the line, and goes on.
printf 'id,lat,lon\nG1,-10.17,123.6\n' > long.csv
truncate -s +10G long.csv
printf '\nG2,-10.18,123.6\n' >> long.csv
bounded -q load long.csv --db long.sqlite 2> long.err || fail "10 GB line: $(cat long.err)"
accounted long.sqlite
[ "$(count long.sqlite "SELECT group_concat(household_id) FROM households")" = "G1,G2" ] || fail "10 GB line: households"
[ "$(count long.sqlite "SELECT line || ' ' || reason || ' ' || (length(raw) <= 16777216) FROM rejects")" = "3 too_long 1" ] \
  || fail "10 GB line: reject $(count long.sqlite 'SELECT line, reason FROM rejects')"
echo "ok: a 10 GB line: rejected as too_long with at most 16 MiB kept, the rows around it loaded"

# 3. Deeply nested GeoJSON, as households and as boundaries: a clear error, no crash.
/usr/bin/python3 - <<'PY'
depth = 200_000
nested = "[" * depth + "]" * depth
with open("nested.geojson", "w") as f:
    f.write('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"N1","deep":%s},'
            '"geometry":{"type":"Point","coordinates":%s}}]}' % (nested, "[" * depth + "123.6,-10.17" + "]" * depth))
PY
bounded -q load nested.geojson --db nested.sqlite 2> nested.err
status=$?
[ $status = 1 ] || fail "nested GeoJSON load: exit status $status: $(cat nested.err)"
grep -q "regsosek-geo: load: nested.geojson" nested.err || fail "nested GeoJSON load: unclear: $(cat nested.err)"
"$bin" -q run "$data/households.csv" "$data/boundaries.gpkg" -o k.gpkg --db k.sqlite || fail "sample run"
bounded -q join nested.geojson --db k.sqlite 2> nested-join.err
status=$?
[ $status = 1 ] || fail "nested GeoJSON boundaries: exit status $status"
grep -q "regsosek-geo: join: nested.geojson" nested-join.err || fail "nested boundaries: unclear: $(cat nested-join.err)"
[ "$(count k.sqlite 'SELECT count(*) FROM households WHERE join_method IS NULL')" = 0 ] || fail "nested: join lost"
echo "ok: nested GeoJSON: $(head -1 nested.err); $(head -1 nested-join.err)"

# 4. A kelurahan with two million vertices (a circle of radius 0.1 degree), a neighbour
# with a NaN vertex, and points whose answer is known by hand.
/usr/bin/python3 - <<'PY'
import math
from osgeo import ogr, osr
ogr.UseExceptions()
srs = osr.SpatialReference()
srs.ImportFromEPSG(4326)
ds = ogr.GetDriverByName("GPKG").CreateDataSource("huge.gpkg")
layer = ds.CreateLayer("kelurahan", srs, ogr.wkbPolygon)
layer.CreateField(ogr.FieldDefn("kode_kel", ogr.OFTString))
layer.CreateField(ogr.FieldDefn("nama_kel", ogr.OFTString))
def add(code, name, ring):
    poly = ogr.Geometry(ogr.wkbPolygon)
    poly.AddGeometry(ring)
    feature = ogr.Feature(layer.GetLayerDefn())
    feature.SetField("kode_kel", code)
    feature.SetField("nama_kel", name)
    feature.SetGeometry(poly)
    layer.CreateFeature(feature)
n = 2_000_000
ring = ogr.Geometry(ogr.wkbLinearRing)
for i in range(n):
    a = 2 * math.pi * i / n
    ring.AddPoint_2D(123.6 + 0.1 * math.cos(a), -10.2 + 0.1 * math.sin(a))
ring.CloseRings()
add("5371010001", "Lingkaran", ring)
ring = ogr.Geometry(ogr.wkbLinearRing)
for x, y in [(124.0, -10.3), (124.2, -10.3), (float("nan"), -10.1), (124.0, -10.1), (124.0, -10.3)]:
    ring.AddPoint_2D(x, y)
add("5371010002", "Rusak", ring)
ds = None
PY
printf 'id,lat,lon\nIN1,-10.2,123.6\nIN2,-10.15,123.65\nOUT1,-10.2,123.9\nNAN1,-10.2,124.1\n' > circle.csv
bounded -q load circle.csv --db circle.sqlite || fail "circle load"
bounded join huge.gpkg --db circle.sqlite 2> huge.err || fail "two million vertices: $(cat huge.err)"
grep -q "kelurahan 5371010002 (Rusak), feature 2: a coordinate is not a number" huge.err \
  || fail "NaN vertex: no warning naming it: $(cat huge.err)"
got=$(count circle.sqlite "SELECT group_concat(household_id || ':' || join_method || ':' || coalesce(kelurahan_code, '-'), ' ')
                           FROM (SELECT * FROM households ORDER BY household_id)")
[ "$got" = "IN1:within:5371010001 IN2:within:5371010001 NAN1:unmatched:- OUT1:unmatched:-" ] \
  || fail "two million vertices: $got"
echo "ok: a polygon of two million vertices joined; a NaN vertex: $(grep 'not a number' huge.err | head -1)"

# 5. A full disk during load (no file may grow beyond the database's size now) and join
# (nor beyond half of it, as a join rewrites pages in place): exit status 1, a message
# naming the database, and the previous contents intact.
households=$(count k.sqlite "SELECT count(*) FROM households")
digest() { sqlite3 k.sqlite "SELECT household_id, kelurahan_code, join_method FROM households ORDER BY hh" | sha256sum; }
before=$(digest)
limit=$(( $(stat -c %s k.sqlite) / 1024 + 8 ))
# New households (the same rows under other ids): appending the same ones would only be
# refused, each a duplicate, before the disk fills.
sed '2,$ s/^KPG-/NEW-/' "$data/households.csv" > more.csv
( trap '' XFSZ; ulimit -f "$limit"; exec "$bin" -q load more.csv --db k.sqlite --append ) 2> full-load.err
status=$?
[ $status = 1 ] || fail "full disk, load: exit status $status: $(cat full-load.err)"
grep -q "regsosek-geo: load: .*k.sqlite" full-load.err || fail "full disk, load: unclear: $(cat full-load.err)"
( trap '' XFSZ; ulimit -f "$((limit / 2))"; exec "$bin" -q join "$data/boundaries.gpkg" --db k.sqlite --max-distance 10 ) \
  2> full-join.err
status=$?
[ $status = 1 ] || fail "full disk, join: exit status $status: $(cat full-join.err)"
grep -q "regsosek-geo: join: .*k.sqlite" full-join.err || fail "full disk, join: unclear: $(cat full-join.err)"
[ "$(count k.sqlite 'PRAGMA integrity_check')" = ok ] || fail "full disk: integrity_check"
[ "$(digest)" = "$before" ] || fail "full disk: households changed"
"$bin" check --db k.sqlite > check.out || fail "full disk: check: $(grep FAIL check.out)"
echo "ok: a full disk: load ($(head -1 full-load.err)), join ($(head -1 full-join.err)); $households households intact"

# 5b. A forum workbook of 7 MB holding three million empty rows (GDAL's XLSX driver would
# hold them all, ~1 GB): refused by its size before it is read, within 300 MB.
"$bin" -q pack --kelurahan 5371030009 -o packs --db k.sqlite || fail "pack for the huge workbook"
/usr/bin/python3 - packs/5371030009-Oebobo.xlsx huge.xlsx <<'PY'
import sys, zipfile
src, dst = zipfile.ZipFile(sys.argv[1]), zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED)
for name in src.namelist():
    data = src.read(name)
    if name == "xl/worksheets/sheet2.xml":
        s = data.decode()
        i, j = s.index('<row r="2"'), s.index("</sheetData>")
        data = (s[:i] + "".join('<row r="%d"/>' % k for k in range(2, 3_000_002)) + s[j:]).encode()
    dst.writestr(name, data)
dst.close()
PY
decisions=$(count k.sqlite "SELECT count(*) FROM forum_runs")
if [ "$sanitized" = 1 ]; then "$bin" -q amend huge.xlsx --db k.sqlite; else (ulimit -v 300000; exec "$bin" -q amend huge.xlsx --db k.sqlite); fi 2> huge.err
status=$?
[ $status = 1 ] || fail "huge workbook: exit status $status: $(cat huge.err)"
grep -q "huge.xlsx: worksheet sheet2.xml holds more than a forum's list (at most 200000 rows" huge.err \
  || fail "huge workbook: unclear: $(cat huge.err)"
[ "$(count k.sqlite "SELECT count(*) FROM forum_runs")" = "$decisions" ] || fail "huge workbook: a forum run was recorded"
echo "ok: a workbook of three million rows is refused unread: $(head -1 huge.err)"

# 6. An output folder that cannot be written: chmod where it binds (not root), else /sys,
# which a container mounts read-only and root cannot create files in.
mkdir locked && chmod 555 locked
target=locked
touch locked/probe 2>/dev/null && target=/sys
[ "$target" = /sys ] && touch /sys/probe 2>/dev/null && { echo "ok: skipped: no folder here refuses root"; exit 0; }
for out in "$target/peta.gpkg" "$target/peta.geojson"; do
  "$bin" -q export "$out" --db k.sqlite 2> ro.err
  status=$?
  [ $status = 1 ] || fail "read-only folder: $out: exit status $status"
  grep -qF "regsosek-geo: export: ${out%.*}" ro.err || fail "read-only folder: unclear: $(cat ro.err)"
  [ -z "$(ls -A "$target" 2>/dev/null | grep -i peta)" ] || fail "read-only folder: files left"
done
"$bin" -q rank --all -o "$target/forum" --db k.sqlite 2> ro-rank.err
[ $? = 1 ] || fail "read-only folder: rank did not fail"
grep -qF "regsosek-geo: rank: $target/forum" ro-rank.err || fail "read-only folder: rank: unclear: $(cat ro-rank.err)"
echo "ok: a read-only folder ($target): $(head -1 ro.err); $(head -1 ro-rank.err)"
