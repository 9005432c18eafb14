/*
 * check: the invariants every step promises, re-verified from what is on disk, and an
 * exported GeoPackage held against the database it came from. Each check is one SQL
 * count that must be zero, so a person can run any of them by hand.
 */
#include "check/check.h"
#include "core/internal.h"
#include "export/export.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    const char *name;
    const char *sql; /* counts the violations */
} invariant;

/* The runs whose households are still in the table: from the last fresh or replacing load on. */
#define LIVE_RUNS "(SELECT id FROM load_runs WHERE " RG_IO_LIVE_RUN ")"

#define DESIL_SUM(p)                                                                                           \
    p "desil_1 + " p "desil_2 + " p "desil_3 + " p "desil_4 + " p "desil_5 + " p "desil_6 + " p "desil_7 + " p      \
    "desil_8 + " p "desil_9 + " p "desil_10"

/* The rows of the level below, each under its parent's code: households, classified ones,
 * those with a point, and the desil. */
#define CHILD_ROWS(below)                                                                                      \
    "SELECT k.parent_code AS code, s.households AS h,"                                                         \
    " s.sangat_miskin + s.miskin + s.rentan_miskin + s.tidak_miskin AS cl, s.with_point AS wp,"               \
    " " DESIL_SUM("s.") " AS d FROM " below " k JOIN " below "_summary s ON s.code = k.code"

/* A level's rows are the sums of `rows` (CHILD_ROWS and others of that shape), by code. */
#define SUMS_OF(level, what, rows)                                                                             \
    {level " totals = the sums of " what,                                                                      \
     "SELECT count(*) FROM " level "_summary c LEFT JOIN (SELECT code, sum(h) AS h, sum(cl) AS cl,"             \
     "  sum(wp) AS wp, sum(d) AS d FROM (" rows ") GROUP BY code) b ON b.code = c.code"                        \
     " WHERE c.households != coalesce(b.h, 0)"                                                                \
     "  OR c.sangat_miskin + c.miskin + c.rentan_miskin + c.tidak_miskin != coalesce(b.cl, 0)"                 \
     "  OR c.with_point != coalesce(b.wp, 0) OR " DESIL_SUM("c.") " != coalesce(b.d, 0)"}

/* A level's rows are the sums of the level below's, by parent code. */
#define NESTS(level, below) SUMS_OF(level, "their " below, CHILD_ROWS(below))

/* A kecamatan's rows are its kelurahan's sums and the counts of the households placed in it
 * alone (their code names no kelurahan of the boundaries, but the kecamatan), each a row. */
#define KECAMATAN_NESTS                                                                                        \
    SUMS_OF("kecamatan", "their kelurahan, with the households placed in the kecamatan alone",                \
            CHILD_ROWS("kelurahan")                                                                            \
            " UNION ALL SELECT kecamatan_code, 1, poverty_class_final IS NOT NULL, geom IS NOT NULL,"        \
            " desil IS NOT NULL FROM households WHERE kelurahan_code IS NULL AND kecamatan_code IS NOT NULL")

/* An exported summary layer holds the database's counts (where --public left them). */
#define EXPORTED(level)                                                                                        \
    {"exported " level " counts = the database's",                                                           \
     "SELECT count(*) FROM ex." level " e JOIN main." level "_summary s ON s.code = e.code WHERE"              \
     " coalesce(e.households, s.households) != s.households OR coalesce(e.desil_1, s.desil_1) != s.desil_1"    \
     " OR coalesce(e.desil_10, s.desil_10) != s.desil_10"}

static const invariant store_checks[] = {
    {"every row of every load is loaded or rejected",
     "SELECT count(*) FROM load_runs r WHERE r.id IN " LIVE_RUNS
     " AND r.rows_read != (SELECT count(*) FROM household_records h WHERE h.load_run = r.id)"
     " + (SELECT count(*) FROM rejects j WHERE j.load_run = r.id)"},
    {"each load's counts add up", "SELECT count(*) FROM load_runs WHERE finished IS NOT NULL"
                                  " AND rows_read != loaded + rejected"},
    {"no household id twice", "SELECT count(*) - count(DISTINCT household_id) FROM household_records"},
    {"the spatial index is sound", "SELECT rtreecheck('idx_household_records_geom') != 'ok'"},
    {"the spatial index holds every point",
     "SELECT (SELECT count(*) FROM household_records WHERE geom IS NOT NULL)"
     " != (SELECT count(*) FROM idx_household_records_geom)"},
    {"every household has one join answer and one class row, and no answer is an orphan",
     "SELECT (SELECT count(*) FROM household_records r WHERE NOT EXISTS (SELECT 1 FROM household_areas a"
     "  WHERE a.hh = r.hh) OR NOT EXISTS (SELECT 1 FROM household_classes c WHERE c.hh = r.hh))"
     " + (SELECT count(*) FROM household_areas a WHERE NOT EXISTS (SELECT 1 FROM household_records r"
     "  WHERE r.hh = a.hh))"
     " + (SELECT count(*) FROM household_classes c WHERE NOT EXISTS (SELECT 1 FROM household_records r"
     "  WHERE r.hh = c.hh))"},
    {"joined households = within + boundary + nearest + code + unmatched",
     "SELECT CASE WHEN (SELECT count(*) FROM households WHERE join_method IS NOT NULL) = 0 THEN 0"
     " ELSE (SELECT count(*) FROM households WHERE join_method IS NULL"
     "  OR join_method NOT IN ('within', 'boundary', 'nearest', 'code', 'unmatched')) END"},
    {"a household's SLS is one of the SLS map's, in the household's desa",
     "SELECT count(*) FROM household_areas a LEFT JOIN sls s ON s.code = a.sls_code"
     " WHERE a.sls_code IS NOT NULL AND s.parent_code IS NOT a.kelurahan_code"},
    {"households with a point are located by it, those without by their code",
     "SELECT count(*) FROM households WHERE (geom IS NULL AND join_method NOT IN ('code', 'unmatched'))"
     " OR (geom IS NOT NULL AND join_method = 'code')"},
    {"a household placed by code is in the kelurahan its code names",
     "SELECT count(*) FROM households h JOIN kelurahan k ON k.code = h.kelurahan_code WHERE h.join_method = 'code'"
     " AND trim(h.reported_code) NOT IN (k.code, coalesce(k.alt_code, ''))"
     " AND NOT (length(trim(h.reported_code)) = 14 AND substr(trim(h.reported_code), 1, 10) IN (k.code,"
     "  coalesce(k.alt_code, '')))"},
    {"a household placed in a kecamatan alone has a code for it and for no kelurahan of the boundaries",
     "SELECT count(*) FROM households h LEFT JOIN kecamatan k ON k.code = h.kecamatan_code"
     " WHERE h.join_method = 'code' AND h.kelurahan_code IS NULL AND (k.code IS NULL"
     "  OR NOT (substr(trim(h.reported_code), 1, 7) IN (k.code, coalesce(k.alt_code, ''))"
     "   OR substr(trim(h.reported_code), 1, 8) IN (k.code, coalesce(k.alt_code, '')))"
     "  OR EXISTS (SELECT 1 FROM kelurahan l WHERE CASE WHEN length(trim(h.reported_code)) = 14"
     "   THEN substr(trim(h.reported_code), 1, 10) ELSE trim(h.reported_code) END IN (l.code, coalesce(l.alt_code, ''))))"},
    {"matched households have codes (a kelurahan, or a kecamatan alone when placed by a code for it), unmatched"
     " ones none",
     "SELECT count(*) FROM households WHERE join_method IS NOT NULL"
     " AND ((join_method = 'unmatched') != (kecamatan_code IS NULL) OR (kelurahan_code IS NULL"
     "  AND join_method != 'unmatched' AND (join_method != 'code' OR join_flags NOT LIKE 'kecamatan_only%')))"},
    {"every household's kelurahan exists",
     "SELECT count(*) FROM households WHERE kelurahan_code IS NOT NULL"
     " AND kelurahan_code NOT IN (SELECT code FROM kelurahan)"},
    {"the last join report matches the households",
     "SELECT count(*) FROM (SELECT * FROM join_report ORDER BY id DESC LIMIT 1) r WHERE"
     " r.within != (SELECT count(*) FROM households WHERE join_method = 'within') OR"
     " r.boundary != (SELECT count(*) FROM households WHERE join_method = 'boundary') OR"
     " r.nearest != (SELECT count(*) FROM households WHERE join_method = 'nearest') OR"
     " r.code != (SELECT count(*) FROM households WHERE join_method = 'code') OR"
     " r.unmatched != (SELECT count(*) FROM households WHERE join_method = 'unmatched')"},
    {"kelurahan class counts = classified households in them (classes after the forum), with a point or without",
     "SELECT count(*) FROM kelurahan_summary s WHERE s.households != (SELECT count(*) FROM households h"
     " WHERE h.kelurahan_code = s.code) OR s.sangat_miskin + s.miskin + s.rentan_miskin + s.tidak_miskin !="
     " (SELECT count(*) FROM households h WHERE h.kelurahan_code = s.code AND h.poverty_class_final IS NOT NULL)"
     " OR s.with_point + s.without_point != s.households"
     " OR s.without_point != (SELECT count(*) FROM households h WHERE h.kelurahan_code = s.code AND h.geom IS NULL)"},
    {"kelurahan desil counts = the households of each desil in them",
     "WITH d AS (SELECT kelurahan_code AS code, desil, count(*) AS n FROM households"
     "  WHERE kelurahan_code IS NOT NULL AND desil IS NOT NULL GROUP BY kelurahan_code, desil)"
     " SELECT (SELECT count(*) FROM d JOIN kelurahan_summary s USING (code) WHERE d.n != CASE d.desil"
     "  WHEN 1 THEN s.desil_1 WHEN 2 THEN s.desil_2 WHEN 3 THEN s.desil_3 WHEN 4 THEN s.desil_4"
     "  WHEN 5 THEN s.desil_5 WHEN 6 THEN s.desil_6 WHEN 7 THEN s.desil_7 WHEN 8 THEN s.desil_8"
     "  WHEN 9 THEN s.desil_9 WHEN 10 THEN s.desil_10 END)"
     " + ((SELECT coalesce(sum(n), 0) FROM d) != (SELECT coalesce(sum(" DESIL_SUM("") "), 0) FROM kelurahan_summary))"},
    KECAMATAN_NESTS,
    NESTS("kabkota", "kecamatan"),
    NESTS("provinsi", "kabkota"),
    {"classes are the four names",
     "SELECT count(*) FROM households WHERE (poverty_class IS NOT NULL AND poverty_class NOT IN"
     " ('sangat miskin', 'miskin', 'rentan miskin', 'tidak miskin')) OR (poverty_class_final IS NOT NULL AND"
     " poverty_class_final NOT IN ('sangat miskin', 'miskin', 'rentan miskin', 'tidak miskin'))"},
    {"a forum decision is in force only for a household still in the kelurahan that made it, in its edition",
     "SELECT count(*) FROM households h WHERE h.poverty_class_final IS NOT h.poverty_class AND NOT EXISTS"
     " (SELECT 1 FROM forum_decisions o WHERE o.household_id = h.household_id AND o.kelurahan_code IS"
     " h.kelurahan_code AND o.edition IS " RG_IO_LIVE_EDITION " AND o.class_after = h.poverty_class_final)"},
    {"every household's latest forum decision not in force is listed by classify",
     "SELECT count(*) FROM forum_decisions d LEFT JOIN households h ON h.household_id = d.household_id"
     " WHERE d.id = (SELECT max(id) FROM forum_decisions l WHERE l.household_id = d.household_id)"
     " AND d.edition IS " RG_IO_LIVE_EDITION " AND (h.hh IS NULL OR h.kelurahan_code IS NOT d.kelurahan_code)"
     " AND NOT EXISTS (SELECT 1 FROM classify_issues i WHERE i.household_id = d.household_id"
     "  AND i.message LIKE 'forum decision not applied:%')"},
    {"every forum decision is accounted for in its run",
     "SELECT count(*) FROM forum_runs r WHERE r.finished IS NOT NULL AND (r.applied != (SELECT count(*)"
     " FROM forum_decisions d WHERE d.run = r.id) OR r.rejected != (SELECT count(*) FROM forum_rejects j"
     " WHERE j.run = r.id) OR r.rows_read != r.applied + r.unchanged + r.rejected)"},
};

/* Only for exports with a households layer (a --public one has none). */
static const invariant export_household_checks[] = {
    {"exported households carry the database's areas and classes",
     "SELECT count(*) FROM ex.households e JOIN main.households h USING (household_id)"
     " WHERE e.kelurahan_code IS NOT h.kelurahan_code OR e.poverty_class IS NOT h.poverty_class"
     " OR e.poverty_class_final IS NOT h.poverty_class_final OR e.join_method IS NOT h.join_method"},
    {"exported households have a point exactly where the database has one (or one marked point_source = area)",
     "SELECT count(*) FROM ex.households e JOIN main.households h USING (household_id)"
     " WHERE (e.geom IS NULL) != (h.geom IS NULL) AND NOT (h.geom IS NULL AND e.point_source = 'area')"},
};

static const invariant export_checks[] = {
    {"exported kelurahan counts = the database's",
     "SELECT count(*) FROM ex.kelurahan e JOIN main.kelurahan_summary s ON s.code = e.code WHERE"
     " coalesce(e.households, s.households) != s.households OR coalesce(e.sangat_miskin, s.sangat_miskin) !="
     " s.sangat_miskin OR coalesce(e.miskin, s.miskin) != s.miskin OR coalesce(e.rentan_miskin, s.rentan_miskin)"
     " != s.rentan_miskin OR coalesce(e.tidak_miskin, s.tidak_miskin) != s.tidak_miskin"},
    EXPORTED("kecamatan"),
    EXPORTED("kabkota"),
    EXPORTED("provinsi"),
};

#define CUT_COUNT(level) "(SELECT count(*) FROM temp.export_scope WHERE level = '" level "')"

/* What the export holds of the store: all of it, or of the area --only cut (ONLY in its
 * metadata): the whole's checks first, the cut's second. */
static const invariant export_extent_checks[2][2] = {
    {{"the export has every area of every level",
      "SELECT (SELECT count(*) FROM ex.kelurahan) != (SELECT count(*) FROM main.kelurahan)"
      " OR (SELECT count(*) FROM ex.kecamatan) != (SELECT count(*) FROM main.kecamatan)"
      " OR (SELECT count(*) FROM ex.kabkota) != (SELECT count(*) FROM main.kabkota)"
      " OR (SELECT count(*) FROM ex.provinsi) != (SELECT count(*) FROM main.provinsi)"},
     {"the export holds every household once",
      "SELECT (SELECT count(*) FROM ex.households) != (SELECT count(*) FROM main.households)"
      " OR (SELECT count(*) FROM ex.households e LEFT JOIN main.households h USING (household_id)"
      "  WHERE h.hh IS NULL)"}},
    {{"the export has every area of its cut (--only), and its parents",
      "SELECT (SELECT count(*) FROM ex.kelurahan) != " CUT_COUNT("kelurahan")
      " OR (SELECT count(*) FROM ex.kecamatan) != " CUT_COUNT("kecamatan")
      " OR (SELECT count(*) FROM ex.kabkota) != " CUT_COUNT("kabkota")
      " OR (SELECT count(*) FROM ex.provinsi) != " CUT_COUNT("provinsi")
      " OR (SELECT count(*) FROM ex.kelurahan WHERE code NOT IN (SELECT code FROM temp.export_scope"
      "  WHERE level = 'kelurahan'))"},
     {"the export holds every household of its cut once",
      "SELECT (SELECT count(*) FROM ex.households) != (SELECT count(*) FROM main.household_areas"
      "  WHERE kelurahan_code IN (SELECT code FROM temp.export_scope WHERE level = 'kelurahan')"
      "  OR (kelurahan_code IS NULL AND kecamatan_code IN (SELECT code FROM temp.export_scope"
      "   WHERE level = 'kecamatan')))"
      " OR (SELECT count(*) FROM ex.households e LEFT JOIN main.households h USING (household_id)"
      "  WHERE h.hh IS NULL OR h.kelurahan_code IS NOT e.kelurahan_code)"}},
};

static int run_checks(rg_store *store, const invariant *checks, size_t n, rg_check_fn report, void *userdata,
                      int *failed)
{
    for (size_t i = 0; i < n; i++) {
        int64_t violations = 0;
        int rc = rg_io_store_count(store, checks[i].sql, &violations);
        if (rc != RG_OK)
            return rc;
        *failed += violations != 0;
        if (report)
            report(checks[i].name, violations, userdata);
    }
    return RG_OK;
}

/* The area an export was cut to (its metadata's ONLY, as GDAL keeps dataset metadata in
 * gpkg_metadata as <MDI key="ONLY">), made again in temp.export_scope; only[0] = 0 for a whole export. */
static int export_cut(rg_store *store, char *only, size_t cap)
{
    sqlite3_stmt *st = NULL;
    only[0] = '\0';
    int64_t has = 0;
    int rc = rg_io_store_count(store, "SELECT count(*) FROM ex.sqlite_master WHERE name = 'gpkg_metadata'", &has);
    if (rc != RG_OK || !has)
        return rc;
    if (sqlite3_prepare_v2(rg_io_store_db(store),
                           "SELECT substr(m, 1, instr(m, '</MDI>') - 1) FROM (SELECT substr(metadata,"
                           " instr(metadata, '<MDI key=\"ONLY\">') + 16) AS m FROM ex.gpkg_metadata"
                           " WHERE instr(metadata, '<MDI key=\"ONLY\">') > 0 LIMIT 1)",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(only, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return only[0] ? rg_export_scope(store, only, NULL) : RG_OK;
}

int rg_check_run(rg_store *store, const char *export_path, rg_check_fn report, void *userdata, int *failed)
{
    rg_ctx *ctx = rg_io_store_ctx(store);
    *failed = 0;
    int64_t n = 0;
    int rc = rg_io_store_step_require(store, RG_STEP_CLASSIFY, "nothing to check yet");
    if (rc != RG_OK)
        return rc;
    if ((rc = run_checks(store, store_checks, sizeof store_checks / sizeof *store_checks, report, userdata, failed)) !=
            RG_OK ||
        !export_path)
        return rc;

    /* ATTACH would create a missing file: a check creates nothing. */
    struct stat sb;
    if (stat(export_path, &sb) != 0)
        return rg_ctx_error(ctx, RG_EIO, "%s: cannot open: %s", export_path, strerror(errno));
    sqlite3_stmt *attach = NULL;
    sqlite3 *db = rg_io_store_db(store);
    if (sqlite3_prepare_v2(db, "ATTACH DATABASE ? AS ex", -1, &attach, NULL) != SQLITE_OK)
        return rg_ctx_error(ctx, RG_ESQL, "%s", sqlite3_errmsg(db));
    char uri[4200];
    snprintf(uri, sizeof uri, "%s", export_path);
    sqlite3_bind_text(attach, 1, uri, -1, SQLITE_STATIC);
    int step = sqlite3_step(attach);
    sqlite3_finalize(attach);
    if (step != SQLITE_DONE)
        return rg_ctx_error(ctx, RG_EIO, "%s: cannot open: %s", export_path, sqlite3_errmsg(db));
    if ((rc = rg_io_store_count(store, "SELECT count(*) FROM pragma_table_info('kelurahan', 'ex')"
                                       " WHERE name = 'poverty_rate'",
                                &n)) == RG_OK &&
        n == 0)
        rc = rg_ctx_error(ctx, RG_EDATA, "%s: not a regsosek-geo GeoPackage (no kelurahan layer with poverty_rate)", export_path);
    char only[64] = "";
    if (rc == RG_OK)
        rc = export_cut(store, only, sizeof only);
    int cut = only[0] != '\0';
    if (rc == RG_OK)
        rc = run_checks(store, export_checks, sizeof export_checks / sizeof *export_checks, report, userdata, failed);
    if (rc == RG_OK)
        rc = run_checks(store, &export_extent_checks[cut][0], 1, report, userdata, failed);
    if (rc == RG_OK &&
        (rc = rg_io_store_count(store, "SELECT count(*) FROM ex.sqlite_master WHERE name = 'households'", &n)) ==
            RG_OK &&
        n > 0 && (rc = run_checks(store, &export_extent_checks[cut][1], 1, report, userdata, failed)) == RG_OK)
        rc = run_checks(store, export_household_checks, sizeof export_household_checks / sizeof *export_household_checks,
                        report, userdata, failed);
    sqlite3_exec(db, "DETACH DATABASE ex", NULL, NULL, NULL);
    sqlite3_exec(db, "DROP TABLE IF EXISTS temp.export_scope", NULL, NULL, NULL);
    return rc;
}
