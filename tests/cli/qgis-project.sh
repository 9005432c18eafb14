#!/usr/bin/env bash
# The QGIS project inside the exported GeoPackage: opened from a copy in another folder (as
# a user who received the file would), its overview sheet and its atlas printed by QGIS;
# pdftoppm finds no blank page, the atlas has a page per kelurahan and pdftotext finds each
# kelurahan's name on its page. The same for a --public export (summaries only).
set -euo pipefail
bin=$1
data=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$bin" -q run "$data/households.csv" "$data/boundaries.gpkg" -o "$work/kupang.gpkg" --db "$work/w.sqlite"
"$bin" -q export "$work/kupang-publik.gpkg" --public --min-count 150 --db "$work/w.sqlite"

not_blank() { # PDF: every page rendered has ink
  pdftoppm -r 15 -gray "$1" "$1.page"
  for p in "$1".page*.pgm; do
    python3 - "$p" <<'PY' || fail "$p is blank"
import sys
data = open(sys.argv[1], "rb").read()
parts = data.split(maxsplit=4)
w, h = int(parts[1]), int(parts[2])
px = parts[4][-w * h:]
sys.exit(0 if sum(1 for b in px if b < 200) * 100 // (w * h) >= 3 else 1)
PY
  done
}

check() { # name, layers
  local name=$1 layers=$2
  mkdir -p "$work/elsewhere-$name"
  cp "$work/$name.gpkg" "$work/elsewhere-$name/"
  out="$work/out-$name" && mkdir -p "$out"
  QT_QPA_PLATFORM=offscreen /usr/bin/python3 "$here/qgis_project.py" "$work/elsewhere-$name/$name.gpkg" "$out" "$layers" \
    2>/dev/null || fail "$name: the project"
  [ "$(pdfinfo "$out/overview.pdf" | awk '/^Pages:/ { print $2 }')" = 1 ] || fail "$name: the overview is not one page"
  pages=$(pdfinfo "$out/atlas.pdf" | awk '/^Pages:/ { print $2 }')
  [ "$pages" = "$(wc -l < "$out/atlas-names.txt")" ] || fail "$name: $pages atlas pages for $(wc -l < "$out/atlas-names.txt") kelurahan"
  not_blank "$out/overview.pdf"
  not_blank "$out/atlas.pdf"
  i=0
  while IFS= read -r kel; do
    i=$((i + 1))
    pdftotext -f "$i" -l "$i" "$out/atlas.pdf" "$out/page.txt"
    upper=$(printf '%s' "$kel" | tr '[:lower:]' '[:upper:]')
    # The title may wrap: lines joined, spaces squeezed.
    tr -s '\n ' '  ' < "$out/page.txt" > "$out/page.flat"
    grep -qF "PETA KELURAHAN/DESA $upper" "$out/page.flat" || fail "$name: atlas page $i lacks $kel"
  done < "$out/atlas-names.txt"
  echo "$name: project, overview and $pages atlas pages ok"
}
check kupang households,kecamatan,kelurahan
check kupang-publik kecamatan,kelurahan
