#include "support.h"

#include "classify/classify.h"
#include "geo/geo.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *tmp_path(const char *name)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 512, "%s/%ld-%s", RG_TEST_TMP, (long)getpid(), name);
    char cmd[1800];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s-wal' '%s-shm'", p, p, p);
    cr_assert_eq(system(cmd), 0);
    return p;
}

const char *write_tmp(const char *name, const char *text)
{
    const char *p = tmp_path(name);
    FILE *f = fopen(p, "wb");
    cr_assert_not_null(f, "cannot write %s", p);
    fputs(text, f);
    fclose(f);
    return p;
}

int run(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int status = system(cmd);
    return status == -1 ? -1 : WEXITSTATUS(status);
}

rg_ctx *test_ctx(void)
{
    rg_ctx *ctx = NULL;
    cr_assert_eq(rg_ctx_new(&ctx), RG_OK);
    return ctx;
}

rg_store *test_store(rg_ctx *ctx, const char *name)
{
    rg_store *store = NULL;
    int rc = rg_io_store_open(&store, ctx, tmp_path(name));
    cr_assert_eq(rc, RG_OK, "store: %s", rg_ctx_errmsg(ctx));
    return store;
}

long long sql_int(rg_store *store, const char *sql)
{
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(rg_io_store_db(store), sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(rg_io_store_db(store)));
    long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -999;
    sqlite3_finalize(st);
    return v;
}

const char *sql_text(rg_store *store, const char *sql)
{
    static char buf[4096];
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(rg_io_store_db(store), sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(rg_io_store_db(store)));
    buf[0] = '\0';
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(buf, sizeof buf, "%s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return buf;
}

rg_store *classified_store_from(rg_ctx *ctx, const char *name, const char *households_csv)
{
    rg_store *store = test_store(ctx, name);
    cr_assert_eq(rg_load_run(store, households_csv, NULL, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(rg_geo_join(store, RG_SAMPLE_DIR "/boundaries.gpkg", NULL, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    rg_rules *rules = NULL;
    cr_assert_eq(rg_classify_rules_default(&rules), RG_OK);
    cr_assert_eq(rg_classify_run(store, rules, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    rg_classify_rules_free(rules);
    return store;
}
