/*
 * The households of two editions matched by id (merge.c). Each row of table hc is one
 * household of either edition that changed: its codes, desil and class in each (NULL where
 * it is not in one), what became of it (status), at which level it moved, how its desil
 * changed and the programmes it entered and left (each edition's by its own rules). A
 * household whose id repeats inside an edition cannot be matched: each of its rows, and the
 * other edition's row of that id, is kept with status duplicate_id, counted in its area's
 * totals only, and listed in table issues. Here: which programmes both editions define, and
 * which the map shows.
 */
#include "compare/internal.h"

#include <stdio.h>
#include <string.h>

const char *const rg_compare__level[RG_COMPARE_LEVELS] = {"provinsi", "kabkota", "kecamatan", "kelurahan"};

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

static int count_editions(rg_compare__run *R)
{
    rg_compare_report *r = R->report;
    r->programmes = (int64_t)R->programme_count;
    snprintf(r->old_edition, sizeof r->old_edition, "%s", R->old.edition);
    snprintf(r->new_edition, sizeof r->new_edition, "%s", R->later.edition);
    return RG_OK;
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
                              " detail TEXT NOT NULL)");
    if (rc == RG_OK && sqlite3_prepare_v2(R->db, "INSERT INTO issues(edition, household_id, kind, detail)"
                                                 " VALUES(?, ?, ?, ?)", -1, &issue, NULL) != SQLITE_OK)
        rc = rg_ctx_error(R->ctx, RG_ESQL, "compare: %s", sqlite3_errmsg(R->db));
    if (rc == RG_OK && (rc = match_programmes(R, issue)) == RG_ESQL)
        rc = rg_ctx_error(R->ctx, RG_ESQL, "compare: %s", sqlite3_errmsg(R->db));
    sqlite3_finalize(issue);
    if (rc == RG_OK)
        rc = choose_mapped(R);
    if (rc == RG_OK)
        rc = rg_compare__merge(R);
    return rc == RG_OK ? count_editions(R) : rc;
}
