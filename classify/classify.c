/*
 * Classify: one step that writes household_classes, classify_issues and the summaries
 * (the passes themselves are in rank.c), and reports the counts. Every number it writes
 * can be recomputed in SQL from the view households; the tests do so.
 */
#include "classify/classify.h"
#include "core/internal.h"

#include <stdio.h>
#include <string.h>

int rg__classify_rules_welfare(const rg_rules *r);
int rg__classify_rules_population(const rg_rules *r);

/* Welfare, desil, ranks and classes into household_classes, what could not be classified
 * into classify_issues, and kelurahan_summary (rank.c), counting the forums' classes where
 * has_decisions; the report's counts, as it writes them. */
int rg__classify_households(rg_store *store, const rg_rules *rules, int has_decisions, rg_classify_report *report);

int rg__classify_roll_up(rg_store *store);
int rg__classify_programmes_define(rg_store *store, const rg_rules *rules);

/* A household's latest forum decision that is not in force (RG_IO_FORUM_CLASS_IN_FORCE): a
 * reload moved the household out of the kelurahan whose forum decided, or dropped it. Kept in
 * forum_decisions, listed here with where it was decided and where the household is now. */
static const char decisions_not_in_force_sql[] =
    "INSERT INTO classify_issues(hh, household_id, source_line, value, message)"
    " SELECT r.hh, d.household_id, r.source_line, d.class_after,"
    "  'forum decision not applied: made in kelurahan ' || coalesce(d.kelurahan_code, '(none)') || ' ('"
    "  || f.path || ', row ' || d.source_row || '), ' || CASE WHEN r.hh IS NULL THEN 'and the household is no"
    " longer loaded' ELSE 'and the household is now in ' || coalesce('kelurahan ' || a.kelurahan_code,"
    " 'no kelurahan') END"
    " FROM forum_decisions d JOIN forum_runs f ON f.id = d.run"
    " LEFT JOIN household_records r ON r.household_id = d.household_id"
    " LEFT JOIN household_areas a ON a.hh = r.hh"
    " WHERE d.id = (SELECT max(id) FROM forum_decisions l WHERE l.household_id = d.household_id)"
    /* Another edition's decisions are history, not decisions waiting to apply. */
    "  AND d.edition IS " RG_IO_LIVE_EDITION
    "  AND (r.hh IS NULL OR a.kelurahan_code IS NOT d.kelurahan_code)"
    " ORDER BY d.household_id";

static int list_decisions_not_in_force(rg_store *store, rg_classify_report *r)
{
    int rc = rg_io_store_exec(store, "listing the forum decisions not applied", decisions_not_in_force_sql);
    if (rc == RG_OK)
        r->decisions_not_applied = sqlite3_changes(rg_io_store_db(store));
    return rc;
}

/* Everything classify writes, inside its step. */
static int classify_all(rg_store *store, const rg_rules *rules, int has_decisions, rg_classify_report *r)
{
    int rc = rg__classify_programmes_define(store, rules);
    if (rc == RG_OK)
        rc = rg__classify_households(store, rules, has_decisions, r);
    if (rc == RG_OK && has_decisions)
        rc = list_decisions_not_in_force(store, r);
    double started = rg__seconds_now();
    if (rc == RG_OK && (rc = rg__classify_roll_up(store)) == RG_OK)
        rg_ctx_notice(rg_io_store_ctx(store), RG_NOTICE_DETAIL, "kecamatan, kab/kota and provinsi summed in %.2f s",
                      rg__seconds_now() - started);
    return rc;
}

const char *rg_classify_method_name(rg_method method)
{
    switch (method) {
    case RG_METHOD_GIVEN: return "given";
    case RG_METHOD_THRESHOLD: return "threshold";
    case RG_METHOD_GIVEN_DESIL: return "given_desil";
    default: return "desil";
    }
}

int rg_classify_poverty_rate_definition(const rg_rules *rules, char **out)
{
    *out = NULL;
    rg_buf b = {0};
    int rc = rg__buf_appendf(&b, "poverty_rate = (sangat miskin + miskin) / classified households, ");
    switch (rg_classify_rules_method(rules)) {
    case RG_METHOD_GIVEN:
        rc = rc == RG_OK ? rg__buf_appendf(&b, "the classes as the input gives them (method given)") : rc;
        break;
    case RG_METHOD_GIVEN_DESIL: {
        int poor = 0;
        for (int d = 1; d <= 10; d++)
            poor += rg_classify_rules_desil_class(rules, d) <= RG_CLASS_MISKIN;
        rc = rc == RG_OK ? rg__buf_appendf(&b, "the classes of the national desil given with each household (method"
                                               " given_desil, as DTSEN ranks families over all Indonesia: desil 1-%d are"
                                               " sangat miskin or miskin), so it is the area's share of the"
                                               " nation's poorest, not a measured rate",
                                           poor)
                         : rc;
        break;
    }
    case RG_METHOD_THRESHOLD:
        rc = rc == RG_OK ? rg__buf_appendf(&b, "miskin meaning spending per person below %g x the poverty line of the"
                                               " household's area in the rules, sangat miskin below %g x it (method"
                                               " threshold): a measured rate",
                                           rg_classify_rules_cut(rules, RG_CLASS_MISKIN),
                                           rg_classify_rules_cut(rules, RG_CLASS_SANGAT_MISKIN))
                         : rc;
        break;
    default: {
        int poor = 0;
        for (int d = 1; d <= 10; d++)
            poor += rg_classify_rules_desil_class(rules, d) <= RG_CLASS_MISKIN;
        static const char *const over[] = {"", "the whole file", "each kab/kota", "each kecamatan"};
        rc = rc == RG_OK ? rg__buf_appendf(&b, "the classes given by desil cut over %s (method desil: %d of the 10"
                                               " desil are sangat miskin or miskin), so over that population it is"
                                               " %d%% by construction: a ranking, not a measured rate",
                                           over[rg__classify_rules_population(rules)], poor, poor * 10)
                         : rc;
    }
    }
    if (rc != RG_OK) {
        rg__buf_free(&b);
        return rc;
    }
    *out = b.data;
    return RG_OK;
}

/* Who gave the desil: the files loaded, with their editions, as the map and the sheets say it. */
static int desil_source(rg_store *store, char **out)
{
    sqlite3_stmt *st = NULL;
    *out = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(store),
                           "SELECT group_concat(" RG_IO_SQL_BASENAME("input_path") " || coalesce(', edisi ' || edition, ''), '; ')"
                           " FROM load_runs WHERE id IN (SELECT DISTINCT load_run FROM household_records"
                           "  WHERE given_desil IS NOT NULL)",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    int rc = sqlite3_step(st) == SQLITE_ROW ? RG_OK : rg_io_store_sql_error(store);
    const char *text = rc == RG_OK ? (const char *)sqlite3_column_text(st, 0) : NULL;
    if (rc == RG_OK && !(*out = rg_strdup(text ? text : "no file loaded gave a desil")))
        rc = RG_ENOMEM;
    sqlite3_finalize(st);
    return rc;
}

/* What export and a person reading the map need to know of how the classes were made. */
static int write_meta(rg_store *store, const rg_rules *rules)
{
    char *definition = NULL, *text = NULL;
    sqlite3_stmt *st = NULL;
    int rc = rg_classify_poverty_rate_definition(rules, &definition);
    if (rc == RG_OK)
        rc = rg_classify_rules_format(rules, &text);
    if (rc == RG_OK && sqlite3_prepare_v2(rg_io_store_db(store), "INSERT INTO classify_meta(key, value) VALUES(?, ?)",
                                          -1, &st, NULL) != SQLITE_OK)
        rc = rg_io_store_sql_error(store);
    char *given_by = NULL;
    if (rc == RG_OK && rg_classify_rules_method(rules) == RG_METHOD_GIVEN_DESIL)
        rc = desil_source(store, &given_by);
    const char *pairs[4][2] = {{"method", rg_classify_method_name(rg_classify_rules_method(rules))},
                               {"poverty_rate", definition},
                               {"rules", text},
                               {"desil_given_by", given_by}};
    for (int i = 0; i < (given_by ? 4 : 3) && rc == RG_OK; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, pairs[i][0], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, pairs[i][1], -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = rg_io_store_sql_error(store);
    }
    sqlite3_finalize(st);
    rg_free(definition);
    rg_free(text);
    rg_free(given_by);
    return rc;
}

int rg_classify_run(rg_store *store, const rg_rules *rules, rg_classify_report *report)
{
    rg_classify_report r = {0};
    /* The forums' decisions are counted where there are some; without, no lookup per household. */
    int64_t decisions = 0;
    int rc = rg_io_store_step_require(store, RG_STEP_JOIN, "classify");
    if (rc == RG_OK)
        rc = rg_io_store_count(store, "SELECT EXISTS (SELECT 1 FROM forum_decisions)", &decisions);
    if (rc == RG_OK && (rc = rg_io_store_step_begin(store, RG_STEP_CLASSIFY, RG_STEP_AFRESH, 0)) == RG_OK &&
        (rc = classify_all(store, rules, decisions > 0, &r)) == RG_OK && (rc = write_meta(store, rules)) == RG_OK)
        rc = rg_io_store_step_commit(store, rg_classify_method_name(rg_classify_rules_method(rules)));
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
