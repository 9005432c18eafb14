#!/usr/bin/env bash
# One golden CLI case: tests/cli/cases/<case>/
#   cmd              the arguments, one line; @SAMPLE@ is the sample-data folder. Lines
#                    before the last are set-up runs that must succeed.
#   expected-status  the exit status of the last line
#   expected-stderr  lines that must each appear in its stderr (optional)
#   expected-stdout  lines that must each appear in its stdout (optional)
#   expected-quiet   present: the last line must write nothing to stderr (optional)
#   expected-absent  paths, one a line, that must not exist afterwards (optional): what a
#                    step that only reads must not create
#   other files      copied into the empty folder the case runs in
set -uo pipefail
bin=$1
case_dir=$2
sample=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$case_dir"/. "$work"/
cd "$work"
mapfile -t lines < <(sed "s|@SAMPLE@|$sample|g" cmd)
last=$(( ${#lines[@]} - 1 ))
for ((i = 0; i < last; i++)); do
  eval "set -- ${lines[$i]}"
  "$bin" -q "$@" >/dev/null 2>setup.err || { echo "FAIL: set-up '${lines[$i]}' failed:"; cat setup.err; exit 1; }
done
eval "set -- ${lines[$last]}"
"$bin" "$@" >stdout.txt 2>stderr.txt
status=$?
expected=$(cat expected-status)
ok=1
if [ "$status" != "$expected" ]; then
  echo "FAIL: exit status $status, expected $expected"
  ok=0
fi
for stream in stderr stdout; do
  [ -f "expected-$stream" ] || continue
  while IFS= read -r want; do
    [ -z "$want" ] && continue
    grep -qF -- "$want" "$stream.txt" || { echo "FAIL: $stream lacks: $want"; ok=0; }
  done < "expected-$stream"
done
if [ -f expected-quiet ] && [ -s stderr.txt ]; then
  echo "FAIL: stderr is not empty"
  ok=0
fi
if [ -f expected-absent ]; then
  while IFS= read -r path; do
    [ -z "$path" ] && continue
    [ ! -e "$path" ] || { echo "FAIL: $path was created"; ok=0; }
  done < expected-absent
fi
if [ $ok = 0 ]; then
  echo "--- stdout"; cat stdout.txt; echo "--- stderr"; cat stderr.txt
  exit 1
fi
echo "ok: ${lines[$last]} -> $status"
