#!/usr/bin/env bash
# An export killed half-way (SIGKILL) or stopped by a full disk (RLIMIT_FSIZE) leaves the
# previous map untouched and nothing beside it that looks complete; the full disk gives a
# clear error and exit status 1; re-running then completes the job.
set -uo pipefail
bin=$1
data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*"; exit 1; }

"$bin" -q run "$data/households.csv" "$data/boundaries.gpkg" -o map.gpkg --db work.sqlite || fail "first run"
before=$(sha256sum map.gpkg | cut -d' ' -f1)

# SIGKILL as soon as the temporary file exists.
"$bin" -q export map.gpkg --overwrite --db work.sqlite &
pid=$!
for _ in $(seq 1 2000); do
  compgen -G '.map.gpkg.partial-*' >/dev/null && break
  sleep 0.005
done
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
[ "$(sha256sum map.gpkg | cut -d' ' -f1)" = "$before" ] || fail "SIGKILL changed the previous map"
visible=$(ls | grep -v -x -e map.gpkg -e work.sqlite -e 'work.sqlite-wal' -e 'work.sqlite-shm' || true)
[ -z "$visible" ] || fail "SIGKILL left visible files: $visible"
compgen -G '.map.gpkg.partial-*' >/dev/null || echo "note: the export finished before it could be killed"
# The next export removes the killed one's leftover whatever its flags, even when it is
# itself refused (no --overwrite): the process that wrote it is gone.
"$bin" -q export map.gpkg --db work.sqlite 2>/dev/null && fail "an export without --overwrite replaced the map"
compgen -G '.map.gpkg.partial-*' >/dev/null && fail "a refused export left the killed one's partial file: $(ls -a | grep partial)"

# A full disk: files may not grow beyond 1 MiB. The signal is ignored so that write() fails.
( trap '' XFSZ; ulimit -f 1024; exec "$bin" -q export map.gpkg --overwrite --db work.sqlite ) 2> full.err
status=$?
[ $status -eq 1 ] || fail "full disk: exit status $status, expected 1"
grep -q "regsosek-geo: export: .*map.gpkg" full.err || fail "full disk: unclear error: $(cat full.err)"
[ "$(sha256sum map.gpkg | cut -d' ' -f1)" = "$before" ] || fail "a full disk changed the previous map"
# The killed export's leftover is gone too: its process no longer exists.
compgen -G '.map.gpkg.partial-*' >/dev/null && fail "partial files left: $(ls -a | grep partial)"

# GeoJSON and its text sequences on a full disk: GDAL's writers do not check their writes,
# so the export must (the error, exit 1, the previous file untouched, no partial file).
for ext in geojson geojsonl geojsons; do
  "$bin" -q export "h.$ext" --layers households --db work.sqlite || fail "$ext: first export"
  was=$(sha256sum "h.$ext" | cut -d' ' -f1)
  ( trap '' XFSZ; ulimit -f 2000; exec "$bin" -q export "h.$ext" --layers households --overwrite --db work.sqlite ) 2> "$ext.err"
  status=$?
  [ $status -eq 1 ] || fail "$ext on a full disk: exit status $status, expected 1"
  grep -q "regsosek-geo: export: h.$ext: cannot write: File too large" "$ext.err" || fail "$ext: unclear error: $(cat "$ext.err")"
  [ "$(sha256sum "h.$ext" | cut -d' ' -f1)" = "$was" ] || fail "$ext: a full disk changed the previous file"
  compgen -G ".h.$ext.partial-*" >/dev/null && fail "$ext: partial files left: $(ls -a | grep partial)"
done
echo "ok: GeoJSON, GeoJSONSeq (.geojsonl, .geojsons) on a full disk: exit 1, the previous file kept"

# A set of files (one per layer) is replaced whole or not at all: the households file, the
# largest and the last written, cannot fit, so none of the new area files may land either.
# A file moved into place is a new inode, even when its bytes are the same.
sums() { (cd "$1" && stat -c '%i %n' -- *.geojson); }
"$bin" -q export set/ --db work.sqlite || fail "set: first export"
sums set > set.before
( trap '' XFSZ; ulimit -f 1024; exec "$bin" -q export set/ --overwrite --db work.sqlite ) 2> set.err
[ $? -eq 1 ] || fail "set on a full disk: expected exit status 1"
sums set | diff - set.before >/dev/null || fail "set on a full disk: files replaced: $(sums set | diff - set.before)"
[ -z "$(ls -A set | grep -v -x -e '[a-z]*.geojson')" ] || fail "set on a full disk left: $(ls -A set)"
# Killed while writing the households file, after the area files are complete.
"$bin" -q export set/ --overwrite --db work.sqlite --layers provinsi,kabkota,kecamatan,kelurahan,households &
pid=$!
for _ in $(seq 1 4000); do
  compgen -G 'set/.households.geojson.partial-*' >/dev/null && break
  sleep 0.002
done
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if compgen -G 'set/.households.geojson.partial-*' >/dev/null; then
  sums set | diff - set.before >/dev/null || fail "set killed half-way: some files replaced"
else
  echo "note: the set's export finished before it could be killed"
fi
echo "ok: a set of GeoJSON files is replaced whole or not at all (full disk, SIGKILL)"

# Re-running completes the job.
"$bin" -q export map.gpkg --overwrite --db work.sqlite || fail "re-run"
ogrinfo -ro -so map.gpkg households | grep -q "Feature Count: [1-9]" || fail "re-run wrote no households"
echo "ok: SIGKILL and a full disk leave the previous map intact; error: $(head -1 full.err)"
