#!/usr/bin/env bash
# Faults a statistics office meets: a step killed half-way, a database another run holds,
# two runs at once, damaged boundaries, paths with spaces and non-ASCII. Each case asserts
# on what is left behind. Usage: faults.sh REGSOSEK_GEO GEN_HOUSEHOLDS SAMPLE_DIR
set -uo pipefail
bin=$1
gen=$2
data=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*"; exit 1; }
count() { sqlite3 "$1" "$2"; }

"$gen" "$data/boundaries.gpkg" 300000 11 > big.csv
rows=$(( $(wc -l < big.csv) - 1 ))

# Kills "$@" with SIGKILL once it has run for $1 seconds.
kill_after() {
  local delay=$1; shift
  "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep "$delay"
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}

# 1. load killed half-way: the database is sound and empty; a re-run completes.
"$bin" -q load "$data/households.csv" --db k.sqlite || fail "first load"
before=$(count k.sqlite "SELECT count(*) FROM households")
kill_after 0.8 "$bin" -q load big.csv --db k.sqlite --replace
[ "$(count k.sqlite 'PRAGMA integrity_check')" = ok ] || fail "load killed: integrity_check"
after=$(count k.sqlite "SELECT count(*) FROM households")
[ "$after" = "$before" ] || [ "$after" -gt "$before" -a "$(count k.sqlite 'SELECT count(*) FROM load_runs WHERE finished IS NOT NULL')" = 2 ] \
  || fail "load killed: $after households, expected the previous $before"
[ "$(count k.sqlite "SELECT rtreecheck('idx_household_records_geom')")" = ok ] || fail "load killed: spatial index"
"$bin" -q load big.csv --db k.sqlite --replace || fail "load re-run"
loaded=$(count k.sqlite "SELECT count(*) FROM households")
rejected=$(count k.sqlite "SELECT count(*) FROM rejects")
[ $((loaded + rejected)) = "$rows" ] || fail "load re-run: $loaded + $rejected != $rows"
echo "ok: a killed load leaves the previous households ($after) and a re-run loads all $rows rows"

# 2. join killed half-way: no household half-joined; a re-run completes.
kill_after 1.5 "$bin" -q join "$data/boundaries.gpkg" --db k.sqlite
[ "$(count k.sqlite 'PRAGMA integrity_check')" = ok ] || fail "join killed: integrity_check"
joined=$(count k.sqlite "SELECT count(*) FROM households WHERE join_method IS NOT NULL")
[ "$joined" = 0 ] || [ "$joined" = "$loaded" ] || fail "join killed: $joined of $loaded households joined"
"$bin" -q join "$data/boundaries.gpkg" --db k.sqlite || fail "join re-run"
[ "$(count k.sqlite 'SELECT count(*) FROM households WHERE join_method IS NULL')" = 0 ] || fail "join re-run left households"
echo "ok: a killed join leaves $joined of $loaded households joined (all or none); a re-run joins them all"

# 3. a database another process holds: a wait, then a clear error and exit status 1.
( sqlite3 k.sqlite "BEGIN EXCLUSIVE; SELECT count(*) FROM households;" ".shell sleep 14" "COMMIT;" >/dev/null ) &
holder=$!
sleep 1
"$bin" -q load "$data/households.csv" --db k.sqlite --replace 2> locked.err
status=$?
wait $holder
[ $status = 1 ] || fail "locked database: exit status $status"
grep -q "regsosek-geo: load: .*k.sqlite.*locked" locked.err || fail "locked database: unclear error: $(cat locked.err)"
[ "$(count k.sqlite 'SELECT count(*) FROM households')" = "$loaded" ] || fail "locked database: households changed"
echo "ok: a locked database: $(cat locked.err)"

# 4. two runs on the same database at once: they take turns, whole run after whole run
# (each step commits alone, so taking turns step by step would let one run's join drop
# the summaries the other's classify made before its export). One that waits longer than
# the 10 s grace fails cleanly; the database is sound either way, and a map that was
# written is the whole sample.
"$bin" -q run "$data/households.csv" "$data/boundaries.gpkg" -o alone.gpkg --db alone.sqlite || fail "one run"
sample_loaded=$(count alone.sqlite "SELECT count(*) FROM households")
sample_joined=$(count alone.sqlite "SELECT count(*) FROM households WHERE kelurahan_code IS NOT NULL")
"$bin" -q run "$data/households.csv" "$data/boundaries.gpkg" -o a.gpkg --db two.sqlite 2> a.err & a=$!
"$bin" -q run "$data/households.csv" "$data/boundaries.gpkg" -o b.gpkg --db two.sqlite 2> b.err & b=$!
wait $a; sa=$?
wait $b; sb=$?
[ $sa = 0 ] || [ $sb = 0 ] || fail "two runs: both failed: $(cat a.err b.err)"
for r in a b; do
  status=$([ $r = a ] && echo $sa || echo $sb)
  if [ "$status" != 0 ]; then
    [ "$status" = 1 ] && grep -q "another run holds it" $r.err || fail "two runs: $r failed unclearly: $(cat $r.err)"
  else
    [ "$(count $r.gpkg 'SELECT count(*) FROM households')" = "$sample_loaded" ] || fail "two runs: $r.gpkg incomplete"
    [ "$(count $r.gpkg 'SELECT sum(households) FROM kelurahan')" = "$sample_joined" ] \
      || fail "two runs: $r.gpkg summaries incomplete"
  fi
done
"$bin" check --db two.sqlite > check.out || fail "two runs: check fails: $(grep FAIL check.out)"
[ "$(count two.sqlite "SELECT count(*) FROM households")" = "$sample_loaded" ] || fail "two runs: households twice or lost"
echo "ok: two runs at once: exit statuses $sa and $sb, the database passes check ($sample_loaded households)"

# A step started while a run holds the database waits for the whole run (or gives up
# cleanly after 10 s) and never exports a mix: this run's households with the previous
# run's summaries, or households loaded but not yet joined.
"$bin" -q run big.csv "$data/boundaries.gpkg" -o c.gpkg --db two.sqlite 2> c.err & c=$!
sleep 0.5
"$bin" -q export -o d.gpkg --db two.sqlite 2> d.err; sd=$?
wait $c; sc=$?
[ $sc = 0 ] || fail "run beside an export: $(cat c.err)"
if [ $sd = 0 ]; then
  [ "$(count d.gpkg 'SELECT sum(households) FROM kelurahan')" = \
    "$(count d.gpkg 'SELECT count(*) FROM households WHERE kelurahan_code IS NOT NULL')" ] \
    || fail "export during a run: summaries from another run than the households"
  [ "$(count d.gpkg 'SELECT count(*) FROM households')" = "$loaded" ] || fail "export during a run: a partial map"
else
  [ $sd = 1 ] && grep -q "another run holds it" d.err || fail "export during a run: unclear failure: $(cat d.err)"
fi
echo "ok: an export started during a run waits for it: exit status $sd"

# 5. damaged boundaries: a truncated GeoPackage and a file that is none.
head -c 60000 "$data/boundaries.gpkg" > truncated.gpkg
printf 'kode_kel,nama_kel\n5371010001,Naioni\n' > table.csv
for b in truncated.gpkg table.csv; do
  "$bin" -q join "$b" --db k.sqlite 2> bad.err
  status=$?
  [ $status = 1 ] || fail "$b: exit status $status"
  grep -q "regsosek-geo: join: $b" bad.err || fail "$b: unclear error: $(cat bad.err)"
  [ "$(count k.sqlite 'SELECT count(*) FROM households WHERE join_method IS NULL')" = 0 ] || fail "$b: previous join lost"
  echo "ok: $b: $(head -1 bad.err)"
done

# 6. paths with spaces and non-ASCII.
mkdir -p "data kota/Kupang ñ é"
cp "$data/households.csv" "data kota/Kupang ñ é/rumah tangga.csv"
cp "$data/boundaries.gpkg" "data kota/Kupang ñ é/batas wilayah.gpkg"
"$bin" -q run "data kota/Kupang ñ é/rumah tangga.csv" "data kota/Kupang ñ é/batas wilayah.gpkg" \
  -o "data kota/Kupang ñ é/peta kemiskinan.gpkg" --db "data kota/kerja ñ.sqlite" || fail "paths with spaces"
[ "$(count "data kota/Kupang ñ é/peta kemiskinan.gpkg" 'SELECT count(*) FROM households')" = "$sample_loaded" ] \
  || fail "paths with spaces: wrong output"
echo "ok: paths with spaces and non-ASCII"
