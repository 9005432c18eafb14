/*
 * Welfare, desil, rank and class of every household, in passes over the store and
 * external sorts, so memory stays flat however many households there are:
 *
 *   1. the records in hh order, read once: each household's welfare, its population group
 *      and its kelurahan go into two sorts, one by (group, welfare), one by (kelurahan,
 *      welfare, household id); what the last pass needs of it (welfare, kelurahan, a class
 *      decided without desil, the forum's class, its flags) into a spool in hh order; what
 *      cannot be classified to classify_issues;
 *   2. each sort read in order gives the desil (households strictly poorer x 10 / n + 1:
 *      equal welfare shares a desil) and the rank (1 = poorest; ties by household id),
 *      which go into a third sort by position;
 *   3. the spool beside those answers: the class, appended to household_classes, and the
 *      counts of each kelurahan, written to kelurahan_summary.
 *
 * Under method given_desil the desil is the one read with the household (DTSEN's national
 * desil): pass 1 sorts by kelurahan on (desil, given rank) instead of welfare, and the sort
 * by group is left empty.
 *
 * SQL window functions did the same in 7 s for a million households, most of it sorting
 * the same rows three times inside one statement.
 */
#include "classify/classify.h"
#include "core/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rg__classify_rules_welfare(const rg_rules *r);
int rg__classify_rules_population(const rg_rules *r);

/* Records each sort holds before it writes a sorted run beside the database. */
#define SORT_CAP ((size_t)1 << 18)
/* A sort key packs a group or kelurahan index (20 bits) with the welfare's 64 ordered bits
 * and a tie-break of 43 bits into the sorter's 64-bit key and 63-bit id. */
#define GROUP_BITS 20
#define TIE_BITS 43

typedef struct {
    rg__sort_head head; /* key: group << 44 | welfare's high 44 bits; id: its low 20 bits << 43 | tie */
    int64_t position;   /* the household's place in hh order */
} ordered;

typedef struct {
    rg__sort_head head; /* key: position; id: 0 desil, 1 rank */
    int64_t value;
} answer;

/* What pass 3 needs of a household, kept from pass 1 in hh order. */
typedef struct {
    rg__sort_head head; /* key: position; id: hh */
    double welfare;     /* NaN: none */
    int32_t kelurahan;  /* interned index, -1: in none */
    int8_t decided;     /* a class decided without desil (given, threshold), or -1 */
    int8_t forum;       /* the forum's class, or -1 */
    int8_t given_desil; /* method given_desil: the desil read, or 0 */
    uint8_t has_point, code_mismatch;
} kept;

#define NOT_DECIDED (-1)

/* ------------------------------------------------------------ the passes */

/* Welfare's bits in an order that compares as the doubles do (no NaN here). */
static uint64_t ordered_bits(double d)
{
    uint64_t u;
    if (d == 0)
        d = 0; /* -0 is 0 */
    memcpy(&u, &d, sizeof u);
    return u >> 63 ? ~u : u | (uint64_t)1 << 63;
}

static ordered make_ordered(int32_t group, uint64_t w, int64_t tie, int64_t position)
{
    ordered o;
    memset(&o, 0, sizeof o); /* padding goes to disk with a spilled run */
    o.head.key = (uint64_t)group << (64 - GROUP_BITS) | w >> GROUP_BITS;
    o.head.id = (int64_t)((w & (((uint64_t)1 << GROUP_BITS) - 1)) << TIE_BITS | (uint64_t)tie);
    o.position = position;
    return o;
}

static int32_t group_of(const ordered *o) { return (int32_t)(o->head.key >> (64 - GROUP_BITS)); }
static uint64_t welfare_of(const ordered *o)
{
    return o->head.key << GROUP_BITS | (uint64_t)o->head.id >> TIE_BITS;
}

/* What kelurahan_summary counts of each kelurahan, after the four classes (1..4). */
enum {
    COUNT_HOUSEHOLDS = 0, COUNT_UNCLASSIFIED = 5, COUNT_WITH_POINT, COUNT_WITHOUT_POINT, COUNT_CODE_MISMATCHES,
    COUNT_DESIL_1, COUNTS = COUNT_DESIL_1 + 10
};
_Static_assert(COUNTS == RG_IO_SUMMARY_COUNT, "kelurahan_summary's counts, in RG_IO_SUMMARY_COLUMNS order");

typedef struct {
    rg_store *store;
    rg_ctx *ctx;
    const rg_rules *rules;
    rg_classify_report *report;
    rg__sorter *ids, *by_group, *by_kelurahan, *answers, *spool;
    rg__interned groups, kelurahan;
    char last_kelurahan[32]; /* the code interned last, and its index: field files come area by area */
    int32_t last_index;
    int64_t *group_size;
    size_t group_cap;
    int64_t households, issues, unreadable_ranks;
    int64_t (*counts)[COUNTS]; /* each kelurahan's, by COUNT_* and class */
    int has_decisions;         /* the forums decided classes: the last pass counts them */
} ranker;

/* The population a household's desil is cut in, as text; NULL: none (no desil). */
static const char *population_of(const ranker *R, const char *kecamatan, char *buf, size_t cap)
{
    switch (rg__classify_rules_population(R->rules)) {
    case RG_POPULATION_KECAMATAN: return kecamatan;
    case RG_POPULATION_KABKOTA:
        if (!kecamatan)
            return NULL;
        snprintf(buf, cap, "%.*s", strchr(kecamatan, '.') ? 5 : 4, kecamatan);
        return buf;
    default: return "";
    }
}

/* The kelurahan's urban or rural type is looked up for the threshold method only. */
static const char households_sql[] =
    "SELECT r.hh, r.household_id, r.source_line, a.kelurahan_code, a.kecamatan_code, %s, r.given_class,"
    " %s, r.geom IS NOT NULL, a.code_mismatch, %s, r.given_desil, r.given_rank"
    " FROM household_records r JOIN household_areas a ON a.hh = r.hh%s ORDER BY r.hh";
enum {
    COL_HH, COL_ID, COL_LINE, COL_KELURAHAN, COL_KECAMATAN, COL_WELFARE, COL_GIVEN, COL_URBAN_RURAL,
    COL_HAS_POINT, COL_CODE_MISMATCH, COL_FORUM_CLASS, COL_DESIL, COL_RANK
};


/* A lookup of the forum's decisions per household cost a fifth of classify: it is made only
 * when there are some. */
static const char forum_class[] = RG_IO_FORUM_CLASS_IN_FORCE;

static int prepare_households(ranker *R, sqlite3_stmt **st)
{
    int threshold = rg_classify_rules_method(R->rules) == RG_METHOD_THRESHOLD;
    char sql[sizeof households_sql + sizeof forum_class + 256];
    /* A given desil is the household's standing: no welfare is measured. */
    snprintf(sql, sizeof sql, households_sql,
             rg_classify_rules_method(R->rules) == RG_METHOD_GIVEN_DESIL           ? "NULL"
             : rg__classify_rules_welfare(R->rules) == RG_WELFARE_HOUSEHOLD ? "r.spending"
                 : "CASE WHEN r.household_size > 0 THEN r.spending / r.household_size END",
             threshold ? "k.urban_rural" : "NULL", R->has_decisions ? forum_class : "NULL",
             threshold ? " LEFT JOIN kelurahan k ON k.code = a.kelurahan_code" : "");
    return sqlite3_prepare_v2(rg_io_store_db(R->store), sql, -1, st, NULL) == SQLITE_OK
               ? RG_OK
               : rg_io_store_sql_error(R->store);
}

/* The kelurahan's index, added when new. */
static int kelurahan_index(ranker *R, const char *code, int32_t *out)
{
    if (R->last_index >= 0 && strcmp(code, R->last_kelurahan) == 0) {
        *out = R->last_index;
        return RG_OK;
    }
    int rc = rg__intern(&R->kelurahan, code, 1, out);
    if (rc == RG_OK && strlen(code) < sizeof R->last_kelurahan) {
        strcpy(R->last_kelurahan, code);
        R->last_index = *out;
    }
    return rc;
}

/* Household ids in their own order, from the UNIQUE index, sorted back to hh order: the
 * tie-break of equal welfare, as a number. */
static int rank_ids(ranker *R)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(R->store), "SELECT hh FROM household_records ORDER BY household_id", -1,
                           &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(R->store);
    int rc = RG_OK, step;
    for (int64_t rank = 0; rc == RG_OK && (step = sqlite3_step(st)) == SQLITE_ROW; rank++) {
        rg__sort_head h = {(uint64_t)sqlite3_column_int64(st, 0), rank};
        rc = rg__sorter_add(R->ids, &h);
    }
    if (rc == RG_OK && step != SQLITE_DONE)
        rc = rg_io_store_sql_error(R->store);
    sqlite3_finalize(st);
    return rc == RG_OK ? rg__sorter_finish(R->ids) : rc;
}

static int count_in_group(ranker *R, int32_t g)
{
    if ((size_t)g >= R->group_cap) {
        size_t cap = R->group_cap ? R->group_cap * 2 : 1024;
        while (cap <= (size_t)g)
            cap *= 2;
        int64_t *grown = rg_realloc(R->group_size, cap * sizeof *grown);
        if (!grown)
            return RG_ENOMEM;
        memset(grown + R->group_cap, 0, (cap - R->group_cap) * sizeof *grown);
        R->group_size = grown;
        R->group_cap = cap;
    }
    R->group_size[g]++;
    return RG_OK;
}

/* Method given_desil: the household's desil as read; 0 when it has none that reads, or under
 * another method. Read once a household, for its class, its rank and its counts. */
static int given_desil(const ranker *R, sqlite3_stmt *st)
{
    int d = 0;
    if (rg_classify_rules_method(R->rules) == RG_METHOD_GIVEN_DESIL)
        rg_classify_desil_parse((const char *)sqlite3_column_text(st, COL_DESIL), &d);
    return d;
}

/* The class of a household under a method that needs no desil of its own ranking (given,
 * given_desil with the desil read, threshold), or NOT_DECIDED; why says what
 * classify_issues records when there is none (NULL: nothing). */
static int decide_early(const ranker *R, sqlite3_stmt *st, int given, const char **why)
{
    *why = NULL;
    switch (rg_classify_rules_method(R->rules)) {
    case RG_METHOD_GIVEN: {
        const char *value = (const char *)sqlite3_column_text(st, COL_GIVEN);
        rg_poverty_class cls;
        if (rg_classify_class_parse(value, &cls) == RG_OK)
            return cls;
        *why = value ? "not a poverty class" : "no class given";
        return RG_CLASS_NONE;
    }
    case RG_METHOD_GIVEN_DESIL:
        if (given)
            return rg_classify_rules_desil_class(R->rules, given);
        *why = sqlite3_column_type(st, COL_DESIL) != SQLITE_NULL ? "not a desil (1 to 10, as 3 or Desil 3)"
                                                                  : "no desil given";
        return RG_CLASS_NONE;
    case RG_METHOD_THRESHOLD: {
        if (sqlite3_column_type(st, COL_WELFARE) == SQLITE_NULL)
            return RG_CLASS_NONE;
        const char *code = (const char *)sqlite3_column_text(st, COL_KELURAHAN);
        rg_urban_rural type = rg_geo_urban_rural_parse((const char *)sqlite3_column_text(st, COL_URBAN_RURAL));
        double line = rg_classify_rules_poverty_line(R->rules, code, type);
        if (line <= 0) {
            *why = code ? "no poverty line for the area in the rules" : "not in any kelurahan";
            return RG_CLASS_NONE;
        }
        double ratio = sqlite3_column_double(st, COL_WELFARE) / line;
        rg_poverty_class cls = RG_CLASS_TIDAK_MISKIN;
        for (int c = RG_CLASS_RENTAN_MISKIN; c >= RG_CLASS_SANGAT_MISKIN; c--)
            if (ratio < rg_classify_rules_cut(R->rules, (rg_poverty_class)c))
                cls = (rg_poverty_class)c;
        return cls;
    }
    default: return NOT_DECIDED;
    }
}

static int record_issue_of(ranker *R, sqlite3_stmt *issue, sqlite3_stmt *row, int value_column, const char *why)
{
    sqlite3_reset(issue);
    sqlite3_bind_value(issue, 1, sqlite3_column_value(row, COL_HH));
    sqlite3_bind_value(issue, 2, sqlite3_column_value(row, COL_ID));
    sqlite3_bind_value(issue, 3, sqlite3_column_value(row, COL_LINE));
    sqlite3_bind_value(issue, 4, sqlite3_column_value(row, value_column));
    sqlite3_bind_text(issue, 5, why, -1, SQLITE_STATIC);
    return sqlite3_step(issue) == SQLITE_DONE ? RG_OK : rg_io_store_sql_error(R->store);
}

/* Why the household could not be classified, with the value the method read. */
static int record_issue(ranker *R, sqlite3_stmt *issue, sqlite3_stmt *row, const char *why)
{
    rg_method method = rg_classify_rules_method(R->rules);
    R->issues++;
    return record_issue_of(R, issue, row,
                           method == RG_METHOD_GIVEN         ? COL_GIVEN
                           : method == RG_METHOD_GIVEN_DESIL ? COL_DESIL
                                                             : COL_KELURAHAN,
                           why);
}

/* A household with a welfare into the sorts that give its desil and its rank. */
static int sort_welfare(ranker *R, sqlite3_stmt *st, int32_t k, int64_t tie, int64_t position)
{
    uint64_t w = ordered_bits(sqlite3_column_double(st, COL_WELFARE));
    char buf[16];
    const char *group = population_of(R, (const char *)sqlite3_column_text(st, COL_KECAMATAN), buf, sizeof buf);
    int32_t g = -1;
    int rc = RG_OK;
    if (group && (rc = rg__intern(&R->groups, group, 1, &g)) == RG_OK && (rc = count_in_group(R, g)) == RG_OK) {
        ordered o = make_ordered(g, w, 0, position);
        rc = rg__sorter_add(R->by_group, &o);
    }
    if (rc == RG_OK && k >= 0) {
        ordered o = make_ordered(k, w, tie, position);
        rc = rg__sorter_add(R->by_kelurahan, &o);
    }
    if (rc == RG_OK && (R->groups.count > ((size_t)1 << GROUP_BITS) || R->kelurahan.count > ((size_t)1 << GROUP_BITS)))
        rc = rg_ctx_error(R->ctx, RG_EDATA, "classify: more than %d populations or kelurahan", 1 << GROUP_BITS);
    return rc;
}

/* Ranks inside a kelurahan under a given desil: by desil, then the given national rank (a
 * household without a readable one after those with), then id. */
#define RANK_UNKNOWN ((double)((int64_t)1 << 39))

static int sort_given(ranker *R, sqlite3_stmt *st, sqlite3_stmt *issue, int32_t k, int64_t tie, int64_t position,
                      int desil)
{
    double rank = RANK_UNKNOWN;
    const char *text = (const char *)sqlite3_column_text(st, COL_RANK);
    char *end = NULL;
    double v = text ? strtod(text, &end) : NAN;
    int rc = RG_OK;
    if (text && end != text && !*end && v >= 0 && v < RANK_UNKNOWN) {
        rank = v;
    } else if (text && *text) {
        R->unreadable_ranks++;
        rc = record_issue_of(R, issue, st, COL_RANK, "rank (peringkat) not a number: ranked after the ranked"
                                                     " households of its desil");
    }
    if (rc != RG_OK || k < 0)
        return rc;
    ordered o = make_ordered(k, ordered_bits((double)desil * 2 * RANK_UNKNOWN + rank), tie, position);
    return rg__sorter_add(R->by_kelurahan, &o);
}

/* What pass 3 keeps of a household, and its issue if it has one. */
static int keep_household(ranker *R, sqlite3_stmt *st, sqlite3_stmt *issue, int32_t k, int64_t position,
                          int given)
{
    kept keep;
    memset(&keep, 0, sizeof keep); /* padding goes to disk with a spilled run */
    keep.head = (rg__sort_head){(uint64_t)position, sqlite3_column_int64(st, COL_HH)};
    keep.welfare = sqlite3_column_type(st, COL_WELFARE) == SQLITE_NULL ? NAN : sqlite3_column_double(st, COL_WELFARE);
    keep.kelurahan = k;
    keep.has_point = (uint8_t)sqlite3_column_int(st, COL_HAS_POINT);
    keep.code_mismatch = sqlite3_column_int(st, COL_CODE_MISMATCH) == 1;
    const char *why = NULL;
    keep.decided = (int8_t)decide_early(R, st, given, &why);
    keep.given_desil = (int8_t)given;
    rg_poverty_class forum;
    const char *decided = (const char *)sqlite3_column_text(st, COL_FORUM_CLASS);
    keep.forum = decided && rg_classify_class_parse(decided, &forum) == RG_OK ? (int8_t)forum : -1;
    int rc = why ? record_issue(R, issue, st, why) : RG_OK;
    return rc == RG_OK ? rg__sorter_add(R->spool, &keep) : rc;
}

/* Pass 1: the records, once. */
static int gather(ranker *R)
{
    sqlite3_stmt *st = NULL, *issue = NULL;
    int rc = prepare_households(R, &st), step;
    if (rc == RG_OK && sqlite3_prepare_v2(rg_io_store_db(R->store),
                                          "INSERT INTO classify_issues(hh, household_id, source_line, value, message)"
                                          " VALUES(?, ?, ?, ?, ?)",
                                          -1, &issue, NULL) != SQLITE_OK)
        rc = rg_io_store_sql_error(R->store);
    int64_t position = 0;
    while (rc == RG_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        rg__sort_head id;
        int got = rg__sorter_next(R->ids, &id);
        if (got != 1 || id.key != (uint64_t)sqlite3_column_int64(st, COL_HH)) {
            rc = got < 0 ? got : rg_ctx_error(R->ctx, RG_EDATA, "classify: households changed while being read");
            break;
        }
        /* Every kelurahan gets its index, for the counts of pass 3. */
        const char *kel = (const char *)sqlite3_column_text(st, COL_KELURAHAN);
        int32_t k = -1;
        if (kel)
            rc = kelurahan_index(R, kel, &k);
        int given = given_desil(R, st);
        if (rc == RG_OK && sqlite3_column_type(st, COL_WELFARE) != SQLITE_NULL)
            rc = sort_welfare(R, st, k, id.id, position);
        else if (rc == RG_OK && given)
            rc = sort_given(R, st, issue, k, id.id, position, given);
        if (rc == RG_OK)
            rc = keep_household(R, st, issue, k, position, given);
        position++;
    }
    if (rc == RG_OK && step != SQLITE_DONE)
        rc = rg_io_store_sql_error(R->store);
    sqlite3_finalize(st);
    sqlite3_finalize(issue);
    R->households = position;
    if (rc == RG_OK && (rc = rg__sorter_finish(R->by_group)) == RG_OK && (rc = rg__sorter_finish(R->by_kelurahan)) == RG_OK)
        rc = rg__sorter_finish(R->spool);
    return rc;
}

/* Pass 2: desil from the sort by group, ranks from the sort by kelurahan. */
static int answer_desil_and_ranks(ranker *R)
{
    ordered o;
    int got, rc = RG_OK;
    int32_t group = -1;
    int64_t i = 0, below = 0;
    uint64_t previous = 0;
    while (rc == RG_OK && (got = rg__sorter_next(R->by_group, &o)) == 1) {
        if (group_of(&o) != group) {
            group = group_of(&o);
            i = below = 0;
        } else if (welfare_of(&o) != previous) {
            below = i;
        }
        previous = welfare_of(&o);
        i++;
        answer a = {{(uint64_t)o.position, 0}, below * 10 / R->group_size[group] + 1};
        rc = rg__sorter_add(R->answers, &a);
    }
    if (rc == RG_OK && got < 0)
        rc = got;
    int32_t kelurahan = -1;
    int64_t rank = 0;
    while (rc == RG_OK && (got = rg__sorter_next(R->by_kelurahan, &o)) == 1) {
        if (group_of(&o) != kelurahan) {
            kelurahan = group_of(&o);
            rank = 0;
        }
        answer a = {{(uint64_t)o.position, 1}, ++rank};
        rc = rg__sorter_add(R->answers, &a);
    }
    if (rc == RG_OK && got < 0)
        rc = got;
    return rc == RG_OK ? rg__sorter_finish(R->answers) : rc;
}

/* household_classes is appended this many rows a statement. */
#define INSERT_ROWS 128
#define INSERT_COLUMNS 5

static int prepare_insert(ranker *R, int rows, sqlite3_stmt **st)
{
    rg_buf sql = {0};
    int rc = rg__buf_appendf(&sql, "INSERT INTO household_classes(hh, welfare, desil, welfare_rank, poverty_class) VALUES");
    for (int i = 0; i < rows && rc == RG_OK; i++)
        rc = rg__buf_appendf(&sql, "%s(?, ?, ?, ?, ?)", i ? ", " : "");
    if (rc == RG_OK && sqlite3_prepare_v2(rg_io_store_db(R->store), sql.data, -1, st, NULL) != SQLITE_OK)
        rc = rg_io_store_sql_error(R->store);
    rg__buf_free(&sql);
    return rc;
}

static void bind_or_null(sqlite3_stmt *st, int i, int64_t v)
{
    if (v > 0)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

/* One household's row into the statement's row `row`. */
static void bind_class(sqlite3_stmt *st, int row, const kept *k, const int64_t found[2], rg_poverty_class cls)
{
    int at = row * INSERT_COLUMNS;
    sqlite3_bind_int64(st, at + 1, k->head.id);
    if (isnan(k->welfare))
        sqlite3_bind_null(st, at + 2);
    else
        sqlite3_bind_double(st, at + 2, k->welfare);
    bind_or_null(st, at + 3, found[0]);
    bind_or_null(st, at + 4, found[1]);
    sqlite3_bind_text(st, at + 5, rg_classify_class_name(cls), -1, SQLITE_STATIC);
}

/* A household's class in the report and in its kelurahan's counts (the class after the
 * forum, where it decided one). */
static void count_household(ranker *R, const kept *k, rg_poverty_class cls, int64_t desil)
{
    R->report->households++;
    R->report->by_class[cls]++;
    if (cls != RG_CLASS_NONE && k->kelurahan < 0)
        R->report->outside_kelurahan++;
    if (k->kelurahan < 0)
        return;
    int64_t *c = R->counts[k->kelurahan];
    rg_poverty_class final = k->forum >= 0 ? (rg_poverty_class)k->forum : cls;
    c[COUNT_HOUSEHOLDS]++;
    c[final == RG_CLASS_NONE ? COUNT_UNCLASSIFIED : (int)final]++;
    c[k->has_point ? COUNT_WITH_POINT : COUNT_WITHOUT_POINT]++;
    c[COUNT_CODE_MISMATCHES] += k->code_mismatch;
    if (desil >= 1 && desil <= 10)
        c[COUNT_DESIL_1 + desil - 1]++;
}

typedef struct {
    kept k;
    int64_t found[2]; /* desil, rank; 0: none */
    rg_poverty_class cls;
} class_row;

/* Appends rows[0 .. n): in one statement when they fill one, else one by one. */
static int append_classes(ranker *R, sqlite3_stmt *many, sqlite3_stmt *one, const class_row *rows, int n)
{
    sqlite3_stmt *st = n == INSERT_ROWS ? many : one;
    for (int i = 0; i < n; i += st == many ? INSERT_ROWS : 1) {
        for (int j = 0; j < (st == many ? INSERT_ROWS : 1); j++)
            bind_class(st, j, &rows[i + j].k, rows[i + j].found, rows[i + j].cls);
        int done = sqlite3_step(st) == SQLITE_DONE;
        sqlite3_reset(st);
        if (!done)
            return rg_io_store_sql_error(R->store);
    }
    return RG_OK;
}

/* Pass 3: each household's row of household_classes, in hh order, from the spool and the
 * answers. */
static int write_classes(ranker *R)
{
    sqlite3_stmt *many = NULL, *one = NULL;
    class_row rows[INSERT_ROWS];
    int rc = prepare_insert(R, INSERT_ROWS, &many), n = 0;
    if (rc == RG_OK)
        rc = prepare_insert(R, 1, &one);
    if (rc == RG_OK && !(R->counts = rg_calloc(R->kelurahan.count ? R->kelurahan.count : 1, sizeof *R->counts)))
        rc = RG_ENOMEM;
    answer a;
    int got = rc == RG_OK ? rg__sorter_next(R->answers, &a) : 0, got_kept = 0;
    while (rc == RG_OK && (got_kept = rg__sorter_next(R->spool, &rows[n].k)) == 1) {
        class_row *row = &rows[n];
        row->found[0] = row->found[1] = 0;
        for (; got == 1 && a.head.key == row->k.head.key; got = rg__sorter_next(R->answers, &a))
            row->found[a.head.id] = a.value;
        if (got < 0) {
            rc = got;
            break;
        }
        if (row->k.given_desil > 0)
            row->found[0] = row->k.given_desil;
        int64_t desil = row->found[0];
        row->cls = row->k.decided != NOT_DECIDED ? (rg_poverty_class)row->k.decided
                   : desil >= 1 && desil <= 10   ? rg_classify_rules_desil_class(R->rules, (int)desil)
                                                 : RG_CLASS_NONE;
        count_household(R, &row->k, row->cls, desil);
        if (++n == INSERT_ROWS) {
            rc = append_classes(R, many, one, rows, n);
            n = 0;
        }
    }
    if (rc == RG_OK && got_kept < 0)
        rc = got_kept;
    if (rc == RG_OK)
        rc = append_classes(R, many, one, rows, n);
    sqlite3_finalize(many);
    sqlite3_finalize(one);
    return rc;
}

/* Every kelurahan of the boundaries, with the counts pass 3 made (zeros where no household is). */
static int write_summary(ranker *R)
{
    sqlite3 *db = rg_io_store_db(R->store);
    sqlite3_stmt *read = NULL, *insert = NULL;
    int rc = RG_OK, step;
    if (sqlite3_prepare_v2(db, "SELECT code FROM kelurahan ORDER BY code", -1, &read, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO kelurahan_summary(code, " RG_IO_SUMMARY_COLUMNS ")"
                           " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           -1, &insert, NULL) != SQLITE_OK)
        rc = rg_io_store_sql_error(R->store);
    while (rc == RG_OK && (step = sqlite3_step(read)) == SQLITE_ROW) {
        int32_t k = -1;
        const char *code = (const char *)sqlite3_column_text(read, 0);
        if ((rc = rg__intern(&R->kelurahan, code, 0, &k)) != RG_OK)
            break;
        static const int64_t none[COUNTS] = {0};
        const int64_t *c = k >= 0 ? R->counts[k] : none;
        sqlite3_reset(insert);
        sqlite3_bind_text(insert, 1, code, -1, SQLITE_STATIC);
        for (int i = 0; i < COUNTS; i++)
            sqlite3_bind_int64(insert, 2 + i, c[i]);
        if (sqlite3_step(insert) != SQLITE_DONE)
            rc = rg_io_store_sql_error(R->store);
    }
    if (rc == RG_OK && step != SQLITE_DONE)
        rc = rg_io_store_sql_error(R->store);
    sqlite3_finalize(read);
    sqlite3_finalize(insert);
    return rc;
}

int rg__classify_households(rg_store *store, const rg_rules *rules, int has_decisions, rg_classify_report *report)
{
    ranker R = {.store = store, .ctx = rg_io_store_ctx(store), .rules = rules, .report = report,
                .has_decisions = has_decisions, .last_index = -1};
    const char *near = rg_io_store_path(store);
    int rc = rg__sorter_new(&R.ids, R.ctx, near, "classify", sizeof(rg__sort_head), SORT_CAP);
    if (rc == RG_OK)
        rc = rg__sorter_new(&R.by_group, R.ctx, near, "classify", sizeof(ordered), SORT_CAP);
    if (rc == RG_OK)
        rc = rg__sorter_new(&R.by_kelurahan, R.ctx, near, "classify", sizeof(ordered), SORT_CAP);
    if (rc == RG_OK)
        rc = rg__sorter_new(&R.answers, R.ctx, near, "classify", sizeof(answer), SORT_CAP);
    if (rc == RG_OK)
        rc = rg__sorter_new(&R.spool, R.ctx, near, "classify", sizeof(kept), SORT_CAP);
    double started = rg__seconds_now();
    if (rc == RG_OK)
        rc = rank_ids(&R);
    if (rc == RG_OK)
        rc = gather(&R);
    if (rc == RG_OK)
        rg_ctx_notice(R.ctx, RG_NOTICE_DETAIL, "households read and sorted in %.2f s", rg__seconds_now() - started);
    if (rc == RG_OK)
        rc = answer_desil_and_ranks(&R);
    if (rc == RG_OK)
        rc = write_classes(&R);
    if (rc == RG_OK)
        rc = write_summary(&R);
    if (rc == RG_OK)
        rg_ctx_notice(R.ctx, RG_NOTICE_DETAIL, "desil, ranks and classes written in %.2f s", rg__seconds_now() - started);
    report->unclassified = report->by_class[RG_CLASS_NONE];
    report->classified = report->households - report->unclassified;
    if (rg_classify_rules_method(rules) == RG_METHOD_GIVEN)
        report->unreadable_classes = R.issues;
    else if (rg_classify_rules_method(rules) == RG_METHOD_GIVEN_DESIL)
        report->unreadable_desil = R.issues;
    else if (rg_classify_rules_method(rules) == RG_METHOD_THRESHOLD)
        report->no_poverty_line = R.issues;
    report->unreadable_ranks = R.unreadable_ranks;
    rg__sorter_free(R.ids);
    rg__sorter_free(R.by_group);
    rg__sorter_free(R.by_kelurahan);
    rg__sorter_free(R.answers);
    rg__sorter_free(R.spool);
    rg__intern_free(&R.groups);
    rg__intern_free(&R.kelurahan);
    rg_free(R.group_size);
    rg_free(R.counts);
    return rc;
}
