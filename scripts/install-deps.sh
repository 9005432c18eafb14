#!/usr/bin/env bash
# Installs everything regsosek-geo needs to build, test and run its demo on Debian 12.
# Idempotent and non-interactive; uses sudo when not run as root.
# --bench adds the peers and meters of bench/ (GeoPandas with the rtree its sjoin needs, PostGIS's
# loaders, GNU time), which CI does not need. PostgreSQL and PostGIS are always installed: the
# publication tests run a server of their own.
set -euo pipefail
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
packages=(
  # build
  build-essential cmake pkg-config
  # libraries (see README, "Libraries")
  libgdal-dev libproj-dev libgeos-dev libsqlite3-dev libspatialite-dev libinih-dev zlib1g-dev libssl-dev libxlsxwriter-dev libcairo2-dev libpango1.0-dev fonts-dejavu-core libpq-dev
  # tests: Criterion, and the independent oracles (SpatiaLite SQL, ogrinfo, QGIS)
  libcriterion-dev sqlite3 libsqlite3-mod-spatialite spatialite-bin gdal-bin python3 python3-gdal python3-qgis
  poppler-utils unzip libxml2-utils
  # the PostGIS publication's tests run a throwaway server of their own
  postgresql-15 postgresql-15-postgis-3
  # sanitizer runtime for the ASan/UBSan build and the fuzzers; valgrind for memcheck
  clang libclang-rt-14-dev valgrind
  # the web map's tests draw it in Debian's Chromium, driven by playwright-core from npm
  chromium
)
# The web map's browser code (OpenLayers) and its test driver come from npm, pinned by
# web/client/package-lock.json. Debian's nodejs and npm unless a Node.js with npm is there.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
if [ "${1:-}" = "--bench" ]; then
  packages+=(time python3-geopandas python3-rtree postgis)
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${packages[@]}"
# OpenLayers is compiled into the binary (cmake/EmbedFiles.cmake): it must be in place
# before cmake runs. npm ci installs exactly what the lockfile names, and nothing else.
(cd "$(dirname "$0")/../web/client" && npm ci --no-audit --no-fund --loglevel=error)
