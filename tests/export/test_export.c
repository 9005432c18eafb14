#include <criterion/criterion.h>
#include <gdal.h>
#include <ogr_api.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classify/classify.h"
#include "core/internal.h"
#include "geo/geo.h"
#include "io/io.h"
#include "support.h"
#include "export/export.h"

static rg_store *classified_store(rg_ctx *ctx)
{
    return classified_store_from(ctx, "export.sqlite",
                                 write_tmp("hh.csv", "id_keluarga,lintang,bujur,jumlah_art,pengeluaran,nik,nama\n"
                                                     "A,-10.16893,123.60105,2,2000000,5371000000000001,Yohanes Ndun\n"
                                                     "B,-10.17038,123.58047,1,800000,5371000000000002,Maria Tefa\n"));
}

Test(export, geopackage_has_five_layers_coarse_to_fine_and_no_personal_fields)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = classified_store(ctx);
    const char *out = tmp_path("map.gpkg");
    cr_assert_eq(rg_export_run(store, out, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    /* ogrinfo is the independent reader. */
    cr_assert_eq(run("ogrinfo -ro -q '%s' households kelurahan kecamatan kabkota provinsi >/dev/null", out), 0);
    /* Listed coarse to fine, as a planner reads them. */
    cr_assert_eq(run("test \"$(ogrinfo -ro -q '%s' | grep -E '^[0-9]+: ' | awk '{ printf \"%%s \", $2 }')\" ="
                     " 'provinsi kabkota kecamatan kelurahan households layer_styles '", out), 0);
    cr_assert_eq(run("ogrinfo -ro -so '%s' kabkota | grep -q 'Feature Count: 1'", out), 0);
    cr_assert_eq(run("ogrinfo -ro -so '%s' provinsi | grep -q 'Feature Count: 1'", out), 0);
    cr_assert_eq(run("ogrinfo -ro -so '%s' households | grep -q 'Feature Count: 2'", out), 0);
    cr_assert_eq(run("ogrinfo -ro -so '%s' kelurahan | grep -q 'Feature Count: 51'", out), 0);
    cr_assert_eq(run("ogrinfo -ro -so '%s' kecamatan | grep -q 'Feature Count: 6'", out), 0);
    cr_assert_neq(run("ogrinfo -ro -al '%s' households | grep -qiE 'nik|nama|5371000000000001|Yohanes'", out), 0,
                  "personal data reached the export");
    cr_assert_eq(run("sqlite3 '%s' \"SELECT count(*) FROM layer_styles WHERE useAsDefault\" | grep -qx 5", out), 0);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(export, refuses_to_overwrite_and_leaves_the_old_file)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = classified_store(ctx);
    const char *out = write_tmp("old.gpkg", "previous contents");
    cr_assert_eq(rg_export_run(store, out, NULL), RG_EEXIST);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "already exists; use --overwrite"));
    cr_assert_eq(run("grep -qx 'previous contents' '%s'", out), 0);
    rg_export_opts o = RG_EXPORT_OPTS_INIT;
    o.overwrite = 1;
    cr_assert_eq(rg_export_run(store, out, &o), RG_OK);
    cr_assert_eq(run("ogrinfo -ro -q '%s' >/dev/null", out), 0);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(export, failed_write_leaves_no_file_that_looks_complete)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = classified_store(ctx);
    const char *dir = tmp_path("readonly");
    cr_assert_eq(run("mkdir -p '%s' && chmod 555 '%s'", dir, dir), 0);
    char out[600];
    snprintf(out, sizeof out, "%s/map.gpkg", dir);
    if (geteuid() == 0) {
        /* root writes anywhere: make the directory a file's child instead, which nobody can write. */
        snprintf(out, sizeof out, "%s/map.gpkg", write_tmp("plainfile", "x"));
    }
    cr_assert_neq(rg_export_run(store, out, NULL), RG_OK);
    struct stat sb;
    cr_assert_neq(stat(out, &sb), 0, "a failed export left %s", out);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(export, geojson_one_file_per_layer)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = classified_store(ctx);
    const char *out = tmp_path("map.geojson");
    cr_assert_eq(rg_export_run(store, out, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    char stem[600];
    snprintf(stem, sizeof stem, "%.*s", (int)(strlen(out) - 8), out);
    const char *names[] = {"households", "kelurahan", "kecamatan"};
    for (int i = 0; i < 3; i++)
        cr_assert_eq(run("ogrinfo -ro -q '%s-%s.geojson' >/dev/null", stem, names[i]), 0, "%s", names[i]);
    rg_export_opts o = RG_EXPORT_OPTS_INIT;
    o.layers = RG_LAYER_KELURAHAN;
    const char *one = tmp_path("kel.geojson");
    cr_assert_eq(rg_export_run(store, one, &o), RG_OK);
    cr_assert_eq(run("ogrinfo -ro -al -so '%s' | grep -q 'Feature Count: 51'", one), 0);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(export, argument_errors)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "empty.sqlite");
    cr_assert_eq(rg_export_run(store, "map.shp", NULL), RG_EINVAL);
    cr_assert_eq(rg_export_run(store, tmp_path("x.gpkg"), NULL), RG_EDATA);
    int layers = 0;
    cr_assert_eq(rg_export_layers_parse(ctx, "households,kecamatan", &layers), RG_OK);
    cr_assert_eq(layers, RG_LAYER_HOUSEHOLDS | RG_LAYER_KECAMATAN);
    cr_assert_eq(rg_export_layers_parse(ctx, "households,roads", &layers), RG_EINVAL);
    cr_assert_eq(layers, 0);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/*
 * Given classes, so the counts are known: Oebobo 2 sangat miskin, 5 miskin, 5 rentan
 * miskin; Mantasi 6 tidak miskin. With --min-count 5, Oebobo's 2 is hidden, and since
 * it is the only hidden class cell its complement, the smallest other non-zero cell
 * (miskin, 5), is hidden too, and so is the rate. Mantasi shows everything.
 */
Test(export, public_suppresses_small_cells_and_their_complement)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "public.sqlite");
    rg_buf csv = {0};
    rg__buf_appendf(&csv, "id,lat,lon,kelas,kode_wilayah\n");
    const char *classes[] = {"SM", "SM", "M", "M", "M", "M", "M", "RM", "RM", "RM", "RM", "RM"};
    for (int i = 0; i < 12; i++)
        rg__buf_appendf(&csv, "O%02d,%.7f,%.7f,%s,\n", i, -10.1689306565 - i * 1e-6, 123.60105158278, classes[i]);
    for (int i = 0; i < 6; i++)
        rg__buf_appendf(&csv, "M%02d,%.7f,%.7f,tidak miskin,\n", i, -10.1703842639999 - i * 1e-6, 123.580473972658);
    /* Three more of Mantasi without a point: a split of 6 and 3, whose small half hides both. */
    for (int i = 0; i < 3; i++)
        rg__buf_appendf(&csv, "U%02d,,,tidak miskin,5371010006\n", i);
    cr_assert_eq(rg_load_run(store, write_tmp("given.csv", csv.data), NULL, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    rg__buf_free(&csv);
    cr_assert_eq(rg_geo_join(store, RG_SAMPLE_DIR "/boundaries.gpkg", NULL, NULL), RG_OK);
    rg_rules *rules = NULL;
    cr_assert_eq(rg_classify_rules_read(&rules, ctx, write_tmp("given.ini", "[classify]\nmethod = given\n")), RG_OK);
    cr_assert_eq(rg_classify_run(store, rules, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    rg_classify_rules_free(rules);

    rg_export_opts o = RG_EXPORT_OPTS_INIT;
    o.public_only = 1;
    const char *out = tmp_path("public.gpkg");
    cr_assert_eq(rg_export_run(store, out, &o), RG_OK, "%s", rg_ctx_errmsg(ctx));
    /* Read back with sqlite3, independent of GDAL. */
    const char *row = "SELECT households, coalesce(sangat_miskin, 'N'), coalesce(miskin, 'N'),"
                      " coalesce(rentan_miskin, 'N'), tidak_miskin, unclassified, coalesce(poverty_rate, 'N'),"
                      " suppressed, coalesce(with_point, 'N'), coalesce(without_point, 'N') FROM kelurahan WHERE code = ";
    cr_assert_eq(run("test \"$(sqlite3 -separator ' ' '%s' \"%s '5371030009'\")\" = '12 N N 5 0 0 N 1 12 0'", out, row), 0,
                 "Oebobo");
    cr_assert_eq(run("test \"$(sqlite3 -separator ' ' '%s' \"%s '5371010006'\")\" = '9 0 0 0 9 0 0.0 1 N N'", out, row), 0,
                 "Mantasi");
    cr_assert_eq(run("test \"$(sqlite3 '%s' \"SELECT count(*) FROM sqlite_master WHERE name = 'households'\")\" = 0",
                     out),
                 0, "a public export has no households layer");
    cr_assert_eq(run("sqlite3 '%s' \"SELECT count(*) FROM kelurahan WHERE households BETWEEN 1 AND 4 OR"
                     " sangat_miskin BETWEEN 1 AND 4 OR miskin BETWEEN 1 AND 4 OR rentan_miskin BETWEEN 1 AND 4"
                     " OR tidak_miskin BETWEEN 1 AND 4 OR unclassified BETWEEN 1 AND 4 OR with_point BETWEEN 1 AND 4"
                     " OR without_point BETWEEN 1 AND 4 OR code_mismatches BETWEEN 1 AND 4\" | grep -qx 0",
                     out),
                 0);

    o.layers = RG_LAYER_HOUSEHOLDS;
    cr_assert_eq(rg_export_run(store, tmp_path("p2.gpkg"), &o), RG_EINVAL);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "never households"));
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

static void keep_warning(rg_notice_level level, const char *message, void *userdata)
{
    if (level == RG_NOTICE_WARNING)
        snprintf(userdata, 512, "%s", message);
}

Test(export, fields_widen_the_allow_list_on_purpose)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = classified_store(ctx);
    rg_export_opts o = RG_EXPORT_OPTS_INIT;
    o.fields = "spending,nik";
    o.layers = RG_LAYER_HOUSEHOLDS;
    const char *out = tmp_path("wide.gpkg");
    cr_assert_eq(rg_export_run(store, out, &o), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(run("sqlite3 '%s' \"SELECT nik || ' ' || spending FROM households WHERE household_id = 'A'\""
                     " | grep -qx '5371000000000001 2000000.0'",
                     out),
                 0);
    /* Named in any case, as the load finds columns; exported under the column's own name,
     * with one warning that personal data goes out. */
    char warning[512] = "";
    rg_ctx_set_notice(ctx, keep_warning, warning);
    o.fields = "NIK,Spending";
    const char *upper = tmp_path("upper.gpkg");
    cr_assert_eq(rg_export_run(store, upper, &o), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(run("sqlite3 '%s' \"SELECT nik || ' ' || spending FROM households WHERE household_id = 'A'\""
                     " | grep -qx '5371000000000001 2000000.0'",
                     upper),
                 0);
    cr_assert(strstr(warning, "carries nik, spending beyond the allow-list: personal data"), "%s", warning);
    rg_ctx_set_notice(ctx, NULL, NULL);
    o.fields = "alamat";
    cr_assert_eq(rg_export_run(store, tmp_path("w2.gpkg"), &o), RG_EINVAL);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "no household has a field 'alamat'"), "%s", rg_ctx_errmsg(ctx));
    o.fields = "household_id";
    cr_assert_eq(rg_export_run(store, tmp_path("w3.gpkg"), &o), RG_EINVAL);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(export, geojson_text_sequences)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = classified_store(ctx);
    rg_export_opts o = RG_EXPORT_OPTS_INIT;
    o.layers = RG_LAYER_HOUSEHOLDS;
    const char *l = tmp_path("hh.geojsonl");
    const char *s = tmp_path("hh.geojsons");
    cr_assert_eq(rg_export_run(store, l, &o), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(rg_export_run(store, s, &o), RG_OK, "%s", rg_ctx_errmsg(ctx));
    /* One feature per line; the .geojsons form starts each with the RS character (RFC 8142). */
    cr_assert_eq(run("test $(wc -l < '%s') -eq 2 && grep -c '\"type\": \"Feature\"' '%s' | grep -qx 2", l, l), 0);
    cr_assert_eq(run("test \"$(head -c 1 '%s' | od -An -tx1 | tr -d ' ')\" = 1e", s), 0);
    cr_assert_eq(run("ogrinfo -ro -al -so '%s' | grep -q 'Feature Count: 2'", l), 0);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(export, geojson_into_a_folder)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = classified_store(ctx);
    char folder[600];
    snprintf(folder, sizeof folder, "%s/", tmp_path("mapdir"));
    cr_assert_eq(rg_export_run(store, folder, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(run("ogrinfo -ro -al -so '%shouseholds.geojson' | grep -q 'Feature Count: 2'", folder), 0);
    cr_assert_eq(run("ogrinfo -ro -al -so '%skelurahan.geojson' | grep -q 'Feature Count: 51'", folder), 0);
    cr_assert_eq(run("ogrinfo -ro -al -so '%skecamatan.geojson' | grep -q 'Feature Count: 6'", folder), 0);
    cr_assert_eq(rg_export_run(store, folder, NULL), RG_EEXIST);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/*
 * The GeoPackage's rows are written through SQLite and its R-tree copied from the store's
 * index: GDAL, reading them back as any user's tool would, must find every geometry byte
 * for byte as the store holds it, and its spatial filter (which goes through the R-tree)
 * must find exactly the households a plain scan of the store finds in each box.
 */
Test(export, geopackage_rows_and_index_read_back_by_gdal)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = classified_store_from(ctx, "export-sample.sqlite", RG_SAMPLE_DIR "/households.csv");
    const char *out = tmp_path("sample.gpkg");
    cr_assert_eq(rg_export_run(store, out, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(run("/usr/bin/python3 -m osgeo_utils.samples.validate_gpkg '%s'", out), 0);
    cr_assert_eq(run("test \"$(sqlite3 '%s' \"SELECT rtreecheck('rtree_households_geom') || rtreecheck("
                     "'rtree_kelurahan_geom') || rtreecheck('rtree_kecamatan_geom') || rtreecheck('rtree_kabkota_geom')"
                     " || rtreecheck('rtree_provinsi_geom')\")\" = okokokokok",
                     out),
                 0);
    /* The triggers suspended for the bulk insert are back, in the GeoPackage itself. */
    cr_assert_eq(run("test \"$(sqlite3 '%s' \"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND (name"
                     " GLOB 'rtree_*_geom_insert' OR name GLOB 'trigger_insert_feature_count_[hkp]*')\")\" = 10",
                     out),
                 0);
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(out, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    cr_assert_not_null(ds);
    sqlite3 *db = rg_io_store_db(store);

    /* Polygons: GDAL's WKB of each feature against SpatiaLite's of the store's polygon. */
    static const char *const areas[] = {"kelurahan", "kecamatan", "kabkota", "provinsi"};
    for (int a = 0; a < 4; a++) {
        OGRLayerH layer = GDALDatasetGetLayerByName(ds, areas[a]);
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT AsBinary(geom) FROM %s WHERE code = ?", areas[a]);
        sqlite3_stmt *st = NULL;
        cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        int features = 0;
        OGRFeatureH f;
        OGR_L_ResetReading(layer);
        while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
            OGRGeometryH g = OGR_F_GetGeometryRef(f);
            cr_assert_not_null(g);
            int size = OGR_G_WkbSize(g);
            unsigned char *wkb = rg_malloc((size_t)size);
            OGR_G_ExportToWkb(g, wkbNDR, wkb);
            sqlite3_reset(st);
            sqlite3_bind_text(st, 1, OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "code")), -1, SQLITE_TRANSIENT);
            cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
            cr_assert_eq(sqlite3_column_bytes(st, 0), size, "%s %s", areas[a], OGR_F_GetFieldAsString(f, 0));
            cr_assert_eq(memcmp(sqlite3_column_blob(st, 0), wkb, (size_t)size), 0, "%s %s: another polygon",
                         areas[a], OGR_F_GetFieldAsString(f, 0));
            rg_free(wkb);
            OGR_F_Destroy(f);
            features++;
        }
        sqlite3_finalize(st);
        cr_assert_eq(features, a == 0 ? 51 : a == 1 ? 6 : 1);
    }

    /* Points: each household where the store has it, or no geometry where it has none. */
    OGRLayerH households = GDALDatasetGetLayerByName(ds, "households");
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT lon, lat, geom IS NULL FROM household_records WHERE household_id = ?",
                                    -1, &st, NULL),
                 SQLITE_OK);
    long long features = 0, without_point = 0;
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(households)) != NULL) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "household_id")), -1,
                          SQLITE_TRANSIENT);
        cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (sqlite3_column_int(st, 2)) {
            cr_assert_null(g);
            without_point++;
        } else {
            cr_assert_not_null(g);
            cr_assert(OGR_G_GetX(g, 0) == sqlite3_column_double(st, 0) && OGR_G_GetY(g, 0) == sqlite3_column_double(st, 1));
        }
        OGR_F_Destroy(f);
        features++;
    }
    sqlite3_finalize(st);
    cr_assert_eq(features, sql_int(store, "SELECT count(*) FROM household_records"));
    cr_assert_gt(without_point, 0, "the sample has swapped coordinates kept without a point");

    /* Boxes across Kupang, through GDAL's spatial filter, against a scan of the store. */
    const double boxes[][4] = {{123.55, -10.20, 123.60, -10.15}, {123.58, -10.18, 123.59, -10.17},
                               {123.5, -10.3, 123.7, -10.1},     {123.66, -10.16, 123.67, -10.15}};
    for (size_t i = 0; i < sizeof boxes / sizeof *boxes; i++) {
        const double *b = boxes[i];
        OGR_L_SetSpatialFilterRect(households, b[0], b[1], b[2], b[3]);
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM household_records WHERE geom IS NOT NULL AND lon BETWEEN %.6f AND %.6f"
                 " AND lat BETWEEN %.6f AND %.6f",
                 b[0], b[2], b[1], b[3]);
        long long expected = sql_int(store, sql);
        cr_assert_gt(expected, 0, "box %zu holds no household: the check would prove nothing", i);
        /* Counted feature by feature: GDAL's count alone answers from the R-tree's float
         * boxes, which are rounded outwards. */
        long long got = 0;
        OGR_L_ResetReading(households);
        while ((f = OGR_L_GetNextFeature(households)) != NULL) {
            got++;
            OGR_F_Destroy(f);
        }
        cr_assert_eq(got, expected, "box %zu: %lld, expected %lld", i, got, expected);
    }
    GDALClose(ds);
    /* The layer's extent is recorded as the points' own. */
    cr_assert_eq(run("sqlite3 '%s' \"SELECT min_x, max_y FROM gpkg_contents WHERE table_name = 'households'\""
                     " | grep -qx '%s'",
                     out, sql_text(store, "SELECT min(lon) || '|' || max(lat) FROM household_records WHERE geom IS NOT NULL")),
                 0);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* The GeoPackage says what it was made from and how: the households' and the boundaries'
 * files with their checksums, the method, the rules in force, and what poverty_rate means
 * (under the desil method a share fixed by construction), in its metadata and in the area
 * layers' descriptions. */
Test(export, provenance_names_every_input_and_the_poverty_rate)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = classified_store(ctx);
    const char *out = tmp_path("provenance.gpkg");
    cr_assert_eq(rg_export_run(store, out, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    const char *info = tmp_path("provenance.txt");
    cr_assert_eq(run("ogrinfo -ro -so -al '%s' > '%s'", out, info), 0);
    cr_assert_eq(run("grep -q \"BOUNDARIES=%s/boundaries.gpkg ([0-9]* bytes, sha256 $(sha256sum '%s/boundaries.gpkg'"
                     " | cut -d' ' -f1)\" '%s'",
                     RG_SAMPLE_DIR, RG_SAMPLE_DIR, info),
                 0, "the boundary file and its SHA-256 are not in the metadata");
    cr_assert_eq(run("grep -qx '  METHOD=desil' '%s'", info), 0);
    cr_assert_eq(run("grep -q '  RULES=\\[classify\\]' '%s'", info), 0);
    cr_assert_eq(run("grep -q 'POVERTY_RATE=poverty_rate = (sangat miskin + miskin) / classified households.*20%% by"
                     " construction' '%s'",
                     info),
                 0);
    cr_assert_eq(run("test $(grep -c 'DESCRIPTION=Ke.*20%% by construction: a ranking, not a measured rate' '%s') = 2",
                     info),
                 0, "the kelurahan and kecamatan layers do not say what poverty_rate is");
    /* Under the threshold method it is a measured rate, and says so. */
    rg_rules *rules = NULL;
    cr_assert_eq(rg_classify_rules_read(&rules, ctx, write_tmp("t.ini", "[classify]\nmethod = threshold\n")), RG_OK);
    char *definition = NULL;
    cr_assert_eq(rg_classify_poverty_rate_definition(rules, &definition), RG_OK);
    cr_assert(strstr(definition, "below 1 x the poverty line") && strstr(definition, "a measured rate"), "%s",
              definition);
    rg_free(definition);
    rg_classify_rules_free(rules);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* FlatGeobuf, by its ending or by GDAL's driver name, one file a layer; a format export
 * does not write is refused by name; households without a point, which GDAL's FlatGeobuf
 * writer would drop without a word, stop the export instead. */
Test(export, flatgeobuf_by_ending_or_driver_name)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = classified_store(ctx);
    const char *out = tmp_path("map.fgb");
    cr_assert_eq(rg_export_run(store, out, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    char stem[600];
    snprintf(stem, sizeof stem, "%.*s", (int)(strlen(out) - 4), out);
    cr_assert_eq(run("ogrinfo -ro -so '%s-households.fgb' households | grep -q 'Feature Count: 2'", stem), 0);
    cr_assert_eq(run("ogrinfo -ro -so '%s-kelurahan.fgb' kelurahan | grep -q 'Feature Count: 51'", stem), 0);
    cr_assert_eq(run("ogrinfo -ro -so '%s-kecamatan.fgb' kecamatan | grep -q 'Feature Count: 6'", stem), 0);
    rg_export_opts o = RG_EXPORT_OPTS_INIT;
    o.format = "flatgeobuf";
    o.layers = RG_LAYER_KELURAHAN;
    const char *named = tmp_path("kelurahan-layer");
    cr_assert_eq(rg_export_run(store, named, &o), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(run("ogrinfo -ro -so '%s' | grep -q 'FlatGeobuf'", named), 0);
    /* -f GPKG into a folder cannot be: a GeoPackage is one file (it had become GeoJSON). */
    o.format = "GPKG";
    cr_assert_eq(rg_export_run(store, "some-folder/", &o), RG_EINVAL);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "a GeoPackage is one file, not a folder"), "%s", rg_ctx_errmsg(ctx));
    o.format = "ESRI Shapefile";
    cr_assert_eq(rg_export_run(store, tmp_path("x.shp"), &o), RG_EINVAL);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "not a format export writes"), "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(rg_io_store_exec(store, "test", "UPDATE household_records SET geom = NULL WHERE household_id = 'B'"),
                 RG_OK);
    const char *lost = tmp_path("lost.fgb");
    cr_assert_eq(rg_export_run(store, lost, NULL), RG_EDATA);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "cannot hold a household without a point, and 1 household has none"), "%s",
              rg_ctx_errmsg(ctx));
    cr_assert_neq(run("ls '%.*s'* >/dev/null 2>&1", (int)(strlen(lost) - 4), lost), 0, "a refused export wrote files");
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* A household placed by its code is a row without geometry in GeoPackage and GeoJSON
 * (python3 json reads the GeoJSON: geometry null, point_source null), never a point that
 * could pass for a dwelling; FlatGeobuf, which would drop it, is refused. */
Test(export, households_without_a_point_are_rows_without_geometry)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = classified_store_from(ctx, "export-unlocated.sqlite",
                                            write_tmp("unlocated.csv", "id_keluarga,lintang,bujur,jumlah_art,pengeluaran,"
                                                                      "kode_wilayah\n"
                                                                      "A,-10.16893,123.60105,2,2000000,5371030009\n"
                                                                      "B,,,1,800000,5371030009\n"));
    const char *gpkg = tmp_path("unlocated.gpkg"), *json = tmp_path("unlocated.geojson");
    cr_assert_eq(rg_export_run(store, gpkg, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(run("test \"$(sqlite3 '%s' \"SELECT group_concat(household_id || ':' || (geom IS NULL) || ':' ||"
                     " coalesce(point_source, '-') || ':' || join_method, ' ') FROM (SELECT * FROM households"
                     " ORDER BY household_id)\")\" = 'A:0:gps:within B:1:-:code'",
                     gpkg),
                 0);
    cr_assert_eq(run("sqlite3 '%s' \"SELECT with_point || '/' || without_point FROM kelurahan"
                     " WHERE code = '5371030009'\" | grep -qx 1/1",
                     gpkg),
                 0);
    rg_export_opts o = RG_EXPORT_OPTS_INIT;
    o.layers = RG_LAYER_HOUSEHOLDS;
    cr_assert_eq(rg_export_run(store, json, &o), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(run("python3 -c \"import json,sys; f={x['properties']['household_id']: x for x in"
                     " json.load(open(sys.argv[1]))['features']}; sys.exit(not (f['B']['geometry'] is None and"
                     " f['B']['properties']['point_source'] is None and f['A']['geometry']['type'] == 'Point'))\" '%s'",
                     json),
                 0);
    cr_assert_eq(rg_export_run(store, tmp_path("unlocated.fgb"), &o), RG_EDATA);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "placed by their area code"), "%s", rg_ctx_errmsg(ctx));

    /* On request, drawn at a point inside the kelurahan its code names, marked as not theirs:
     * SpatiaLite finds the point inside that kelurahan's exported polygon, the packed R-tree
     * is sound and holds it, and FlatGeobuf can then take the layer. */
    rg_export_opts area = RG_EXPORT_OPTS_INIT;
    area.unlocated_at_area = 1;
    const char *placed = tmp_path("unlocated-area.gpkg");
    cr_assert_eq(rg_export_run(store, placed, &area), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(run("test \"$(sqlite3 -cmd '.load mod_spatialite' '%s' \"SELECT h.point_source || ':' ||"
                     " ST_Within(GeomFromGPB(h.geom), GeomFromGPB(k.geom)) FROM households h JOIN kelurahan k"
                     " ON k.code = h.kelurahan_code WHERE h.household_id = 'B'\")\" = 'area:1'",
                     placed),
                 0, "B is not drawn inside its kelurahan, marked area");
    cr_assert_eq(run("test \"$(sqlite3 '%s' \"SELECT rtreecheck('rtree_households_geom') || (SELECT count(*)"
                     " FROM rtree_households_geom)\")\" = ok2",
                     placed),
                 0);
    area.layers = RG_LAYER_HOUSEHOLDS;
    cr_assert_eq(rg_export_run(store, tmp_path("unlocated-area.fgb"), &area), RG_OK, "%s", rg_ctx_errmsg(ctx));
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}
