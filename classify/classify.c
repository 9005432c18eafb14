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

/* The population each desil is cut in: NULL groups are left unclassified. */
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

static int classify_by_desil(rg_store *store, const rg_rules *rules)
{
    char sql[2048];
    snprintf(sql, sizeof sql,
             "WITH pop AS (SELECT hh, welfare, %s AS grp FROM households WHERE welfare IS NOT NULL),"
             " ranked AS (SELECT hh, rank() OVER (PARTITION BY grp ORDER BY welfare) - 1 AS below,"
             "  count(*) OVER (PARTITION BY grp) AS n FROM pop WHERE grp IS NOT NULL)"
             " UPDATE households SET desil = ranked.below * 10 / ranked.n + 1"
             " FROM ranked WHERE ranked.hh = households.hh",
             population_key(rg__classify_rules_population(rules)));
    int rc = rg_io_store_exec(store, "computing desil", sql);
    if (rc != RG_OK || rg_classify_rules_method(rules) != RG_METHOD_DESIL)
        return rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(store), "UPDATE households SET poverty_class = ? WHERE desil = ?", -1,
                           &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    for (int d = 1; d <= 10 && rc == RG_OK; d++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, rg_classify_class_name(rg_classify_rules_desil_class(rules, d)), -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, d);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = rg_io_store_sql_error(store);
    }
    sqlite3_finalize(st);
    return rc;
}

/*
 * Decides one household's class from its row (hh, household_id, source_line, value, ...):
 * a class, or RG_CLASS_NONE with *why saying what classify_issues should record.
 */
typedef rg_poverty_class (*decide_fn)(sqlite3_stmt *row, const rg_rules *rules, const char **why);

/* Classifies the rows select_sql returns, one at a time; what cannot be decided is listed
 * in classify_issues with the household, its input line and the value, and counted. */
static int classify_rows(rg_store *store, const char *select_sql, decide_fn decide, const rg_rules *rules,
                         int64_t *issues)
{
    sqlite3 *db = rg_io_store_db(store);
    sqlite3_stmt *read = NULL, *write = NULL, *issue = NULL;
    int rc = rg_io_store_exec(store, "creating classify_issues",
                              "CREATE TABLE classify_issues(hh INTEGER, household_id TEXT, source_line INTEGER,"
                              " value TEXT, message TEXT)");
    if (rc != RG_OK)
        return rc;
    if (sqlite3_prepare_v2(db, select_sql, -1, &read, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "UPDATE households SET poverty_class = ? WHERE hh = ?", -1, &write, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO classify_issues VALUES(?, ?, ?, ?, ?)", -1, &issue, NULL) != SQLITE_OK) {
        rc = rg_io_store_sql_error(store);
        goto done;
    }
    int step;
    while ((step = sqlite3_step(read)) == SQLITE_ROW) {
        const char *why = NULL;
        rg_poverty_class cls = decide(read, rules, &why);
        sqlite3_stmt *st = cls != RG_CLASS_NONE ? write : issue;
        sqlite3_reset(st);
        if (cls != RG_CLASS_NONE) {
            sqlite3_bind_text(write, 1, rg_classify_class_name(cls), -1, SQLITE_STATIC);
            sqlite3_bind_int64(write, 2, sqlite3_column_int64(read, 0));
        } else {
            (*issues)++;
            for (int i = 0; i < 4; i++)
                sqlite3_bind_value(issue, i + 1, sqlite3_column_value(read, i));
            sqlite3_bind_text(issue, 5, why, -1, SQLITE_STATIC);
        }
        if (sqlite3_step(st) != SQLITE_DONE) {
            rc = rg_io_store_sql_error(store);
            goto done;
        }
    }
    if (step != SQLITE_DONE)
        rc = rg_io_store_sql_error(store);

done:
    sqlite3_finalize(read);
    sqlite3_finalize(write);
    sqlite3_finalize(issue);
    return rc;
}

/* Method given: the class the input carries, as people type it. */
static rg_poverty_class decide_given(sqlite3_stmt *row, const rg_rules *rules, const char **why)
{
    (void)rules;
    const char *value = (const char *)sqlite3_column_text(row, 3);
    rg_poverty_class cls;
    if (rg_classify_class_parse(value, &cls) == RG_OK)
        return cls;
    *why = value ? "not a poverty class" : "no class given";
    return RG_CLASS_NONE;
}

/* Method threshold: per-capita spending against the poverty line of the household's kelurahan. */
static rg_poverty_class decide_threshold(sqlite3_stmt *row, const rg_rules *rules, const char **why)
{
    const char *code = (const char *)sqlite3_column_text(row, 3);
    rg_urban_rural type = rg_geo_urban_rural_parse((const char *)sqlite3_column_text(row, 5));
    double line = rg_classify_rules_poverty_line(rules, code, type);
    if (line <= 0) {
        *why = code ? "no poverty line for the area in the rules" : "not in any kelurahan";
        return RG_CLASS_NONE;
    }
    double ratio = sqlite3_column_double(row, 4) / line;
    rg_poverty_class cls = RG_CLASS_TIDAK_MISKIN;
    for (int c = RG_CLASS_RENTAN_MISKIN; c >= RG_CLASS_SANGAT_MISKIN; c--)
        if (ratio < rg_classify_rules_cut(rules, (rg_poverty_class)c))
            cls = (rg_poverty_class)c;
    return cls;
}

/* kecamatan rows sum their kelurahan rows, so the two layers always add up. */
static const char summary_sql[] =
    "CREATE TABLE kelurahan_summary AS"
    " SELECT k.code AS code, count(h.hh) AS households,"
    "  count(CASE WHEN h.poverty_class = 'sangat miskin' THEN 1 END) AS sangat_miskin,"
    "  count(CASE WHEN h.poverty_class = 'miskin' THEN 1 END) AS miskin,"
    "  count(CASE WHEN h.poverty_class = 'rentan miskin' THEN 1 END) AS rentan_miskin,"
    "  count(CASE WHEN h.poverty_class = 'tidak miskin' THEN 1 END) AS tidak_miskin,"
    "  count(h.hh) - count(h.poverty_class) AS unclassified"
    " FROM kelurahan k LEFT JOIN households h ON h.kelurahan_code = k.code GROUP BY k.code;"
    "CREATE TABLE kecamatan_summary AS"
    " SELECT c.code AS code, coalesce(sum(s.households), 0) AS households,"
    "  coalesce(sum(s.sangat_miskin), 0) AS sangat_miskin, coalesce(sum(s.miskin), 0) AS miskin,"
    "  coalesce(sum(s.rentan_miskin), 0) AS rentan_miskin, coalesce(sum(s.tidak_miskin), 0) AS tidak_miskin,"
    "  coalesce(sum(s.unclassified), 0) AS unclassified"
    " FROM kecamatan c LEFT JOIN kelurahan k ON k.parent_code = c.code"
    " LEFT JOIN kelurahan_summary s ON s.code = k.code GROUP BY c.code;";

static int count_into(rg_store *store, const char *sql, int64_t *out)
{
    return rg_io_store_count(store, sql, out);
}

int rg_classify_run(rg_store *store, const rg_rules *rules, rg_classify_report *report)
{
    rg_ctx *ctx = rg_io_store_ctx(store);
    rg_classify_report r = {0};
    int rc;
    int64_t joined = 0;
    int in_transaction = 0;
    char *triggers = NULL;

    if ((rc = rg_io_store_count(store, "SELECT count(*) FROM households WHERE join_method IS NOT NULL", &joined)) !=
        RG_OK)
        goto done;
    if (joined == 0) {
        rc = rg_ctx_error(ctx, RG_EDATA, "%s: no joined households: run `regsosek-geo join BOUNDARIES` first",
                          rg_io_store_path(store));
        goto done;
    }
    if ((rc = rg_io_store_exec(store, "starting classify", "BEGIN IMMEDIATE")) != RG_OK)
        goto done;
    in_transaction = 1;
    if ((rc = rg_io_store_drop_row_triggers(store, RG_ROW_TRIGGERS_UPDATE, &triggers)) != RG_OK)
        goto done;
    const char *welfare = rg__classify_rules_welfare(rules) == RG_WELFARE_HOUSEHOLD
                              ? "UPDATE households SET welfare = spending, desil = NULL, welfare_rank = NULL,"
                                " poverty_class = NULL"
                              : "UPDATE households SET welfare = CASE WHEN household_size > 0 THEN"
                                " spending / household_size END, desil = NULL, welfare_rank = NULL,"
                                " poverty_class = NULL";
    if ((rc = rg_io_store_exec(store, "computing welfare", welfare)) != RG_OK ||
        (rc = rg_io_store_exec(store, "resetting", "DROP TABLE IF EXISTS classify_issues;"
                                                   "DROP TABLE IF EXISTS kelurahan_summary;"
                                                   "DROP TABLE IF EXISTS kecamatan_summary;")) != RG_OK)
        goto done;
    /* Desil are computed whatever the method: the forum's lists show them. */
    rc = classify_by_desil(store, rules);
    if (rc == RG_OK && rg_classify_rules_method(rules) == RG_METHOD_GIVEN)
        rc = classify_rows(store, "SELECT hh, household_id, source_line, given_class FROM households", decide_given,
                           rules, &r.unreadable_classes);
    else if (rc == RG_OK && rg_classify_rules_method(rules) == RG_METHOD_THRESHOLD) {
        /* A database joined before kelurahan carried urban/rural: every area of unknown type. */
        int64_t typed = 0;
        rc = rg_io_store_count(store, "SELECT count(*) FROM pragma_table_info('kelurahan') WHERE name = 'urban_rural'",
                               &typed);
        if (rc == RG_OK)
            rc = classify_rows(store,
                               typed ? "SELECT h.hh, h.household_id, h.source_line, h.kelurahan_code, h.welfare,"
                                       " k.urban_rural FROM households h"
                                       " LEFT JOIN kelurahan k ON k.code = h.kelurahan_code WHERE h.welfare IS NOT NULL"
                                     : "SELECT hh, household_id, source_line, kelurahan_code, welfare, NULL"
                                       " FROM households WHERE welfare IS NOT NULL",
                               decide_threshold, rules, &r.no_poverty_line);
    }
    if (rc != RG_OK)
        goto done;
    /* Ties in welfare are broken by household id so the forum list is the same every run. */
    if ((rc = rg_io_store_exec(store, "ranking",
                               "WITH ranked AS (SELECT hh, row_number() OVER (PARTITION BY kelurahan_code"
                               " ORDER BY welfare, household_id) AS r FROM households"
                               " WHERE kelurahan_code IS NOT NULL AND welfare IS NOT NULL)"
                               " UPDATE households SET welfare_rank = ranked.r FROM ranked"
                               " WHERE ranked.hh = households.hh")) != RG_OK ||
        (rc = rg_io_store_exec(store, "summarising", summary_sql)) != RG_OK)
        goto done;

    static const char *const count_sql[] = {
        "SELECT count(*) FROM households WHERE poverty_class IS NULL",
        "SELECT count(*) FROM households WHERE poverty_class = 'sangat miskin'",
        "SELECT count(*) FROM households WHERE poverty_class = 'miskin'",
        "SELECT count(*) FROM households WHERE poverty_class = 'rentan miskin'",
        "SELECT count(*) FROM households WHERE poverty_class = 'tidak miskin'",
    };
    for (int c = 0; c <= RG_CLASS_TIDAK_MISKIN; c++)
        if ((rc = count_into(store, count_sql[c], &r.by_class[c])) != RG_OK)
            goto done;
    if ((rc = count_into(store, "SELECT count(*) FROM households", &r.households)) != RG_OK ||
        (rc = count_into(store,
                         "SELECT count(*) FROM households WHERE poverty_class IS NOT NULL AND kelurahan_code IS NULL",
                         &r.outside_kelurahan)) != RG_OK)
        goto done;
    r.unclassified = r.by_class[0];
    r.classified = r.households - r.unclassified;

    /* The summaries must account for every classified household inside a kelurahan. */
    int64_t summed = 0;
    if ((rc = count_into(store,
                         "SELECT coalesce(sum(sangat_miskin + miskin + rentan_miskin + tidak_miskin), 0)"
                         " FROM kelurahan_summary",
                         &summed)) != RG_OK)
        goto done;
    if (summed != r.classified - r.outside_kelurahan) {
        rc = rg_ctx_error(ctx, RG_EDATA, "classify: accounting error: kelurahan summaries hold %lld classified"
                          " households, the households table %lld",
                          (long long)summed, (long long)(r.classified - r.outside_kelurahan));
        goto done;
    }
    if ((rc = rg_io_store_restore_row_triggers(store, RG_ROW_TRIGGERS_UPDATE, triggers)) != RG_OK)
        goto done;
    rc = rg_io_store_exec(store, "committing classify", "COMMIT");
    in_transaction = rc != RG_OK;

done:
    if (in_transaction)
        sqlite3_exec(rg_io_store_db(store), "ROLLBACK", NULL, NULL, NULL);
    rg_free(triggers);
    if (report)
        *report = r;
    return rc;
}

int rg_classify_kabkota_totals(rg_store *store, rg_total_fn fn, void *userdata)
{
    sqlite3 *db = rg_io_store_db(store);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT coalesce(c.parent_code, '?'), sum(s.households), sum(s.sangat_miskin), sum(s.miskin),"
                           " sum(s.rentan_miskin), sum(s.tidak_miskin), sum(s.unclassified)"
                           " FROM kecamatan c JOIN kecamatan_summary s ON s.code = c.code"
                           " GROUP BY c.parent_code ORDER BY c.parent_code",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_ctx_error(rg_io_store_ctx(store), RG_EDATA, "%s: no summaries yet: run classify first",
                            rg_io_store_path(store));
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
