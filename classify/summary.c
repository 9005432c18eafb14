/*
 * The area summaries. The kelurahan rows are counted household by household (rank.c's last
 * pass, or again from the view after a forum changed classes); every coarser level is the
 * sum of the level below by parent code (a kecamatan's, with the households placed in it
 * alone), so provinsi, kab/kota, kecamatan and kelurahan always add up; each programme of the rules is then a column holding the households of
 * its desil.
 */
#include "classify/classify.h"
#include "core/internal.h"

#include <stdio.h>
#include <string.h>

int rg__classify_roll_up(rg_store *store);
int rg__classify_programmes_define(rg_store *store, const rg_rules *rules);

static const char *const count_columns[RG_IO_SUMMARY_COUNT] = {
    "households", "sangat_miskin", "miskin", "rentan_miskin", "tidak_miskin", "unclassified", "with_point",
    "without_point", "code_mismatches", "desil_1", "desil_2", "desil_3", "desil_4", "desil_5", "desil_6",
    "desil_7", "desil_8", "desil_9", "desil_10"};

/* An area's counts over the households of a query (class, desil, "has a point" and "code
 * mismatch" given as expressions), named as the summary tables name them. */
#define SUMMARY_COUNTS(cls, desil, point, mismatch)                                                            \
    " count(*) AS households, total(" cls " = 'sangat miskin') AS sangat_miskin,"                              \
    " total(" cls " = 'miskin') AS miskin, total(" cls " = 'rentan miskin') AS rentan_miskin,"                \
    " total(" cls " = 'tidak miskin') AS tidak_miskin, total(" cls " IS NULL) AS unclassified,"                \
    " total(" point ") AS with_point, total(NOT (" point ")) AS without_point,"                               \
    " total(" mismatch ") AS code_mismatches, total(" desil " = 1) AS desil_1, total(" desil " = 2) AS desil_2," \
    " total(" desil " = 3) AS desil_3, total(" desil " = 4) AS desil_4, total(" desil " = 5) AS desil_5,"       \
    " total(" desil " = 6) AS desil_6, total(" desil " = 7) AS desil_7, total(" desil " = 8) AS desil_8,"       \
    " total(" desil " = 9) AS desil_9, total(" desil " = 10) AS desil_10"

/* The households placed in a kecamatan alone (their code names no kelurahan of the
 * boundaries but the kecamatan), counted as kelurahan_summary counts its households, into
 * temp.kecamatan_only: a kecamatan's counts are its kelurahan's and theirs. No forum lists
 * them (it sits per kelurahan), so their class is the ranking's; none has a point. */
static int count_kecamatan_only(rg_store *store)
{
    return rg_io_store_exec(
        store, "summarising",
        "DROP TABLE IF EXISTS temp.kecamatan_only;"
        "CREATE TEMP TABLE kecamatan_only AS SELECT a.kecamatan_code AS code,"
        SUMMARY_COUNTS("c.poverty_class", "c.desil", "0", "0")
        " FROM household_areas a LEFT JOIN household_classes c ON c.hh = a.hh"
        " WHERE a.kelurahan_code IS NULL AND a.kecamatan_code IS NOT NULL GROUP BY a.kecamatan_code;");
}

/* Every area of `level`, its counts the sums of its children's in `below` (zeros for one
 * with none), and for a kecamatan those of the households placed in it alone. */
static int roll_up_level(rg_store *store, const char *level, const char *below)
{
    int kecamatan = strcmp(level, "kecamatan") == 0;
    rg_buf sql = {0};
    int rc = rg__buf_appendf(&sql, "INSERT INTO %s_summary(code, " RG_IO_SUMMARY_COLUMNS ") SELECT c.code", level);
    for (int i = 0; i < RG_IO_SUMMARY_COUNT && rc == RG_OK; i++)
        rc = kecamatan ? rg__buf_appendf(&sql, ", coalesce(sum(s.%s), 0) + coalesce(max(d.%s), 0)", count_columns[i],
                                         count_columns[i])
                       : rg__buf_appendf(&sql, ", coalesce(sum(s.%s), 0)", count_columns[i]);
    if (rc == RG_OK)
        rc = rg__buf_appendf(&sql,
                             " FROM %s c LEFT JOIN %s k ON k.parent_code = c.code"
                             " LEFT JOIN %s_summary s ON s.code = k.code%s GROUP BY c.code",
                             level, below, below,
                             kecamatan ? " LEFT JOIN temp.kecamatan_only d ON d.code = c.code" : "");
    if (rc == RG_OK)
        rc = rg_io_store_exec(store, "summarising", sql.data);
    rg__buf_free(&sql);
    return rc;
}

/* The programme columns of the tables (each "LEVEL_summary"), from their desil counts; with
 * add, the columns are added first. */
static int count_programmes_in(rg_store *store, const char *const *tables, size_t n, int add)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(store),
                           "SELECT name, first_desil, last_desil FROM classify_programmes ORDER BY position", -1, &st,
                           NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    rg_buf sql = {0};
    int rc = RG_OK, step;
    while (rc == RG_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        int first = sqlite3_column_int(st, 1), last = sqlite3_column_int(st, 2);
        for (size_t k = 0; k < n && rc == RG_OK; k++) {
            if (add)
                rc = rg__buf_appendf(&sql, "ALTER TABLE %s_summary ADD COLUMN \"%s\" INTEGER;", tables[k], name);
            rc = rc == RG_OK ? rg__buf_appendf(&sql, "UPDATE %s_summary SET \"%s\" = 0", tables[k], name) : rc;
            for (int d = first; d <= last && rc == RG_OK; d++)
                rc = rg__buf_appendf(&sql, " + desil_%d", d);
            if (rc == RG_OK)
                rc = rg__buf_appendf(&sql, ";");
        }
    }
    if (rc == RG_OK && step != SQLITE_DONE)
        rc = rg_io_store_sql_error(store);
    sqlite3_finalize(st);
    if (rc == RG_OK && sql.len)
        rc = rg_io_store_exec(store, "counting the programmes", sql.data);
    rg__buf_free(&sql);
    return rc;
}

/* The programme columns of every summary, from its desil counts. */
static int count_programmes(rg_store *store)
{
    const char *tables[RG_AREA_KINDS];
    for (int k = 0; k < RG_AREA_KINDS; k++)
        tables[k] = rg_geo_area_kind_name((rg_area_kind)k);
    return count_programmes_in(store, tables, RG_AREA_KINDS, 0);
}

/* Every area of `table` with the counts of the view's households whose `code_column` names it
 * (classes after the forum), zeros where none: code, then RG_IO_SUMMARY_COLUMNS. What the
 * kelurahan are counted again from after a forum, and the SLS from for an export. */
#define VIEW_COUNTS_PER_AREA(table, code_column)                                                                \
    "SELECT a.code AS code, coalesce(s.households, 0) AS households,"                                          \
    " coalesce(s.sangat_miskin, 0) AS sangat_miskin, coalesce(s.miskin, 0) AS miskin,"                        \
    " coalesce(s.rentan_miskin, 0) AS rentan_miskin, coalesce(s.tidak_miskin, 0) AS tidak_miskin,"            \
    " coalesce(s.unclassified, 0) AS unclassified, coalesce(s.with_point, 0) AS with_point,"                  \
    " coalesce(s.without_point, 0) AS without_point, coalesce(s.code_mismatches, 0) AS code_mismatches,"      \
    " coalesce(s.desil_1, 0) AS desil_1, coalesce(s.desil_2, 0) AS desil_2, coalesce(s.desil_3, 0) AS desil_3," \
    " coalesce(s.desil_4, 0) AS desil_4, coalesce(s.desil_5, 0) AS desil_5, coalesce(s.desil_6, 0) AS desil_6," \
    " coalesce(s.desil_7, 0) AS desil_7, coalesce(s.desil_8, 0) AS desil_8, coalesce(s.desil_9, 0) AS desil_9," \
    " coalesce(s.desil_10, 0) AS desil_10"                                                                      \
    " FROM " table " a LEFT JOIN (SELECT " code_column " AS code,"                                             \
    SUMMARY_COUNTS("poverty_class_final", "desil", "geom IS NOT NULL", "code_mismatch = 1")                     \
    "  FROM households WHERE " code_column " IS NOT NULL GROUP BY " code_column ") s ON s.code = a.code"

/* From the view, as the kelurahan after a forum, so the SLS add up to their desa's located
 * households. */
static const char sls_counts_sql[] =
    "DROP TABLE IF EXISTS temp.sls_summary;"
    "CREATE TEMP TABLE sls_summary AS " VIEW_COUNTS_PER_AREA("sls", "sls_code") ";";

int rg_classify_sls_counts(rg_store *store, int64_t *count)
{
    static const char *const sls[] = {"temp.sls"};
    *count = 0;
    int rc = rg_io_store_exec(store, "counting the SLS", sls_counts_sql);
    rc = rc == RG_OK ? count_programmes_in(store, sls, 1, 1) : rc;
    return rc == RG_OK ? rg_io_store_count(store, "SELECT count(*) FROM temp.sls_summary", count) : rc;
}

int rg__classify_roll_up(rg_store *store)
{
    int rc = count_kecamatan_only(store);
    for (int k = RG_AREA_KECAMATAN; k < RG_AREA_KINDS && rc == RG_OK; k++)
        rc = roll_up_level(store, rg_geo_area_kind_name((rg_area_kind)k), rg_geo_area_kind_name((rg_area_kind)(k - 1)));
    return rc == RG_OK ? count_programmes(store) : rc;
}

/* The rules' programmes, recorded for those who count them later (the forum's amend
 * re-summarises without the rules), each a column of every summary. */
int rg__classify_programmes_define(rg_store *store, const rg_rules *rules)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(store),
                           "INSERT INTO classify_programmes(name, first_desil, last_desil, position) VALUES(?, ?, ?, ?)",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    int rc = RG_OK;
    for (size_t i = 0; i < rg_classify_rules_programme_count(rules) && rc == RG_OK; i++) {
        int first = 0, last = 0;
        const char *name = rg_classify_rules_programme(rules, i, &first, &last);
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, first);
        sqlite3_bind_int(st, 3, last);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)i);
        if (sqlite3_step(st) != SQLITE_DONE) {
            rc = rg_io_store_sql_error(store);
            break;
        }
        /* The rules checked the name: lower-case letters, digits and _, no summary column. */
        for (int k = 0; k < RG_AREA_KINDS && rc == RG_OK; k++) {
            char sql[160];
            snprintf(sql, sizeof sql, "ALTER TABLE %s_summary ADD COLUMN \"%s\" INTEGER",
                     rg_geo_area_kind_name((rg_area_kind)k), name);
            rc = rg_io_store_exec(store, "adding the programmes", sql);
        }
    }
    sqlite3_finalize(st);
    return rc;
}

/* The kelurahan counts again, from the view, after the forum has changed classes: the same
 * numbers classify's pass 3 makes (check and the tests hold both to a recount). */
static const char resummarise_sql[] =
    "DELETE FROM kelurahan_summary; DELETE FROM kecamatan_summary; DELETE FROM kabkota_summary;"
    " DELETE FROM provinsi_summary;"
    "INSERT INTO kelurahan_summary(code, " RG_IO_SUMMARY_COLUMNS ") "
    VIEW_COUNTS_PER_AREA("kelurahan", "kelurahan_code") ";";

int rg_classify_resummarise(rg_store *store)
{
    int rc = rg_io_store_exec(store, "summarising the forum's classes", resummarise_sql);
    return rc == RG_OK ? rg__classify_roll_up(store) : rc;
}
