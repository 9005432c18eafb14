# Sourced by the benches that run the whole job on generated data (run, unlocated.sh,
# pack-bench.sh): one way to pick the work folder and to make the data once.

# bench_median FILE: of lines "SECONDS PEAK_KB" (GNU time's "%e %M"), the median seconds and
# the highest peak in MB.
bench_median() {
  sort -n -k1,1 "$1" | awk '{ t[NR] = $1; if ($2 > m) m = $2 } END { printf "%.2f %d", t[int((NR + 1) / 2)], m / 1024 }'
}

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
#            84,000), every desa of the same size, kecamatan scattered over the box;
#   real     the real desa of Jawa Timur and Maluku (9,725 polygons, MIT: see the licence beside
#            the file), from REAL_DESA or ../shared/data/real-desa/desa-35-81.gpkg beside the
#            repository; POLYGONS is ignored. Without the file the bench stops, saying so (exit 3).
bench_real_desa() {
  local here=$1
  for f in "${REAL_DESA:-}" "$here/../shared/data/real-desa/desa-35-81.gpkg"; do
    [ -n "$f" ] && [ -f "$f" ] && { echo "$f"; return 0; }
  done
  return 1
}
bench_data() {
  local build=$1 polygons=$2 households=$3 shape=${SHAPE:-country} side real
  if [ "$(cat generated 2>/dev/null)" != "$shape $polygons $households" ]; then
    rm -f boundaries.gpkg households.csv points.csv generated
    case "$shape" in
      country) "$build/bench/gen_country" boundaries.gpkg "$polygons" 2022 ;;
      voronoi)
        side=$(awk -v n="$polygons" 'BEGIN { printf "%.4f", 12 * sqrt(n / 84000) }')
        "$build/bench/gen_boundaries" boundaries.gpkg points.csv "$polygons" 1 2022 0.0005 "$side" 2>/dev/null ;;
      real)
        real=$(bench_real_desa "${here:-$build/..}") ||
          { echo "skipped: SHAPE=real needs the real desa file (REAL_DESA, or ../shared/data/real-desa/desa-35-81.gpkg)" >&2; exit 3; }
        # The file's desa as the kelurahan layer the tool and its peers read. Its codes are
        # Kemendagri's (35.01.01.2001), kept as kode_kemendagri; kode_kel is a BPS-shaped code
        # made of them (3501010 + the desa's place in its kecamatan), since the peers' SQL
        # takes a kecamatan as the first 7 digits.
        # (ogr2ogr takes an ORDER BY in -sql for its own: the desa are numbered in file order.)
        ogr2ogr -q boundaries.gpkg "$real" -nln kelurahan -nlt MULTIPOLYGON \
          -sql "SELECT printf('%s%s0%s%03d', substr(kode_desa, 1, 2), substr(kode_desa, 4, 2), substr(kode_desa, 7, 2),
                  row_number() OVER (PARTITION BY substr(kode_desa, 1, 8))) AS kode_kel,
                nama_desa AS nama_kel, kode_desa AS kode_kemendagri, geom FROM desa" ;;
      *) echo "SHAPE is country, voronoi or real" >&2; return 1 ;;
    esac
    "$build/bench/gen_households" boundaries.gpkg "$households" 42 > households.csv 2>/dev/null
    echo "$shape $polygons $households" > generated
  fi
}
