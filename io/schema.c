/*
 * The store's schema and its steps: every CREATE of the working database is here, and so
 * is the transaction each step runs in.
 *
 * One writer per table. The load writes household_records once and nothing updates it;
 * preparing boundaries writes kelurahan and kecamatan; the join appends household_areas;
 * classify writes household_classes and the summaries. Each step's results depend on the
 * steps before it, so a step that starts drops the results of every step after it, and
 * store_steps says which results are current: nothing stale can be classified or exported.
 * The view `households` puts a household's row and every step's answers side by side, as
 * one spatial layer that export, rank and check read and a person opens in QGIS.
 */
#include "io/internal.h"

#include <stdio.h>
#include <string.h>

/* The layout's version, in SQLite's user_version: 2 added households without a point and
 * the forum's decisions; 3 the kab/kota and provinsi levels and the desil counts; 4 the
 * area tables' attribute indexes; 5 the input's other columns in a table of their own; 6 a
 * forum's decision applies only in the kelurahan that made it (the view anew), and the file's
 * kecamatan polygons are kept apart from the drawn ones (kecamatan_given); 7 the SLS of an SLS
 * map and each household's, and household ids unique by an index a load can set aside (a
 * store made earlier keeps the table's own
 * constraint, which its loads check on each insert: nothing to change, but an earlier
 * release must not load into a table that no longer checks ids itself); 8 a national desil
 * and rank given with each household (DTSEN), and the edition each load names and each forum
 * decision was made on (NULL in a store made earlier: its decisions apply as before). A database of
 * another version is refused, not half-understood; one of version 3 to 6 is upgraded by the
 * first step that writes (read-only steps refuse it until then). */
#define SCHEMA_VERSION RG_IO_SCHEMA_VERSION
#define OLDEST_UPGRADABLE 3

static const char *const step_names[RG_STEP_COUNT] = {"load", "boundaries", "join", "classify", "forum"};

const char *rg_io_step_name(rg_step step) { return step_names[step]; }

/* What a person runs to bring a step's results up to date. */
static const char *const step_commands[RG_STEP_COUNT] = {
    "regsosek-geo load",
    "regsosek-geo join BOUNDARIES",
    "regsosek-geo join BOUNDARIES",
    "regsosek-geo classify",
    "regsosek-geo amend FILE",
};

/* An area's row carries its polygon: a kelurahan's is kilobytes, a provinsi's megabytes. What
 * the households view, classify and the summaries look up by code (names, parents, the urban
 * or rural type) or by parent is also in two indexes, so those lookups never touch the
 * polygons. */
#define AREA_INDEXES(t)                                                                                        \
    "CREATE INDEX IF NOT EXISTS " t "_attributes ON " t "(code, name, parent_code, urban_rural);"             \
    "CREATE INDEX IF NOT EXISTS " t "_children ON " t "(parent_code, code);"

/* One level of the boundaries; parent_code names its area in the next level up. */
#define AREA_TABLE(t)                                                                                          \
    "CREATE TABLE " t "(code TEXT PRIMARY KEY, name TEXT, parent_code TEXT, alt_code TEXT,"                   \
    "  repaired INTEGER NOT NULL DEFAULT 0, dissolved INTEGER NOT NULL DEFAULT 0, urban_rural TEXT);"         \
    "SELECT AddGeometryColumn('" t "', 'geom', 4326, 'MULTIPOLYGON', 'XY');"                                   \
    "SELECT CreateSpatialIndex('" t "', 'geom');" AREA_INDEXES(t)

/* BPS's SLS (sub-SLS where the map splits them), the finest areas, when the boundaries are an
 * SLS map; parent_code is the desa (layout 7). Empty otherwise. */
#define SLS_TABLE AREA_TABLE("sls")

/* The boundary file's own kecamatan polygons, when it has a kecamatan layer: the table
 * kecamatan holds the union of their kelurahan, which maps draw; the join checks each point
 * against these (layout 6). SpatiaLite blobs, not a registered geometry: nothing draws them. */
#define KECAMATAN_GIVEN_TABLE "CREATE TABLE IF NOT EXISTS kecamatan_given(code TEXT PRIMARY KEY, geom BLOB NOT NULL);"

/* Without statistics SQLite takes the code's own index and reads each row, polygon and all;
 * with them it takes the attribute index. Gathered whenever the boundaries change. */
static const char area_statistics_sql[] =
    "ANALYZE kelurahan; ANALYZE kecamatan; ANALYZE kabkota; ANALYZE provinsi; ANALYZE sls;";

/* What layout 4 added to 3. */
static const char upgrade_to_4_sql[] =
    AREA_INDEXES("kelurahan") AREA_INDEXES("kecamatan") AREA_INDEXES("kabkota") AREA_INDEXES("provinsi")
    "ANALYZE kelurahan; ANALYZE kecamatan; ANALYZE kabkota; ANALYZE provinsi;";

/* The input's other columns (names, NIK, addresses: personal data) as JSON, apart from the
 * records every step reads: they are most of a household's bytes, and only an export with
 * --fields asks for them. Written by the load with the records. */
#define HOUSEHOLD_EXTRA_TABLE "CREATE TABLE household_extra(hh INTEGER PRIMARY KEY, extra TEXT NOT NULL);"

/* What layout 7 added to 6 (its household ids are left to the table's own constraint). */
static const char upgrade_to_7_sql[] =
    SLS_TABLE "ALTER TABLE household_areas ADD COLUMN sls_code TEXT;";

static const char upgrade_to_8_sql[] = "ALTER TABLE household_records ADD COLUMN given_desil TEXT;"
                                       "ALTER TABLE household_records ADD COLUMN given_rank TEXT;"
                                       "ALTER TABLE load_runs ADD COLUMN edition TEXT;"
                                       "ALTER TABLE forum_decisions ADD COLUMN edition TEXT;";

/* What layout 5 changed of 4: the extra columns move out of household_records (the view that
 * names them goes first, and is made again by the caller). */
#define DROP_VIEW "DROP VIEW households; DELETE FROM views_geometry_columns WHERE view_name = 'households';"
static const char upgrade_to_5_sql[] =
    DROP_VIEW
    HOUSEHOLD_EXTRA_TABLE
    "INSERT INTO household_extra(hh, extra) SELECT hh, extra FROM household_records WHERE extra IS NOT NULL;"
    "ALTER TABLE household_records DROP COLUMN extra;";

static const char base_sql[] =
    "CREATE TABLE store_steps(step TEXT PRIMARY KEY, finished TEXT NOT NULL, detail TEXT);"
    "CREATE TABLE load_runs("
    "  id INTEGER PRIMARY KEY, input_path TEXT NOT NULL, input_size INTEGER,"
    "  sha256 TEXT, mode TEXT, started TEXT, finished TEXT,"
    "  rows_read INTEGER, loaded INTEGER, flagged INTEGER, rejected INTEGER, edition TEXT);"
    "CREATE TABLE rejects("
    "  id INTEGER PRIMARY KEY, load_run INTEGER NOT NULL REFERENCES load_runs(id),"
    "  line INTEGER NOT NULL, reason TEXT NOT NULL, message TEXT NOT NULL, raw BLOB);"
    "CREATE TABLE household_records("
    "  hh INTEGER PRIMARY KEY,"
    "  household_id TEXT NOT NULL,"
    "  load_run INTEGER NOT NULL REFERENCES load_runs(id),"
    "  source_line INTEGER NOT NULL,"
    "  lon REAL, lat REAL,"
    "  household_size INTEGER, spending REAL, reported_code TEXT, given_class TEXT,"
    "  load_flags TEXT, given_desil TEXT, given_rank TEXT);"
    /* Unique by an index of its own, which the load sets aside while it writes (layout 7). */
    "CREATE UNIQUE INDEX household_records_id ON household_records(household_id);"
    HOUSEHOLD_EXTRA_TABLE
    "SELECT AddGeometryColumn('household_records', 'geom', 4326, 'POINT', 'XY');"
    "SELECT CreateSpatialIndex('household_records', 'geom');"
    "CREATE TABLE boundary_sets(id INTEGER PRIMARY KEY, path TEXT NOT NULL, size INTEGER, sha256 TEXT NOT NULL,"
    "  source TEXT NOT NULL, prepared TEXT NOT NULL, kelurahan INTEGER, kecamatan INTEGER,"
    "  repaired INTEGER, kecamatan_dissolved INTEGER, kabkota INTEGER, provinsi INTEGER,"
    "  kabkota_dissolved INTEGER, provinsi_dissolved INTEGER);"
    AREA_TABLE("kelurahan") AREA_TABLE("kecamatan") AREA_TABLE("kabkota") AREA_TABLE("provinsi")
    SLS_TABLE KECAMATAN_GIVEN_TABLE
    "CREATE TABLE join_report(id INTEGER PRIMARY KEY, finished TEXT,"
    "  boundaries TEXT, households INTEGER, within INTEGER, boundary INTEGER,"
    "  nearest INTEGER, nearest_max_m REAL, nearest_median_m REAL, unmatched INTEGER,"
    "  overlaps INTEGER, code_mismatches INTEGER, kecamatan_mismatches INTEGER,"
    "  kelurahan INTEGER, kecamatan INTEGER, repaired_polygons INTEGER,"
    "  kecamatan_dissolved INTEGER, boundaries_reused INTEGER,"
    "  code INTEGER, without_point INTEGER, unknown_codes INTEGER);"
    /* The forum's decisions, the history of every amend: never dropped by another step. */
    "CREATE TABLE forum_runs(id INTEGER PRIMARY KEY, path TEXT NOT NULL, size INTEGER, sha256 TEXT,"
    "  kelurahan_code TEXT, finished TEXT, rows_read INTEGER, applied INTEGER, unchanged INTEGER, rejected INTEGER);"
    "CREATE TABLE forum_decisions(id INTEGER PRIMARY KEY, run INTEGER NOT NULL REFERENCES forum_runs(id),"
    "  household_id TEXT NOT NULL, kelurahan_code TEXT, class_before TEXT, class_after TEXT NOT NULL, note TEXT,"
    "  source_row INTEGER NOT NULL, decided TEXT NOT NULL, edition TEXT);"
    "CREATE INDEX forum_decisions_household ON forum_decisions(household_id, id);"
    "CREATE TABLE forum_rejects(id INTEGER PRIMARY KEY, run INTEGER NOT NULL REFERENCES forum_runs(id),"
    "  source_row INTEGER, reason TEXT NOT NULL, message TEXT NOT NULL, raw TEXT);";

/* Each step's own tables, made afresh when it starts, and when a step before it does.
 * No foreign keys from them to household_records: a lookup per appended row would cost
 * more than the append, and the step that writes them reads the records it answers. */
static const char join_tables_sql[] =
    "DROP TABLE IF EXISTS household_areas;"
    "CREATE TABLE household_areas(hh INTEGER PRIMARY KEY, kelurahan_code TEXT, kecamatan_code TEXT,"
    "  join_method TEXT NOT NULL, join_distance_m REAL, join_flags TEXT, code_mismatch INTEGER,"
    "  kecamatan_polygon_code TEXT, sls_code TEXT);"
    "DROP TABLE IF EXISTS join_unknown_codes;"
    "CREATE TABLE join_unknown_codes(code TEXT PRIMARY KEY, households INTEGER NOT NULL);";

/* An area's counts: every household of the area, by class after the forum, by desil of the
 * ranking; classify adds a column per programme of its rules. */
#define SUMMARY_TABLE(level)                                                                                   \
    "DROP TABLE IF EXISTS " level "_summary;"                                                                  \
    "CREATE TABLE " level "_summary(code TEXT PRIMARY KEY, households INTEGER, sangat_miskin INTEGER,"          \
    "  miskin INTEGER, rentan_miskin INTEGER, tidak_miskin INTEGER, unclassified INTEGER, with_point INTEGER,"  \
    "  without_point INTEGER, code_mismatches INTEGER, desil_1 INTEGER, desil_2 INTEGER, desil_3 INTEGER,"    \
    "  desil_4 INTEGER, desil_5 INTEGER, desil_6 INTEGER, desil_7 INTEGER, desil_8 INTEGER, desil_9 INTEGER,"  \
    "  desil_10 INTEGER);"

static const char classify_tables_sql[] =
    "DROP TABLE IF EXISTS household_classes;"
    "CREATE TABLE household_classes(hh INTEGER PRIMARY KEY, welfare REAL, desil INTEGER, welfare_rank INTEGER,"
    "  poverty_class TEXT);"
    "DROP TABLE IF EXISTS classify_issues;"
    "CREATE TABLE classify_issues(hh INTEGER, household_id TEXT, source_line INTEGER, value TEXT, message TEXT);"
    SUMMARY_TABLE("kelurahan") SUMMARY_TABLE("kecamatan") SUMMARY_TABLE("kabkota") SUMMARY_TABLE("provinsi")
    "DROP TABLE IF EXISTS classify_programmes;"
    "CREATE TABLE classify_programmes(name TEXT PRIMARY KEY, first_desil INTEGER NOT NULL,"
    "  last_desil INTEGER NOT NULL, position INTEGER NOT NULL);"
    "DROP TABLE IF EXISTS classify_meta;"
    "CREATE TABLE classify_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);";

/* The boundaries' rows go, their tables stay: the view and SpatiaLite's registration of
 * their geometry refer to them. Their spatial indexes are packed anew by the step. */
static const char boundary_rows_sql[] =
    "DELETE FROM kelurahan; DELETE FROM kecamatan; DELETE FROM kabkota; DELETE FROM provinsi;"
    " DELETE FROM kecamatan_given; DELETE FROM sls;";

/* The load's rows on --replace (load_runs keeps the history of what was loaded); the
 * spatial index is packed anew by the load. */
static const char load_rows_sql[] = "DELETE FROM household_records; DELETE FROM household_extra; DELETE FROM rejects;";

/* A household and every step's answers: what export, rank and check read. Rows of steps
 * not yet run read as NULL. */
static const char view_sql[] =
    "CREATE VIEW households AS SELECT"
    " r.hh AS hh, r.household_id AS household_id, r.load_run AS load_run, r.source_line AS source_line,"
    " r.lon AS lon, r.lat AS lat, r.household_size AS household_size, r.spending AS spending,"
    " r.reported_code AS reported_code, r.given_class AS given_class, r.load_flags AS load_flags,"
    " r.given_desil AS given_desil, r.given_rank AS given_rank,"
    " x.extra AS extra,"
    " a.kelurahan_code AS kelurahan_code, kl.name AS kelurahan_name, a.kecamatan_code AS kecamatan_code,"
    " kc.name AS kecamatan_name, a.join_method AS join_method, a.join_distance_m AS join_distance_m,"
    " a.join_flags AS join_flags, a.code_mismatch AS code_mismatch,"
    " a.kecamatan_polygon_code AS kecamatan_polygon_code, a.sls_code AS sls_code, sl.name AS sls_name,"
    /* The coarser levels are the kecamatan's ancestors, so every level's totals nest. */
    " kc.parent_code AS kabkota_code, kk.name AS kabkota_name, kk.parent_code AS provinsi_code, pv.name AS provinsi_name,"
    " c.welfare AS welfare, c.desil AS desil, c.welfare_rank AS welfare_rank, c.poverty_class AS poverty_class,"
    /* The class after the forum: its latest decision for the household, else the ranking's. */
    " coalesce(" RG_IO_FORUM_CLASS_IN_FORCE ", c.poverty_class) AS poverty_class_final,"
    " " RG_IO_FORUM_CLASS_IN_FORCE " AS forum_class,"
    " CASE WHEN r.geom IS NOT NULL THEN 'gps' END AS point_source,"
    " r.geom AS geom"
    " FROM household_records r"
    " LEFT JOIN household_extra x ON x.hh = r.hh"
    " LEFT JOIN household_areas a ON a.hh = r.hh"
    " LEFT JOIN household_classes c ON c.hh = r.hh"
    " LEFT JOIN kelurahan kl ON kl.code = a.kelurahan_code"
    " LEFT JOIN kecamatan kc ON kc.code = a.kecamatan_code"
    " LEFT JOIN sls sl ON sl.code = a.sls_code"
    " LEFT JOIN kabkota kk ON kk.code = kc.parent_code"
    " LEFT JOIN provinsi pv ON pv.code = kk.parent_code;"
    /* SpatiaLite (and through it QGIS) lists a registered view as a layer of points, using
     * the records' spatial index. */
    "INSERT INTO views_geometry_columns(view_name, view_geometry, view_rowid, f_table_name, f_geometry_column,"
    " read_only) VALUES('households', 'geom', 'hh', 'household_records', 'geom', 1);";

static int table_kind(rg_store *store, const char *name, char *kind, size_t cap)
{
    sqlite3_stmt *st = NULL;
    kind[0] = '\0';
    if (sqlite3_prepare_v2(rg_io_store_db(store), "SELECT type FROM sqlite_master WHERE name = ?", -1, &st, NULL) !=
        SQLITE_OK)
        return rg_io_store_sql_error(store);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        snprintf(kind, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? RG_OK : rg_io_store_sql_error(store);
}

/* A store of the version before this one gets what it lacks, in a transaction of its own. */
static int upgrade(rg_store *store)
{
    int64_t version = 0;
    int rc = rg_io_store_count(store, "PRAGMA user_version", &version);
    if (rc != RG_OK || version == SCHEMA_VERSION)
        return rc;
    static const char what[] = "upgrading the working database";
    if ((rc = rg_io_store_exec(store, what, "BEGIN")) != RG_OK)
        return rc;
    if ((version < 4 && (rc = rg_io_store_exec(store, what, upgrade_to_4_sql)) != RG_OK) ||
        (rc = rg_io_store_exec(store, what, version < 5 ? upgrade_to_5_sql : DROP_VIEW)) != RG_OK ||
        (rc = rg_io_store_exec(store, what, KECAMATAN_GIVEN_TABLE)) != RG_OK ||
        (version < 7 && (rc = rg_io_store_exec(store, what, upgrade_to_7_sql)) != RG_OK) ||
        (version < 8 && (rc = rg_io_store_exec(store, what, upgrade_to_8_sql)) != RG_OK) ||
        (rc = rg_io_store_exec(store, what, view_sql)) != RG_OK ||
        (rc = rg_io_store_exec(store, what, "PRAGMA user_version = " RG__STRINGIFY(SCHEMA_VERSION))) != RG_OK) {
        sqlite3_exec(rg_io_store_db(store), "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    rg_ctx_notice(rg_io_store_ctx(store), RG_NOTICE_INFO, "%s: upgraded from layout %lld to %d",
                  rg_io_store_path(store), (long long)version, SCHEMA_VERSION);
    return rg_io_store_exec(store, what, "COMMIT");
}

int rg_io__schema_create(rg_store *store)
{
    char kind[16];
    int rc = table_kind(store, "spatial_ref_sys", kind, sizeof kind);
    if (rc == RG_OK && !kind[0])
        rc = rg_io_store_exec(store, "initialising SpatiaLite metadata", "SELECT InitSpatialMetadata(1, 'WGS84')");
    if (rc == RG_OK)
        rc = table_kind(store, "households", kind, sizeof kind);
    if (rc != RG_OK)
        return rc;
    if (kind[0] && (rc = rg_io__schema_check(store, 1)) == RG_OK) /* says what it is */
        rc = upgrade(store);
    if (kind[0])
        return rc;
    if ((rc = rg_io_store_exec(store, "creating tables", "BEGIN")) != RG_OK)
        return rc;
    if ((rc = rg_io_store_exec(store, "creating tables", base_sql)) != RG_OK ||
        (rc = rg_io_store_exec(store, "creating tables", join_tables_sql)) != RG_OK ||
        (rc = rg_io_store_exec(store, "creating tables", classify_tables_sql)) != RG_OK ||
        (rc = rg_io_store_exec(store, "creating the households view", view_sql)) != RG_OK ||
        (rc = rg_io_store_exec(store, "creating tables", "PRAGMA user_version = " RG__STRINGIFY(SCHEMA_VERSION))) !=
            RG_OK) {
        sqlite3_exec(rg_io_store_db(store), "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    return rg_io_store_exec(store, "creating tables", "COMMIT");
}

static int refuse_version(rg_store *store, int64_t version)
{
    return rg_ctx_error(rg_io_store_ctx(store), RG_EDATA,
                        "%s: made by %s regsosek-geo (layout %lld, this one reads %d); start a new working"
                        " database (another --db, or remove this one) and load again",
                        rg_io_store_path(store), version < SCHEMA_VERSION ? "an earlier" : "a later",
                        (long long)version, SCHEMA_VERSION);
}

int rg_io__schema_check(rg_store *store, int upgrading)
{
    char kind[16];
    int64_t version = 0;
    int rc = table_kind(store, "households", kind, sizeof kind);
    if (rc == RG_OK && strcmp(kind, "view") == 0 &&
        (rc = rg_io_store_count(store, "PRAGMA user_version", &version)) == RG_OK && version != SCHEMA_VERSION) {
        if (version < OLDEST_UPGRADABLE || version > SCHEMA_VERSION)
            return refuse_version(store, version);
        if (!upgrading)
            return rg_ctx_error(rg_io_store_ctx(store), RG_EDATA,
                                "%s: made by an earlier regsosek-geo (layout %lld, this one reads %d): the next step"
                                " that writes (load, join, classify, amend) upgrades it in place, keeping every"
                                " result; then run this again",
                                rg_io_store_path(store), (long long)version, SCHEMA_VERSION);
    }
    if (rc != RG_OK || strcmp(kind, "view") == 0)
        return rc;
    return rg_ctx_error(rg_io_store_ctx(store), RG_EDATA, "%s: %s", rg_io_store_path(store),
                        kind[0] ? "made by an earlier regsosek-geo, whose households table carried every step's"
                                  " results; start a new working database (another --db, or remove this one) and"
                                  " load again"
                                : "not a regsosek-geo working database (no households in it)");
}

/* Makes the tables of `step` afresh, or empties them. */
static int reset_tables(rg_store *store, rg_step step)
{
    switch (step) {
    case RG_STEP_LOAD: return rg_io_store_exec(store, "replacing households", load_rows_sql);
    case RG_STEP_BOUNDARIES: return rg_io_store_exec(store, "replacing the boundaries", boundary_rows_sql);
    case RG_STEP_JOIN: return rg_io_store_exec(store, "clearing the join", join_tables_sql);
    case RG_STEP_CLASSIFY: return rg_io_store_exec(store, "clearing the classes", classify_tables_sql);
    default: return RG_OK;
    }
}

/* Which steps' results are made from which: households and boundaries are independent
 * inputs; the join is made of both; classify of the join. */
static int depends_on(rg_step later, rg_step earlier)
{
    switch (later) {
    case RG_STEP_JOIN: return earlier == RG_STEP_LOAD || earlier == RG_STEP_BOUNDARIES;
    case RG_STEP_CLASSIFY: return earlier == RG_STEP_LOAD || earlier == RG_STEP_BOUNDARIES || earlier == RG_STEP_JOIN;
    default: return 0;
    }
}

/*
 * SpatiaLite's row triggers on the tables a bulk step rewrites (geometry checks, R*Tree
 * upkeep, the time of the last change): the step builds each geometry's BLOB itself and
 * packs the spatial index after the rows, so they would only cost, and a DELETE of a
 * table with triggers goes row by row where one without is a truncation. They are
 * restored, with the time of the change, when the step commits.
 */
static const char *bulk_tables(rg_step step)
{
    switch (step) {
    case RG_STEP_LOAD: return "'household_records'";
    case RG_STEP_BOUNDARIES: return "'kelurahan', 'kecamatan', 'kabkota', 'provinsi', 'sls'";
    default: return NULL;
    }
}

static int suspend_triggers(rg_store *store, rg_step step, rg_buf *restore)
{
    const char *tables = bulk_tables(step);
    if (!tables)
        return RG_OK;
    rg_buf condition = {0};
    int rc = rg__buf_appendf(&condition, "tbl_name IN (%s)", tables);
    if (rc == RG_OK)
        rc = rg_io__suspend_triggers(store, "main", condition.data, restore);
    rg__buf_free(&condition);
    /* Recorded now, restored by the commit: the change the step makes is its own. */
    if (rc == RG_OK)
        rc = rg__buf_appendf(restore,
                             "UPDATE geometry_columns_time SET last_insert = strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now'),"
                             " last_delete = strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now') WHERE f_table_name IN (%s);",
                             tables);
    return rc;
}

/* The step's results are no longer current (until it commits again). */
static int forget(rg_store *store, rg_step step)
{
    char sql[96];
    snprintf(sql, sizeof sql, "DELETE FROM store_steps WHERE step = '%s'", step_names[step]);
    return rg_io_store_exec(store, "starting a step", sql);
}

int rg_io_store_step_begin(rg_store *store, rg_step step, rg_step_start start, int cache_kib)
{
    rg_io__step *s = rg_io__store_step(store);
    if (s->active)
        return rg_ctx_error(rg_io_store_ctx(store), RG_EINVAL, "%s: step %s started inside step %s",
                            rg_io_store_path(store), step_names[step], step_names[s->step]);
    int rc = RG_OK;
    s->step = step;
    if (cache_kib > 0 && (rc = rg_io_store_shrink_cache(store, cache_kib, &s->cache_pages)) != RG_OK)
        return rc;
    /* Every row a load writes carries the run this load has just recorded, so the foreign
     * key holds by construction; checking it cost a lookup per row. (SQLite ignores this
     * pragma, like the cache's, inside a transaction.) */
    if (step == RG_STEP_LOAD && (rc = rg_io_store_exec(store, "starting the load", "PRAGMA foreign_keys=OFF")) != RG_OK)
        return rc;
    /* A caller that makes several steps one change (join: the boundaries, then the answers)
     * opens the transaction; each step is then a savepoint in it. */
    s->nested = !sqlite3_get_autocommit(rg_io_store_db(store));
    if ((rc = rg_io_store_exec(store, "starting a step", s->nested ? "SAVEPOINT rg_step" : "BEGIN IMMEDIATE")) !=
        RG_OK) {
        rg_io_store_step_end(store);
        return rc;
    }
    s->active = 1;
    rc = suspend_triggers(store, step, &s->triggers);
    if (rc == RG_OK && start == RG_STEP_AFRESH)
        rc = reset_tables(store, step);
    if (rc == RG_OK)
        rc = forget(store, step);
    for (int later = 0; later < RG_STEP_COUNT && rc == RG_OK; later++)
        if (depends_on((rg_step)later, step) && (rc = reset_tables(store, (rg_step)later)) == RG_OK)
            rc = forget(store, (rg_step)later);
    return rc;
}

int rg_io_store_step_commit(rg_store *store, const char *detail)
{
    rg_io__step *s = rg_io__store_step(store);
    sqlite3 *db = rg_io_store_db(store);
    int rc = RG_OK;
    if (s->triggers.len)
        rc = rg_io_store_exec(store, "restoring SpatiaLite's row triggers", s->triggers.data);
    if (rc == RG_OK && s->step == RG_STEP_BOUNDARIES)
        rc = rg_io_store_exec(store, "gathering the boundaries' statistics", area_statistics_sql);
    sqlite3_stmt *st = NULL;
    if (rc == RG_OK &&
        sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO store_steps(step, finished, detail)"
                               " VALUES(?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?)",
                           -1, &st, NULL) != SQLITE_OK)
        rc = rg_io_store_sql_error(store);
    if (rc == RG_OK) {
        sqlite3_bind_text(st, 1, step_names[s->step], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, detail, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = rg_io_store_sql_error(store);
    }
    sqlite3_finalize(st);
    if (rc == RG_OK && (rc = rg_io_store_exec(store, "committing", s->nested ? "RELEASE rg_step" : "COMMIT")) == RG_OK)
        s->committed = 1;
    return rc;
}

void rg_io_store_step_end(rg_store *store)
{
    rg_io__step *s = rg_io__store_step(store);
    sqlite3 *db = rg_io_store_db(store);
    if (s->active && !s->committed)
        sqlite3_exec(db, s->nested ? "ROLLBACK TO rg_step; RELEASE rg_step" : "ROLLBACK", NULL, NULL, NULL);
    if (s->step == RG_STEP_LOAD)
        sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
    rg_io_store_restore_cache(store, s->cache_pages);
    rg__buf_free(&s->triggers);
    memset(s, 0, sizeof *s);
}

int rg_io_store_step_current(rg_store *store, rg_step step, int *current)
{
    char sql[96];
    int64_t n = 0;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM store_steps WHERE step = '%s'", step_names[step]);
    int rc = rg_io_store_count(store, sql, &n);
    *current = rc == RG_OK && n > 0;
    return rc;
}

int rg_io_store_step_require(rg_store *store, rg_step step, const char *what)
{
    int loaded = 0, joined = 0, classified = 0;
    int64_t records = 0, joins = 0;
    int rc;
    if ((rc = rg_io_store_step_current(store, RG_STEP_LOAD, &loaded)) != RG_OK ||
        (rc = rg_io_store_step_current(store, RG_STEP_JOIN, &joined)) != RG_OK ||
        (rc = rg_io_store_step_current(store, RG_STEP_CLASSIFY, &classified)) != RG_OK ||
        (rc = rg_io_store_count(store, "SELECT EXISTS (SELECT 1 FROM household_records)", &records)) != RG_OK ||
        (rc = rg_io_store_count(store, "SELECT EXISTS (SELECT 1 FROM join_report)", &joins)) != RG_OK)
        return rc;
    rg_ctx *ctx = rg_io_store_ctx(store);
    const char *path = rg_io_store_path(store);
    if (!loaded || records == 0)
        return rg_ctx_error(ctx, RG_EDATA, "%s: %s: no households loaded yet: run `%s` first", path, what,
                            step_commands[RG_STEP_LOAD]);
    if (step >= RG_STEP_JOIN && !joined)
        return rg_ctx_error(ctx, RG_EDATA, "%s: %s: %s: run `%s`%s", path, what,
                            joins ? "households were loaded after the last join" : "the households are not joined yet",
                            step_commands[RG_STEP_JOIN], step > RG_STEP_JOIN ? ", then `regsosek-geo classify`" : "");
    if (step >= RG_STEP_CLASSIFY && !classified)
        return rg_ctx_error(ctx, RG_EDATA, "%s: %s: the households are not classified since their last join: run `%s`",
                            path, what, step_commands[RG_STEP_CLASSIFY]);
    return RG_OK;
}


int rg_io_sources_describe(rg_store *store, char *out, size_t cap)
{
    sqlite3_stmt *st = NULL;
    out[0] = '\0';
    if (sqlite3_prepare_v2(rg_io_store_db(store),
                           "SELECT (SELECT group_concat(" RG_IO_SQL_BASENAME("input_path") " || ' (' || loaded"
                           "   || ' rumah tangga, SHA-256 ' || substr(sha256, 1, 12) || ', ' || substr(finished, 1, 10)"
                           "   || coalesce(', edisi ' || edition, '') || ')', '; ') FROM load_runs WHERE " RG_IO_LIVE_RUN "),"
                           " (SELECT " RG_IO_SQL_BASENAME("path") " || ' (SHA-256 ' || substr(sha256, 1, 12) || ')'"
                           "  FROM boundary_sets ORDER BY id DESC LIMIT 1)",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *h = sqlite3_column_text(st, 0), *b = sqlite3_column_text(st, 1);
        snprintf(out, cap, "rumah tangga: %s; batas wilayah: %s", h ? (const char *)h : "?", b ? (const char *)b : "?");
    }
    sqlite3_finalize(st);
    return RG_OK;
}
