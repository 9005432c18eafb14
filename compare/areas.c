/*
 * Each area's change, at every level: every household counted (merge.c) on the side of
 * each edition it is in, under that edition's code of the level. A move inside the area (between
 * two kelurahan of one kecamatan) is no move for it. A programme's entered and left are the
 * households' own changes (in the later edition's area; in the earlier's); a move carries its
 * membership along and shows in the net change only: net = entered - left + moved in - moved
 * out among the programme's households.
 */
#include "compare/internal.h"

#include <stdio.h>
#include <string.h>

/* The tally of a level as temp.counts, a row an area: its codes were interned in order, so
 * the arena holds them as rows 0, 1, 2, ... */
static int counts_table(rg_compare__run *R, const rg_compare__tally *t)
{
    static const char *const names[T_COUNTS] = {"households_old", "households_new", "added", "gone", "moved_in",
                                                 "moved_out", "desil_up", "desil_down", "class_changed",
                                                 "not_comparable", "duplicate_ids"};
    static const char *const suffix[P_COUNTS] = {"old", "new", "entered", "left"};
    rg_buf sql = {0}, params = {0};
    int rc = rg__buf_appendf(&sql, "CREATE TEMP TABLE counts(code TEXT PRIMARY KEY");
    for (int i = 0; i < T_COUNTS && rc == RG_OK; i++)
        rc = rg__buf_appendf(&sql, ", %s INTEGER", names[i]);
    for (size_t p = 0; p < R->programme_count && rc == RG_OK; p++)
        for (int i = 0; i < P_COUNTS && rc == RG_OK; i++)
            rc = rg__buf_appendf(&sql, ", \"%s_%s\" INTEGER", R->programmes[p].name, suffix[i]);
    if (rc == RG_OK)
        rc = rg__buf_appendf(&sql, ")");
    if (rc == RG_OK)
        rc = rg_compare__exec(R, "counting the areas", sql.data);
    for (size_t i = 0; i <= R->width && rc == RG_OK; i++)
        rc = rg__buf_appendf(&params, "%s?", i ? ", " : "");
    sqlite3_stmt *st = NULL;
    sql.len = 0;
    if (rc == RG_OK && (rc = rg__buf_appendf(&sql, "INSERT INTO temp.counts VALUES(%s)", params.data)) == RG_OK &&
        sqlite3_prepare_v2(R->db, sql.data, -1, &st, NULL) != SQLITE_OK)
        rc = rg_ctx_error(R->ctx, RG_ESQL, "compare: %s", sqlite3_errmsg(R->db));
    const char *code = t->codes.text.data;
    for (size_t k = 0; k < t->codes.count && rc == RG_OK; k++, code += strlen(code) + 1) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
        for (size_t i = 0; i < R->width; i++)
            sqlite3_bind_int64(st, (int)i + 2, t->counts[k * R->width + i]);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = rg_ctx_error(R->ctx, RG_ESQL, "compare: %s", sqlite3_errmsg(R->db));
    }
    sqlite3_finalize(st);
    rg__buf_free(&sql);
    rg__buf_free(&params);
    return rc;
}

/* Every area of either edition's map or of a household, with its counts (0 where none), its
 * name and polygon from the later edition's map (else the earlier's), and whether its
 * boundary is the same in both. */
static int change_table(rg_compare__run *R, const char *level)
{
    /* A working database's polygons are SpatiaLite's: encoded as a GeoPackage's, both
     * editions' compare byte for byte. */
    const char *later = R->later.is_store ? "rg_gpkg_geom(b.geom)" : "b.geom";
    const char *earlier = R->old.is_store ? "rg_gpkg_geom(e.geom)" : "e.geom";
    rg_buf sql = {0};
    int rc = rg__buf_appendf(
        &sql,
        "CREATE TABLE change_%s AS SELECT a.code AS code, coalesce(b.name, e.name) AS name,"
        " coalesce(b.parent_code, e.parent_code) AS parent_code,"
        " CASE WHEN b.code IS NULL THEN 'earlier only' WHEN e.code IS NULL THEN 'later only'"
        "  WHEN %s IS %s THEN 'same' ELSE 'changed' END AS boundary,"
        " coalesce(c.households_old, 0) AS households_old, coalesce(c.households_new, 0) AS households_new,"
        " coalesce(c.added, 0) AS added, coalesce(c.gone, 0) AS gone, coalesce(c.moved_in, 0) AS moved_in,"
        " coalesce(c.moved_out, 0) AS moved_out, coalesce(c.desil_up, 0) AS desil_up,"
        " coalesce(c.desil_down, 0) AS desil_down, coalesce(c.class_changed, 0) AS class_changed,"
        " coalesce(c.not_comparable, 0) AS not_comparable, coalesce(c.duplicate_ids, 0) AS duplicate_ids",
        level, later, earlier);
    for (size_t i = 0; i < R->programme_count && rc == RG_OK; i++) {
        const char *p = R->programmes[i].name;
        rc = rg__buf_appendf(&sql,
                             ", coalesce(c.\"%s_old\", 0) AS \"%s_old\", coalesce(c.\"%s_new\", 0) AS \"%s_new\","
                             " coalesce(c.\"%s_entered\", 0) AS \"%s_entered\", coalesce(c.\"%s_left\", 0) AS \"%s_left\","
                             " coalesce(c.\"%s_new\", 0) - coalesce(c.\"%s_old\", 0) AS \"%s_net\","
                             " CASE WHEN c.\"%s_old\" > 0 THEN round(100.0 * (c.\"%s_entered\" + c.\"%s_left\")"
                             "  / c.\"%s_old\", 1) END AS \"%s_churn\"",
                             p, p, p, p, p, p, p, p, p, p, p, p, p, p, p, p);
    }
    if (rc == RG_OK)
        rc = rg__buf_appendf(&sql,
                             ", coalesce(%s, %s) AS geom"
                             " FROM (SELECT code FROM eb.%s UNION SELECT code FROM ea.%s UNION SELECT code FROM"
                             "  temp.counts) a"
                             " LEFT JOIN eb.%s b ON b.code = a.code LEFT JOIN ea.%s e ON e.code = a.code"
                             " LEFT JOIN temp.counts c ON c.code = a.code ORDER BY a.code;"
                             "DROP TABLE temp.counts",
                             later, earlier, level, level, level, level);
    if (rc == RG_OK)
        rc = rg_compare__exec(R, level, sql.data);
    rg__buf_free(&sql);
    return rc;
}

void rg_compare__tallies_free(rg_compare__run *R)
{
    for (int i = 0; i < RG_COMPARE_LEVELS; i++) {
        rg__intern_free(&R->tally[i].codes);
        rg_free(R->tally[i].counts);
    }
}

int rg_compare__areas(rg_compare__run *R)
{
    int rc = RG_OK;
    for (int i = 0; i < RG_COMPARE_LEVELS && rc == RG_OK; i++) {
        rc = counts_table(R, &R->tally[i]);
        if (rc == RG_OK)
            rc = change_table(R, rg_compare__level[i]);
    }
    return rc;
}
