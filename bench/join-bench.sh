#!/usr/bin/env bash
# The join at national scale: regsosek-geo against SpatiaLite SQL (a spatial-index join with
# ST_Within) and GeoPandas sjoin, on the same generated data in the same run. Prints, for
# each tool, the seconds of the join itself and of the whole process, points per second,
# peak memory, the ratios, and how many points the tools disagree on.
#
# Usage: bench/join-bench.sh [POLYGONS (84000)] [POINTS (10000000)] [BUILD_DIR (build)] [WORK_DIR]
# A WORK_DIR given is kept, and the generated data in it reused by the next run.
# Needs `scripts/install-deps.sh --bench` (GeoPandas, GNU time).
set -euo pipefail
cd "$(dirname "$0")/.."
polygons=${1:-84000}
points=${2:-10000000}
build=$(cd "${3:-build}" && pwd)
here=$(pwd)
if [ -n "${4:-}" ]; then
  work=$4
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
work=$(cd "$work" && pwd)
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: scripts/install-deps.sh --bench"; exit 1; }
/usr/bin/python3 -c 'import geopandas, rtree' 2>/dev/null || { echo "needs GeoPandas: scripts/install-deps.sh --bench"; exit 1; }
cd "$work"

# Desa of Indonesia's average size (~22 km2) whatever the count: 84,000 of them tile 12 x 12
# degrees. Densified to 0.0005 degrees they have ~335 vertices each (43 to 700).
side=$(awk -v n="$polygons" 'BEGIN { printf "%.4f", 12 * sqrt(n / 84000) }')
if [ ! -s points.csv ] || [ ! -s boundaries.gpkg ] || [ "$(cat generated 2>/dev/null)" != "$polygons $points" ]; then
  rm -f points.csv boundaries.gpkg generated
  "$build/bench/gen_boundaries" boundaries.gpkg points.csv "$polygons" "$points" 2022 0.0005 "$side"
  echo "$polygons $points" > generated
fi

measure() { # name, command...: the command's stderr is kept in name.err, "seconds peak_kb" in name.time
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$name.time" "$@" >"$name.out" 2>"$name.err" || { cat "$name.err"; exit 1; }
}

rm -f rg.sqlite sl.sqlite
echo "loading $points points into SpatiaLite (the input of both SQL peers)..."
measure load "$build/regsosek-geo" load points.csv --db rg.sqlite
# SpatiaLite works on its own copy: the same households table with its spatial index, and
# the polygons imported by ogr2ogr with theirs.
cp rg.sqlite sl.sqlite
ogr2ogr -f SQLite -update sl.sqlite boundaries.gpkg kelurahan -nln kel -lco SPATIAL_INDEX=YES

echo "regsosek-geo join..."
measure regsosek "$build/regsosek-geo" join boundaries.gpkg --db rg.sqlite
echo "SpatiaLite SQL join..."
measure spatialite sqlite3 -batch sl.sqlite <<'SQL'
.load mod_spatialite
CREATE TABLE sl_join AS
SELECT h.hh AS hh, k.kode_kel AS code
FROM households AS h, kel AS k
WHERE ST_Within(h.geom, k.geom)
  AND k.ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'kel' AND search_frame = h.geom);
SQL
echo "GeoPandas sjoin..."
measure geopandas /usr/bin/python3 "$here/bench/geopandas_join.py" points.csv boundaries.gpkg

# What each process costs before it reads anything, its libraries loaded: no tool can go
# below its own floor, and regsosek-geo's (GDAL) is above SpatiaLite's whole run.
/usr/bin/time -f "%M" -o floor_rg.kb "$build/regsosek-geo" --version >/dev/null
/usr/bin/time -f "%M" -o floor_sl.kb sqlite3 -batch :memory: '.load mod_spatialite' 'SELECT spatialite_version();' >/dev/null
/usr/bin/time -f "%M" -o floor_gp.kb /usr/bin/python3 -c 'import geopandas, rtree' >/dev/null

# Every point SpatiaLite finds strictly inside a polygon must be 'within' the same kelurahan
# for regsosek-geo, and the other way round.
disagree=$(sqlite3 -batch -noheader rg.sqlite <<'SQL'
ATTACH 'sl.sqlite' AS sl;
SELECT (SELECT count(*) FROM households h LEFT JOIN sl.sl_join s USING (hh)
        WHERE (h.join_method = 'within') != (s.code IS NOT NULL)
           OR (h.join_method = 'within' AND h.kelurahan_code != s.code));
SQL
)
sl_within=$(sqlite3 -batch -noheader sl.sqlite 'SELECT count(*) FROM sl_join')
gp_within=$(awk '$1 == "within" { print $2 }' geopandas.out)

rg_join=$(sed -n 's/.*households located on [0-9]* threads in \([0-9.]*\) s.*/\1/p' regsosek.err)
gp_join=$(awk '$1 == "join_s" { print $2 }' geopandas.out)
read -r rg_total rg_kb < regsosek.time
read -r sl_total sl_kb < spatialite.time
read -r gp_total gp_kb < geopandas.time
read -r load_total load_kb < load.time

echo
echo "$polygons polygons, $points points, $(nproc) cores; load (not part of the join): ${load_total} s, $((load_kb / 1024)) MB"
printf '%-22s %12s %14s %14s %10s %16s\n' tool join_s points/s whole_run_s peak_MB libraries_MB
row() { awk -v n="$1" -v j="$2" -v t="$3" -v kb="$4" -v f="$(cat "$5")" -v p="$points" \
  'BEGIN { printf "%-22s %12.2f %14.0f %14.2f %10.0f %16.0f\n", n, j, p / j, t, kb / 1024, f / 1024 }'; }
row regsosek-geo "$rg_join" "$rg_total" "$rg_kb" floor_rg.kb
row "SpatiaLite SQL" "$sl_total" "$sl_total" "$sl_kb" floor_sl.kb
row "GeoPandas sjoin" "$gp_join" "$gp_total" "$gp_kb" floor_gp.kb
awk -v r="$rg_join" -v rt="$rg_total" -v s="$sl_total" -v g="$gp_join" -v gt="$gp_total" 'BEGIN {
  printf "join itself: %.1fx SpatiaLite SQL (target 20x), %.1fx GeoPandas (target 10x)\n", s / r, g / r
  printf "whole runs:  %.1fx SpatiaLite SQL, %.1fx GeoPandas\n", s / rt, gt / rt }'
awk -v r="$rg_kb" -v s="$sl_kb" -v g="$gp_kb" -v fr="$(cat floor_rg.kb)" -v fs="$(cat floor_sl.kb)" -v fg="$(cat floor_gp.kb)" 'BEGIN {
  printf "peak memory: %.2fx SpatiaLite SQL, %.4fx GeoPandas (target: at most 1x each)\n", r / s, r / g
  printf "above each tool'"'"'s libraries: regsosek-geo %.0f MB, SpatiaLite %.0f MB, GeoPandas %.0f MB\n",
    (r - fr) / 1024, (s - fs) / 1024, (g - fg) / 1024 }'
echo "points strictly inside: SpatiaLite $sl_within, GeoPandas $gp_within; regsosek-geo disagrees with SpatiaLite on $disagree"
