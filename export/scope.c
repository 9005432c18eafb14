/*
 * An export cut to one area (--only 53.71): the area the code names at whatever level, every
 * area in it down to the kelurahan, and its parents up to the provinsi (so each layer of the
 * map still has the row that frames it), gathered once in temp.export_scope(level, code)
 * for the layers' queries to filter on.
 */
#include "export/internal.h"

#include <stdio.h>
#include <string.h>

static const char *const levels[] = {"kelurahan", "kecamatan", "kabkota", "provinsi"};
#define LEVELS 4

/* The level and the store's own code of the area `code` names: its code or its code in the
 * other scheme; for kab/kota and provinsi, whose codes are the same digits in both, with or
 * without the dot. */
static int find_area(rg_store *store, const char *code, int *level, char *found, size_t cap)
{
    for (int k = LEVELS - 1; k >= 0; k--) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT code FROM %s WHERE code = ?1 OR alt_code = ?1%s LIMIT 1", levels[k],
                 k >= 2 ? " OR replace(code, '.', '') = replace(?1, '.', '')" : "");
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(rg_io_store_db(store), sql, -1, &st, NULL) != SQLITE_OK)
            return rg_io_store_sql_error(store);
        sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            snprintf(found, cap, "%s", (const char *)sqlite3_column_text(st, 0));
            *level = k;
        }
        sqlite3_finalize(st);
        if (step == SQLITE_ROW)
            return RG_OK;
        if (step != SQLITE_DONE)
            return rg_io_store_sql_error(store);
    }
    return rg_ctx_error(rg_io_store_ctx(store), RG_EINVAL,
                        "--only %s: no provinsi, kab/kota, kecamatan or kelurahan of the boundaries has that code", code);
}

int rg_export_scope(rg_store *store, const char *code, const char **level_name)
{
    char found[64];
    int level = 0;
    int rc = find_area(store, code, &level, found, sizeof found);
    if (rc == RG_OK)
        rc = rg_io_store_exec(store, "cutting the export",
                              "DROP TABLE IF EXISTS temp.export_scope;"
                              "CREATE TEMP TABLE export_scope(level TEXT NOT NULL, code TEXT NOT NULL,"
                              " PRIMARY KEY(level, code));");
    rg_buf sql = {0};
    if (rc == RG_OK)
        rc = rg__buf_appendf(&sql, "INSERT INTO temp.export_scope VALUES('%s', '%s');", levels[level], found);
    /* Down: the children of what is in, level by level. */
    for (int k = level - 1; k >= 0 && rc == RG_OK; k--)
        rc = rg__buf_appendf(&sql,
                             "INSERT INTO temp.export_scope SELECT '%s', c.code FROM %s c JOIN temp.export_scope s"
                             " ON s.level = '%s' AND s.code = c.parent_code;",
                             levels[k], levels[k], levels[k + 1]);
    /* Up: the area's parent, its parent's, ... */
    for (int k = level + 1; k < LEVELS && rc == RG_OK; k++)
        rc = rg__buf_appendf(&sql,
                             "INSERT OR IGNORE INTO temp.export_scope SELECT '%s', c.parent_code FROM %s c"
                             " JOIN temp.export_scope s ON s.level = '%s' AND s.code = c.code"
                             " WHERE c.parent_code IN (SELECT code FROM %s);",
                             levels[k], levels[k - 1], levels[k - 1], levels[k]);
    if (rc == RG_OK)
        rc = rg_io_store_exec(store, "cutting the export", sql.data);
    rg__buf_free(&sql);
    if (rc == RG_OK && level_name)
        *level_name = levels[level];
    return rc;
}
