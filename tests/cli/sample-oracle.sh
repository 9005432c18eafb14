#!/usr/bin/env bash
# Runs the whole Kupang sample through regsosek-geo, then checks every household of the
# output against SpatiaLite SQL on the original boundaries: the join (ST_Within,
# ST_Covers, ellipsoidal ST_Distance), the accounting of every input row, the class
# counts per kelurahan and kecamatan, the desil recomputed with a different formula,
# and that no personal column reached the export. With --unlocated (for a file shaped like
# Regsosek 2022, points for some households and codes for all), it also checks that the
# households without a point are placed where their codes say, counted in every summary,
# and that this changes what the located households alone would say.
#   sample-oracle.sh BIN SAMPLE_DIR [HOUSEHOLDS.csv [--unlocated]]
set -euo pipefail
bin=$1
data=$2
households=${3:-households.csv}
unlocated=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

"$bin" -q run "$data/$households" "$data/boundaries.gpkg" -o kupang.gpkg --db work.sqlite

"$bin" -q rank --all -o forum --db work.sqlite
data_rows=$(( $(wc -l < "$data/$households") - 1 ))

sqlite3 -batch -noheader work.sqlite > checks.txt <<SQL
.load mod_spatialite
ATTACH 'kupang.gpkg' AS out;
ATTACH '$data/boundaries.gpkg' AS b;

.read $here/join-oracle.sql

-- Every input row is a household or a reject, once.
SELECT 'rows_unaccounted', $data_rows - (SELECT count(*) FROM out.households) - (SELECT count(*) FROM main.rejects);
SELECT 'duplicate_ids', count(*) - count(DISTINCT household_id) FROM out.households;

-- Class counts per kelurahan against a recount of the households layer.
SELECT 'kelurahan_count_mismatches', count(*) FROM out.kelurahan k WHERE
     households    != (SELECT count(*) FROM out.households h WHERE h.kelurahan_code = k.code)
  OR sangat_miskin != (SELECT count(*) FROM out.households h WHERE h.kelurahan_code = k.code AND poverty_class = 'sangat miskin')
  OR miskin        != (SELECT count(*) FROM out.households h WHERE h.kelurahan_code = k.code AND poverty_class = 'miskin')
  OR rentan_miskin != (SELECT count(*) FROM out.households h WHERE h.kelurahan_code = k.code AND poverty_class = 'rentan miskin')
  OR tidak_miskin  != (SELECT count(*) FROM out.households h WHERE h.kelurahan_code = k.code AND poverty_class = 'tidak miskin')
  OR unclassified  != (SELECT count(*) FROM out.households h WHERE h.kelurahan_code = k.code AND poverty_class IS NULL);
SELECT 'kecamatan_count_mismatches', count(*) FROM out.kecamatan c WHERE
     households != (SELECT count(*) FROM out.households h WHERE h.kecamatan_code = c.code)
  OR households != (SELECT coalesce(sum(households), 0) FROM out.kelurahan k WHERE k.parent_code = c.code)
                 + (SELECT count(*) FROM out.households h WHERE h.kecamatan_code = c.code AND h.kelurahan_code IS NULL);
SELECT 'kecamatan_not_parent', count(*) FROM hh h JOIN kel k ON k.code = h.kelurahan_code WHERE h.kecamatan_code != k.kec;

-- Desil recomputed as (households strictly poorer) * 10 / n + 1, with the default mapping.
CREATE TEMP TABLE w AS SELECT household_id, spending * 1.0 / household_size AS welfare
  FROM main.households WHERE household_size > 0 AND spending IS NOT NULL;
CREATE INDEX temp.w_welfare ON w(welfare);
CREATE TEMP TABLE d AS SELECT household_id,
  (SELECT count(*) FROM w w2 WHERE w2.welfare < w.welfare) * 10 / (SELECT count(*) FROM w) + 1 AS desil FROM w;
SELECT 'desil_mismatches', count(*) FROM d JOIN out.households h USING (household_id) WHERE h.desil IS NOT d.desil;
SELECT 'class_mismatches', count(*) FROM d JOIN out.households h USING (household_id)
  WHERE h.poverty_class IS NOT CASE WHEN d.desil = 1 THEN 'sangat miskin' WHEN d.desil = 2 THEN 'miskin'
                                    WHEN d.desil <= 4 THEN 'rentan miskin' ELSE 'tidak miskin' END;
SELECT 'unclassified_with_welfare', count(*) FROM out.households h
  WHERE poverty_class IS NULL AND household_id IN (SELECT household_id FROM w);

-- Every level's desil and programme counts from the oracle's own desil, each household in
-- the areas its BPS codes name (kab/kota: the first 4 digits, provinsi: 2), and the shipped
-- programmes (pkh desil 1-4, sembako and pbi_jk desil 1-5).
CREATE TEMP TABLE hd AS SELECT h.kelurahan_code AS kel, h.kecamatan_code AS kec, substr(h.kecamatan_code, 1, 4) AS kab,
  substr(h.kecamatan_code, 1, 2) AS prov, d.desil FROM out.households h JOIN d USING (household_id)
  WHERE h.kecamatan_code IS NOT NULL;
CREATE TEMP TABLE level_counts AS
  SELECT 'kelurahan' AS level, kel AS code, desil, count(*) AS n FROM hd GROUP BY kel, desil UNION ALL
  SELECT 'kecamatan', kec, desil, count(*) FROM hd GROUP BY kec, desil UNION ALL
  SELECT 'kabkota', kab, desil, count(*) FROM hd GROUP BY kab, desil UNION ALL
  SELECT 'provinsi', prov, desil, count(*) FROM hd GROUP BY prov, desil;
CREATE TEMP VIEW exported_levels AS
  SELECT 'kelurahan' AS level, * FROM out.kelurahan UNION ALL SELECT 'kecamatan', * FROM out.kecamatan UNION ALL
  SELECT 'kabkota', * FROM out.kabkota UNION ALL SELECT 'provinsi', * FROM out.provinsi;
SELECT 'desil_count_mismatches', count(*) FROM exported_levels e WHERE
  EXISTS (SELECT 1 FROM (SELECT 1 AS k UNION SELECT 2 UNION SELECT 3 UNION SELECT 4 UNION SELECT 5 UNION SELECT 6
    UNION SELECT 7 UNION SELECT 8 UNION SELECT 9 UNION SELECT 10) ks
    WHERE coalesce((SELECT n FROM level_counts c WHERE c.level = e.level AND c.code = e.code AND c.desil = ks.k), 0)
      != CASE ks.k WHEN 1 THEN e.desil_1 WHEN 2 THEN e.desil_2 WHEN 3 THEN e.desil_3 WHEN 4 THEN e.desil_4
         WHEN 5 THEN e.desil_5 WHEN 6 THEN e.desil_6 WHEN 7 THEN e.desil_7 WHEN 8 THEN e.desil_8
         WHEN 9 THEN e.desil_9 ELSE e.desil_10 END);
SELECT 'programme_count_mismatches', count(*) FROM exported_levels e WHERE
     pkh != (SELECT coalesce(sum(n), 0) FROM level_counts c WHERE c.level = e.level AND c.code = e.code AND desil <= 4)
  OR sembako != (SELECT coalesce(sum(n), 0) FROM level_counts c WHERE c.level = e.level AND c.code = e.code AND desil <= 5)
  OR pbi_jk != sembako;
SELECT 'kabkota_count_mismatches', count(*) FROM out.kabkota k WHERE
     households != (SELECT count(*) FROM out.households h WHERE substr(h.kecamatan_code, 1, 4) = k.code)
  OR households != (SELECT coalesce(sum(households), 0) FROM out.kecamatan c WHERE c.parent_code = k.code)
  OR sangat_miskin != (SELECT coalesce(sum(sangat_miskin), 0) FROM out.kecamatan c WHERE c.parent_code = k.code);
SELECT 'provinsi_count_mismatches', count(*) FROM out.provinsi p WHERE
     households != (SELECT count(*) FROM out.households h WHERE substr(h.kecamatan_code, 1, 2) = p.code)
  OR households != (SELECT coalesce(sum(households), 0) FROM out.kabkota k WHERE k.parent_code = p.code);
SELECT 'households_level_codes_mismatches', count(*) FROM out.households WHERE kelurahan_code IS NOT NULL
  AND (kabkota_code IS NOT substr(kelurahan_code, 1, 4) OR provinsi_code IS NOT substr(kelurahan_code, 1, 2));
-- Every upper level is drawn as the union of the file's kelurahan (not its own kecamatan
-- layer, which cuts across them), the slivers between them filled: it covers the union, adds
-- under 0.5% to it, and has no holes; the provinsi is the union of the kab/kota. Each takes
-- the names the desa layer gives (nama_kab, nama_prov).
SELECT 'kecamatan_not_the_union_of_their_kelurahan', count(*) FROM out.kecamatan k,
  (SELECT kode_kec, ST_Union(GeomFromGPB(geom)) AS u FROM b.kelurahan GROUP BY kode_kec) x
  WHERE x.kode_kec = k.code AND (ST_Area(ST_Difference(x.u, GeomFromGPB(k.geom))) > 1e-9 * ST_Area(x.u)
   OR ST_Area(ST_Difference(GeomFromGPB(k.geom), x.u)) > 0.005 * ST_Area(x.u));
SELECT 'kabkota_not_the_union_of_kelurahan', count(*) FROM out.kabkota k,
  (SELECT substr(kode_kel, 1, 4) AS kab, ST_Union(GeomFromGPB(geom)) AS u FROM b.kelurahan GROUP BY 1) x
  WHERE x.kab = k.code AND (ST_Area(ST_Difference(x.u, GeomFromGPB(k.geom))) > 1e-9 * ST_Area(x.u)
   OR ST_Area(ST_Difference(GeomFromGPB(k.geom), x.u)) > 0.005 * ST_Area(x.u));
SELECT 'upper_levels_with_holes', (SELECT count(*) FROM out.kecamatan WHERE NumInteriorRing(ST_GeometryN(GeomFromGPB(geom), 1)) > 0)
  + (SELECT count(*) FROM out.kabkota WHERE NumInteriorRing(ST_GeometryN(GeomFromGPB(geom), 1)) > 0);
SELECT 'provinsi_not_the_union_of_kabkota', count(*) FROM out.provinsi p WHERE ST_Area(ST_SymDifference(
  GeomFromGPB(p.geom), (SELECT ST_Union(GeomFromGPB(k.geom)) FROM out.kabkota k WHERE k.parent_code = p.code)))
  > 1e-9 * ST_Area(GeomFromGPB(p.geom));
SELECT 'level_names_mismatches', count(*) FROM out.kabkota k WHERE k.name IS NOT
  (SELECT min(nama_kab) FROM b.kelurahan WHERE substr(kode_kel, 1, 4) = k.code)
  OR k.parent_name IS NOT (SELECT min(nama_prov) FROM b.kelurahan WHERE substr(kode_kel, 1, 2) = k.parent_code);
SELECT 'kabkota_households', count(*) FROM out.kabkota WHERE households > 0;

-- Ranks inside each kelurahan, recomputed: 1 + households poorer, or as poor with a smaller id.
CREATE INDEX temp.rank_order ON w(welfare);
CREATE TEMP TABLE hk AS SELECT h.household_id, h.kelurahan_code, w.welfare FROM main.households h
  JOIN w USING (household_id) WHERE h.kelurahan_code IS NOT NULL;
CREATE INDEX temp.hk_kel ON hk(kelurahan_code, welfare);
SELECT 'rank_mismatches', count(*) FROM hk JOIN out.households o USING (household_id)
  WHERE o.welfare_rank IS NOT 1 + (SELECT count(*) FROM hk h2 WHERE h2.kelurahan_code = hk.kelurahan_code
    AND (h2.welfare < hk.welfare OR (h2.welfare = hk.welfare AND h2.household_id < hk.household_id)));
SELECT 'ranked_without_welfare', count(*) FROM out.households WHERE welfare_rank IS NOT NULL
  AND household_id NOT IN (SELECT household_id FROM hk);

-- Personal columns never reach the default export.
SELECT 'personal_columns_exported', count(*) FROM pragma_table_info('households', 'out')
  WHERE name IN ('nama_kepala_keluarga', 'nik', 'alamat', 'no_hp', 'extra', 'spending');

-- Households without a point: placed in the kelurahan their code names (a BPS desa code, or
-- the desa of an SLS code, or a Kemendagri code), never left unmatched when it names one,
-- and drawn nowhere.
CREATE TEMP VIEW code_desa AS SELECT household_id, kelurahan_code, join_method, geom,
  CASE WHEN length(reported_code) = 14 THEN substr(reported_code, 1, 10) ELSE reported_code END AS desa
  FROM out.households;
SELECT 'code_placed_elsewhere', count(*) FROM code_desa h WHERE join_method = 'code' AND kelurahan_code IS NOT NULL AND NOT EXISTS
  (SELECT 1 FROM b.kelurahan k WHERE k.kode_kel = h.kelurahan_code AND h.desa IN (k.kode_kel, k.kode_kemendagri));
SELECT 'placeable_but_unmatched', count(*) FROM code_desa h WHERE join_method = 'unmatched' AND geom IS NULL
  AND EXISTS (SELECT 1 FROM b.kelurahan k WHERE h.desa IN (k.kode_kel, k.kode_kemendagri));
SELECT 'code_but_drawn', count(*) FROM out.households WHERE join_method = 'code' AND geom IS NOT NULL;
-- A code naming no kelurahan of the boundaries but a kecamatan places its household in that
-- kecamatan alone; one naming neither leaves it unmatched.
SELECT 'kecamatan_alone_elsewhere', count(*) FROM code_desa h WHERE join_method = 'code' AND kelurahan_code IS NULL
  AND (EXISTS (SELECT 1 FROM b.kelurahan k WHERE h.desa IN (k.kode_kel, k.kode_kemendagri))
   OR NOT EXISTS (SELECT 1 FROM b.kecamatan c WHERE c.kode_kec = (SELECT kecamatan_code FROM out.households o
     WHERE o.household_id = h.household_id) AND (substr(h.desa, 1, 7) = c.kode_kec
     OR substr(h.desa, 1, 8) = c.kode_kemendagri)));
SELECT 'kecamatan_placeable_but_unmatched', count(*) FROM code_desa h WHERE join_method = 'unmatched' AND geom IS NULL
  AND EXISTS (SELECT 1 FROM b.kecamatan c WHERE substr(h.desa, 1, 7) = c.kode_kec OR substr(h.desa, 1, 8) = c.kode_kemendagri);
SELECT 'point_split_mismatches', count(*) FROM out.kelurahan k WHERE
     with_point    != (SELECT count(*) FROM out.households h WHERE h.kelurahan_code = k.code AND h.geom IS NOT NULL)
  OR without_point != (SELECT count(*) FROM out.households h WHERE h.kelurahan_code = k.code AND h.geom IS NULL);

-- The test is not vacuous: each join method occurs in the sample.
SELECT 'within_households', count(*) FROM hh WHERE join_method = 'within';
SELECT 'boundary_households', count(*) FROM hh WHERE join_method = 'boundary';
SELECT 'nearest_households', count(*) FROM hh WHERE join_method = 'nearest';
SQL

if [ "$unlocated" = --unlocated ]; then
  sqlite3 -batch -noheader work.sqlite >> checks.txt <<SQL
ATTACH 'kupang.gpkg' AS out;
SELECT 'unmatched_households', count(*) FROM out.households WHERE join_method = 'unmatched';
SELECT 'unmatched_located_households', count(*) FROM out.households WHERE join_method = 'unmatched' AND geom IS NOT NULL;
SELECT 'code_households', count(*) FROM out.households WHERE join_method = 'code';
SELECT 'kecamatan_alone_households', count(*) FROM out.households WHERE join_method = 'code' AND kelurahan_code IS NULL;
-- What counting all households changes: kelurahan whose poverty rate over its located
-- households alone (the poorer ones, as the points were taken) differs from the exported one.
SELECT 'rate_bias_kelurahan_households', count(*) FROM out.kelurahan k WHERE abs(k.poverty_rate -
  (SELECT 1.0 * sum(poverty_class IN ('sangat miskin', 'miskin')) / count(*) FROM out.households h
   WHERE h.kelurahan_code = k.code AND h.geom IS NOT NULL AND poverty_class IS NOT NULL)) > 0.05;
SQL
fi

# Each forum list holds every household of its kelurahan, once.
listed=0
for f in forum/*.csv; do
  code=$(basename "$f" | cut -d- -f1)
  want=$(sqlite3 kupang.gpkg "SELECT households FROM kelurahan WHERE code = '$code'")
  got=$(( $(wc -l < "$f") - 1 ))
  [ "$got" = "$want" ] || echo "forum_list_mismatch|$code"
  listed=$((listed + got))
done >> checks.txt
echo "forum_lists_unaccounted|$(( $(sqlite3 kupang.gpkg "SELECT count(*) FROM households WHERE kelurahan_code IS NOT NULL") - listed ))" >> checks.txt

. "$here/oracle-verdict.sh" checks.txt 22
