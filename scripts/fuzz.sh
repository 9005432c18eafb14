#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang (ASan + UBSan) and runs each for a bounded
# time (FUZZ_SECONDS, default 60) from its committed seed corpus. A crash stops the run
# with the failing input saved under build-fuzz/crashes/: add it to tests/fuzz/corpus/NAME/
# so it is replayed by every test run from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRG_FUZZ=ON -DRG_BUILD_BENCH=OFF \
  -DRG_WARNINGS_AS_ERRORS=ON >/dev/null
cmake --build build-fuzz -j "$(nproc 2>/dev/null || echo 2)"
mkdir -p build-fuzz/crashes
for name in csv rules values load; do
  work=build-fuzz/corpus-$name
  rm -rf "$work" && mkdir -p "$work" && cp tests/fuzz/corpus/$name/* "$work"/
  echo "fuzz: $name for ${seconds}s"
  status=0
  ASAN_OPTIONS=detect_leaks=1 build-fuzz/tests/fuzz/fuzz_$name "$work" -max_total_time="$seconds" \
    -max_len=65536 -rss_limit_mb=1024 -artifact_prefix=build-fuzz/crashes/$name- -print_final_stats=1 \
    > build-fuzz/fuzz-$name.log 2>&1 || status=$?
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|SUMMARY)" build-fuzz/fuzz-$name.log || true
  if [ $status -ne 0 ]; then
    tail -40 build-fuzz/fuzz-$name.log
    echo "fuzz: $name failed (status $status): $(ls build-fuzz/crashes/$name-* 2>/dev/null)"
    exit 1
  fi
done
echo "fuzz: no crash in $seconds s per harness"
