-- The SpatiaLite peer of bench/run: the same job as regsosek-geo's join, classify and the
-- layers its export writes, in SpatiaLite SQL as an analyst would write it. Households are
-- the table ogr2ogr made of the CSV (geometry `geom`), kelurahan the table `kel`.
-- Each household's kelurahan: the polygon holding it strictly, found through the index (the
-- smallest code where neighbours overlap, as regsosek-geo's rule says).
CREATE TABLE hh_area AS
SELECT h.ROWID AS rid, h.id_keluarga AS id_keluarga, min(k.kode_kel) AS kode_kel
FROM households AS h, kel AS k
WHERE ST_Within(h.geom, k.geom)
  AND k.ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'kel' AND search_frame = h.geom)
GROUP BY h.ROWID;
CREATE INDEX hh_area_rid ON hh_area(rid);
-- Kecamatan dissolved from their kelurahan (BPS code: the first 7 digits).
CREATE TABLE kec AS SELECT substr(kode_kel, 1, 7) AS code, CastToMultiPolygon(ST_Union(geom)) AS geom
FROM kel GROUP BY 1;
SELECT RecoverGeometryColumn('kec', 'geom', 4326, 'MULTIPOLYGON', 'XY');
-- Each upper level from the one below, as regsosek-geo makes them.
CREATE TABLE kab AS SELECT substr(code, 1, 4) AS code, CastToMultiPolygon(ST_Union(geom)) AS geom FROM kec GROUP BY 1;
SELECT RecoverGeometryColumn('kab', 'geom', 4326, 'MULTIPOLYGON', 'XY');
CREATE TABLE prov AS SELECT substr(code, 1, 2) AS code, CastToMultiPolygon(ST_Union(geom)) AS geom FROM kab GROUP BY 1;
SELECT RecoverGeometryColumn('prov', 'geom', 4326, 'MULTIPOLYGON', 'XY');
-- Welfare per head, desil over the whole file, class by desil, rank in the kelurahan.
CREATE TABLE hh_class AS
WITH w AS (SELECT h.ROWID AS rid, h.id_keluarga AS id, a.kode_kel AS kode_kel,
             CASE WHEN h.jumlah_art > 0 THEN h.pengeluaran_bulanan * 1.0 / h.jumlah_art END AS welfare
           FROM households h LEFT JOIN hh_area a ON a.rid = h.ROWID)
SELECT rid, id, kode_kel, welfare,
  CASE WHEN welfare IS NOT NULL THEN
    (rank() OVER (PARTITION BY welfare IS NULL ORDER BY welfare) - 1) * 10
    / count(*) OVER (PARTITION BY welfare IS NULL) + 1 END AS desil,
  CASE WHEN welfare IS NOT NULL AND kode_kel IS NOT NULL THEN
    row_number() OVER (PARTITION BY kode_kel, welfare IS NULL ORDER BY welfare, id) END AS welfare_rank
FROM w;
CREATE INDEX hh_class_rid ON hh_class(rid);
CREATE TABLE kel_summary AS
SELECT kode_kel AS code, count(*) AS households,
  sum(desil = 1) AS sangat_miskin, sum(desil = 2) AS miskin, sum(desil IN (3, 4)) AS rentan_miskin,
  sum(desil >= 5) AS tidak_miskin, sum(desil IS NULL) AS unclassified
FROM hh_class WHERE kode_kel IS NOT NULL GROUP BY kode_kel;
-- The three layers, for ogr2ogr to write out.
CREATE VIEW households_map AS
SELECT h.ROWID AS ogc_fid, h.id_keluarga AS household_id, c.kode_kel AS kelurahan_code,
  substr(c.kode_kel, 1, 7) AS kecamatan_code,
  CASE c.desil WHEN 1 THEN 'sangat miskin' WHEN 2 THEN 'miskin' WHEN 3 THEN 'rentan miskin'
    WHEN 4 THEN 'rentan miskin' WHEN NULL THEN NULL ELSE 'tidak miskin' END AS poverty_class,
  c.desil AS desil, c.welfare_rank AS welfare_rank, h.jumlah_art AS household_size, h.geom AS geom
FROM households h JOIN hh_class c ON c.rid = h.ROWID;
INSERT INTO views_geometry_columns(view_name, view_geometry, view_rowid, f_table_name, f_geometry_column, read_only)
VALUES ('households_map', 'geom', 'ogc_fid', 'households', 'geom', 1);
CREATE TABLE kelurahan_map AS
SELECT k.kode_kel AS code, k.nama_kel AS name, s.households, s.sangat_miskin, s.miskin, s.rentan_miskin,
  s.tidak_miskin, s.unclassified,
  CAST(s.sangat_miskin + s.miskin AS REAL) / NULLIF(s.households - s.unclassified, 0) AS poverty_rate, k.geom AS geom
FROM kel k LEFT JOIN kel_summary s ON s.code = k.kode_kel;
SELECT RecoverGeometryColumn('kelurahan_map', 'geom', 4326, 'MULTIPOLYGON', 'XY');
CREATE TABLE kecamatan_map AS
SELECT c.code, sum(s.households) AS households, sum(s.sangat_miskin) AS sangat_miskin, sum(s.miskin) AS miskin,
  sum(s.rentan_miskin) AS rentan_miskin, sum(s.tidak_miskin) AS tidak_miskin, sum(s.unclassified) AS unclassified,
  c.geom AS geom
FROM kec c LEFT JOIN kel_summary s ON substr(s.code, 1, 7) = c.code GROUP BY c.code;
SELECT RecoverGeometryColumn('kecamatan_map', 'geom', 4326, 'MULTIPOLYGON', 'XY');
CREATE TABLE kabkota_map AS
SELECT k.code, sum(s.households) AS households, sum(s.sangat_miskin) AS sangat_miskin, sum(s.miskin) AS miskin,
  sum(s.rentan_miskin) AS rentan_miskin, sum(s.tidak_miskin) AS tidak_miskin, sum(s.unclassified) AS unclassified,
  k.geom AS geom
FROM kab k LEFT JOIN kel_summary s ON substr(s.code, 1, 4) = k.code GROUP BY k.code;
SELECT RecoverGeometryColumn('kabkota_map', 'geom', 4326, 'MULTIPOLYGON', 'XY');
CREATE TABLE provinsi_map AS
SELECT p.code, sum(s.households) AS households, sum(s.sangat_miskin) AS sangat_miskin, sum(s.miskin) AS miskin,
  sum(s.rentan_miskin) AS rentan_miskin, sum(s.tidak_miskin) AS tidak_miskin, sum(s.unclassified) AS unclassified,
  p.geom AS geom
FROM prov p LEFT JOIN kel_summary s ON substr(s.code, 1, 2) = p.code GROUP BY p.code;
SELECT RecoverGeometryColumn('provinsi_map', 'geom', 4326, 'MULTIPOLYGON', 'XY');
