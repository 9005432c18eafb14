/*
 * The households of both editions in one pass: each edition's rows sorted by id (edition.c
 * copied them so), read side by side as a merge. A household in both, in one, or under an id
 * that repeats is settled as it is met; its change is counted in every area of every level it
 * is in, in each edition (the tallies), and written to hc when it changed at all. An
 * unchanged household is only counted: most are, and hc stays the size of the change.
 *
 * SQL did the same (a FULL JOIN, then a GROUP BY per level) in 33 s for a million households
 * an edition: the join probes an index at random, and each GROUP BY sorted every row again.
 */
#include "compare/internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The columns of h_ea / h_eb as merge_sql reads them. */
enum { H_ID, H_P, H_K, H_C, H_L, H_LN, H_S, H_D, H_CLS0, H_CLS, H_X, H_Y };
static const char merge_sql[] = "SELECT coalesce(id, ''), p, k, c, l, ln, s, d, cls0, cls, x, y FROM h_%s ORDER BY rowid";
/* The same rows' ids, one row ahead: an id that repeats is seen before its first row is used. */
static const char ahead_sql[] = "SELECT coalesce(id, '') FROM h_%s ORDER BY rowid";

typedef enum { NEW, GONE, STAYED, MOVED, NOT_COMPARABLE, DUPLICATE } status;
static const char *const status_name[] = {"new", "gone", "stayed", "moved", "not_comparable", "duplicate_id"};

typedef struct {
    rg_compare__run *R;
    sqlite3_stmt *a, *b, *insert, *issue;
    sqlite3_stmt *ahead[2];          /* each side's ids, a row ahead of a and b */
    int has_a, has_b;                /* the side's statement is on a row */
    int has_ahead[2];
    rg_buf text; /* a household's programmes entered or left, as text */
    rg__interned kelurahan_a, kelurahan_b; /* the codes of each edition's kelurahan layer */
} merger;

static const char *text(sqlite3_stmt *st, int col) { return (const char *)sqlite3_column_text(st, col); }

/* Two codes the same, NULL the same as NULL (SQL's IS). */
static int same(const char *x, const char *y) { return x == y || (x && y && strcmp(x, y) == 0); }

static int desil_of(sqlite3_stmt *st)
{
    return st && sqlite3_column_type(st, H_D) != SQLITE_NULL ? sqlite3_column_int(st, H_D) : 0;
}

/* The area's row of counts at level i, added when new. NULL: out of memory. */
static int64_t *tally_row(rg_compare__run *R, int i, const char *code)
{
    rg_compare__tally *t = &R->tally[i];
    int32_t k = -1;
    if (rg__intern(&t->codes, code, 1, &k) != RG_OK)
        return NULL;
    if ((size_t)k >= t->rows) {
        size_t rows = t->rows ? t->rows * 2 : 1024;
        int64_t *grown = rg_realloc(t->counts, rows * R->width * sizeof *grown);
        if (!grown)
            return NULL;
        memset(grown + t->rows * R->width, 0, (rows - t->rows) * R->width * sizeof *grown);
        t->counts = grown;
        t->rows = rows;
    }
    return t->counts + (size_t)k * R->width;
}

/* One household as the merge meets it. */
typedef struct {
    sqlite3_stmt *a, *b; /* its row in each edition; NULL where it is not in one */
    status st;
    const char *moved_level, *why; /* why: a not comparable household's reason */
    int da, db;                    /* desil, 0 for none */
    int desil_step;                /* in both with a desil each: +1 up, -1 down, 0 the same; else 0 */
    int class_changed;
    uint32_t in_old, in_new;       /* a bit per programme */
} household;

/* A change of kelurahan that may be the boundaries' and not the family's. */
static const char *not_comparable(const merger *M, sqlite3_stmt *a, sqlite3_stmt *b)
{
    const char *la = text(a, H_L), *lb = text(b, H_L);
    int32_t k;
    if (!la || !lb)
        return "in no kelurahan in one edition";
    if (sqlite3_column_type(a, H_X) != SQLITE_NULL && sqlite3_column_type(b, H_X) != SQLITE_NULL &&
        fabs(sqlite3_column_double(a, H_X) - sqlite3_column_double(b, H_X)) < 1e-5 &&
        fabs(sqlite3_column_double(a, H_Y) - sqlite3_column_double(b, H_Y)) < 1e-5)
        return "the point did not move, the boundaries changed";
    if ((rg__intern((rg__interned *)&M->kelurahan_b, la, 0, &k), k < 0) ||
        (rg__intern((rg__interned *)&M->kelurahan_a, lb, 0, &k), k < 0))
        return "a kelurahan is in one edition's boundaries only";
    return NULL;
}

static uint32_t members(const rg_compare__run *R, int desil, int later)
{
    uint32_t bits = 0;
    for (size_t p = 0; p < R->programme_count && desil; p++) {
        const rg_compare__programme *g = &R->programmes[p];
        int first = later ? g->new_first : g->old_first, last = later ? g->new_last : g->old_last;
        bits |= (uint32_t)(desil >= first && desil <= last) << p;
    }
    return bits;
}

static void settle(const merger *M, household *h)
{
    h->da = desil_of(h->a);
    h->db = desil_of(h->b);
    h->in_old = h->a ? members(M->R, h->da, 0) : 0;
    h->in_new = h->b ? members(M->R, h->db, 1) : 0;
    h->moved_level = h->why = NULL;
    h->class_changed = 0;
    if (!h->a || !h->b) {
        h->st = h->a ? GONE : NEW;
        return;
    }
    h->class_changed = !same(text(h->a, H_CLS), text(h->b, H_CLS));
    h->desil_step = h->da && h->db ? (h->db > h->da) - (h->db < h->da) : 0;
    for (int i = 0; i <= 4 && !h->moved_level; i++)
        if (!same(text(h->a, H_P + i), text(h->b, H_P + i)))
            h->moved_level = i < 4 ? rg_compare__level[i] : "sls";
    if (same(text(h->a, H_L), text(h->b, H_L)))
        h->st = STAYED;
    else
        h->st = (h->why = not_comparable(M, h->a, h->b)) ? NOT_COMPARABLE : MOVED;
}

/* The household in the areas of each level it is in, on each side. */
static int tally(rg_compare__run *R, const household *h)
{
    for (int i = 0; i < RG_COMPARE_LEVELS; i++) {
        const char *oc = h->a ? text(h->a, H_P + i) : NULL, *nc = h->b ? text(h->b, H_P + i) : NULL;
        int crossed = !same(oc, nc);
        int64_t *row;
        if (oc) {
            if (!(row = tally_row(R, i, oc)))
                return RG_ENOMEM;
            row[T_OLD]++;
            row[T_GONE] += h->st == GONE;
            row[T_MOVED_OUT] += h->st == MOVED && crossed;
            row[T_NOT_COMPARABLE] += h->st == NOT_COMPARABLE && crossed;
            row[T_DUPLICATE_IDS] += h->st == DUPLICATE;
            for (size_t p = 0; p < R->programme_count; p++) {
                row[T_COUNTS + P_COUNTS * p + P_OLD] += h->in_old >> p & 1;
                row[T_COUNTS + P_COUNTS * p + P_LEFT] += (h->in_old & ~h->in_new) >> p & 1;
            }
        }
        if (nc) {
            if (!(row = tally_row(R, i, nc)))
                return RG_ENOMEM;
            row[T_NEW]++;
            row[T_ADDED] += h->st == NEW;
            row[T_MOVED_IN] += h->st == MOVED && crossed;
            row[T_DESIL_UP] += h->desil_step > 0;
            row[T_DESIL_DOWN] += h->desil_step < 0;
            row[T_CLASS_CHANGED] += h->class_changed;
            row[T_NOT_COMPARABLE] += h->st == NOT_COMPARABLE;
            row[T_DUPLICATE_IDS] += h->st == DUPLICATE;
            for (size_t p = 0; p < R->programme_count; p++) {
                row[T_COUNTS + P_COUNTS * p + P_NEW] += h->in_new >> p & 1;
                row[T_COUNTS + P_COUNTS * p + P_ENTERED] += (h->in_new & ~h->in_old) >> p & 1;
            }
        }
    }
    return RG_OK;
}

/* hc's columns: id, the ten of each side, then what changed. */
#define SIDE_COLUMNS 10
static const int side_source[SIDE_COLUMNS] = {H_P, H_K, H_C, H_L, H_LN, H_S, H_D, H_CLS, H_X, H_Y};

static int create_hc(rg_compare__run *R, sqlite3_stmt **insert)
{
    rg_buf sql = {0}, params = {0};
    int rc = rg__buf_appendf(&sql, "CREATE TABLE hc(id TEXT");
    static const char *const side_names[SIDE_COLUMNS] = {"p", "k", "c", "l", "ln", "s", "d", "cls", "x", "y"};
    for (int s = 0; s < 2 && rc == RG_OK; s++)
        for (int i = 0; i < SIDE_COLUMNS && rc == RG_OK; i++)
            rc = rg__buf_appendf(&sql, ", %s_%s", s ? "new" : "old", side_names[i]);
    if (rc == RG_OK)
        rc = rg__buf_appendf(&sql, ", entered TEXT, left_ TEXT, status TEXT, moved_level TEXT, desil_change INTEGER,"
                                   " class_changed INTEGER, old_forum TEXT, new_forum TEXT)");
    if (rc == RG_OK)
        rc = rg_compare__exec(R, "matching the households", sql.data);
    int columns = 1 + 2 * SIDE_COLUMNS + 8;
    for (int i = 0; i < columns && rc == RG_OK; i++)
        rc = rg__buf_appendf(&params, "%s?", i ? ", " : "");
    sql.len = 0;
    if (rc == RG_OK)
        rc = rg__buf_appendf(&sql, "INSERT INTO hc VALUES(%s)", params.data);
    if (rc == RG_OK && sqlite3_prepare_v2(R->db, sql.data, -1, insert, NULL) != SQLITE_OK)
        rc = rg_ctx_error(R->ctx, RG_ESQL, "compare: %s", sqlite3_errmsg(R->db));
    rg__buf_free(&sql);
    rg__buf_free(&params);
    return rc;
}

/* The forum's decision in an edition: the class after it, where it differs from the ranking's. */
static void bind_forum(sqlite3_stmt *ins, int at, sqlite3_stmt *side)
{
    if (side && !same(text(side, H_CLS), text(side, H_CLS0)))
        sqlite3_bind_value(ins, at, sqlite3_column_value(side, H_CLS));
    else
        sqlite3_bind_null(ins, at);
}

/* The programmes of bits, as "pkh,sembako", at parameter at; NULL for none. */
static int bind_programmes(const rg_compare__run *R, sqlite3_stmt *ins, int at, uint32_t bits, rg_buf *text)
{
    text->len = 0;
    int rc = RG_OK;
    for (size_t p = 0; p < R->programme_count && rc == RG_OK; p++)
        if (bits >> p & 1)
            rc = rg__buf_appendf(text, "%s%s", text->len ? "," : "", R->programmes[p].name);
    if (rc == RG_OK && text->len)
        sqlite3_bind_text(ins, at, text->data, (int)text->len, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(ins, at);
    return rc;
}

static int write_household(merger *M, const household *h)
{
    sqlite3_stmt *ins = M->insert;
    const rg_compare__run *R = M->R;
    int at = 1;
    sqlite3_bind_value(ins, at++, sqlite3_column_value(h->b ? h->b : h->a, H_ID));
    for (int s = 0; s < 2; s++) {
        sqlite3_stmt *side = s ? h->b : h->a;
        for (int i = 0; i < SIDE_COLUMNS; i++, at++)
            if (side)
                sqlite3_bind_value(ins, at, sqlite3_column_value(side, side_source[i]));
            else
                sqlite3_bind_null(ins, at);
    }
    /* Unmatched, a repeated id's row enters and leaves nothing. */
    int rc = bind_programmes(R, ins, at++, h->in_new & ~h->in_old, &M->text);
    if (rc == RG_OK)
        rc = bind_programmes(R, ins, at++, h->in_old & ~h->in_new, &M->text);
    if (rc != RG_OK)
        return rc;
    sqlite3_bind_text(ins, at++, status_name[h->st], -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, at++, h->moved_level, -1, SQLITE_STATIC);
    if (h->a && h->b && h->da && h->db)
        sqlite3_bind_int(ins, at++, h->db - h->da);
    else
        sqlite3_bind_null(ins, at++);
    if (h->a && h->b)
        sqlite3_bind_int(ins, at++, h->class_changed);
    else
        sqlite3_bind_null(ins, at++);
    bind_forum(ins, at++, h->a);
    bind_forum(ins, at++, h->b);
    rc = sqlite3_step(ins) == SQLITE_DONE ? RG_OK : rg_ctx_error(R->ctx, RG_ESQL, "compare: %s", sqlite3_errmsg(R->db));
    sqlite3_reset(ins);
    return rc;
}

static int write_issue(merger *M, const char *edition, const char *id, const char *kind, const char *detail)
{
    sqlite3_reset(M->issue);
    sqlite3_bind_text(M->issue, 1, edition, -1, SQLITE_STATIC);
    sqlite3_bind_text(M->issue, 2, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(M->issue, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(M->issue, 4, detail, -1, SQLITE_TRANSIENT);
    return sqlite3_step(M->issue) == SQLITE_DONE ? RG_OK
                                                 : rg_ctx_error(M->R->ctx, RG_ESQL, "compare: %s", sqlite3_errmsg(M->R->db));
}

/* What the report counts of a household. */
static void count(rg_compare_report *r, const household *h)
{
    switch (h->st) {
    case NEW: r->added++; break;
    case GONE: r->gone++; break;
    case STAYED: r->stayed++; break;
    case MOVED: r->moved++; break;
    case NOT_COMPARABLE: r->not_comparable++; break;
    case DUPLICATE: r->duplicate_ids++; break;
    }
    r->desil_up += h->desil_step > 0;
    r->desil_down += h->desil_step < 0;
    r->class_changed += h->class_changed;
}

/* A household of one edition or both: settled, counted, written when it changed. */
static int one_household(merger *M, sqlite3_stmt *a, sqlite3_stmt *b)
{
    household h = {.a = a, .b = b};
    settle(M, &h);
    count(M->R->report, &h);
    int rc = tally(M->R, &h);
    int changed = h.st != STAYED || h.da != h.db || h.class_changed || h.moved_level || h.in_old != h.in_new;
    if (rc == RG_OK && changed)
        rc = write_household(M, &h);
    if (rc == RG_OK && h.why) {
        char detail[200];
        snprintf(detail, sizeof detail, "kelurahan %s -> %s: %s", text(a, H_L) ? text(a, H_L) : "(none)",
                 text(b, H_L) ? text(b, H_L) : "(none)", h.why);
        rc = write_issue(M, NULL, text(b, H_ID), "not_comparable", detail);
    }
    return rc;
}

static int advance(merger *M, int side);

/* Each row of an id that repeats in either edition, on its own side, unmatched; and why. */
static int repeated_id(merger *M, const char *id)
{
    rg_compare__run *R = M->R;
    int rc = RG_OK;
    for (int side = 0; side < 2 && rc == RG_OK; side++) {
        sqlite3_stmt *st = side ? M->b : M->a;
        int *has = side ? &M->has_b : &M->has_a;
        const rg_compare__edition *e = side ? &R->later : &R->old, *other = side ? &R->old : &R->later;
        int64_t rows = 0;
        while (rc == RG_OK && *has && strcmp(text(st, H_ID), id) == 0) {
            household h = {.a = side ? NULL : st, .b = side ? st : NULL, .st = DUPLICATE};
            h.da = side ? 0 : desil_of(st);
            h.db = side ? desil_of(st) : 0;
            count(R->report, &h);
            if ((rc = tally(R, &h)) == RG_OK)
                rc = write_household(M, &h);
            rows++;
            if (rc == RG_OK)
                rc = advance(M, side);
        }
        if (rc != RG_OK || !rows)
            continue;
        char detail[600];
        if (rows > 1)
            snprintf(detail, sizeof detail, "the id is on %lld rows of %s: not matched; each row counted in its"
                     " area's total only", (long long)rows, e->path);
        else
            snprintf(detail, sizeof detail, "the id repeats in the other edition (%s): not matched; counted in its"
                     " area's total only", other->path);
        rc = write_issue(M, e->edition, id, "duplicate_id", detail);
    }
    return rc;
}

static int step_to(merger *M, sqlite3_stmt *st, int *has)
{
    int step = sqlite3_step(st);
    *has = step == SQLITE_ROW;
    return step == SQLITE_ROW || step == SQLITE_DONE
               ? RG_OK
               : rg_ctx_error(M->R->ctx, RG_ESQL, "compare: %s", sqlite3_errmsg(sqlite3_db_handle(st)));
}

/* The side's next row, its id-ahead statement one further. */
static int advance(merger *M, int side)
{
    int *has = side ? &M->has_b : &M->has_a;
    int rc = step_to(M, side ? M->b : M->a, has);
    if (*has)
        (*(side ? &M->R->report->new_households : &M->R->report->old_households))++;
    return rc == RG_OK ? step_to(M, M->ahead[side], &M->has_ahead[side]) : rc;
}

/* The side's current id is on its next row too. */
static int repeats(const merger *M, int side)
{
    sqlite3_stmt *st = side ? M->b : M->a;
    return M->has_ahead[side] && strcmp(text(st, H_ID), text(M->ahead[side], 0)) == 0;
}

static int merge(merger *M)
{
    rg_buf id = {0};
    /* Each id-ahead statement starts a row ahead of its side. */
    int rc = step_to(M, M->ahead[0], &M->has_ahead[0]);
    if (rc == RG_OK)
        rc = step_to(M, M->ahead[1], &M->has_ahead[1]);
    if (rc == RG_OK)
        rc = advance(M, 0);
    if (rc == RG_OK)
        rc = advance(M, 1);
    while (rc == RG_OK && (M->has_a || M->has_b)) {
        int cmp = !M->has_a ? 1 : !M->has_b ? -1 : strcmp(text(M->a, H_ID), text(M->b, H_ID));
        sqlite3_stmt *a = cmp <= 0 ? M->a : NULL, *b = cmp >= 0 ? M->b : NULL;
        if ((a && repeats(M, 0)) || (b && repeats(M, 1))) {
            const char *key = text(a ? a : b, H_ID);
            id.len = 0;
            if ((rc = rg__buf_append(&id, key, strlen(key) + 1)) == RG_OK)
                rc = repeated_id(M, id.data);
            continue;
        }
        rc = one_household(M, a, b);
        if (rc == RG_OK && a)
            rc = advance(M, 0);
        if (rc == RG_OK && b)
            rc = advance(M, 1);
    }
    rg__buf_free(&id);
    return rc;
}

static int load_codes(rg_compare__run *R, const char *schema, rg__interned *codes)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT code FROM %s.kelurahan WHERE code IS NOT NULL", schema);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(R->db, sql, -1, &st, NULL) != SQLITE_OK)
        return rg_ctx_error(R->ctx, RG_EDATA, "compare: %s: no kelurahan layer: %s",
                            strcmp(schema, "ea") == 0 ? R->old.path : R->later.path, sqlite3_errmsg(R->db));
    int rc = RG_OK, step;
    int32_t k;
    while (rc == RG_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = rg__intern(codes, text(st, 0), 1, &k);
    sqlite3_finalize(st);
    return rc;
}

static int prepare(merger *M)
{
    rg_compare__run *R = M->R;
    char sql[sizeof merge_sql + 8];
    int rc = create_hc(R, &M->insert);
    /* The later edition's households are in a scratch database of their own (edition.c). */
    for (int side = 0; side < 2 && rc == RG_OK; side++) {
        sqlite3 *db = side ? R->db2 : R->db;
        snprintf(sql, sizeof sql, merge_sql, side ? "eb" : "ea");
        if (sqlite3_prepare_v2(db, sql, -1, side ? &M->b : &M->a, NULL) != SQLITE_OK)
            rc = rg_ctx_error(R->ctx, RG_ESQL, "compare: %s", sqlite3_errmsg(db));
        snprintf(sql, sizeof sql, ahead_sql, side ? "eb" : "ea");
        if (rc == RG_OK && sqlite3_prepare_v2(db, sql, -1, &M->ahead[side], NULL) != SQLITE_OK)
            rc = rg_ctx_error(R->ctx, RG_ESQL, "compare: %s", sqlite3_errmsg(db));
    }
    if (rc == RG_OK && sqlite3_prepare_v2(R->db, "INSERT INTO issues(edition, household_id, kind, detail)"
                                                 " VALUES(?, ?, ?, ?)", -1, &M->issue, NULL) != SQLITE_OK)
        rc = rg_ctx_error(R->ctx, RG_ESQL, "compare: %s", sqlite3_errmsg(R->db));
    if (rc == RG_OK)
        rc = load_codes(R, "ea", &M->kelurahan_a);
    return rc == RG_OK ? load_codes(R, "eb", &M->kelurahan_b) : rc;
}

int rg_compare__merge(rg_compare__run *R)
{
    merger M;
    memset(&M, 0, sizeof M);
    M.R = R;
    R->width = T_COUNTS + P_COUNTS * R->programme_count;
    int rc = prepare(&M);
    if (rc == RG_OK)
        rc = rg_compare__exec(R, "starting the match", "BEGIN");
    if (rc == RG_OK)
        rc = merge(&M);
    if (rc == RG_OK)
        rc = rg_compare__exec(R, "matching the households", "COMMIT");
    sqlite3_finalize(M.a);
    sqlite3_finalize(M.b);
    sqlite3_finalize(M.ahead[0]);
    sqlite3_finalize(M.ahead[1]);
    sqlite3_finalize(M.insert);
    sqlite3_finalize(M.issue);
    rg__intern_free(&M.kelurahan_a);
    rg__intern_free(&M.kelurahan_b);
    rg__buf_free(&M.text);
    return rc;
}
