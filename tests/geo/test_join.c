#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "geo/geo.h"
#include "support.h"

static rg_store *loaded(rg_ctx *ctx, const char *csv)
{
    rg_store *store = test_store(ctx, "join.sqlite");
    cr_assert_eq(rg_load_run(store, write_tmp("hh.csv", csv), NULL, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    return store;
}

Test(geo_join, writes_areas_codes_flags_and_report)
{
    rg_ctx *ctx = test_ctx();
    /* Oebobo's and Mantasi's interior points (SpatiaLite ST_PointOnSurface), one reported
     * in the Kemendagri scheme, one wrong, and a point 2 km out at sea. */
    rg_store *store = loaded(ctx, "id,lat,lon,kode_wilayah\n"
                                  "A,-10.1689306565,123.60105158278,5371030009\n"
                                  "B,-10.1703842639999,123.580473972658,53.71.01.1007\n"
                                  "C,-10.1703842639999,123.580473972658,5371030009\n"
                                  "D,-10.148,123.58,\n");
    rg_join_report r;
    cr_assert_eq(rg_geo_join(store, RG_SAMPLE_DIR "/boundaries.gpkg", NULL, &r), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(r.households, 4);
    cr_assert_eq(r.within, 3);
    cr_assert_eq(r.unmatched, 1);
    cr_assert_eq(r.kelurahan, 51);
    cr_assert_eq(r.kecamatan, 6);
    cr_assert_eq(r.code_mismatches, 1);
    cr_assert_str_eq(sql_text(store, "SELECT kelurahan_code || '|' || kelurahan_name || '|' || kecamatan_code || '|' ||"
                                     " kecamatan_name || '|' || join_method || '|' || code_mismatch"
                                     " FROM households WHERE household_id = 'A'"),
                     "5371030009|Oebobo|5371030|Oebobo|within|0");
    /* Mantasi is 53.71.01.1007 in the Kemendagri scheme: a match, not a mismatch. */
    cr_assert_str_eq(sql_text(store, "SELECT code_mismatch FROM households WHERE household_id = 'B'"), "0");
    cr_assert_str_eq(sql_text(store, "SELECT code_mismatch FROM households WHERE household_id = 'C'"), "1");
    cr_assert_str_eq(sql_text(store, "SELECT coalesce(kelurahan_code, 'NULL') || '|' || join_method"
                                     " FROM households WHERE household_id = 'D'"),
                     "NULL|unmatched");
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM join_report"), 1);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM kelurahan WHERE ST_GeometryType(geom) = 'MULTIPOLYGON'"), 51);

    /* A second join replaces the first, with another distance limit. */
    rg_join_opts o = RG_JOIN_OPTS_INIT;
    o.max_distance_m = 5000;
    cr_assert_eq(rg_geo_join(store, RG_SAMPLE_DIR "/boundaries.gpkg", &o, &r), RG_OK);
    cr_assert_eq(r.nearest, 1);
    cr_assert_float_eq(r.nearest_max_m, 1013.3, 10.0);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM households WHERE join_method = 'nearest'"), 1);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM kelurahan"), 51);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM join_report"), 2);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(geo_join, errors_leave_the_store_as_it_was)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "empty-join.sqlite");
    cr_assert_eq(rg_geo_join(store, RG_SAMPLE_DIR "/boundaries.gpkg", NULL, NULL), RG_EDATA);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "no households loaded yet"));
    rg_io_store_free(store);

    store = loaded(ctx, "id,lat,lon\nA,-10.1689306565,123.60105158278\n");
    cr_assert_eq(rg_geo_join(store, write_tmp("junk.gpkg", "junk"), NULL, NULL), RG_EGDAL);
    rg_join_opts o = RG_JOIN_OPTS_INIT;
    o.kecamatan.layer = "no_such_layer";
    cr_assert_eq(rg_geo_join(store, RG_SAMPLE_DIR "/boundaries.gpkg", &o, NULL), RG_ENOTFOUND);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM households WHERE join_method IS NOT NULL"), 0);
    cr_assert_str_eq(rg_geo_join_method_name(RG_JOIN_BOUNDARY), "boundary");
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(geo_join, kelurahan_only_source_dissolves_kecamatan)
{
    const char *kel_only = tmp_path("kel-only.gpkg");
    cr_assert_eq(run("ogr2ogr -q '%s' '%s/boundaries.gpkg' kelurahan", kel_only, RG_SAMPLE_DIR), 0);
    rg_ctx *ctx = test_ctx();
    rg_store *store = loaded(ctx, "id,lat,lon\nA,-10.1689306565,123.60105158278\n");
    rg_join_report r;
    cr_assert_eq(rg_geo_join(store, kel_only, NULL, &r), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert(r.kecamatan_dissolved);
    cr_assert_eq(r.kecamatan, 6);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM kecamatan WHERE dissolved = 1 AND name IS NOT NULL"), 6);
    cr_assert_str_eq(sql_text(store, "SELECT kecamatan_name FROM households"), "Oebobo");
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/*
 * Memory is bounded by two knobs: the records each external sort holds before a sorted
 * run goes to disk, and the polygon vertices a thread keeps prepared. Pushed to their
 * limits (runs of 7 households; every polygon read back and prepared again whenever
 * another is met), the join must give every household of the sample the same answer,
 * on any number of threads, in both the kelurahan and the kecamatan polygons.
 */
Test(geo_join, spilled_sorts_and_evicted_polygons_change_no_answer)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "join-bounds.sqlite");
    cr_assert_eq(rg_load_run(store, RG_SAMPLE_DIR "/households.csv", NULL, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    rg_join_opts o = RG_JOIN_OPTS_INIT;
    o.threads = 1;
    rg_join_report plain, bounded;
    cr_assert_eq(rg_geo_join(store, RG_SAMPLE_DIR "/boundaries.gpkg", &o, &plain), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(rg_io_store_exec(store, "test",
                                  "CREATE TABLE first AS SELECT hh, kelurahan_code, kecamatan_code, join_method,"
                                  " join_distance_m, join_flags, code_mismatch, kecamatan_polygon_code FROM households"),
                 RG_OK);
    o.threads = 3;
    o.sort_records = 7;
    o.kept_coordinates = 1;
    cr_assert_eq(rg_geo_join(store, RG_SAMPLE_DIR "/boundaries.gpkg", &o, &bounded), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_gt(plain.households, 7 * 1000, "the sample is too small to spill many runs");
    cr_assert_gt(plain.kecamatan_mismatches, 0, "the kecamatan polygons were not consulted");
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM households h JOIN first f USING (hh)"
                                " WHERE h.kelurahan_code IS NOT f.kelurahan_code"
                                " OR h.kecamatan_code IS NOT f.kecamatan_code OR h.join_method IS NOT f.join_method"
                                " OR h.join_distance_m IS NOT f.join_distance_m OR h.join_flags IS NOT f.join_flags"
                                " OR h.code_mismatch IS NOT f.code_mismatch"
                                " OR h.kecamatan_polygon_code IS NOT f.kecamatan_polygon_code"),
                 0);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM first"), plain.households);
    cr_assert_eq(bounded.within, plain.within);
    cr_assert_eq(bounded.boundary, plain.boundary);
    cr_assert_eq(bounded.nearest, plain.nearest);
    cr_assert_eq(bounded.unmatched, plain.unmatched);
    cr_assert_eq(run("ls '%s'.points-* >/dev/null 2>&1", tmp_path("join-bounds.sqlite")) != 0, 1,
                 "a run file of personal points was left beside the database");
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* Every answer of the join, kept to compare a later join's against. */
static void keep_answers(rg_store *store, const char *table)
{
    char sql[400];
    snprintf(sql, sizeof sql,
             "DROP TABLE IF EXISTS %s; CREATE TABLE %s AS SELECT hh, kelurahan_code, kelurahan_name, kecamatan_code,"
             " kecamatan_name, join_method, join_distance_m, join_flags, code_mismatch, kecamatan_polygon_code"
             " FROM households",
             table, table);
    cr_assert_eq(rg_io_store_exec(store, "test", sql), RG_OK);
}

static long long answers_differing(rg_store *store, const char *table)
{
    char sql[800];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM households h LEFT JOIN %s f USING (hh) WHERE f.hh IS NULL"
             " OR h.kelurahan_code IS NOT f.kelurahan_code OR h.kelurahan_name IS NOT f.kelurahan_name"
             " OR h.kecamatan_code IS NOT f.kecamatan_code OR h.kecamatan_name IS NOT f.kecamatan_name"
             " OR h.join_method IS NOT f.join_method OR h.join_distance_m IS NOT f.join_distance_m"
             " OR h.join_flags IS NOT f.join_flags OR h.code_mismatch IS NOT f.code_mismatch"
             " OR h.kecamatan_polygon_code IS NOT f.kecamatan_polygon_code",
             table);
    return sql_int(store, sql);
}

/*
 * Boundaries are prepared once: a second join with the same file (same SHA-256) and the
 * same layer and field choices reads them back from the store, and every household gets
 * exactly the answer the first join gave. Another file, other choices, or --reprepare
 * prepare them again.
 */
Test(geo_join, prepared_boundaries_are_reused_with_the_same_answers)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "join-reuse.sqlite");
    cr_assert_eq(rg_load_run(store, RG_SAMPLE_DIR "/households.csv", NULL, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    /* A copy of the boundaries with only the kelurahan layer: its kecamatan are dissolved. */
    const char *kel_only = tmp_path("kelurahan-only.gpkg");
    cr_assert_eq(run("ogr2ogr -f GPKG '%s' '%s' kelurahan", kel_only, RG_SAMPLE_DIR "/boundaries.gpkg"), 0);
    const char *sources[] = {RG_SAMPLE_DIR "/boundaries.gpkg", kel_only};
    for (size_t i = 0; i < 2; i++) {
        rg_join_report first, again;
        cr_assert_eq(rg_geo_join(store, sources[i], NULL, &first), RG_OK, "%s", rg_ctx_errmsg(ctx));
        cr_assert_eq(first.boundaries_reused, 0, "%s was prepared before", sources[i]);
        cr_assert_eq(first.kecamatan_dissolved, (int)i);
        keep_answers(store, "first");
        cr_assert_eq(rg_geo_join(store, sources[i], NULL, &again), RG_OK, "%s", rg_ctx_errmsg(ctx));
        cr_assert_eq(again.boundaries_reused, 1, "%s was prepared again", sources[i]);
        cr_assert_eq(answers_differing(store, "first"), 0, "%s: reused boundaries changed answers", sources[i]);
        cr_assert_eq(again.kelurahan, first.kelurahan);
        cr_assert_eq(again.kecamatan, first.kecamatan);
        cr_assert_eq(again.kecamatan_dissolved, first.kecamatan_dissolved);
        cr_assert_eq(again.kecamatan_mismatches, first.kecamatan_mismatches);
        cr_assert_gt(first.within, 29000);
    }
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM boundary_sets"), 2);
    /* The polygons' spatial indexes were packed, not kept by triggers: sound, complete, and
     * SpatiaLite's SpatialIndex finds through them the kelurahan ST_Within finds by a scan;
     * the triggers are back for anyone who edits the tables by hand. */
    cr_assert_str_eq(sql_text(store, "SELECT rtreecheck('idx_kelurahan_geom') || rtreecheck('idx_kecamatan_geom')"),
                     "okok");
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM idx_kelurahan_geom"), 51);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM idx_kecamatan_geom"), 6);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM (SELECT h.hh FROM household_records h, kelurahan k"
                                " WHERE h.hh % 97 = 0 AND ST_Within(h.geom, k.geom) = 1 AND k.rowid IN (SELECT rowid"
                                " FROM SpatialIndex WHERE f_table_name = 'kelurahan' AND search_frame = h.geom)"
                                " EXCEPT SELECT h.hh FROM household_records h, kelurahan k"
                                " WHERE h.hh % 97 = 0 AND ST_Within(h.geom, k.geom) = 1)"),
                 0);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM (SELECT h.hh FROM household_records h, kelurahan k"
                                " WHERE h.hh % 97 = 0 AND ST_Within(h.geom, k.geom) = 1"
                                " EXCEPT SELECT h.hh FROM household_records h, kelurahan k"
                                " WHERE h.hh % 97 = 0 AND ST_Within(h.geom, k.geom) = 1 AND k.rowid IN (SELECT rowid"
                                " FROM SpatialIndex WHERE f_table_name = 'kelurahan' AND search_frame = h.geom))"),
                 0);
    cr_assert_gt(sql_int(store, "SELECT count(*) FROM household_records WHERE hh % 97 = 0"), 250);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
                                " AND tbl_name IN ('kelurahan', 'kecamatan')"),
                 16);

    /* Other choices, and --reprepare, read the file again. */
    rg_join_opts o = RG_JOIN_OPTS_INIT;
    o.kelurahan.name_field = "nama_kel";
    rg_join_report r;
    cr_assert_eq(rg_geo_join(store, RG_SAMPLE_DIR "/boundaries.gpkg", &o, &r), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(r.boundaries_reused, 0);
    o.reprepare = 1;
    cr_assert_eq(rg_geo_join(store, RG_SAMPLE_DIR "/boundaries.gpkg", &o, &r), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(r.boundaries_reused, 0);

    /* A file changed in place (one name) has another checksum: the new name is used. */
    const char *edited = tmp_path("edited.gpkg");
    cr_assert_eq(run("cp '%s' '%s' && ogrinfo -q '%s' -sql \"UPDATE kelurahan SET nama_kel = 'Oebobo Baru'"
                     " WHERE kode_kel = '5371030009'\" >/dev/null",
                     RG_SAMPLE_DIR "/boundaries.gpkg", edited, edited),
                 0);
    cr_assert_eq(rg_geo_join(store, edited, NULL, &r), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(r.boundaries_reused, 0);
    cr_assert_gt(sql_int(store, "SELECT count(*) FROM households WHERE kelurahan_name = 'Oebobo Baru'"), 0);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM boundary_sets"), 5);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* Households without a point go where their code says; the oracle is the boundary file's
 * own code columns, read by SpatiaLite, not the join's lookup. */
Test(geo_join, households_without_a_point_are_placed_by_their_code)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = loaded(ctx, "id,lat,lon,kode_wilayah\n"
                                  "A,,,5371030009\n"                                      /* BPS: Oebobo */
                                  "B,,,53.71.01.1007\n"                                   /* Kemendagri: Mantasi */
                                  "C,,,53710300090012\n"                                  /* an SLS of Oebobo */
                                  "D,,,5371030099\n"                  /* no such kelurahan: its kecamatan */
                                  "E,,,5371030099\n"
                                  "F,-10.1703842639999,123.580473972658,5371030009\n"     /* the point decides */
                                  "G,123.580473972658,-10.1703842639999,5371030009\n"     /* swapped: by code */
                                  "H,,,5371099001\n"                  /* neither kelurahan nor kecamatan */
                                  "I,,,53.71.01\n");                  /* a kecamatan's code, Kemendagri */
    rg_join_report r;
    cr_assert_eq(rg_geo_join(store, RG_SAMPLE_DIR "/boundaries.gpkg", NULL, &r), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(r.households, 9);
    cr_assert_eq(r.code, 7);
    cr_assert_eq(r.within, 1);
    cr_assert_eq(r.unmatched, 1);
    cr_assert_eq(r.without_point, 8);
    cr_assert_eq(r.unknown_codes, 3);
    cr_assert_eq(r.within + r.boundary + r.nearest + r.code + r.unmatched, r.households);
    cr_assert_eq(rg_io_store_exec(store, "attaching", "ATTACH '" RG_SAMPLE_DIR "/boundaries.gpkg' AS b"), RG_OK);
    /* Each placed household is in the kelurahan whose BPS or Kemendagri code it reported. */
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM households h JOIN b.kelurahan k ON k.kode_kel = h.kelurahan_code"
                                " WHERE h.join_method = 'code' AND (k.kode_kel = substr(h.reported_code, 1, 10)"
                                "  OR k.kode_kemendagri = h.reported_code) AND h.kecamatan_code = k.kode_kec"),
                 4);
    cr_assert_str_eq(sql_text(store, "SELECT group_concat(household_id, '') FROM (SELECT household_id FROM households"
                                     " WHERE join_method = 'code' ORDER BY household_id)"),
                     "ABCDEGI");
    /* D, E and I in their kecamatan alone, which the boundary file's own columns name. */
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM households h JOIN b.kecamatan k ON k.kode_kec = h.kecamatan_code"
                                " WHERE h.join_method = 'code' AND h.kelurahan_code IS NULL"
                                " AND h.join_flags LIKE 'kecamatan_only%' AND (k.kode_kec = substr(h.reported_code, 1, 7)"
                                "  OR k.kode_kemendagri = h.reported_code)"),
                 3);
    cr_assert_str_eq(sql_text(store, "SELECT kelurahan_code || '|' || code_mismatch FROM households"
                                     " WHERE household_id = 'F'"),
                     "5371010006|1");
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM households WHERE join_method = 'code' AND"
                                " (join_distance_m IS NOT NULL OR code_mismatch IS NOT NULL OR geom IS NOT NULL)"),
                 0, "no distance, no mismatch and no point for a household placed by its code");
    cr_assert_str_eq(sql_text(store, "SELECT group_concat(code || '|' || households, ' ') FROM (SELECT * FROM"
                                     " join_unknown_codes ORDER BY code)"),
                     "5371030099|2 5371099001|1");
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM households WHERE join_flags = 'unknown_code'"), 1);
    cr_assert_eq(sql_int(store, "SELECT code + without_point * 10 + unknown_codes * 100 FROM join_report"), 387);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}
