-- The join of every household in an export (attached as `out`) checked against SpatiaLite
-- SQL on the boundaries it was joined with (attached as `b`, kelurahan layer with kode_kel):
-- ST_Within and ST_Covers for the points on polygons (the documented rule: the smallest
-- code wins), ellipsoidal ST_Distance for the others (nearest within 500 m, else
-- unmatched). Each line prints a name and a count of disagreements, which must be 0.
-- Needs mod_spatialite loaded. Used by sample-oracle.sh and generated-oracle.sh.

CREATE TEMP TABLE hh AS
  SELECT household_id, kelurahan_code, kecamatan_code, join_method, join_distance_m, poverty_class,
         GeomFromGPB(geom) AS g, ST_X(GeomFromGPB(geom)) AS x, ST_Y(GeomFromGPB(geom)) AS y
  FROM out.households;
CREATE TEMP TABLE kel AS
  SELECT kode_kel AS code, substr(kode_kel, 1, 7) AS kec, GeomFromGPB(geom) AS g FROM b.kelurahan;
ALTER TABLE kel ADD COLUMN minx; ALTER TABLE kel ADD COLUMN maxx;
ALTER TABLE kel ADD COLUMN miny; ALTER TABLE kel ADD COLUMN maxy;
UPDATE kel SET minx = MbrMinX(g), maxx = MbrMaxX(g), miny = MbrMinY(g), maxy = MbrMaxY(g);

-- Candidates by bounding box, then the exact predicates.
CREATE TEMP TABLE cand AS
  SELECT h.household_id, k.code, ST_Within(h.g, k.g) AS within, ST_Covers(k.g, h.g) AS covers
  FROM hh h JOIN kel k ON h.x BETWEEN k.minx AND k.maxx AND h.y BETWEEN k.miny AND k.maxy;
CREATE INDEX temp.cand_household ON cand(household_id);
CREATE TEMP TABLE expect AS
  SELECT h.household_id,
    (SELECT min(code) FROM cand c WHERE c.household_id = h.household_id AND c.within = 1) AS within_code,
    (SELECT min(code) FROM cand c WHERE c.household_id = h.household_id AND c.covers = 1) AS covers_code
  FROM hh h;

SELECT 'within_disagreements', count(*) FROM hh JOIN expect USING (household_id)
  WHERE (join_method = 'within') != (within_code IS NOT NULL)
     OR (join_method = 'within' AND kelurahan_code IS NOT within_code);
SELECT 'boundary_disagreements', count(*) FROM hh JOIN expect USING (household_id)
  WHERE (join_method = 'boundary') != (within_code IS NULL AND covers_code IS NOT NULL)
     OR (join_method = 'boundary' AND kelurahan_code IS NOT covers_code);
SELECT 'outside_but_covered', count(*) FROM hh JOIN expect USING (household_id)
  WHERE join_method IN ('nearest', 'unmatched') AND covers_code IS NOT NULL;

-- Points off every polygon: ellipsoidal distances to every kelurahan.
CREATE TEMP TABLE nd AS
  SELECT h.household_id, k.code, ST_Distance(k.g, h.g, 1) AS d
  FROM hh h, kel k WHERE h.join_method IN ('nearest', 'unmatched') AND h.y BETWEEN -90 AND 90
  -- 0.01 degree is over 1,090 m here, more than twice the 500 m limit: no polygon that
  -- could be the nearest within the limit is left out.
  AND h.x BETWEEN k.minx - 0.01 AND k.maxx + 0.01 AND h.y BETWEEN k.miny - 0.01 AND k.maxy + 0.01;
SELECT 'nearest_distance_off', count(*) FROM hh h JOIN nd ON nd.household_id = h.household_id
  AND nd.code = h.kelurahan_code
  WHERE h.join_method = 'nearest' AND abs(nd.d - h.join_distance_m) > 0.5 + 0.01 * nd.d;
SELECT 'nearest_not_nearest', count(*) FROM hh h WHERE h.join_method = 'nearest'
  AND (SELECT min(d) FROM nd WHERE nd.household_id = h.household_id) < h.join_distance_m * 0.99 - 0.5;
SELECT 'nearest_beyond_limit', count(*) FROM hh WHERE join_method = 'nearest' AND join_distance_m > 500;
SELECT 'unmatched_within_limit', count(*) FROM hh h WHERE h.join_method = 'unmatched'
  AND (SELECT min(d) FROM nd WHERE nd.household_id = h.household_id) < 495;
SELECT 'matched_without_code', count(*) FROM hh
  WHERE (join_method = 'unmatched') != (kecamatan_code IS NULL)
  OR (kelurahan_code IS NULL AND join_method NOT IN ('unmatched', 'code'));

