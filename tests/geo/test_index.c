/*
 * Hand-computed cases on small polygons at the equator, where one degree of
 * longitude is 111,319.49 m on WGS84: A = [0,1]x[0,1] (code 002), B = [1,2]x[0,1]
 * (code 001), C = [0.5,1.5]x[0.9,1.2] overlapping both (code 003), a gap east of B.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "geo/geo.h"
#include "support.h"

static const char *polygon(const char *code, const char *kec, const char *ring)
{
    static char buf[8][512];
    static int n;
    char *b = buf[n++ % 8];
    snprintf(b, 512,
             "{\"type\":\"Feature\",\"properties\":{\"kode_kel\":\"%s\",\"nama_kel\":\"K%s\",\"kode_kec\":\"%s\"},"
             "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[%s]}}",
             code, code, kec, ring);
    return b;
}

static const char *squares(const char *name)
{
    char text[4096];
    snprintf(text, sizeof text, "{\"type\":\"FeatureCollection\",\"name\":\"kelurahan\",\"features\":[%s,%s]}",
             polygon("5371010002", "5371010", "[[0,0],[1,0],[1,1],[0,1],[0,0]]"),
             polygon("5371010001", "5371010", "[[1,0],[2,0],[2,1],[1,1],[1,0]]"));
    return write_tmp(name, text);
}

static rg_match locate(rg_ctx *ctx, const rg_areas *areas, double lon, double lat, double max_m)
{
    rg_locator *loc = NULL;
    cr_assert_eq(rg_geo_locator_new(&loc, ctx, areas), RG_OK);
    rg_match m;
    cr_assert_eq(rg_geo_locate(loc, lon, lat, max_m, &m), RG_OK, "%s", rg_ctx_errmsg(ctx));
    rg_geo_locator_free(loc);
    return m;
}

static const char *code_of(const rg_areas *areas, rg_match m)
{
    return m.area >= 0 ? rg_geo_areas_code(areas, (size_t)m.area) : "none";
}

Test(geo_index, inside_border_vertex_gap_and_far)
{
    rg_ctx *ctx = test_ctx();
    rg_areas *areas = NULL;
    cr_assert_eq(rg_geo_areas_read(&areas, ctx, squares("sq.geojson"), RG_AREA_KELURAHAN, NULL), RG_OK, "%s",
                 rg_ctx_errmsg(ctx));
    cr_assert_eq(rg_geo_areas_count(areas), 2);

    rg_match m = locate(ctx, areas, 0.5, 0.5, 500);
    cr_assert_eq(m.method, RG_JOIN_WITHIN);
    cr_assert_str_eq(code_of(areas, m), "5371010002");

    /* On the shared edge: both cover it, the smaller code wins. */
    m = locate(ctx, areas, 1.0, 0.5, 500);
    cr_assert_eq(m.method, RG_JOIN_BOUNDARY);
    cr_assert_str_eq(code_of(areas, m), "5371010001");
    /* On a shared vertex, the same rule. */
    m = locate(ctx, areas, 1.0, 0.0, 500);
    cr_assert_eq(m.method, RG_JOIN_BOUNDARY);
    cr_assert_str_eq(code_of(areas, m), "5371010001");
    /* On the outer edge of one polygon only. */
    m = locate(ctx, areas, 0.0, 0.5, 500);
    cr_assert_eq(m.method, RG_JOIN_BOUNDARY);
    cr_assert_str_eq(code_of(areas, m), "5371010002");

    /* 0.001 degree east of B at the equator: 111.32 m on the ground. */
    m = locate(ctx, areas, 2.001, 0.5, 500);
    cr_assert_eq(m.method, RG_JOIN_NEAREST);
    cr_assert_str_eq(code_of(areas, m), "5371010001");
    cr_assert_float_eq(m.distance_m, 111.319, 0.01);
    /* Beyond the limit: unmatched, never dropped. */
    m = locate(ctx, areas, 2.01, 0.5, 500);
    cr_assert_eq(m.method, RG_JOIN_UNMATCHED);
    cr_assert_eq(m.area, -1);
    m = locate(ctx, areas, 2.001, 0.5, 100);
    cr_assert_eq(m.method, RG_JOIN_UNMATCHED);
    rg_geo_areas_free(areas);
    rg_ctx_free(ctx);
}

Test(geo_index, a_missing_layer_names_the_layers_found)
{
    rg_ctx *ctx = test_ctx();
    rg_areas *areas = NULL;
    const char *path = write_tmp("jalan.geojson", "{\"type\":\"FeatureCollection\",\"name\":\"jalan\",\"features\":[]}");
    cr_assert_eq(rg_geo_areas_read(&areas, ctx, path, RG_AREA_KELURAHAN, NULL), RG_ENOTFOUND);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "no kelurahan layer (layers found: jalan)"), "%s", rg_ctx_errmsg(ctx));
    rg_area_source src = RG_AREA_SOURCE_INIT;
    src.layer = "desa";
    cr_assert_eq(rg_geo_areas_read(&areas, ctx, path, RG_AREA_KELURAHAN, &src), RG_ENOTFOUND);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "no kelurahan layer named desa"), "%s", rg_ctx_errmsg(ctx));
    cr_assert_null(areas);
    rg_ctx_free(ctx);
}

Test(geo_index, overlap_rule)
{
    char text[4096];
    snprintf(text, sizeof text, "{\"type\":\"FeatureCollection\",\"name\":\"desa\",\"features\":[%s,%s]}",
             polygon("5371010009", "5371010", "[[0,0],[1,0],[1,1],[0,1],[0,0]]"),
             polygon("5371010003", "5371010", "[[0.5,0.5],[1.5,0.5],[1.5,1.5],[0.5,1.5],[0.5,0.5]]"));
    rg_ctx *ctx = test_ctx();
    rg_areas *areas = NULL;
    cr_assert_eq(rg_geo_areas_read(&areas, ctx, write_tmp("desa.geojson", text), RG_AREA_KELURAHAN, NULL), RG_OK,
                 "%s", rg_ctx_errmsg(ctx));
    rg_match m = locate(ctx, areas, 0.75, 0.75, 500);
    cr_assert_eq(m.method, RG_JOIN_WITHIN);
    cr_assert(m.overlap);
    cr_assert_str_eq(code_of(areas, m), "5371010003");
    m = locate(ctx, areas, 0.25, 0.25, 500);
    cr_assert_not(m.overlap);
    rg_geo_areas_free(areas);
    rg_ctx_free(ctx);
}

static int warnings;
static void count_warnings(rg_notice_level level, const char *message, void *userdata)
{
    (void)message;
    (void)userdata;
    warnings += level == RG_NOTICE_WARNING;
}

Test(geo_index, bowtie_is_repaired_and_empty_skipped)
{
    char text[4096];
    snprintf(text, sizeof text,
             "{\"type\":\"FeatureCollection\",\"name\":\"kelurahan\",\"features\":[%s,"
             "{\"type\":\"Feature\",\"properties\":{\"kode_kel\":\"5371010005\"},\"geometry\":null}]}",
             polygon("5371010004", "5371010", "[[0,0],[1,1],[1,0],[0,1],[0,0]]"));
    rg_ctx *ctx = test_ctx();
    warnings = 0;
    rg_ctx_set_notice(ctx, count_warnings, NULL);
    rg_areas *areas = NULL;
    cr_assert_eq(rg_geo_areas_read(&areas, ctx, write_tmp("bow.geojson", text), RG_AREA_KELURAHAN, NULL), RG_OK,
                 "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(rg_geo_areas_count(areas), 1);
    cr_assert(rg_geo_areas_repaired(areas, 0));
    cr_assert_eq(warnings, 2);
    /* The bow-tie's two triangles meet at (0.5, 0.5): one holds (0.2, 0.5), the other (0.8, 0.5). */
    rg_match m = locate(ctx, areas, 0.2, 0.5, 0);
    cr_assert_eq(m.method, RG_JOIN_WITHIN);
    m = locate(ctx, areas, 0.8, 0.5, 0);
    cr_assert_eq(m.method, RG_JOIN_WITHIN);
    m = locate(ctx, areas, 0.5, 0.2, 0);
    cr_assert_eq(m.method, RG_JOIN_UNMATCHED);
    rg_geo_areas_free(areas);
    rg_ctx_free(ctx);
}

Test(geo_index, duplicate_codes_and_empty_layers_are_errors)
{
    char text[4096];
    snprintf(text, sizeof text, "{\"type\":\"FeatureCollection\",\"name\":\"kelurahan\",\"features\":[%s,%s]}",
             polygon("5371010001", "5371010", "[[0,0],[1,0],[1,1],[0,1],[0,0]]"),
             polygon("5371010001", "5371010", "[[1,0],[2,0],[2,1],[1,1],[1,0]]"));
    rg_ctx *ctx = test_ctx();
    rg_areas *areas = NULL;
    cr_assert_eq(rg_geo_areas_read(&areas, ctx, write_tmp("dup.geojson", text), RG_AREA_KELURAHAN, NULL), RG_EDATA);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "duplicate area codes: 5371010001"), "%s", rg_ctx_errmsg(ctx));
    cr_assert_null(areas);
    /* The real layer with its fields and no features, cut by ogr2ogr. */
    const char *empty = tmp_path("empty.gpkg");
    cr_assert_eq(run("ogr2ogr -q -where '1 = 0' '%s' '%s/boundaries.gpkg' kelurahan", empty, RG_SAMPLE_DIR), 0);
    cr_assert_eq(rg_geo_areas_read(&areas, ctx, empty, RG_AREA_KELURAHAN, NULL), RG_EDATA);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "no polygons"), "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(rg_geo_areas_read(&areas, ctx, "/nonexistent.gpkg", RG_AREA_KELURAHAN, NULL), RG_EGDAL);
    rg_ctx_free(ctx);
}

Test(geo_index, other_crs_gives_the_same_answer)
{
    /* The Kupang kelurahan in UTM 51S, made by ogr2ogr, locate sample points like the original. */
    const char *utm = tmp_path("kupang-utm.gpkg");
    cr_assert_eq(run("ogr2ogr -q -t_srs EPSG:32751 '%s' '%s/boundaries.gpkg' kelurahan", utm, RG_SAMPLE_DIR), 0);
    rg_ctx *ctx = test_ctx();
    rg_areas *wgs = NULL, *projected = NULL;
    cr_assert_eq(rg_geo_areas_read(&wgs, ctx, RG_SAMPLE_DIR "/boundaries.gpkg", RG_AREA_KELURAHAN, NULL), RG_OK);
    cr_assert_eq(rg_geo_areas_read(&projected, ctx, utm, RG_AREA_KELURAHAN, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    const double pts[][2] = {{123.6, -10.16}, {123.58, -10.17}, {123.55, -10.2}, {123.63, -10.19}};
    for (size_t i = 0; i < 4; i++) {
        rg_match a = locate(ctx, wgs, pts[i][0], pts[i][1], 0);
        rg_match b = locate(ctx, projected, pts[i][0], pts[i][1], 0);
        cr_assert_eq(a.method, RG_JOIN_WITHIN);
        cr_assert_str_eq(code_of(wgs, a), code_of(projected, b));
    }
    rg_geo_areas_free(wgs);
    rg_geo_areas_free(projected);
    rg_ctx_free(ctx);
}

Test(geo_index, missing_kecamatan_layer_is_dissolved)
{
    rg_ctx *ctx = test_ctx();
    rg_areas *kel = NULL, *kec = NULL;
    const char *path = squares("sq2.geojson");
    cr_assert_eq(rg_geo_areas_read(&kec, ctx, path, RG_AREA_KECAMATAN, NULL), RG_ENOTFOUND);
    cr_assert_eq(rg_geo_areas_read(&kel, ctx, path, RG_AREA_KELURAHAN, NULL), RG_OK);
    cr_assert_eq(rg_geo_areas_dissolve(&kec, ctx, kel, RG_AREA_KECAMATAN), RG_OK);
    cr_assert_eq(rg_geo_areas_count(kec), 1);
    cr_assert_str_eq(rg_geo_areas_code(kec, 0), "5371010");
    cr_assert_str_eq(rg_geo_areas_parent(kec, 0), "5371");
    /* The dissolved shared edge is now interior. */
    rg_match m = locate(ctx, kec, 1.0, 0.5, 0);
    cr_assert_eq(m.method, RG_JOIN_WITHIN);
    rg_geo_areas_free(kel);
    rg_geo_areas_free(kec);
    rg_ctx_free(ctx);
}

Test(geo_index, urban_or_rural_from_the_classification_field)
{
    /* BPS's klasifikasi as people store it: words in any case, or 1 and 2; the oracle is
     * the field itself, made by ogr2ogr from each kelurahan's code. */
    const char *typed = tmp_path("typed.gpkg");
    cr_assert_eq(run("ogr2ogr -q -dialect SQLite -sql \"SELECT *, CASE CAST(substr(kode_kel, 10) AS INTEGER) %% 4"
                     " WHEN 0 THEN 'Perkotaan' WHEN 1 THEN '2' WHEN 2 THEN 'urban' ELSE 'hutan' END AS klasifikasi"
                     " FROM kelurahan\" -nln kelurahan '%s' '%s/boundaries.gpkg'",
                     typed, RG_SAMPLE_DIR),
                 0);
    rg_ctx *ctx = test_ctx();
    rg_areas *areas = NULL;
    cr_assert_eq(rg_geo_areas_read(&areas, ctx, typed, RG_AREA_KELURAHAN, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    static const rg_urban_rural expected[] = {RG_AREA_URBAN, RG_AREA_RURAL, RG_AREA_URBAN, RG_AREA_TYPE_ANY};
    for (size_t i = 0; i < rg_geo_areas_count(areas); i++) {
        const char *code = rg_geo_areas_code(areas, i);
        cr_assert_eq(rg_geo_areas_urban_rural(areas, i), expected[atoi(code + 9) % 4], "%s", code);
    }
    rg_geo_areas_free(areas);
    /* Without the field nothing is known. */
    cr_assert_eq(rg_geo_areas_read(&areas, ctx, RG_SAMPLE_DIR "/boundaries.gpkg", RG_AREA_KELURAHAN, NULL), RG_OK);
    cr_assert_eq(rg_geo_areas_urban_rural(areas, 0), RG_AREA_TYPE_ANY);
    rg_geo_areas_free(areas);
    rg_ctx_free(ctx);
}

/* The polygons wait in a scratch file: one that cannot be made, or written for a full disk,
 * is an error that names it (Criterion runs each test in its own process). */
Test(geo_index, a_scratch_file_that_cannot_be_written_names_it)
{
    rg_ctx *ctx = test_ctx();
    rg_areas *areas = NULL;
    setenv("TMPDIR", "/nonexistent-folder", 1);
    cr_assert_eq(rg_geo_areas_read(&areas, ctx, RG_SAMPLE_DIR "/boundaries.gpkg", RG_AREA_KELURAHAN, NULL), RG_EIO);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "/nonexistent-folder/regsosek-geo-areas-"), "%s", rg_ctx_errmsg(ctx));

    setenv("TMPDIR", RG_TEST_TMP, 1);
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = {1024, 1024};
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
    cr_assert_eq(rg_geo_areas_read(&areas, ctx, RG_SAMPLE_DIR "/boundaries.gpkg", RG_AREA_KELURAHAN, NULL), RG_EIO);
    cr_assert(strstr(rg_ctx_errmsg(ctx), RG_TEST_TMP "/regsosek-geo-areas-") &&
                  strstr(rg_ctx_errmsg(ctx), "is its disk full?"),
              "%s", rg_ctx_errmsg(ctx));
    cr_assert_null(areas);
    rg_ctx_free(ctx);
}
