#!/usr/bin/env bash
# The public web map (issue #29): `export DIR -f web` on the sample, then
#  - tests/web/oracle.py: every area's figures against the store's summaries (sqlite3), no count
#    from 1 to 4 anywhere, the tiles read back by GDAL's own MVT reader (every area at the last
#    zoom of its level, nothing but code, name, parent, rate and hidden in them, no tile over
#    500 KB), the legend's classes those of the QGIS style, the downloads, public modes;
#  - tests/web/site.cjs: the site served by python3 -m http.server (no range requests) on
#    127.0.0.1, drawn by Debian's Chromium: colours, hover, click, search, a suppressed area,
#    English, a phone, and no request leaving the origin;
#  - no household id, name or NIK of the input anywhere in the folder;
#  - the folder is written as one: a failed export leaves the previous site whole and no
#    working folder; --overwrite replaces only a site of ours; what -f web refuses.
# Screenshots go to $SHOTS when set (docs/ takes one), else into the work folder.
set -euo pipefail
bin=$1
data=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
server=
trap '[ -z "$server" ] || kill "$server" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$work"
umask 022

"$bin" -q run "$data/households.csv" "$data/boundaries.gpkg" -o kupang.gpkg --db s.sqlite
"$bin" export site -f web --db s.sqlite 2> export.log || { cat export.log; fail "export -f web"; }
grep -q "wrote site" export.log || fail "no word of what was written: $(cat export.log)"
[ -f site/index.html ] && [ -f site/lib/ol.js ] && [ -f site/site.json ] || fail "the site lacks its page: $(ls site)"
ls -a . > listing
! grep -q partial listing || fail "a working folder was left: $(cat listing)"

/usr/bin/python3 "$here/../web/oracle.py" site s.sqlite "$here/../../export/styles/kelurahan.qml" 5 expect.json

# Nothing of a household: ids, names and NIK of the input appear in no file of the site.
python3 - "$data/households.csv" > personal.txt <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
for r in rows[::997]:
    for k in ("id_keluarga", "nama_kepala_keluarga", "nik", "no_hp"):
        if len(r[k]) >= 8:
            print(r[k])
EOF
[ "$(wc -l < personal.txt)" -gt 60 ] || fail "too few personal values to look for"
if grep -rlF -f personal.txt site > found.txt; then fail "personal data in the site: $(head -3 found.txt)"; fi

# Served as a plain static server serves it, and looked at in Chromium.
# serve DIR: DIR on http://127.0.0.1:$port/ (the server before it stopped), once it answers.
serve() {
  [ -z "$server" ] || kill "$server"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  python3 -m http.server --bind 127.0.0.1 --directory "$1" "$port" > "http-$1.log" 2>&1 &
  server=$!
  for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$port/site.json" 2>/dev/null && break; sleep 0.1; done
}
serve site
shots=${SHOTS:-$work/shots}
mkdir -p "$shots"
node "$here/../web/site.cjs" "http://127.0.0.1:$port/" expect.json "$shots" || fail "the site in Chromium (log: $work/http-site.log)"

# An SLS map's site has a fifth level, the SLS (their counts recounted by the oracle from the
# households view), drawn from zoom 14. Without SLS, --layers sls is refused.
"$here/make_sls_map.sh" "$data" sls.gpkg
"$bin" -q run "$data/households.csv" sls.gpkg -o sls-map.gpkg --db sls.sqlite 2> /dev/null
"$bin" -q export sls-site -f web --db sls.sqlite
/usr/bin/python3 "$here/../web/oracle.py" sls-site sls.sqlite "$here/../../export/styles/kelurahan.qml" 5 expect-sls.json
serve sls-site
mkdir -p "$shots/sls"
node "$here/../web/site.cjs" "http://127.0.0.1:$port/" expect-sls.json "$shots/sls" || fail "the SLS site in Chromium"
if "$bin" -q export nosls.gpkg --public --layers kelurahan,sls --db s.sqlite 2> refused.log; then fail "an sls layer without SLS"; fi
grep -q "needs boundaries that are an SLS map" refused.log && [ ! -e nosls.gpkg ] || fail "$(cat refused.log)"

# The folder is one: an export stopped half-way by a full disk (RLIMIT_FSIZE) or killed
# leaves the previous site as it was; the full disk says so and leaves no working folder.
before=$(find site -type f | sort | xargs sha256sum | sha256sum)
set +e
( trap '' XFSZ; ulimit -f 600; exec "$bin" -q export site -f web --overwrite --db s.sqlite ) 2> full.log
status=$?
set -e
[ "$status" = 1 ] && grep -qi "file too large\|no space\|cannot" full.log || fail "full disk: exit $status, $(cat full.log)"
[ "$(find site -type f | sort | xargs sha256sum | sha256sum)" = "$before" ] || fail "a failed export touched the site"
ls -a . > listing
! grep -q partial listing || fail "a failed export left its working folder: $(cat listing)"
"$bin" -q export site -f web --overwrite --db s.sqlite &
pid=$!
for _ in $(seq 1 2000); do compgen -G '.site.partial-*' > /dev/null && break; sleep 0.005; done
kill -KILL "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
[ "$(find site -type f | sort | xargs sha256sum | sha256sum)" = "$before" ] || fail "SIGKILL touched the site"
# A killed writer's folder is removed by the next export.
mkdir .site.partial-999999 && touch .site.partial-999999/index.html
"$bin" -q export site -f web --overwrite --db s.sqlite
[ ! -e .site.partial-999999 ] || fail "a dead writer's folder was left"

# --overwrite replaces a site of ours or an empty folder, never a folder of other things.
mkdir -p notasite && echo precious > notasite/thesis.txt
if "$bin" -q export notasite -f web --overwrite --db s.sqlite 2> refused.log; then fail "replaced a folder not ours"; fi
grep -q "holds no web map of regsosek-geo" refused.log && [ -f notasite/thesis.txt ] || fail "$(cat refused.log)"
mkdir -p empty && "$bin" -q export empty -f web --overwrite --db s.sqlite && [ -f empty/index.html ] || fail "an empty folder"
if "$bin" -q export site -f web --db s.sqlite 2> refused.log; then fail "replaced a site without --overwrite"; fi
grep -q "already exists; use --overwrite" refused.log || fail "$(cat refused.log)"

# What a public web map cannot be asked for.
for args in "--fields nik" "--layers households" "--only 5371010" "--basemap ftp://x/{z}/{x}/{y}.png"; do
  set +e
  "$bin" export web2 -f web --db s.sqlite $args 2> refused.log
  status=$?
  set -e
  [ "$status" = 2 ] && [ ! -e web2 ] || fail "-f web $args: exit $status, $(cat refused.log)"
done
if "$bin" -q export web3 -f web --db s.sqlite --basemap 'https://tile.openstreetmap.org/{z}/{x}/{y}.png' 2> refused.log; then
  fail "a basemap without its credit"; fi
grep -q "basemap-credit" refused.log && [ ! -e web3 ] || fail "$(cat refused.log)"
"$bin" -q export web3 -f web --db s.sqlite --basemap 'https://tile.openstreetmap.org/{z}/{x}/{y}.png' \
  --basemap-credit '© OpenStreetMap <contributors>'
grep -q '"basemap": "https://tile.openstreetmap.org/{z}/{x}/{y}.png"' web3/site.json &&
  grep -q '"basemap_credit": "© OpenStreetMap <contributors>"' web3/site.json || fail "the basemap is not in site.json"
echo "web: ok"
