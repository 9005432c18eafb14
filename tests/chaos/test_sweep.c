/*
 * Allocation failure, swept (tg's chaos tests): each operation on a small input is run with
 * its 1st, 2nd, ... Nth allocation failing, until one run makes fewer allocations than the
 * one armed to fail. Every failed run must say why (a message, or out of memory), and leave
 * the store as it was: the
 * invariants of `check` hold and the step it failed in is not marked done. Run under ASan,
 * a leak or a use after free on any of these paths fails the suite.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check/check.h"
#include "classify/classify.h"
#include "compare/compare.h"
#include "export/export.h"
#include "forum/forum.h"
#include "geo/geo.h"
#include "io/io.h"
#include "load/load.h"
#include "support.h"
#include "web/web.h"

#include <glob.h>

static const char households[] =
    "id_keluarga,lintang,bujur,jumlah_art,pengeluaran_bulanan,kode_wilayah,nama\n"
    "A1,-10.1600,123.6000,4,2000000,5371010001,Ina\n"
    "A2,-10.1700,123.6100,3,1500000,5371010002,Budi\n"
    "A3,,,5,900000,5371010003,Cici\n"
    "A1,-10.1800,123.6200,2,800000,5371010001,Dedi\n"
    "A4,-10.2000,123.5800,x,700000,53.71.01.1004,Eka\n"
    "A5,123.6,-10.16,2,600000,,Fani\n";

typedef int (*operation)(rg_store *store, void *arg);

/* Runs op on store with the n-th allocation failing, n = 1, 2, ... until a run allocates less
 * than n times: that run must succeed. Each failed one must name its failure and leave
 * `what` (a count query) as it was. Returns the number of failures injected. */
static long sweep(rg_ctx *ctx, rg_store *store, const char *name, operation op, void *arg, const char *what)
{
    long n = 1;
    for (;; n++) {
        long long before = sql_int(store, what);
        rg_ctx_error(ctx, RG_OK, "%s", ""); /* no message left from the run before */
        rg_alloc_fail_after(n);
        int rc = op(store, arg);
        long pending = rg_alloc_fail_pending();
        rg_alloc_fail_after(0);
        /* A statement left running holds its tables locked for every later step. (SQLite's
         * R*Tree keeps statements of its own, reset between uses.) */
        cr_assert(sqlite3_get_autocommit(rg_io_store_db(store)), "%s, allocation %ld: a transaction left open", name, n);
        sqlite3_stmt *open = NULL;
        while ((open = sqlite3_next_stmt(rg_io_store_db(store), open)) != NULL)
            cr_assert(!sqlite3_stmt_busy(open), "%s, allocation %ld: a statement left running: %s", name, n,
                      sqlite3_sql(open));
        if (pending > 0) {
            cr_assert_eq(rc, RG_OK, "no failure injected, yet: %s", rg_ctx_errmsg(ctx));
            break;
        }
        if (rc == RG_OK)
            continue; /* the failure was met by another way */
        /* The CLI says rg_strerror()'s "out of memory" when no message is set. */
        cr_assert(rc == RG_ENOMEM || rg_ctx_errmsg(ctx)[0] != '\0', "allocation %ld: error %d without a message", n,
                  rc);
        cr_assert_eq(sql_int(store, what), before, "allocation %ld: the store changed (%lld, was %lld): %s", n,
                     sql_int(store, what), before, rg_ctx_errmsg(ctx));
    }
    fprintf(stderr, "chaos: %s: %ld allocations failed in turn\n", name, n - 1);
    return n - 1;
}

static int load(rg_store *store, void *path)
{
    rg_load_opts o = RG_LOAD_OPTS_INIT;
    o.mode = RG_LOAD_REPLACE;
    return rg_load_run(store, path, &o, NULL);
}

static int classify(rg_store *store, void *rules)
{
    return rg_classify_run(store, rules, NULL);
}

static int join(rg_store *store, void *path)
{
    rg_join_opts o = RG_JOIN_OPTS_INIT;
    o.reprepare = 1; /* every run reads, repairs and dissolves the file: no run reuses another's */
    return rg_geo_join(store, path, &o, NULL);
}

static int pack(rg_store *store, void *folder)
{
    rg_forum_pack_opts o = RG_FORUM_PACK_OPTS_INIT;
    o.overwrite = 1;
    o.fields = "nama";
    return rg_forum_pack(store, "5371010003", folder, &o, NULL);
}

static int amend(rg_store *store, void *path)
{
    return rg_forum_amend(store, path, NULL);
}

static int export(rg_store *store, void *path)
{
    rg_export_opts o = RG_EXPORT_OPTS_INIT;
    o.overwrite = 1;
    return rg_export_run(store, path, &o);
}

/* Two editions and the change: a compare that fails leaves no file. */
static int compare(rg_store *store, void *arg)
{
    const char *const *paths = arg;
    rg_compare_opts o = RG_COMPARE_OPTS_INIT;
    o.overwrite = 1;
    int rc = rg_compare_run(rg_io_store_ctx(store), paths[0], paths[1], paths[2], &o, NULL);
    cr_assert(rc == RG_OK || access(paths[2], F_OK) != 0, "a failed compare left %s", paths[2]);
    return rc;
}

/* The web map: a failed write leaves the site before it as it was (its index.html's bytes)
 * and no working folder beside it. */
static int web(rg_store *store, void *dir)
{
    char index[600], pattern[600];
    snprintf(index, sizeof index, "%s/index.html", (const char *)dir);
    const char *slash = strrchr(dir, '/');
    snprintf(pattern, sizeof pattern, "%.*s/.%s.partial-*", (int)(slash - (const char *)dir), (const char *)dir,
             slash + 1);
    cr_assert_eq(run("echo old > '%s'", index), 0);
    rg_web_opts o = RG_WEB_OPTS_INIT;
    o.overwrite = 1;
    int rc = rg_web_write(store, dir, &o);
    glob_t left;
    int found = glob(pattern, 0, NULL, &left) == 0;
    globfree(&left);
    cr_assert(!found, "a web map's working folder was left (%s)", rg_ctx_errmsg(rg_io_store_ctx(store)));
    if (rc != RG_OK)
        cr_assert_eq(run("grep -qx old '%s'", index), 0, "a failed web map touched the site before it");
    return rc;
}

Test(chaos, load_classify_and_export_fail_cleanly_at_every_allocation, .timeout = 600)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "chaos.sqlite");
    const char *csv = write_tmp("chaos.csv", households);
    long injected = sweep(ctx, store, "load", load, (void *)csv,
                          "SELECT (SELECT count(*) FROM household_records) * 1000 + (SELECT count(*) FROM rejects)");
    cr_assert_gt(injected, 10);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM household_records"), 5);

    /* Three kelurahan of the sample and no kecamatan layer: read, checked, dissolved. */
    const char *small = tmp_path("chaos-boundaries.gpkg");
    cr_assert_eq(run("rm -f '%s' && ogr2ogr -f GPKG '%s' '%s' kelurahan -where \"kode_kel IN ('5371010001',"
                     " '5371010002', '5371010003')\"", small, small, RG_SAMPLE_DIR "/boundaries.gpkg"), 0);
    injected = sweep(ctx, store, "join", join, (void *)small,
                     "SELECT (SELECT count(*) FROM household_areas) * 1000"
                     " + (SELECT count(*) FROM store_steps WHERE step = 'join')");
    cr_assert_gt(injected, 10);
    rg_rules *rules = NULL;
    cr_assert_eq(rg_classify_rules_default(&rules), RG_OK);
    injected = sweep(ctx, store, "classify", classify, rules,
                     "SELECT (SELECT count(*) FROM household_classes) * 1000"
                     " + (SELECT count(*) FROM store_steps WHERE step = 'classify')");
    cr_assert_gt(injected, 10);
    rg_classify_rules_free(rules);

    const char *map = tmp_path("chaos.gpkg");
    injected = sweep(ctx, store, "export", export, (void *)map, "SELECT count(*) FROM store_steps");
    cr_assert_gt(injected, 10);
    const char *folder = tmp_path("chaos-forum");
    injected = sweep(ctx, store, "pack", pack, (void *)folder, "SELECT count(*) FROM store_steps");
    cr_assert_gt(injected, 2); /* the PDF and the workbook allocate in cairo and libxlsxwriter */
    char workbook[600];
    rg_export_area_file_name(folder, "5371010003", "Batu Plat", ".xlsx", workbook, sizeof workbook);
    injected = sweep(ctx, store, "amend", amend, workbook,
                     "SELECT (SELECT count(*) FROM forum_decisions) * 1000 + (SELECT count(*) FROM forum_runs)");
    cr_assert_gt(injected, 10);
    /* A kelurahan without families: its pack's list is a header alone, which comes back as
     * nothing to decide (GDAL reads a sheet of one row as headerless). */
    rg_forum_pack_opts po = RG_FORUM_PACK_OPTS_INIT;
    cr_assert_eq(rg_forum_pack(store, "5371010001", folder, &po, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    rg_export_area_file_name(folder, "5371010001", "Naioni", ".xlsx", workbook, sizeof workbook);
    rg_amend_report ar;
    cr_assert_eq(rg_forum_amend(store, workbook, &ar), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(ar.rows_read + ar.applied + ar.rejected, 0);
    int failed = -1;
    cr_assert_eq(rg_check_run(store, map, NULL, NULL, &failed), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(failed, 0);
    /* The map before the forum and after it, compared. */
    const char *after = tmp_path("chaos-after.gpkg");
    cr_assert_eq(export(store, (void *)after), RG_OK, "%s", rg_ctx_errmsg(ctx));
    const char *change = tmp_path("chaos-change.gpkg");
    cr_assert_eq(run("rm -f '%s'", change), 0);
    const char *editions[3] = {map, after, change};
    injected = sweep(ctx, store, "compare", compare, (void *)editions, "SELECT count(*) FROM store_steps");
    cr_assert_gt(injected, 10);
    cr_assert_eq(access(change, F_OK), 0);
    const char *site = tmp_path("chaos-site");
    cr_assert_eq(run("rm -rf '%s' && mkdir '%s' && echo '{\"generator\": \"regsosek-geo\"}' > '%s/site.json'", site,
                     site, site), 0);
    injected = sweep(ctx, store, "web", web, (void *)site, "SELECT count(*) FROM store_steps");
    cr_assert_gt(injected, 10);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}
