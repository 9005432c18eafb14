/*
 * The households of two editions matched by id. Each row of table hc is one household of
 * either edition: its codes, desil and class in each (NULL where it is not in one), what
 * became of it (status), at which level it moved, how its desil changed and, per programme,
 * whether it was in it in each edition (by that edition's own rules). A household whose id
 * repeats inside an edition cannot be matched: each of its rows is kept with status
 * duplicate_id, counted in its area's totals, and listed in table issues.
 */
#include "compare/internal.h"

#include <stdio.h>
#include <string.h>

const char *const rg_compare__level[RG_COMPARE_LEVELS] = {"provinsi", "kabkota", "kecamatan", "kelurahan"};
const char *const rg_compare__level_column[RG_COMPARE_LEVELS] = {"p", "k", "c", "l"};

/* The programmes of both editions, by name; the rest are listed as not compared. */
static int match_programmes(rg_compare__run *R, sqlite3_stmt *issue)
{
    const rg_rules *a = R->old.rules, *b = R->later.rules;
    int rc = RG_OK;
    for (int side = 0; side < 2 && rc == RG_OK; side++) {
        const rg_rules *mine = side ? b : a, *theirs = side ? a : b;
        for (size_t i = 0; i < rg_classify_rules_programme_count(mine) && rc == RG_OK; i++) {
            rg_compare__programme p;
            memset(&p, 0, sizeof p);
            const char *name = rg_classify_rules_programme(mine, i, side ? &p.new_first : &p.old_first,
                                                           side ? &p.new_last : &p.old_last);
            size_t j = 0;
            for (; j < rg_classify_rules_programme_count(theirs); j++)
                if (strcmp(rg_classify_rules_programme(theirs, j, side ? &p.old_first : &p.new_first,
                                                       side ? &p.old_last : &p.new_last), name) == 0)
                    break;
            if (j == rg_classify_rules_programme_count(theirs)) {
                sqlite3_reset(issue);
                sqlite3_bind_text(issue, 1, side ? R->later.edition : R->old.edition, -1, SQLITE_STATIC);
                sqlite3_bind_null(issue, 2);
                sqlite3_bind_text(issue, 3, "programme_in_one_edition", -1, SQLITE_STATIC);
                char detail[160];
                snprintf(detail, sizeof detail, "programme %s is in this edition's rules only: not compared", name);
                sqlite3_bind_text(issue, 4, detail, -1, SQLITE_TRANSIENT);
                rc = sqlite3_step(issue) == SQLITE_DONE ? RG_OK : RG_ESQL;
            } else if (!side) {
                if (R->programme_count == RG_COMPARE_PROGRAMMES_MAX)
                    return rg_ctx_error(R->ctx, RG_EINVAL, "compare: more than %d programmes",
                                        RG_COMPARE_PROGRAMMES_MAX);
                snprintf(p.name, sizeof p.name, "%s", name);
                R->programmes[R->programme_count++] = p;
            }
        }
    }
    return rc;
}

/* The columns of one side ("old" from a, "new" from b) of a matched household. */
static int side_columns(rg_buf *sql, const char *side, const char *t)
{
    return rg__buf_appendf(sql,
                           " %s.p AS %s_p, %s.k AS %s_k, %s.c AS %s_c, %s.l AS %s_l, %s.ln AS %s_ln, %s.s AS %s_s,"
                           " %s.d AS %s_d, %s.cls AS %s_cls, %s.x AS %s_x, %s.y AS %s_y,",
                           t, side, t, side, t, side, t, side, t, side, t, side, t, side, t, side, t, side, t, side);
}

/* Each programme's membership in each edition: 1 or 0, NULL where the household is not in it. */
static int programme_columns(const rg_compare__run *R, rg_buf *sql)
{
    int rc = RG_OK;
    for (size_t i = 0; i < R->programme_count && rc == RG_OK; i++) {
        const rg_compare__programme *p = &R->programmes[i];
        rc = rg__buf_appendf(sql,
                             " CASE WHEN a.id IS NOT NULL THEN coalesce(a.d BETWEEN %d AND %d, 0) END AS \"%s_old\","
                             " CASE WHEN b.id IS NOT NULL THEN coalesce(b.d BETWEEN %d AND %d, 0) END AS \"%s_new\",",
                             p->old_first, p->old_last, p->name, p->new_first, p->new_last, p->name);
    }
    return rc;
}

/* A change of kelurahan that may be the boundaries' and not the family's: the point stayed
 * (within about a metre), a kelurahan is missing from the other edition's map, or the
 * household was in none in one edition. */
#define NOT_COMPARABLE                                                                                         \
    "(a.l IS NULL OR b.l IS NULL"                                                                              \
    " OR (a.x IS NOT NULL AND b.x IS NOT NULL AND abs(a.x - b.x) < 1e-5 AND abs(a.y - b.y) < 1e-5)"            \
    " OR a.l NOT IN (SELECT code FROM eb.kelurahan) OR b.l NOT IN (SELECT code FROM ea.kelurahan))"

static const char matched_sql[] =
    " CASE WHEN a.id IS NULL THEN 'new' WHEN b.id IS NULL THEN 'gone' WHEN a.l IS b.l THEN 'stayed'"
    "  WHEN " NOT_COMPARABLE " THEN 'not_comparable' ELSE 'moved' END AS status,"
    " CASE WHEN a.id IS NULL OR b.id IS NULL THEN NULL WHEN a.p IS NOT b.p THEN 'provinsi'"
    "  WHEN a.k IS NOT b.k THEN 'kabkota' WHEN a.c IS NOT b.c THEN 'kecamatan' WHEN a.l IS NOT b.l THEN 'kelurahan'"
    "  WHEN a.s IS NOT b.s THEN 'sls' END AS moved_level,"
    " b.d - a.d AS desil_change,"
    " CASE WHEN a.id IS NOT NULL AND b.id IS NOT NULL THEN a.cls IS NOT b.cls END AS class_changed,"
    /* The forum's decision in each edition: the class after it where it differs from the ranking's. */
    " CASE WHEN a.cls IS NOT a.cls0 THEN a.cls END AS old_forum, CASE WHEN b.cls IS NOT b.cls0 THEN b.cls END AS new_forum"
    " FROM u_ea a FULL JOIN u_eb b ON b.id = a.id";

/* hc: the matched households, then each row of a repeated id on its own. The ids each
 * edition has once are tables of their own, indexed: a join of two subqueries would scan. */
static int build_hc(rg_compare__run *R)
{
    rg_buf sql = {0};
    int rc = rg__buf_appendf(&sql, "CREATE TABLE u_ea AS SELECT * FROM h_ea WHERE id NOT IN (SELECT id FROM dup"
                                   " WHERE e = 'ea'); CREATE UNIQUE INDEX u_ea_id ON u_ea(id);"
                                   "CREATE TABLE u_eb AS SELECT * FROM h_eb WHERE id NOT IN (SELECT id FROM dup"
                                   " WHERE e = 'eb'); CREATE UNIQUE INDEX u_eb_id ON u_eb(id);"
                                   "CREATE TABLE hc AS SELECT coalesce(b.id, a.id) AS id,");
    if (rc == RG_OK)
        rc = side_columns(&sql, "old", "a");
    if (rc == RG_OK)
        rc = side_columns(&sql, "new", "b");
    if (rc == RG_OK)
        rc = programme_columns(R, &sql);
    if (rc == RG_OK)
        rc = rg__buf_appendf(&sql, "%s UNION ALL SELECT a.id,", matched_sql);
    /* The repeated ids, each row on its side alone. */
    for (int side = 0; side < 2 && rc == RG_OK; side++) {
        if (side)
            rc = rg__buf_appendf(&sql, " UNION ALL SELECT b.id,");
        if (rc == RG_OK)
            rc = side_columns(&sql, "old", side ? "n" : "a");
        if (rc == RG_OK)
            rc = side_columns(&sql, "new", side ? "b" : "n");
        for (size_t i = 0; i < R->programme_count && rc == RG_OK; i++)
            rc = rg__buf_appendf(&sql, " NULL, NULL,");
        if (rc == RG_OK)
            rc = rg__buf_appendf(&sql,
                                 " 'duplicate_id', NULL, NULL, NULL, NULL, NULL FROM h_%s %s"
                                 " LEFT JOIN (SELECT NULL AS p, NULL AS k, NULL AS c, NULL AS l, NULL AS ln,"
                                 "  NULL AS s, NULL AS d, NULL AS cls, NULL AS x, NULL AS y) n"
                                 " WHERE %s.id IN (SELECT id FROM dup WHERE e = '%s')",
                                 side ? "eb" : "ea", side ? "b" : "a", side ? "b" : "a", side ? "eb" : "ea");
    }
    if (rc == RG_OK)
        rc = rg_compare__exec(R, "matching the households", sql.data);
    rg__buf_free(&sql);
    return rc;
}

/* Repeated ids, and the moves that could not be told from a change of boundaries, into issues. */
static int list_issues(rg_compare__run *R)
{
    char sql[2048];
    snprintf(sql, sizeof sql,
             "INSERT INTO issues(edition, household_id, kind, detail)"
             " SELECT CASE WHEN e = 'ea' THEN ?1 ELSE ?2 END, id, 'duplicate_id', 'the id is on ' || n ||"
             "  ' rows of ' || CASE WHEN e = 'ea' THEN ?3 ELSE ?4 END || ': not matched; each row counted in its"
             " area''s total only' FROM dup ORDER BY e, id;"
             "INSERT INTO issues(edition, household_id, kind, detail)"
             " SELECT NULL, id, 'not_comparable', 'kelurahan ' || coalesce(old_l, '(none)') || ' -> ' ||"
             "  coalesce(new_l, '(none)') || CASE WHEN old_l IS NULL OR new_l IS NULL THEN"
             "  ': in no kelurahan in one edition' WHEN old_x IS NOT NULL AND new_x IS NOT NULL"
             "  AND abs(old_x - new_x) < 1e-5 AND abs(old_y - new_y) < 1e-5 THEN"
             "  ': the point did not move, the boundaries changed' ELSE"
             "  ': a kelurahan is in one edition''s boundaries only' END"
             " FROM hc WHERE status = 'not_comparable' ORDER BY id");
    sqlite3_stmt *st = NULL;
    const char *tail = sql;
    int rc = RG_OK;
    /* Two statements, the same four parameters. */
    while (rc == RG_OK && tail && *tail) {
        if (sqlite3_prepare_v2(R->db, tail, -1, &st, &tail) != SQLITE_OK)
            return rg_ctx_error(R->ctx, RG_ESQL, "compare: listing the issues: %s", sqlite3_errmsg(R->db));
        if (!st)
            break;
        const char *texts[4] = {R->old.edition, R->later.edition, R->old.path, R->later.path};
        for (int i = 0; i < sqlite3_bind_parameter_count(st); i++)
            sqlite3_bind_text(st, i + 1, texts[i], -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = rg_ctx_error(R->ctx, RG_ESQL, "compare: listing the issues: %s", sqlite3_errmsg(R->db));
        sqlite3_finalize(st);
    }
    return rc;
}

static int count_report(rg_compare__run *R)
{
    rg_compare_report *r = R->report;
    struct {
        const char *sql;
        int64_t *out;
    } counts[] = {
        {"SELECT count(*) FROM h_ea", &r->old_households},
        {"SELECT count(*) FROM h_eb", &r->new_households},
        {"SELECT count(*) FROM hc WHERE status = 'stayed'", &r->stayed},
        {"SELECT count(*) FROM hc WHERE status = 'new'", &r->added},
        {"SELECT count(*) FROM hc WHERE status = 'gone'", &r->gone},
        {"SELECT count(*) FROM hc WHERE status = 'moved'", &r->moved},
        {"SELECT count(*) FROM hc WHERE status = 'not_comparable'", &r->not_comparable},
        {"SELECT count(*) FROM hc WHERE desil_change > 0", &r->desil_up},
        {"SELECT count(*) FROM hc WHERE desil_change < 0", &r->desil_down},
        {"SELECT count(*) FROM hc WHERE class_changed", &r->class_changed},
        {"SELECT count(*) FROM hc WHERE status = 'duplicate_id'", &r->duplicate_ids},
    };
    int rc = RG_OK;
    for (size_t i = 0; i < sizeof counts / sizeof *counts && rc == RG_OK; i++)
        rc = rg_compare__count(R, counts[i].sql, counts[i].out);
    r->programmes = (int64_t)R->programme_count;
    snprintf(r->old_edition, sizeof r->old_edition, "%s", R->old.edition);
    snprintf(r->new_edition, sizeof r->new_edition, "%s", R->later.edition);
    return rc;
}

/* The programme the map is drawn for: the one asked for, else the first of both editions. */
static int choose_mapped(rg_compare__run *R)
{
    R->mapped = -1;
    for (size_t i = 0; i < R->programme_count; i++)
        if (!R->opts->programme || strcmp(R->programmes[i].name, R->opts->programme) == 0) {
            R->mapped = (int)i;
            return RG_OK;
        }
    if (!R->opts->programme)
        return RG_OK; /* no programme in both: the map shows the change of households */
    rg_buf names = {0};
    for (size_t i = 0; i < R->programme_count; i++)
        rg__buf_appendf(&names, "%s%s", i ? ", " : "", R->programmes[i].name);
    int rc = rg_ctx_error(R->ctx, RG_EINVAL, "--programme %s: not a programme of both editions (both define: %s)",
                          R->opts->programme, names.data ? names.data : "none");
    rg__buf_free(&names);
    return rc;
}

int rg_compare__changes(rg_compare__run *R)
{
    sqlite3_stmt *issue = NULL;
    int rc = rg_compare__exec(R, "matching the households",
                              "CREATE TABLE issues(edition TEXT, household_id TEXT, kind TEXT NOT NULL,"
                              " detail TEXT NOT NULL);"
                              "CREATE TABLE dup AS SELECT 'ea' AS e, id, count(*) AS n FROM h_ea GROUP BY id"
                              " HAVING count(*) > 1 UNION ALL SELECT 'eb', id, count(*) FROM h_eb GROUP BY id"
                              " HAVING count(*) > 1;"
                              "CREATE INDEX dup_id ON dup(e, id)");
    if (rc == RG_OK && sqlite3_prepare_v2(R->db, "INSERT INTO issues(edition, household_id, kind, detail)"
                                                 " VALUES(?, ?, ?, ?)", -1, &issue, NULL) != SQLITE_OK)
        rc = rg_ctx_error(R->ctx, RG_ESQL, "compare: %s", sqlite3_errmsg(R->db));
    if (rc == RG_OK && (rc = match_programmes(R, issue)) == RG_ESQL)
        rc = rg_ctx_error(R->ctx, RG_ESQL, "compare: %s", sqlite3_errmsg(R->db));
    sqlite3_finalize(issue);
    if (rc == RG_OK)
        rc = choose_mapped(R);
    if (rc == RG_OK)
        rc = build_hc(R);
    if (rc == RG_OK)
        rc = list_issues(R);
    return rc == RG_OK ? count_report(R) : rc;
}
