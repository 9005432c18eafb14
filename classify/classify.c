/*
 * Classification runs as SQL inside the store: ranking, desil and summaries are
 * window functions and GROUP BYs that SQLite does well, and a person can re-run the
 * same SQL to check any number.
 */
#include "classify/classify.h"
#include "core/internal.h"

#include <stdio.h>
#include <string.h>

int rg__classify_rules_welfare(const rg_rules *r);
int rg__classify_rules_population(const rg_rules *r);

/* The population each desil is cut in: NULL groups are left without a desil. */
static const char *population_key(int population)
{
    switch (population) {
    case RG_POPULATION_KABKOTA:
        return "CASE WHEN instr(kecamatan_code, '.') > 0 THEN substr(kecamatan_code, 1, 5)"
               " ELSE substr(kecamatan_code, 1, 4) END";
    case RG_POPULATION_KECAMATAN: return "kecamatan_code";
    default: return "''";
    }
}

/* Method given: the class the input carries, as people type it. */
static rg_poverty_class decide_given(const char *value, const char **why)
{
    rg_poverty_class cls;
    if (rg_classify_class_parse(value, &cls) == RG_OK)
        return cls;
    *why = value ? "not a poverty class" : "no class given";
    return RG_CLASS_NONE;
}

/* Method threshold: per-capita spending against the poverty line of the household's kelurahan. */
static rg_poverty_class decide_threshold(const rg_rules *rules, const char *code, double welfare,
                                         rg_urban_rural type, const char **why)
{
    double line = rg_classify_rules_poverty_line(rules, code, type);
    if (line <= 0) {
        *why = code ? "no poverty line for the area in the rules" : "not in any kelurahan";
        return RG_CLASS_NONE;
    }
    double ratio = welfare / line;
    rg_poverty_class cls = RG_CLASS_TIDAK_MISKIN;
    for (int c = RG_CLASS_RENTAN_MISKIN; c >= RG_CLASS_SANGAT_MISKIN; c--)
        if (ratio < rg_classify_rules_cut(rules, (rg_poverty_class)c))
            cls = (rg_poverty_class)c;
    return cls;
}

/*
 * The decisions as SQL functions, so that classes, desil and ranks are one INSERT ...
 * SELECT: rg_given_class(value, why) and rg_threshold_class(code, welfare, urban_rural,
 * why) return the class's name, or with why = 1 the reason there is none (NULL when
 * there is a class).
 */
static void sql_given_class(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *why = NULL;
    rg_poverty_class cls = decide_given((const char *)sqlite3_value_text(argv[0]), &why);
    sqlite3_result_text(c, sqlite3_value_int(argv[1]) ? why : rg_classify_class_name(cls), -1, SQLITE_STATIC);
}

static void sql_threshold_class(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *why = NULL;
    rg_poverty_class cls = decide_threshold(sqlite3_user_data(c), (const char *)sqlite3_value_text(argv[0]),
                                            sqlite3_value_double(argv[1]),
                                            rg_geo_urban_rural_parse((const char *)sqlite3_value_text(argv[2])), &why);
    sqlite3_result_text(c, sqlite3_value_int(argv[3]) ? why : rg_classify_class_name(cls), -1, SQLITE_STATIC);
}

static int register_decisions(rg_store *store, const rg_rules *rules)
{
    sqlite3 *db = rg_io_store_db(store);
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    if (sqlite3_create_function(db, "rg_given_class", 2, flags, NULL, sql_given_class, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(db, "rg_threshold_class", 4, flags, (void *)rules, sql_threshold_class, NULL, NULL) !=
            SQLITE_OK)
        return rg_io_store_sql_error(store);
    return RG_OK;
}

/* The class of a ranked row, as SQL, for the method in force. */
static int class_sql(const rg_rules *rules, rg_buf *sql)
{
    switch (rg_classify_rules_method(rules)) {
    case RG_METHOD_GIVEN: return rg__buf_appendf(sql, "rg_given_class(given_class, 0)");
    case RG_METHOD_THRESHOLD:
        return rg__buf_appendf(sql, "CASE WHEN welfare IS NOT NULL THEN"
                                    " rg_threshold_class(kelurahan_code, welfare, urban_rural, 0) END");
    default: break;
    }
    int rc = rg__buf_appendf(sql, "CASE desil");
    for (int d = 1; d <= 10 && rc == RG_OK; d++)
        rc = rg__buf_appendf(sql, " WHEN %d THEN '%s'", d,
                             rg_classify_class_name(rg_classify_rules_desil_class(rules, d)));
    return rc == RG_OK ? rg__buf_appendf(sql, " END") : rc;
}

/*
 * Welfare, desil, rank and class of every household in one pass, appended in hh order.
 * Desil are computed whatever the method (the forum's lists show them): desil =
 * (households strictly poorer) x 10 / n + 1 within the population, so equal welfare shares
 * a desil. Ranks are inside the kelurahan, ties broken by household id, so the forum's
 * list is the same on every run.
 */
static int classes_sql(const rg_rules *rules, rg_buf *sql)
{
    const char *welfare = rg__classify_rules_welfare(rules) == RG_WELFARE_HOUSEHOLD
                              ? "r.spending"
                              : "CASE WHEN r.household_size > 0 THEN r.spending / r.household_size END";
    int rc = rg__buf_appendf(
        sql,
        "INSERT INTO household_classes(hh, welfare, desil, welfare_rank, poverty_class)"
        " WITH base AS (SELECT r.hh AS hh, r.household_id AS household_id, r.given_class AS given_class,"
        "  a.kelurahan_code AS kelurahan_code, a.kecamatan_code AS kecamatan_code, k.urban_rural AS urban_rural,"
        "  %s AS welfare"
        "  FROM household_records r JOIN household_areas a ON a.hh = r.hh"
        "  LEFT JOIN kelurahan k ON k.code = a.kelurahan_code),"
        " grouped AS (SELECT *, %s AS grp FROM base),"
        " ranked AS (SELECT hh, household_id, given_class, kelurahan_code, urban_rural, welfare,"
        "  CASE WHEN welfare IS NOT NULL AND grp IS NOT NULL THEN"
        "   (rank() OVER (PARTITION BY grp, welfare IS NULL ORDER BY welfare) - 1) * 10"
        "   / count(*) OVER (PARTITION BY grp, welfare IS NULL) + 1 END AS desil,"
        "  CASE WHEN welfare IS NOT NULL AND kelurahan_code IS NOT NULL THEN"
        "   row_number() OVER (PARTITION BY kelurahan_code, welfare IS NULL ORDER BY welfare, household_id) END"
        "   AS welfare_rank"
        "  FROM grouped)"
        " SELECT hh, welfare, desil, welfare_rank, ",
        welfare, population_key(rg__classify_rules_population(rules)));
    if (rc == RG_OK)
        rc = class_sql(rules, sql);
    return rc == RG_OK ? rg__buf_appendf(sql, " FROM ranked ORDER BY hh") : rc;
}

/* What could not be classified and why, for the methods that can fail on a household. */
static const char given_issues_sql[] =
    "INSERT INTO classify_issues(hh, household_id, source_line, value, message)"
    " SELECT r.hh, r.household_id, r.source_line, r.given_class, rg_given_class(r.given_class, 1)"
    " FROM household_classes c JOIN household_records r ON r.hh = c.hh WHERE c.poverty_class IS NULL";

static const char threshold_issues_sql[] =
    "INSERT INTO classify_issues(hh, household_id, source_line, value, message)"
    " SELECT r.hh, r.household_id, r.source_line, a.kelurahan_code,"
    "  rg_threshold_class(a.kelurahan_code, c.welfare, k.urban_rural, 1)"
    " FROM household_classes c JOIN household_records r ON r.hh = c.hh JOIN household_areas a ON a.hh = c.hh"
    " LEFT JOIN kelurahan k ON k.code = a.kelurahan_code WHERE c.poverty_class IS NULL AND c.welfare IS NOT NULL";

/* kecamatan rows sum their kelurahan rows, so the two layers always add up. */
static const char summary_sql[] =
    "INSERT INTO kelurahan_summary(code, households, sangat_miskin, miskin, rentan_miskin, tidak_miskin,"
    " unclassified)"
    " SELECT k.code, coalesce(s.households, 0), coalesce(s.sangat_miskin, 0), coalesce(s.miskin, 0),"
    "  coalesce(s.rentan_miskin, 0), coalesce(s.tidak_miskin, 0), coalesce(s.unclassified, 0)"
    " FROM kelurahan k LEFT JOIN (SELECT a.kelurahan_code AS code, count(*) AS households,"
    "  count(CASE WHEN c.poverty_class = 'sangat miskin' THEN 1 END) AS sangat_miskin,"
    "  count(CASE WHEN c.poverty_class = 'miskin' THEN 1 END) AS miskin,"
    "  count(CASE WHEN c.poverty_class = 'rentan miskin' THEN 1 END) AS rentan_miskin,"
    "  count(CASE WHEN c.poverty_class = 'tidak miskin' THEN 1 END) AS tidak_miskin,"
    "  count(*) - count(c.poverty_class) AS unclassified"
    "  FROM household_areas a JOIN household_classes c ON c.hh = a.hh WHERE a.kelurahan_code IS NOT NULL"
    "  GROUP BY a.kelurahan_code) s ON s.code = k.code;"
    "INSERT INTO kecamatan_summary(code, households, sangat_miskin, miskin, rentan_miskin, tidak_miskin,"
    " unclassified)"
    " SELECT c.code, coalesce(sum(s.households), 0), coalesce(sum(s.sangat_miskin), 0), coalesce(sum(s.miskin), 0),"
    "  coalesce(sum(s.rentan_miskin), 0), coalesce(sum(s.tidak_miskin), 0), coalesce(sum(s.unclassified), 0)"
    " FROM kecamatan c LEFT JOIN kelurahan k ON k.parent_code = c.code"
    " LEFT JOIN kelurahan_summary s ON s.code = k.code GROUP BY c.code;";

/* The report's counts, in one pass over the classes. */
static int count_classes(rg_store *store, rg_method method, rg_classify_report *r)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(store),
                           "SELECT count(*), total(c.poverty_class IS NULL), total(c.poverty_class = 'sangat miskin'),"
                           " total(c.poverty_class = 'miskin'), total(c.poverty_class = 'rentan miskin'),"
                           " total(c.poverty_class = 'tidak miskin'),"
                           " total(c.poverty_class IS NOT NULL AND a.kelurahan_code IS NULL),"
                           " (SELECT count(*) FROM classify_issues),"
                           " (SELECT total(sangat_miskin + miskin + rentan_miskin + tidak_miskin) FROM kelurahan_summary)"
                           " FROM household_classes c JOIN household_areas a ON a.hh = c.hh",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return rg_io_store_sql_error(store);
    }
    r->households = sqlite3_column_int64(st, 0);
    for (int c = 0; c <= RG_CLASS_TIDAK_MISKIN; c++)
        r->by_class[c] = sqlite3_column_int64(st, 1 + c);
    r->outside_kelurahan = sqlite3_column_int64(st, 6);
    int64_t issues = sqlite3_column_int64(st, 7), summed = sqlite3_column_int64(st, 8);
    sqlite3_finalize(st);
    r->unclassified = r->by_class[0];
    r->classified = r->households - r->unclassified;
    if (method == RG_METHOD_GIVEN)
        r->unreadable_classes = issues;
    else if (method == RG_METHOD_THRESHOLD)
        r->no_poverty_line = issues;
    /* The summaries must account for every classified household inside a kelurahan. */
    if (summed != r->classified - r->outside_kelurahan)
        return rg_ctx_error(rg_io_store_ctx(store), RG_EDATA,
                            "classify: accounting error: kelurahan summaries hold %lld classified"
                            " households, the households table %lld",
                            (long long)summed, (long long)(r->classified - r->outside_kelurahan));
    return RG_OK;
}

/* Everything classify writes, inside its step. */
static int classify_all(rg_store *store, const rg_rules *rules)
{
    rg_buf sql = {0};
    int rc = register_decisions(store, rules);
    if (rc == RG_OK)
        rc = classes_sql(rules, &sql);
    if (rc == RG_OK)
        rc = rg_io_store_exec(store, "classifying", sql.data);
    rg__buf_free(&sql);
    if (rc == RG_OK && rg_classify_rules_method(rules) == RG_METHOD_GIVEN)
        rc = rg_io_store_exec(store, "listing classify_issues", given_issues_sql);
    if (rc == RG_OK && rg_classify_rules_method(rules) == RG_METHOD_THRESHOLD)
        rc = rg_io_store_exec(store, "listing classify_issues", threshold_issues_sql);
    if (rc == RG_OK)
        rc = rg_io_store_exec(store, "summarising", summary_sql);
    return rc;
}

static const char *method_name(rg_method method)
{
    switch (method) {
    case RG_METHOD_GIVEN: return "method given";
    case RG_METHOD_THRESHOLD: return "method threshold";
    default: return "method desil";
    }
}

int rg_classify_run(rg_store *store, const rg_rules *rules, rg_classify_report *report)
{
    rg_classify_report r = {0};
    int rc = rg_io_store_step_require(store, RG_STEP_JOIN, "classify");
    if (rc == RG_OK && (rc = rg_io_store_step_begin(store, RG_STEP_CLASSIFY, RG_STEP_AFRESH, 0)) == RG_OK &&
        (rc = classify_all(store, rules)) == RG_OK && (rc = count_classes(store, rg_classify_rules_method(rules), &r)) == RG_OK)
        rc = rg_io_store_step_commit(store, method_name(rg_classify_rules_method(rules)));
    rg_io_store_step_end(store);
    if (report)
        *report = r;
    return rc;
}

int rg_classify_kabkota_totals(rg_store *store, rg_total_fn fn, void *userdata)
{
    sqlite3 *db = rg_io_store_db(store);
    sqlite3_stmt *st = NULL;
    int rc = rg_io_store_step_require(store, RG_STEP_CLASSIFY, "totals");
    if (rc != RG_OK)
        return rc;
    if (sqlite3_prepare_v2(db,
                           "SELECT coalesce(c.parent_code, '?'), sum(s.households), sum(s.sangat_miskin), sum(s.miskin),"
                           " sum(s.rentan_miskin), sum(s.tidak_miskin), sum(s.unclassified)"
                           " FROM kecamatan c JOIN kecamatan_summary s ON s.code = c.code"
                           " GROUP BY c.parent_code ORDER BY c.parent_code",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        rg_area_total t = {.code = (const char *)sqlite3_column_text(st, 0), .households = sqlite3_column_int64(st, 1)};
        for (int c = RG_CLASS_SANGAT_MISKIN; c <= RG_CLASS_TIDAK_MISKIN; c++)
            t.by_class[c] = sqlite3_column_int64(st, 1 + c);
        t.unclassified = sqlite3_column_int64(st, 6);
        fn(&t, userdata);
    }
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? RG_OK : rg_io_store_sql_error(store);
}
