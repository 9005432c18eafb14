#!/usr/bin/env bash
# Publishing into PostGIS, against a real server: a throwaway PostgreSQL 15 + PostGIS cluster on
# a Unix socket in a temporary folder, removed at the end.
#  - the sample published and read back (ogr2ogr from PG:, psql): every layer, count and field
#    equal to the GeoPackage's; QGIS opens the layer with its default style from the database;
#  - two kab/kota published at the same time (both held at the provinsi's summary, so they
#    really overlap), then one re-published: the other's rows untouched (same row versions),
#    the provinsi = the sum of its kab/kota;
#  - the postmaster SIGKILLed in the middle of a publication: after restart the area holds its
#    previous rows, and `check PG:` says which run they are from;
#  - a country published whole, and by provinsi from two processes at once: the same tables;
#  - --public: summaries only, small counts hidden, in a schema of its own;
#  - errors: a password in the string, a wrong password, a server that is down, no PostGIS, a
#    role that may not create tables; none shows the password.
set -euo pipefail
bin=$(realpath "$1")
data=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
chmod 755 "$work" # the server runs as the postgres user when the tests run as root
source "$here/../support/pg-cluster.sh"
trap 'pg_cluster_stop; umount "$work/small" 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$work"
pg_cluster_start "$work/pg"
psql=(psql -X -q -v ON_ERROR_STOP=1 -At)
"${psql[@]}" -c "CREATE DATABASE nat" -c "CREATE DATABASE plain"
"${psql[@]}" -d nat -c "CREATE EXTENSION postgis"
"${psql[@]}" -c "CREATE ROLE office LOGIN PASSWORD 'Rahasia-Kantor-2022'" -c "ALTER DATABASE plain OWNER TO office"

# Three kab/kota: the sample's (5371), a second of provinsi 53 (5372) and one of provinsi 54
# (5471), each moved east of the last; and a country of all three.
python3 "$here/make_area.py" "$data/boundaries.gpkg" "$data/households.csv" 5372 0.5 b.gpkg b.csv
python3 "$here/make_area.py" "$data/boundaries.gpkg" "$data/households.csv" 5471 1.0 c.gpkg c.csv
cp "$data/boundaries.gpkg" country.gpkg
for g in b.gpkg c.gpkg; do
  for layer in kecamatan kelurahan; do ogr2ogr -append country.gpkg "$g" "$layer" -nln "$layer"; done
done
{ cat "$data/households.csv"; tail -n +2 b.csv; tail -n +2 c.csv; } > country.csv
"$bin" -q run "$data/households.csv" "$data/boundaries.gpkg" -o a.gpkg --db a.sqlite
"$bin" -q run b.csv b.gpkg -o b_map.gpkg --db b.sqlite
"$bin" -q run country.csv country.gpkg -o country_map.gpkg --db country.sqlite

# ---- the sample, read back
"$bin" -q export "PG:dbname=nat" --db a.sqlite
for layer in provinsi kabkota kecamatan kelurahan households; do
  key=code; [ "$layer" = households ] && key=household_id
  fields=$(sqlite3 a.gpkg "SELECT group_concat(name, ',') FROM pragma_table_info('$layer') WHERE name NOT IN ('fid', 'geom')")
  [ -n "$fields" ] || fail "$layer: no fields in the GeoPackage"
  geom=", geom"; [ "$layer" = provinsi ] && geom="" # its polygon is the union of its kab/kota's
  ogr2ogr -f CSV "gpkg_$layer.csv" a.gpkg -sql "SELECT $fields$geom FROM $layer ORDER BY $key" -lco GEOMETRY=AS_WKT
  ogr2ogr -f CSV "pg_$layer.csv" "PG:dbname=nat" -sql "SELECT $fields$geom FROM regsosek.$layer ORDER BY $key" \
    -lco GEOMETRY=AS_WKT
  [ "$(wc -l < "gpkg_$layer.csv")" -gt 1 ] || fail "$layer: empty"
  cmp -s "gpkg_$layer.csv" "pg_$layer.csv" || { diff "gpkg_$layer.csv" "pg_$layer.csv" | head -5; fail "$layer differs"; }
  # the types too: what ogrinfo says of each field in both
  ogrinfo -so a.gpkg "$layer" | grep -E '^[a-z_0-9]+: ' | sed 's/ (.*//' > "types_gpkg_$layer"
  ogrinfo -so "PG:dbname=nat" "regsosek.$layer" | grep -E '^[a-z_0-9]+: ' | sed 's/ (.*//' |
    grep -Fxf "types_gpkg_$layer" > "types_pg_$layer" || true
  cmp -s "types_gpkg_$layer" "types_pg_$layer" || { diff "types_gpkg_$layer" "types_pg_$layer"; fail "$layer: field types"; }
done
[ "$("${psql[@]}" -d nat -c "SELECT count(*) FROM regsosek.households")" = \
  "$(sqlite3 a.gpkg "SELECT count(*) FROM households")" ] || fail "household count"
[ "$("${psql[@]}" -d nat -c "SELECT ST_Equals(ST_SnapToGrid(p.geom, 1e-9), ST_SnapToGrid(k.geom, 1e-9))
  FROM regsosek.provinsi p, regsosek.kabkota k")" = t ] || fail "provinsi polygon is not its kab/kota's"
[ "$("${psql[@]}" -d nat -c "SELECT count(*) FROM regsosek.publications WHERE area_code = '5371'
  AND inputs LIKE '%households.csv%sha256 $(sha256sum "$data/households.csv" | cut -c1-64)%'")" = 1 ] ||
  fail "the publication does not record its input with its SHA-256"
"$bin" -q check "PG:dbname=nat" > check.txt || { cat check.txt; fail "check PG"; }
QT_QPA_PLATFORM=offscreen /usr/bin/python3 "$here/qgis_postgis.py" "$PGHOST" nat regsosek "$here/../../export/styles" ||
  fail "QGIS"
for layer in kelurahan households; do
  "${psql[@]}" -d nat -c "SELECT stylesld FROM public.layer_styles WHERE f_table_schema = 'regsosek'
    AND f_table_name = '$layer' AND useasdefault" > "$layer.sld"
  xmllint --noout "$layer.sld" && grep -q "<se:Rule>" "$layer.sld" || fail "$layer: no SLD"
done

# ---- two kab/kota at once, held together at the provinsi's summary
hold() { # holds the summary lock of schema $1, provinsi $2 until killed
  "${psql[@]}" -d nat -c "SELECT pg_advisory_lock(hashtext('regsosek-geo:$1:summary:$2'))" -c "SELECT pg_sleep(60)" \
    >/dev/null 2>&1 &
  holder=$!
  for _ in $(seq 100); do
    [ "$("${psql[@]}" -d nat -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")" -ge 1 ] && return
    sleep 0.1
  done
  fail "the lock was not taken"
}
waiting() { "${psql[@]}" -d nat -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"; }
# Two first publications into a new schema: the second waits for the first's tables.
"$bin" -q export "PG:dbname=nat" --schema race --db a.sqlite & pa=$!
"$bin" -q export "PG:dbname=nat" --schema race --db b.sqlite & pb=$!
wait $pa && wait $pb || fail "two first publications"
"$bin" -q check "PG:dbname=nat" --schema race > check.txt || { cat check.txt; fail "check race"; }
[ "$("${psql[@]}" -d nat -c "SELECT count(*) FROM race.kabkota")" = 2 ] || fail "race: two kab/kota"
"$bin" -q export "PG:dbname=nat" --schema conc --db a.sqlite
hold conc 53
"$bin" -q export "PG:dbname=nat" --schema conc --db a.sqlite 2> a.log & pa=$!
"$bin" -q export "PG:dbname=nat" --schema conc --db b.sqlite 2> b.log & pb=$!
for _ in $(seq 300); do [ "$(waiting)" -ge 2 ] && break; sleep 0.1; done
[ "$(waiting)" = 2 ] || fail "the two offices did not both reach the provinsi (one blocked the other)"
"${psql[@]}" -d nat -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%'
  AND pid <> pg_backend_pid()" > /dev/null
wait $pa || { cat a.log; fail "office a"; }
wait $pb || { cat b.log; fail "office b"; }
wait $holder || true
rows_of() { # every row of kab/kota $1 in schema conc, with the version that wrote it
  for layer in kabkota kecamatan kelurahan households; do
    "${psql[@]}" -d nat -c "SELECT xmin, t.* FROM conc.$layer t WHERE kabkota_code = '$1' ORDER BY fid"
  done
}
rows_of 5372 > b_before.txt
[ "$(wc -l < b_before.txt)" -gt 29000 ] || fail "5372 not published"
sums="SELECT p.households = sum(k.households) AND p.sangat_miskin = sum(k.sangat_miskin)
  AND p.desil_1 = sum(k.desil_1) AND count(*) = 2 FROM conc.provinsi p JOIN conc.kabkota k ON k.provinsi_code = p.code
  GROUP BY p.households, p.sangat_miskin, p.desil_1"
[ "$("${psql[@]}" -d nat -c "$sums")" = t ] || fail "provinsi 53 is not the sum of 5371 and 5372"
"$bin" -q export "PG:dbname=nat" --schema conc --db a.sqlite
rows_of 5372 > b_after.txt
cmp -s b_before.txt b_after.txt || fail "re-publishing 5371 touched 5372's rows"
[ "$("${psql[@]}" -d nat -c "$sums")" = t ] || fail "provinsi 53 after the re-publication"
"$bin" -q check "PG:dbname=nat" --schema conc > check.txt || { cat check.txt; fail "check conc"; }

# ---- the server killed in the middle of a publication of 5371 from another input
"$bin" -q run "$data/households-2022.csv" "$data/boundaries.gpkg" -o a2.gpkg --db a2.sqlite
rows_of 5371 > a_before.txt
last=$("${psql[@]}" -d nat -c "SELECT max(id) FROM conc.publications WHERE area_code = '5371'")
hold conc 53
"$bin" -q export "PG:dbname=nat" --schema conc --db a2.sqlite 2> kill.log & pe=$!
for _ in $(seq 300); do [ "$(waiting)" -ge 1 ] && break; sleep 0.1; done
[ "$(waiting)" = 1 ] || fail "the publication did not reach the provinsi"
kill -KILL "$(pg_postmaster_pid)"
if wait $pe; then fail "the export said it succeeded while the server died"; fi
grep -q "PostgreSQL on $PGHOST, database nat" kill.log || { cat kill.log; fail "the message does not name the server"; }
grep -q "every area keeps its previous rows" kill.log || { cat kill.log; fail "the message does not say what it means"; }
wait $holder || true
for _ in $(seq 100); do pg_cluster_restart 2>/dev/null && break; sleep 0.2; done
rows_of 5371 > a_after.txt
cmp -s a_before.txt a_after.txt || fail "5371 lost its previous rows"
"$bin" check "PG:dbname=nat" --schema conc > check.txt 2> check.log || { cat check.txt; fail "check after the crash"; }
grep -q "kabkota 5371 Kota Kupang: publication $last of" check.log || { cat check.log; fail "check does not name run $last"; }

# ---- households placed in a kecamatan alone (the 2022 sample's codes for desa the boundaries
# lack) are published with their kecamatan, and counted in it
"$bin" -q export "PG:dbname=nat" --schema alone --db a2.sqlite 2> /dev/null
[ "$("${psql[@]}" -d nat -c "SELECT count(*) FROM alone.households WHERE kelurahan_code IS NULL")" = \
  "$(sqlite3 a2.sqlite "SELECT count(*) FROM household_areas WHERE kelurahan_code IS NULL AND kecamatan_code IS NOT NULL")" ] ||
  fail "households placed in a kecamatan alone"
[ "$("${psql[@]}" -d nat -c "SELECT count(*) FROM alone.households WHERE kelurahan_code IS NULL")" -gt 0 ] ||
  fail "the 2022 sample has no household placed in a kecamatan alone"
"$bin" -q check "PG:dbname=nat" --schema alone > check.txt || { cat check.txt; fail "check alone"; }

# ---- a country: whole, and by provinsi from two processes at once
"$bin" -q export "PG:dbname=nat" --schema whole --db country.sqlite
[ "$("${psql[@]}" -d nat -c "SELECT string_agg(area_code || ':' || area_level, ',' ORDER BY area_code)
  FROM whole.publications")" = "53:provinsi,54:provinsi" ] || fail "the country is not published by provinsi"
"$bin" -q export "PG:dbname=nat" --schema parts --only 53 --db country.sqlite & p1=$!
"$bin" -q export "PG:dbname=nat" --schema parts --only 54 --db country.sqlite & p2=$!
wait $p1 && wait $p2 || fail "publishing by provinsi"
for layer in provinsi kabkota kecamatan kelurahan households; do
  key=code; [ "$layer" = households ] && key=household_id
  for s in whole parts; do
    "${psql[@]}" -d nat -c "SELECT t.* FROM $s.$layer t ORDER BY $key" | cut -d'|' -f2- > "$s-$layer.txt"
  done
  [ -s "whole-$layer.txt" ] && cmp -s "whole-$layer.txt" "parts-$layer.txt" || fail "$layer: by provinsi != whole"
done
[ "$("${psql[@]}" -d nat -c "SELECT provinsi, households FROM whole.national")" = \
  "2|$(sqlite3 country.sqlite "SELECT count(*) FROM household_areas WHERE kelurahan_code IS NOT NULL")" ] ||
  fail "national"

# ---- --public: summaries only, small counts hidden, in its own schema
"$bin" -q export "PG:dbname=nat" --public --min-count 300 --db a.sqlite
[ "$("${psql[@]}" -d nat -c "SELECT to_regclass('regsosek_public.households') IS NULL")" = t ] ||
  fail "--public published households"
[ "$("${psql[@]}" -d nat -c "SELECT count(*) FROM regsosek_public.kelurahan WHERE suppressed = 1 AND desil_1 IS NULL")" -gt 0 ] ||
  fail "--public hid nothing"
[ "$("${psql[@]}" -d nat -c "SELECT count(*) FROM regsosek_public.kelurahan WHERE desil_1 BETWEEN 1 AND 299
  OR sangat_miskin BETWEEN 1 AND 299")" = 0 ] || fail "--public shows a small count"
if "$bin" -q export "PG:dbname=nat" --public --schema regsosek --db a.sqlite 2> mix.log; then
  fail "a public publication went into the full schema"; fi
grep -q "schema regsosek holds a full publication" mix.log || { cat mix.log; fail "mixing message"; }
"$bin" -q check "PG:dbname=nat" --schema regsosek_public > check.txt || { cat check.txt; fail "check public"; }

# ---- personal fields only on request: the default publication has none; --fields adds them
[ "$("${psql[@]}" -d nat -c "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'regsosek'
  AND column_name IN ('nik', 'nama_kepala_keluarga', 'alamat', 'no_hp', 'spending')")" = 0 ] ||
  fail "the default publication carries personal fields"
"$bin" -q export "PG:dbname=nat" --schema personal --fields nik --db a.sqlite 2> fields.log
grep -q "personal data" fields.log || fail "--fields did not warn"
want=$(python3 -c "import csv,sys; r=[x for x in csv.DictReader(open(sys.argv[1])) if x['id_keluarga']=='KPG-000001']; print(r[0]['nik'])" \
  "$data/households.csv")
[ "$("${psql[@]}" -d nat -c "SELECT nik FROM personal.households WHERE household_id = 'KPG-000001'")" = "$want" ] ||
  fail "--fields nik did not publish the input's nik"

# ---- errors, and never a password
expect_error() { # $1: what the message must hold; the rest: the command
  local want=$1; shift
  if "$@" > out.log 2>&1; then fail "succeeded: $*"; fi
  grep -q -- "$want" out.log || { cat out.log; fail "message of $*: no '$want'"; }
  if grep -q "Rahasia\|Salah-Sandi\|Sandi-Di-Baris" out.log; then cat out.log; fail "a password is in the message"; fi
}
expect_error "PGPASSWORD or ~/.pgpass" "$bin" export "PG:dbname=nat user=office password=Sandi-Di-Baris" --db a.sqlite
PGPASSWORD=Salah-Sandi-9 expect_error "password authentication failed for user \"office\"" \
  "$bin" export "PG:dbname=nat user=office" --db a.sqlite
grep -q "PostgreSQL on $PGHOST, database nat, user office" out.log || fail "the wrong password's message names no server"
expect_error "a word PostgreSQL reserves" "$bin" export "PG:dbname=nat" --schema user --db a.sqlite
# A schema name is a usage error (2), whoever judges it: the client, or the server.
for bad in user information_schema pg_catalog pg_temp_3 "Besar"; do
  st=0; "$bin" -q export "PG:dbname=nat" --schema "$bad" --db a.sqlite 2> /dev/null || st=$?
  [ $st = 2 ] || fail "--schema $bad: exit status $st, not 2"
  st=0; "$bin" -q check "PG:dbname=nat" --schema "$bad" 2> /dev/null || st=$?
  [ $st = 2 ] || fail "check --schema $bad: exit status $st, not 2"
done
st=0; "$bin" -q check "PG:dbname=nat password=Sandi-Di-Baris" 2> /dev/null || st=$?
[ $st = 2 ] || fail "check with a password in the string: exit status $st, not 2"
[ "$("${psql[@]}" -d nat -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'information_schema' AND tablename = 'households'")" = 0 ] ||
  fail "households were published into information_schema"
expect_error "PostgreSQL on $work/nowhere, database nat, user postgres: cannot connect" \
  "$bin" export "PG:host=$work/nowhere dbname=nat" --db a.sqlite
PGPASSWORD=Rahasia-Kantor-2022 expect_error "has no PostGIS, and this role cannot add it" \
  "$bin" export "PG:dbname=plain user=office" --db a.sqlite
PGPASSWORD=Rahasia-Kantor-2022 expect_error "this role may not do that" \
  "$bin" export "PG:dbname=nat user=office" --schema kantor --db a.sqlite
[ "$("${psql[@]}" -d nat -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'kantor'")" = 0 ] ||
  fail "a refused publication left a schema"
# A schema an administrator made, on which the role may USAGE and CREATE, without CREATE on
# the database: the role publishes into it.
"${psql[@]}" -d nat -c "CREATE SCHEMA kantor_admin" -c "GRANT USAGE, CREATE ON SCHEMA kantor_admin TO office"
PGPASSWORD=Rahasia-Kantor-2022 "$bin" -q export "PG:dbname=nat user=office" --schema kantor_admin --db a.sqlite 2> admin.log ||
  { cat admin.log; fail "a role with CREATE on an existing schema could not publish into it"; }
[ "$("${psql[@]}" -d nat -c "SELECT count(*) FROM kantor_admin.households")" -gt 29000 ] || fail "kantor_admin: no households"
PGPASSWORD=Rahasia-Kantor-2022 "$bin" -q check "PG:dbname=nat user=office" --schema kantor_admin > check.txt ||
  { cat check.txt; fail "check kantor_admin"; }
# Allowed to create a schema but not to write QGIS's public.layer_styles: published, unstyled, warned.
"${psql[@]}" -c "GRANT CREATE ON DATABASE nat TO office"
PGPASSWORD=Rahasia-Kantor-2022 "$bin" -q export "PG:dbname=nat user=office" --schema kantor --db a.sqlite 2> styles.log ||
  { cat styles.log; fail "a role that may not write layer_styles could not publish"; }
grep -q "public.layer_styles: .*permission denied.*published without their default styles" styles.log ||
  { cat styles.log; fail "no warning of the missing styles"; }
[ "$("${psql[@]}" -d nat -c "SELECT count(*) FROM kantor.households")" -gt 29000 ] || fail "kantor: no households"
# ---- a disk that fills: the tables of a new schema on a 1 MB filesystem (root mounts it; else
# this case is skipped, and says so)
mkdir "$work/small"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=1m tmpfs "$work/small" 2>/dev/null; then
  chown postgres "$work/small"
  "${psql[@]}" -c "CREATE TABLESPACE small LOCATION '$work/small'" -c "ALTER DATABASE nat SET default_tablespace = small"
  expect_error "the server is out of disk" "$bin" export "PG:dbname=nat" --schema fulldisk --db a.sqlite
  grep -q "PostgreSQL on $PGHOST, database nat, user postgres: fulldisk\.households" out.log || { cat out.log; fail "disk full: no table named"; }
  [ "$("${psql[@]}" -d nat -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'fulldisk' AND tablename = 'households'")" = 0 ] ||
    fail "a publication stopped by a full disk left its tables"
  "${psql[@]}" -c "ALTER DATABASE nat RESET default_tablespace"
  "$bin" -q export "PG:dbname=nat" --schema fulldisk --db a.sqlite || fail "publishing after the disk was freed"
  "$bin" -q check "PG:dbname=nat" --schema fulldisk > check.txt || { cat check.txt; fail "check after a full disk"; }
else
  echo "skipped: the full disk (mounting a 1 MB tmpfs needs root)"
fi
echo "ok: PostGIS publishing"
