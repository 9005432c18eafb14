#!/usr/bin/env bash
# Publishing 1M households into PostGIS: `regsosek-geo export PG:` against ogr2ogr copying the
# GeoPackage export of the same store into the same server (a throwaway PostgreSQL 15 + PostGIS
# cluster on a Unix socket, tuned as bench/run tunes it: fsync off, 2 GB shared_buffers).
# Each is timed into an empty schema (a first publication) and again into its filled tables
# (regsosek-geo replaces the area's rows; ogr2ogr -overwrite replaces the tables).
#   usage: bench/pg-export.sh BUILD [DIR]     POLYGONS (84000), HOUSEHOLDS (1000000), SHAPE as bench/run
set -euo pipefail
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bench_workdir "${2:-}"
bench_data "$build" "${POLYGONS:-84000}" "${HOUSEHOLDS:-1000000}"
bin=$build/regsosek-geo
[ -s map.gpkg ] && [ -s w.sqlite ] || { rm -f map.gpkg w.sqlite; "$bin" -q run households.csv boundaries.gpkg -o map.gpkg --db w.sqlite; }
source "$here/../tests/support/pg-cluster.sh"
PG_SETTINGS="-c shared_buffers=2GB -c max_wal_size=8GB -c maintenance_work_mem=1GB -c synchronous_commit=off"
trap 'pg_cluster_stop' EXIT
pg_cluster_start "$work/pg"
psql -X -q -c "CREATE DATABASE bench"
psql -X -q -d bench -c "CREATE EXTENSION postgis" -c "CREATE SCHEMA ogr"
run_rg() { /usr/bin/time -f "%e %M" -o time.txt "$bin" -q export "PG:dbname=bench" --schema rg --db w.sqlite; }
run_ogr() {
  /usr/bin/time -f "%e %M" -o time.txt ogr2ogr -f PostgreSQL "PG:dbname=bench" map.gpkg provinsi kabkota kecamatan \
    kelurahan households -lco SCHEMA=ogr -lco OVERWRITE=YES -overwrite
}
report() { read -r wall kb < time.txt; printf "%-46s %7.1f s %6d MB\n" "$1" "$wall" $((kb / 1024)); eval "$2=$wall"; }
echo "households: $(sqlite3 map.gpkg 'SELECT count(*) FROM households'), desa: $(sqlite3 map.gpkg 'SELECT count(*) FROM kelurahan')"
run_rg; report "regsosek-geo export PG: (empty schema)" rg1
run_ogr; report "ogr2ogr GPKG -> PG (empty schema)" ogr1
run_rg; report "regsosek-geo export PG: (replacing its areas)" rg2
run_ogr; report "ogr2ogr -overwrite GPKG -> PG" ogr2
for s in rg ogr; do
  echo "$s: $(psql -X -At -d bench -c "SELECT count(*) FROM $s.households") households," \
    "$(psql -X -At -d bench -c "SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '$s' AND c.relkind = 'r'")"
done
awk -v a="$rg1" -v b="$ogr1" -v c="$rg2" -v d="$ogr2" \
  'BEGIN { printf "ratio ogr2ogr / regsosek-geo: first %.2fx, again %.2fx\n", b / a, d / c }'
