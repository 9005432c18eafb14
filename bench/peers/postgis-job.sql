-- The PostGIS peer of bench/run: the same job as bench/peers/spatialite-job.sql, in
-- PostGIS SQL as an analyst would write it (GiST indexes, ST_Within, ST_Union, windows).
CREATE INDEX ON households USING gist (geom);
ANALYZE households;
ANALYZE kel;
CREATE TABLE hh_area AS
SELECT h.ogc_fid AS rid, h.id_keluarga, min(k.kode_kel) AS kode_kel
FROM households h JOIN kel k ON ST_Within(h.geom, k.geom) GROUP BY h.ogc_fid, h.id_keluarga;
CREATE INDEX ON hh_area (rid);
-- ST_MakeValid: with a bow-tie desa in the file, ST_Union stops on a TopologyException.
CREATE TABLE kec AS SELECT left(kode_kel, 7) AS code, ST_Multi(ST_Union(ST_MakeValid(geom))) AS geom FROM kel GROUP BY 1;
-- Each upper level from the one below, as regsosek-geo makes them.
CREATE TABLE kab AS SELECT left(code, 4) AS code, ST_Multi(ST_Union(geom)) AS geom FROM kec GROUP BY 1;
CREATE TABLE prov AS SELECT left(code, 2) AS code, ST_Multi(ST_Union(geom)) AS geom FROM kab GROUP BY 1;
CREATE TABLE hh_class AS
WITH w AS (SELECT h.ogc_fid AS rid, h.id_keluarga AS id, a.kode_kel,
             CASE WHEN h.jumlah_art > 0 THEN h.pengeluaran_bulanan::float8 / h.jumlah_art END AS welfare
           FROM households h LEFT JOIN hh_area a ON a.rid = h.ogc_fid)
SELECT rid, id, kode_kel, welfare,
  CASE WHEN welfare IS NOT NULL THEN
    (rank() OVER (PARTITION BY welfare IS NULL ORDER BY welfare) - 1) * 10
    / count(*) OVER (PARTITION BY welfare IS NULL) + 1 END AS desil,
  CASE WHEN welfare IS NOT NULL AND kode_kel IS NOT NULL THEN
    row_number() OVER (PARTITION BY kode_kel, welfare IS NULL ORDER BY welfare, id) END AS welfare_rank
FROM w;
CREATE INDEX ON hh_class (rid);
CREATE TABLE kel_summary AS
SELECT kode_kel AS code, count(*) AS households,
  count(*) FILTER (WHERE desil = 1) AS sangat_miskin, count(*) FILTER (WHERE desil = 2) AS miskin,
  count(*) FILTER (WHERE desil IN (3, 4)) AS rentan_miskin, count(*) FILTER (WHERE desil >= 5) AS tidak_miskin,
  count(*) FILTER (WHERE desil IS NULL) AS unclassified
FROM hh_class WHERE kode_kel IS NOT NULL GROUP BY kode_kel;
CREATE VIEW households_map AS
SELECT h.ogc_fid, h.id_keluarga AS household_id, c.kode_kel AS kelurahan_code, left(c.kode_kel, 7) AS kecamatan_code,
  CASE WHEN c.desil = 1 THEN 'sangat miskin' WHEN c.desil = 2 THEN 'miskin' WHEN c.desil IN (3, 4) THEN 'rentan miskin'
    WHEN c.desil >= 5 THEN 'tidak miskin' END AS poverty_class,
  c.desil, c.welfare_rank, h.jumlah_art AS household_size, h.geom
FROM households h JOIN hh_class c ON c.rid = h.ogc_fid;
CREATE VIEW kelurahan_map AS
SELECT k.kode_kel AS code, k.nama_kel AS name, s.households, s.sangat_miskin, s.miskin, s.rentan_miskin,
  s.tidak_miskin, s.unclassified,
  (s.sangat_miskin + s.miskin)::float8 / NULLIF(s.households - s.unclassified, 0) AS poverty_rate, k.geom
FROM kel k LEFT JOIN kel_summary s ON s.code = k.kode_kel;
-- Each level's sums by code first, then its polygons: grouping by a provinsi's polygon would
-- sort megabytes of geometry.
CREATE VIEW kecamatan_map AS
SELECT c.code, s.households, s.sangat_miskin, s.miskin, s.rentan_miskin, s.tidak_miskin, s.unclassified, c.geom
FROM kec c LEFT JOIN (SELECT left(code, 7) AS code, sum(households) AS households, sum(sangat_miskin) AS sangat_miskin,
  sum(miskin) AS miskin, sum(rentan_miskin) AS rentan_miskin, sum(tidak_miskin) AS tidak_miskin,
  sum(unclassified) AS unclassified FROM kel_summary GROUP BY 1) s USING (code);
CREATE VIEW kabkota_map AS
SELECT k.code, s.households, s.sangat_miskin, s.miskin, s.rentan_miskin, s.tidak_miskin, s.unclassified, k.geom
FROM kab k LEFT JOIN (SELECT left(code, 4) AS code, sum(households) AS households, sum(sangat_miskin) AS sangat_miskin,
  sum(miskin) AS miskin, sum(rentan_miskin) AS rentan_miskin, sum(tidak_miskin) AS tidak_miskin,
  sum(unclassified) AS unclassified FROM kel_summary GROUP BY 1) s USING (code);
CREATE VIEW provinsi_map AS
SELECT p.code, s.households, s.sangat_miskin, s.miskin, s.rentan_miskin, s.tidak_miskin, s.unclassified, p.geom
FROM prov p LEFT JOIN (SELECT left(code, 2) AS code, sum(households) AS households, sum(sangat_miskin) AS sangat_miskin,
  sum(miskin) AS miskin, sum(rentan_miskin) AS rentan_miskin, sum(tidak_miskin) AS tidak_miskin,
  sum(unclassified) AS unclassified FROM kel_summary GROUP BY 1) s USING (code);
