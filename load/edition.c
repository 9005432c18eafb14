/*
 * Editions: DTSEN re-ranks every family each quarter, and each quarter's extract is an edition.
 * A load names the edition it writes; a replacing load without a name is a corrected file of
 * the edition it replaces. The forum's decisions belong to the edition they were made on: a
 * new edition starts without them, unless asked to carry them (each then still applies only
 * where its household is in the kelurahan whose forum decided).
 */
#include "load/internal.h"

#include <stdio.h>
#include <string.h>

/* The edition in the store before this load: *has is 0 when no load named one. */
static int previous_edition(loader *L, int *has)
{
    sqlite3_stmt *st = NULL;
    *has = 0;
    L->previous[0] = '\0';
    if (sqlite3_prepare_v2(rg_io_store_db(L->store), "SELECT " RG_IO_LIVE_EDITION, -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(L->store);
    int rc = sqlite3_step(st) == SQLITE_ROW ? RG_OK : rg_io_store_sql_error(L->store);
    const char *text = rc == RG_OK ? (const char *)sqlite3_column_text(st, 0) : NULL;
    if (text) {
        snprintf(L->previous, sizeof L->previous, "%s", text);
        *has = 1;
    }
    sqlite3_finalize(st);
    return rc;
}

int rg_load__edition_begin(loader *L, int existing)
{
    int has = 0;
    int rc = existing ? previous_edition(L, &has) : RG_OK;
    L->edition = L->opts->edition ? L->opts->edition : has ? L->previous : NULL;
    L->keep_unnamed = existing && !has && !L->opts->edition;
    if (rc == RG_OK && existing && L->opts->mode == RG_LOAD_APPEND && L->opts->edition &&
        strcmp(L->opts->edition, has ? L->previous : "") != 0)
        rc = rg_ctx_error(L->ctx, RG_EINVAL, "%s: --edition %s: the store holds edition %s, and an edition is loaded"
                          " whole: load it with --replace (or into another --db)",
                          L->path, L->opts->edition, has ? L->previous : "(unnamed)");
    if (rc == RG_OK && L->opts->carry_decisions && !(existing && L->opts->mode == RG_LOAD_REPLACE))
        rc = rg_ctx_error(L->ctx, RG_EINVAL, "--carry-decisions goes with --replace: it carries the forum's"
                          " decisions of the edition replaced into the new one");
    return rc;
}

int rg_load__edition_finish(loader *L)
{
    if (L->opts->mode != RG_LOAD_REPLACE || !L->edition || strcmp(L->edition, L->previous) == 0)
        return RG_OK;
    sqlite3_stmt *st = NULL;
    const char *sql = L->opts->carry_decisions
                          ? "UPDATE forum_decisions SET edition = ?1 WHERE edition IS ?2"
                          : "SELECT count(*) FROM forum_decisions WHERE edition IS ?2";
    if (sqlite3_prepare_v2(rg_io_store_db(L->store), sql, -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(L->store);
    sqlite3_bind_text(st, 1, L->edition, -1, SQLITE_STATIC);
    if (L->previous[0])
        sqlite3_bind_text(st, 2, L->previous, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    int64_t n = L->opts->carry_decisions ? sqlite3_changes(rg_io_store_db(L->store)) : sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (step != SQLITE_DONE && step != SQLITE_ROW)
        return rg_io_store_sql_error(L->store);
    const char *before = L->previous[0] ? L->previous : "(unnamed)";
    if (L->opts->carry_decisions) {
        L->stats.decisions_carried = n;
        rg_ctx_notice(L->ctx, RG_NOTICE_INFO, "%lld forum decisions of edition %s carried into %s (each applies"
                      " where its household is still in the kelurahan that decided)", (long long)n, before,
                      L->edition);
    } else if (n) {
        L->stats.decisions_left = n;
        rg_ctx_notice(L->ctx, RG_NOTICE_WARNING, "%lld forum decisions of edition %s do not apply to edition %s"
                      " (kept in forum_decisions); --carry-decisions carries them", (long long)n, before,
                      L->edition);
    }
    return RG_OK;
}
