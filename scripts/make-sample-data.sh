#!/usr/bin/env bash
# Regenerates sample-data/households.csv and households-2022.csv (synthetic, seeded) from
# sample-data/boundaries.gpkg.
# Usage: scripts/make-sample-data.sh [BUILD_DIR]   (the build must have RG_BUILD_BENCH on)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
[ -x "$build/bench/gen_households" ] || cmake --build "$build" --target gen_households
"$build/bench/gen_households" sample-data/boundaries.gpkg 30000 5371 > sample-data/households.csv.tmp
mv sample-data/households.csv.tmp sample-data/households.csv
"$build/bench/gen_households" sample-data/boundaries.gpkg 30000 2022 --without-point 0.6 > sample-data/households-2022.csv.tmp
mv sample-data/households-2022.csv.tmp sample-data/households-2022.csv
for f in households.csv households-2022.csv; do
  echo "wrote sample-data/$f ($(wc -l < "sample-data/$f") lines)"
done
