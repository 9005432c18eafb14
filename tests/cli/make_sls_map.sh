#!/usr/bin/env bash
# Writes OUT.gpkg, an SLS map as BPS's wilkerstat gives it, made from the sample's kelurahan
# cut by a 0.01-degree grid: one layer named for its edition (PETA_SLS_5371_202501), sub-SLS
# with kdprov .. kdsubsls, idsls, idsubsls and nm* fields, in no order, neighbours digitised
# apart (overlapping along some borders, a few metres apart along others).
# usage: make_sls_map.sh SAMPLE_DIR OUT.gpkg
set -euo pipefail
data=$1
out=$2
cell="BuildMbr(123.52 + i * 0.01, -10.30 + j * 0.01, 123.53 + i * 0.01, -10.29 + j * 0.01, 4326)"
sls_number="printf('%04d', i * 100 + j + 1)"
ogr2ogr -f GPKG "$out" "$data/boundaries.gpkg" -nln PETA_SLS_5371_202501 -nlt MULTIPOLYGON -dialect SQLite -sql "
WITH RECURSIVE xs(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM xs WHERE i < 18),
ys(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM ys WHERE j < 18),
pieces AS (SELECT k.kode_kel AS kel, k.nama_prov, k.nama_kab, k.nama_kec, k.nama_kel, i, j,
  CollectionExtract(ST_Intersection(k.geom, $cell), 3) AS g FROM kelurahan k, xs, ys WHERE MbrIntersects(k.geom, $cell))
SELECT substr(kel, 1, 2) AS kdprov, substr(kel, 3, 2) AS kdkab, substr(kel, 5, 3) AS kdkec, substr(kel, 8, 3) AS kddesa,
  $sls_number AS kdsls, '00' AS kdsubsls, kel || $sls_number AS idsls, kel || $sls_number || '00' AS idsubsls,
  nama_prov AS nmprov, nama_kab AS nmkab, nama_kec AS nmkec, nama_kel AS nmdesa, 'RT ' || $sls_number AS nmsls,
  CastToMultiPolygon(ST_Buffer(g, CASE i % 2 WHEN 1 THEN 0.00003 ELSE -0.00002 END)) AS geom
FROM pieces WHERE g IS NOT NULL AND ST_Area(g) > 1e-7
ORDER BY (i * 7919 + j * 104729 + CAST(kel AS INTEGER) % 1000 * 31) % 1009"
