# Sourced by the benches that run the whole job on generated data (run, unlocated.sh,
# pack-bench.sh): one way to pick the work folder and to make the data once.

# bench_workdir [DIR]: DIR is kept (and its data reused by the next run); without it, a
# temporary folder removed at exit. Sets $work and goes there.
bench_workdir() {
  if [ -n "${1:-}" ]; then
    work=$1
    mkdir -p "$work"
  else
    work=$(mktemp -d)
    chmod 755 "$work" # PostGIS runs as the postgres user
    trap 'rm -rf "$work"' EXIT
  fi
  work=$(cd "$work" && pwd)
  cd "$work"
}

# bench_data BUILD POLYGONS HOUSEHOLDS: boundaries.gpkg, desa of Indonesia's average size
# (~22 km2: 84,000 of them tile 12 x 12 degrees) whatever the count, and households.csv made
# on them by the sample's own generator (its broken rows and personal columns), unless the
# folder holds them already.
bench_data() {
  local build=$1 polygons=$2 households=$3 side
  side=$(awk -v n="$polygons" 'BEGIN { printf "%.4f", 12 * sqrt(n / 84000) }')
  if [ "$(cat generated 2>/dev/null)" != "$polygons $households" ]; then
    rm -f boundaries.gpkg households.csv points.csv generated
    "$build/bench/gen_boundaries" boundaries.gpkg points.csv "$polygons" 1 2022 0.0005 "$side" 2>/dev/null
    "$build/bench/gen_households" boundaries.gpkg "$households" 42 > households.csv 2>/dev/null
    echo "$polygons $households" > generated
  fi
}
