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

# bench_data BUILD POLYGONS HOUSEHOLDS: boundaries.gpkg and households.csv made on them by the
# sample's own generator (its broken rows and personal columns), unless the folder holds them
# already. SHAPE (environment) picks the boundaries:
#   country  (default) desa shaped like Indonesia's (bench/gen_country): islands, desa of very
#            uneven size and vertex count (median ~70, coastal ones with thousands; 8.9M
#            vertices for 84,000 desa), codes that nest spatially, small overlaps and gaps
#            between neighbours, a few invalid rings;
#   voronoi  a tiling of 12 x 12 degrees by Voronoi cells densified to ~335 vertices (28M for
#            84,000), every desa of the same size, kecamatan scattered over the box.
bench_data() {
  local build=$1 polygons=$2 households=$3 shape=${SHAPE:-country} side
  if [ "$(cat generated 2>/dev/null)" != "$shape $polygons $households" ]; then
    rm -f boundaries.gpkg households.csv points.csv generated
    case "$shape" in
      country) "$build/bench/gen_country" boundaries.gpkg "$polygons" 2022 ;;
      voronoi)
        side=$(awk -v n="$polygons" 'BEGIN { printf "%.4f", 12 * sqrt(n / 84000) }')
        "$build/bench/gen_boundaries" boundaries.gpkg points.csv "$polygons" 1 2022 0.0005 "$side" 2>/dev/null ;;
      *) echo "SHAPE is country or voronoi" >&2; return 1 ;;
    esac
    "$build/bench/gen_households" boundaries.gpkg "$households" 42 > households.csv 2>/dev/null
    echo "$shape $polygons $households" > generated
  fi
}
