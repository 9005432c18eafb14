/*
 * Each area's change, at every level: every household of hc counted on the side of each
 * edition it is in, under that edition's code of the level. A move inside the area (between
 * two kelurahan of one kecamatan) is no move for it. A programme's entered and left are the
 * households' own changes (in the later edition's area; in the earlier's); a move carries its
 * membership along and shows in the net change only: net = entered - left + moved in - moved
 * out among the programme's households.
 */
#include "compare/internal.h"

#include <stdio.h>

/* One side of every household: the code of the level in that edition, and what it counts there. */
static int sides(rg_buf *sql, const char *col)
{
    return rg__buf_appendf(sql,
                           " FROM (SELECT old_%s AS code, 1 AS o, 0 AS n, old_%s IS NOT new_%s AS crossed, *"
                           "  FROM hc WHERE old_%s IS NOT NULL"
                           " UNION ALL SELECT new_%s, 0, 1, old_%s IS NOT new_%s, * FROM hc WHERE new_%s IS NOT NULL)"
                           " GROUP BY code",
                           col, col, col, col, col, col, col, col);
}

static int counts_table(rg_compare__run *R, const char *level, const char *col)
{
    rg_buf sql = {0};
    int rc = rg__buf_appendf(
        &sql,
        "CREATE TEMP TABLE counts AS SELECT code, sum(o) AS households_old, sum(n) AS households_new,"
        " sum(n AND status = 'new') AS added, sum(o AND status = 'gone') AS gone,"
        " sum(n AND status = 'moved' AND crossed) AS moved_in, sum(o AND status = 'moved' AND crossed) AS moved_out,"
        " sum(n AND desil_change > 0) AS desil_up, sum(n AND desil_change < 0) AS desil_down,"
        " sum(n AND class_changed) AS class_changed,"
        " sum(status = 'not_comparable' AND (n OR crossed)) AS not_comparable,"
        " sum(status = 'duplicate_id') AS duplicate_ids");
    for (size_t i = 0; i < R->programme_count && rc == RG_OK; i++) {
        const char *p = R->programmes[i].name;
        rc = rg__buf_appendf(&sql,
                             ", sum(o AND \"%s_old\") AS \"%s_old\", sum(n AND \"%s_new\") AS \"%s_new\","
                             " sum(n AND \"%s_new\" AND NOT coalesce(\"%s_old\", 0)) AS \"%s_entered\","
                             " sum(o AND \"%s_old\" AND NOT coalesce(\"%s_new\", 0)) AS \"%s_left\"",
                             p, p, p, p, p, p, p, p, p, p);
    }
    if (rc == RG_OK)
        rc = sides(&sql, col);
    if (rc == RG_OK)
        rc = rg_compare__exec(R, level, sql.data);
    rg__buf_free(&sql);
    return rc;
}

/* Every area of either edition's map or of a household, with its counts (0 where none), its
 * name and polygon from the later edition's map (else the earlier's), and whether its
 * boundary is the same in both. */
static int change_table(rg_compare__run *R, const char *level)
{
    rg_buf sql = {0};
    int rc = rg__buf_appendf(
        &sql,
        "CREATE TABLE change_%s AS SELECT a.code AS code, coalesce(b.name, e.name) AS name,"
        " coalesce(b.parent_code, e.parent_code) AS parent_code,"
        " CASE WHEN b.code IS NULL THEN 'earlier only' WHEN e.code IS NULL THEN 'later only'"
        "  WHEN b.geom IS e.geom THEN 'same' ELSE 'changed' END AS boundary,"
        " coalesce(c.households_old, 0) AS households_old, coalesce(c.households_new, 0) AS households_new,"
        " coalesce(c.added, 0) AS added, coalesce(c.gone, 0) AS gone, coalesce(c.moved_in, 0) AS moved_in,"
        " coalesce(c.moved_out, 0) AS moved_out, coalesce(c.desil_up, 0) AS desil_up,"
        " coalesce(c.desil_down, 0) AS desil_down, coalesce(c.class_changed, 0) AS class_changed,"
        " coalesce(c.not_comparable, 0) AS not_comparable, coalesce(c.duplicate_ids, 0) AS duplicate_ids",
        level);
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
                             ", coalesce(b.geom, e.geom) AS geom"
                             " FROM (SELECT code FROM eb.%s UNION SELECT code FROM ea.%s UNION SELECT code FROM"
                             "  temp.counts) a"
                             " LEFT JOIN eb.%s b ON b.code = a.code LEFT JOIN ea.%s e ON e.code = a.code"
                             " LEFT JOIN temp.counts c ON c.code = a.code ORDER BY a.code;"
                             "DROP TABLE temp.counts",
                             level, level, level, level);
    if (rc == RG_OK)
        rc = rg_compare__exec(R, level, sql.data);
    rg__buf_free(&sql);
    return rc;
}

int rg_compare__areas(rg_compare__run *R)
{
    int rc = RG_OK;
    for (int i = 0; i < RG_COMPARE_LEVELS && rc == RG_OK; i++) {
        char what[64];
        snprintf(what, sizeof what, "counting the %s", rg_compare__level[i]);
        rc = counts_table(R, what, rg_compare__level_column[i]);
        if (rc == RG_OK)
            rc = change_table(R, rg_compare__level[i]);
    }
    return rc;
}
