#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "classify/classify.h"
#include "geo/geo.h"
#include "io/io.h"
#include "support.h"
#include "check/check.h"
#include "export/export.h"

static int checks_run;
static void count_check(const char *check, int64_t violations, void *userdata)
{
    (void)check;
    (void)violations;
    (void)userdata;
    checks_run++;
}

static rg_store *sample_store(rg_ctx *ctx)
{
    return classified_store_from(ctx, "check.sqlite", RG_SAMPLE_DIR "/households.csv");
}

Test(io_check, a_fresh_pipeline_passes_and_tampering_fails)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = sample_store(ctx);
    const char *map = tmp_path("check.gpkg");
    cr_assert_eq(rg_export_run(store, map, NULL), RG_OK);
    int failed = -1;
    checks_run = 0;
    cr_assert_eq(rg_check_run(store, map, count_check, NULL, &failed), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(failed, 0);
    cr_assert_eq(checks_run, 31);

    /* A public export has no households layer: its three household checks are not run. */
    rg_export_opts o = RG_EXPORT_OPTS_INIT;
    o.public_only = 1;
    const char *pub = tmp_path("check-public.gpkg");
    cr_assert_eq(rg_export_run(store, pub, &o), RG_OK);
    checks_run = 0;
    cr_assert_eq(rg_check_run(store, pub, count_check, NULL, &failed), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(failed, 0);
    cr_assert_eq(checks_run, 28);

    /* A lost reject, a class nobody uses, a household moved behind the export's back. */
    cr_assert_eq(rg_io_store_exec(store, "tamper",
                                  "DELETE FROM rejects WHERE id = (SELECT min(id) FROM rejects);"
                                  "UPDATE household_classes SET poverty_class = 'kaya' WHERE hh = 5;"
                                  "UPDATE household_areas SET kelurahan_code = '5371030009' WHERE hh = 9 AND"
                                  " kelurahan_code != '5371030009'"),
                 RG_OK);
    cr_assert_eq(rg_check_run(store, map, NULL, NULL, &failed), RG_OK);
    cr_assert_geq(failed, 4, "%d checks failed", failed);
    cr_assert_eq(rg_check_run(store, "/nonexistent/map.gpkg", NULL, NULL, &failed), RG_EIO);
    /* The boundaries have a kelurahan table too, but they are no export. */
    cr_assert_eq(rg_check_run(store, RG_SAMPLE_DIR "/boundaries.gpkg", NULL, NULL, &failed), RG_EDATA);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "not a regsosek-geo GeoPackage"), "%s", rg_ctx_errmsg(ctx));
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(io_check, needs_a_classified_store)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "check-empty.sqlite");
    int failed = 0;
    cr_assert_eq(rg_check_run(store, NULL, NULL, NULL, &failed), RG_EDATA);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}
