#!/usr/bin/env bash
# Builds with warnings as errors and runs the whole test suite, then does the same in an
# AddressSanitizer + UndefinedBehaviorSanitizer build, then runs each libFuzzer harness for
# FUZZ_SECONDS (default 60). Usage: scripts/test.sh [--quick]   (--quick: the first part only)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRG_WARNINGS_AS_ERRORS=ON
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"
if [ "${1:-}" != "--quick" ]; then
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DRG_WARNINGS_AS_ERRORS=ON -DRG_SANITIZE=ON
  cmake --build build-asan -j "$jobs"
  ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions="$PWD/tests/lsan.supp" UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j "$jobs"
  scripts/fuzz.sh
fi
