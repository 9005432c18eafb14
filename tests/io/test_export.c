#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classify/classify.h"
#include "core/internal.h"
#include "geo/geo.h"
#include "io/io.h"
#include "support.h"

static rg_store *classified_store(rg_ctx *ctx)
{
    return classified_store_from(ctx, "export.sqlite",
                                 write_tmp("hh.csv", "id_keluarga,lintang,bujur,jumlah_art,pengeluaran,nik,nama\n"
                                                     "A,-10.16893,123.60105,2,2000000,5371000000000001,Yohanes Ndun\n"
                                                     "B,-10.17038,123.58047,1,800000,5371000000000002,Maria Tefa\n"));
}

Test(export, geopackage_has_three_layers_and_no_personal_fields)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = classified_store(ctx);
    const char *out = tmp_path("map.gpkg");
    cr_assert_eq(rg_io_export(store, out, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    /* ogrinfo is the independent reader. */
    cr_assert_eq(run("ogrinfo -ro -q '%s' households kelurahan kecamatan >/dev/null", out), 0);
    cr_assert_eq(run("ogrinfo -ro -so '%s' households | grep -q 'Feature Count: 2'", out), 0);
    cr_assert_eq(run("ogrinfo -ro -so '%s' kelurahan | grep -q 'Feature Count: 51'", out), 0);
    cr_assert_eq(run("ogrinfo -ro -so '%s' kecamatan | grep -q 'Feature Count: 6'", out), 0);
    cr_assert_neq(run("ogrinfo -ro -al '%s' households | grep -qiE 'nik|nama|5371000000000001|Yohanes'", out), 0,
                  "personal data reached the export");
    cr_assert_eq(run("sqlite3 '%s' \"SELECT count(*) FROM layer_styles WHERE useAsDefault\" | grep -qx 3", out), 0);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(export, refuses_to_overwrite_and_leaves_the_old_file)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = classified_store(ctx);
    const char *out = write_tmp("old.gpkg", "previous contents");
    cr_assert_eq(rg_io_export(store, out, NULL), RG_EEXIST);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "already exists; use --overwrite"));
    cr_assert_eq(run("grep -qx 'previous contents' '%s'", out), 0);
    rg_export_opts o = RG_EXPORT_OPTS_INIT;
    o.overwrite = 1;
    cr_assert_eq(rg_io_export(store, out, &o), RG_OK);
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
    cr_assert_neq(rg_io_export(store, out, NULL), RG_OK);
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
    cr_assert_eq(rg_io_export(store, out, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    char stem[600];
    snprintf(stem, sizeof stem, "%.*s", (int)(strlen(out) - 8), out);
    const char *names[] = {"households", "kelurahan", "kecamatan"};
    for (int i = 0; i < 3; i++)
        cr_assert_eq(run("ogrinfo -ro -q '%s-%s.geojson' >/dev/null", stem, names[i]), 0, "%s", names[i]);
    rg_export_opts o = RG_EXPORT_OPTS_INIT;
    o.layers = RG_LAYER_KELURAHAN;
    const char *one = tmp_path("kel.geojson");
    cr_assert_eq(rg_io_export(store, one, &o), RG_OK);
    cr_assert_eq(run("ogrinfo -ro -al -so '%s' | grep -q 'Feature Count: 51'", one), 0);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(export, argument_errors)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "empty.sqlite");
    cr_assert_eq(rg_io_export(store, "map.shp", NULL), RG_EINVAL);
    cr_assert_eq(rg_io_export(store, tmp_path("x.gpkg"), NULL), RG_EDATA);
    int layers = 0;
    cr_assert_eq(rg_io_layers_parse(ctx, "households,kecamatan", &layers), RG_OK);
    cr_assert_eq(layers, RG_LAYER_HOUSEHOLDS | RG_LAYER_KECAMATAN);
    cr_assert_eq(rg_io_layers_parse(ctx, "households,roads", &layers), RG_EINVAL);
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
    rg__buf_appendf(&csv, "id,lat,lon,kelas\n");
    const char *classes[] = {"SM", "SM", "M", "M", "M", "M", "M", "RM", "RM", "RM", "RM", "RM"};
    for (int i = 0; i < 12; i++)
        rg__buf_appendf(&csv, "O%02d,%.7f,%.7f,%s\n", i, -10.1689306565 - i * 1e-6, 123.60105158278, classes[i]);
    for (int i = 0; i < 6; i++)
        rg__buf_appendf(&csv, "M%02d,%.7f,%.7f,tidak miskin\n", i, -10.1703842639999 - i * 1e-6, 123.580473972658);
    cr_assert_eq(rg_io_load(store, write_tmp("given.csv", csv.data), NULL, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    rg__buf_free(&csv);
    cr_assert_eq(rg_geo_join(store, RG_SAMPLE_DIR "/boundaries.gpkg", NULL, NULL), RG_OK);
    rg_rules *rules = NULL;
    cr_assert_eq(rg_classify_rules_read(&rules, ctx, write_tmp("given.ini", "[classify]\nmethod = given\n")), RG_OK);
    cr_assert_eq(rg_classify_run(store, rules, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    rg_classify_rules_free(rules);

    rg_export_opts o = RG_EXPORT_OPTS_INIT;
    o.public_only = 1;
    const char *out = tmp_path("public.gpkg");
    cr_assert_eq(rg_io_export(store, out, &o), RG_OK, "%s", rg_ctx_errmsg(ctx));
    /* Read back with sqlite3, independent of GDAL. */
    const char *row = "SELECT households, coalesce(sangat_miskin, 'N'), coalesce(miskin, 'N'),"
                      " coalesce(rentan_miskin, 'N'), tidak_miskin, unclassified, coalesce(poverty_rate, 'N'),"
                      " suppressed FROM kelurahan WHERE code = ";
    cr_assert_eq(run("test \"$(sqlite3 -separator ' ' '%s' \"%s '5371030009'\")\" = '12 N N 5 0 0 N 1'", out, row), 0,
                 "Oebobo");
    cr_assert_eq(run("test \"$(sqlite3 -separator ' ' '%s' \"%s '5371010006'\")\" = '6 0 0 0 6 0 0.0 0'", out, row), 0,
                 "Mantasi");
    cr_assert_eq(run("test \"$(sqlite3 '%s' \"SELECT count(*) FROM sqlite_master WHERE name = 'households'\")\" = 0",
                     out),
                 0, "a public export has no households layer");
    cr_assert_eq(run("sqlite3 '%s' \"SELECT count(*) FROM kelurahan WHERE households BETWEEN 1 AND 4 OR"
                     " sangat_miskin BETWEEN 1 AND 4 OR miskin BETWEEN 1 AND 4 OR rentan_miskin BETWEEN 1 AND 4"
                     " OR tidak_miskin BETWEEN 1 AND 4 OR unclassified BETWEEN 1 AND 4\" | grep -qx 0",
                     out),
                 0);

    o.layers = RG_LAYER_HOUSEHOLDS;
    cr_assert_eq(rg_io_export(store, tmp_path("p2.gpkg"), &o), RG_EINVAL);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "never households"));
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(export, fields_widen_the_allow_list_on_purpose)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = classified_store(ctx);
    rg_export_opts o = RG_EXPORT_OPTS_INIT;
    o.fields = "spending,nik";
    o.layers = RG_LAYER_HOUSEHOLDS;
    const char *out = tmp_path("wide.gpkg");
    cr_assert_eq(rg_io_export(store, out, &o), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(run("sqlite3 '%s' \"SELECT nik || ' ' || spending FROM households WHERE household_id = 'A'\""
                     " | grep -qx '5371000000000001 2000000.0'",
                     out),
                 0);
    o.fields = "alamat";
    cr_assert_eq(rg_io_export(store, tmp_path("w2.gpkg"), &o), RG_EINVAL);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "no household has a field 'alamat'"), "%s", rg_ctx_errmsg(ctx));
    o.fields = "household_id";
    cr_assert_eq(rg_io_export(store, tmp_path("w3.gpkg"), &o), RG_EINVAL);
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
    cr_assert_eq(rg_io_export(store, l, &o), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(rg_io_export(store, s, &o), RG_OK, "%s", rg_ctx_errmsg(ctx));
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
    cr_assert_eq(rg_io_export(store, folder, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(run("ogrinfo -ro -al -so '%shouseholds.geojson' | grep -q 'Feature Count: 2'", folder), 0);
    cr_assert_eq(run("ogrinfo -ro -al -so '%skelurahan.geojson' | grep -q 'Feature Count: 51'", folder), 0);
    cr_assert_eq(run("ogrinfo -ro -al -so '%skecamatan.geojson' | grep -q 'Feature Count: 6'", folder), 0);
    cr_assert_eq(rg_io_export(store, folder, NULL), RG_EEXIST);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}
