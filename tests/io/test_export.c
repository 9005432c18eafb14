#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classify/classify.h"
#include "geo/geo.h"
#include "io/io.h"
#include "support.h"

static rg_store *classified_store(rg_ctx *ctx)
{
    rg_store *store = test_store(ctx, "export.sqlite");
    const char *csv = write_tmp("hh.csv", "id_keluarga,lintang,bujur,jumlah_art,pengeluaran,nik,nama\n"
                                          "A,-10.16893,123.60105,2,2000000,5371000000000001,Yohanes Ndun\n"
                                          "B,-10.17038,123.58047,1,800000,5371000000000002,Maria Tefa\n");
    cr_assert_eq(rg_io_load(store, csv, NULL, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(rg_geo_join(store, RG_SAMPLE_DIR "/boundaries.gpkg", NULL, NULL), RG_OK);
    rg_rules *rules = NULL;
    rg_classify_rules_default(&rules);
    cr_assert_eq(rg_classify_run(store, rules, NULL), RG_OK);
    rg_classify_rules_free(rules);
    return store;
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
