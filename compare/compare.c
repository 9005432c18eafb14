/*
 * compare: two editions read into a scratch database, matched, counted and written as one
 * GeoPackage under a temporary name, renamed into place when complete. The scratch database
 * is SQLite's temporary one: a file no other process can open, removed when it is closed.
 */
#include "compare/internal.h"
#include "export/export.h"

#include <gdal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int rg_compare__exec(rg_compare__run *R, const char *what, const char *sql)
{
    char *err = NULL;
    double started = rg__seconds_now();
    if (sqlite3_exec(R->db, sql, NULL, NULL, &err) == SQLITE_OK) {
        rg_ctx_notice(R->ctx, RG_NOTICE_DETAIL, "%s: %.2f s", what, rg__seconds_now() - started);
        return RG_OK;
    }
    int full = sqlite3_errcode(R->db) == SQLITE_FULL;
    int rc = rg_ctx_error(R->ctx, RG_ESQL, "compare: %s: %s%s", what, err ? err : sqlite3_errmsg(R->db),
                          full ? " (the temporary folder is full: set SQLITE_TMPDIR to a larger one)" : "");
    sqlite3_free(err);
    return rc;
}

int rg_compare__count(rg_compare__run *R, const char *sql, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    *out = 0;
    if (sqlite3_prepare_v2(R->db, sql, -1, &st, NULL) != SQLITE_OK)
        return rg_ctx_error(R->ctx, RG_ESQL, "compare: %s", sqlite3_errmsg(R->db));
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return step == SQLITE_ROW || step == SQLITE_DONE ? RG_OK
                                                     : rg_ctx_error(R->ctx, RG_ESQL, "compare: %s", sqlite3_errmsg(R->db));
}

/* The output must not be one of the inputs: writing it would replace what is being read. */
static int check_output(rg_ctx *ctx, const char *output, const char *a, const char *b)
{
    struct stat out, in;
    if (stat(output, &out) != 0)
        return RG_OK;
    for (int i = 0; i < 2; i++)
        if (stat(i ? b : a, &in) == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino)
            return rg_ctx_error(ctx, RG_EINVAL, "%s: is an input of the comparison: write the change elsewhere",
                                output);
    return RG_OK;
}

static int compare(rg_compare__run *R, const char *a, const char *b, const char *output)
{
    double started = rg__seconds_now();
    int rc = rg_compare__edition_open(R, &R->old, a, "ea");
    if (rc == RG_OK)
        rc = rg_compare__edition_open(R, &R->later, b, "eb");
    if (rc == RG_OK)
        rc = rg_compare__editions_copy(R);
    if (rc == RG_OK)
        rg_ctx_notice(R->ctx, RG_NOTICE_DETAIL, "editions read in %.2f s", rg__seconds_now() - started);
    if (rc == RG_OK)
        rc = rg_compare__changes(R);
    if (rc == RG_OK)
        rc = rg_compare__areas(R);
    if (rc == RG_OK)
        rg_ctx_notice(R->ctx, RG_NOTICE_DETAIL, "households matched and areas counted in %.2f s",
                      rg__seconds_now() - started);
    rg_io_atomic out = {0};
    rg_compare__lists lists = {0};
    if (rc == RG_OK)
        rc = rg_io_atomic_begin(R->ctx, output, ".gpkg", R->opts->overwrite, &out);
    if (rc == RG_OK)
        rc = rg_compare__write(R, out.tmp, output);
    if (rc == RG_OK && R->opts->lists)
        rc = rg_compare__lists_write(R, &lists);
    /* The lists renamed into place first, the GeoPackage last: the file a person opens first
     * is there only when the rest is. */
    if (rc == RG_OK)
        rc = rg_compare__lists_commit(R, &lists);
    rg_compare__lists_free(&lists);
    /* A public change holds counts alone; the rest names families. */
    if (rc == RG_OK && R->opts->public_only) {
        rc = rg_io_partial_publish(R->ctx, out.tmp, output, 0644); /* on failure it removes tmp */
        rg_free(out.tmp);
        out.tmp = NULL;
    } else if (rc == RG_OK) {
        rc = rg_io_atomic_commit(R->ctx, &out);
    }
    rg_io_atomic_abandon(&out);
    if (rc == RG_OK)
        rg_ctx_notice(R->ctx, RG_NOTICE_DETAIL, "%s written in %.2f s", output, rg__seconds_now() - started);
    return rc;
}

int rg_compare_run(rg_ctx *ctx, const char *old_path, const char *new_path, const char *output,
                   const rg_compare_opts *opts, rg_compare_report *report)
{
    static const rg_compare_opts defaults = RG_COMPARE_OPTS_INIT;
    rg_compare_report r;
    memset(&r, 0, sizeof r);
    rg_compare__run R = {.ctx = ctx, .opts = opts ? opts : &defaults, .report = &r, .mapped = -1};
    if (R.opts->public_only && R.opts->min_count < 1)
        return rg_ctx_error(ctx, RG_EINVAL, "--min-count must be 1 or more");
    if (R.opts->public_only && R.opts->lists)
        return rg_ctx_error(ctx, RG_EINVAL, "--lists names families: it does not go with --public");
    int rc = rg_io_file_target_check(ctx, output);
    if (rc == RG_OK)
        rc = check_output(ctx, output, old_path, new_path);
    GDALAllRegister();
    /* "": SQLite's temporary database, spilled to its temporary folder past the page cache. */
    for (int i = 0; i < 2 && rc == RG_OK; i++) {
        sqlite3 **db = i ? &R.db2 : &R.db;
        if (sqlite3_open_v2("", db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
                            NULL) != SQLITE_OK ||
            sqlite3_exec(*db, "PRAGMA cache_size = -65536; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                              " PRAGMA temp_store = FILE", NULL, NULL, NULL) != SQLITE_OK)
            rc = rg_ctx_error(ctx, RG_ENOMEM, "compare: cannot open a temporary database");
    }
    /* The GeoPackage encoders: a working database's polygons and the points written. */
    if (rc == RG_OK && rg_export_gpkg_register(R.db) != RG_OK)
        rc = rg_ctx_error(ctx, RG_ENOMEM, "compare: cannot register SQL functions");
    if (rc == RG_OK)
        rc = compare(&R, old_path, new_path, output);
    sqlite3_close(R.db);
    sqlite3_close(R.db2);
    rg_compare__tallies_free(&R);
    rg_compare__edition_close(&R.old);
    rg_compare__edition_close(&R.later);
    if (report)
        *report = r;
    return rc;
}
