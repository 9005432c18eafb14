#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "io/io.h"
#include "load/load.h"
#include "support.h"

Test(io_store, creates_a_spatialite_database_once)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "s.sqlite");
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM spatial_ref_sys WHERE srid = 4326"), 1);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM geometry_columns WHERE f_table_name = 'household_records'"), 1);
    /* The view a person opens is registered as SpatiaLite's spatial view over the records. */
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM views_geometry_columns WHERE view_name = 'households'"
                                " AND f_table_name = 'household_records' AND view_rowid = 'hh'"),
                 1);
    cr_assert(strstr(rg_io_store_path(store), "s.sqlite"));
    cr_assert_eq(rg_io_store_ctx(store), ctx);
    char path[600];
    snprintf(path, sizeof path, "%s", rg_io_store_path(store));
    rg_io_store_free(store);
    /* Reopening keeps what is there. */
    cr_assert_eq(rg_io_store_open(&store, ctx, path), RG_OK);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM geometry_columns WHERE f_table_name = 'household_records'"), 1);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM views_geometry_columns WHERE view_name = 'households'"), 1);
    rg_io_store_free(store);
    rg_io_store_free(NULL);
    rg_ctx_free(ctx);
}

Test(io_store, open_failure_names_the_path)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = (rg_store *)0x1;
    cr_assert_eq(rg_io_store_open(&store, ctx, "/nonexistent/dir/x.sqlite"), RG_ESQL);
    cr_assert_null(store);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "/nonexistent/dir/x.sqlite: cannot open database"), "%s", rg_ctx_errmsg(ctx));
    /* A file that is not a database. */
    cr_assert_eq(rg_io_store_open(&store, ctx, write_tmp("notes.sqlite", "these are notes, not a database\n")),
                 RG_ESQL);
    cr_assert_null(store);
    rg_ctx_free(ctx);
}

Test(io_store, exec_and_count_report_sql_errors)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "e.sqlite");
    cr_assert_eq(rg_io_store_exec(store, "testing", "CREATE TABLE t(x); INSERT INTO t VALUES (1), (2)"), RG_OK);
    int64_t n = 0;
    cr_assert_eq(rg_io_store_count(store, "SELECT count(*) FROM t", &n), RG_OK);
    cr_assert_eq(n, 2);
    cr_assert_eq(rg_io_store_exec(store, "breaking", "SELECT * FROM no_such_table"), RG_ESQL);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "breaking: no such table: no_such_table"), "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(rg_io_store_count(store, "SELECT nonsense(", &n), RG_ESQL);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(io_store, point_blob_is_what_spatialite_reads)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "p.sqlite");
    unsigned char blob[RG_SPATIALITE_POINT_SIZE];
    rg_io_spatialite_point(blob, 123.6012345678, -10.1689306565);
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(rg_io_store_db(store),
                                    "SELECT ST_X(?1) = 123.6012345678, ST_Y(?1) = -10.1689306565, ST_Srid(?1),"
                                    " ST_IsValid(?1), ST_AsText(?1)",
                                    -1, &st, NULL),
                 SQLITE_OK);
    sqlite3_bind_blob(st, 1, blob, sizeof blob, SQLITE_STATIC);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(st, 0), 1);
    cr_assert_eq(sqlite3_column_int(st, 1), 1);
    cr_assert_eq(sqlite3_column_int(st, 2), 4326);
    cr_assert_eq(sqlite3_column_int(st, 3), 1);
    cr_assert_str_eq((const char *)sqlite3_column_text(st, 4), "POINT(123.601235 -10.168931)");
    sqlite3_finalize(st);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* The SpatiaLite blob written without SpatiaLite must be byte for byte the one SpatiaLite
 * makes of the same WKB: CastToMultiPolygon(GeomFromWKB(...)). */
Test(io_store, multipolygon_blobs_are_spatialites_own)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "blobs.sqlite");
    sqlite3 *db = rg_io_store_db(store);
    static const char *const shapes[] = {
        "POLYGON((123.5 -10.2,123.6 -10.2,123.6 -10.1,123.5 -10.2))",
        "POLYGON((0 0,10 0,10 10,0 10,0 0),(2 2,2 4,4 4,2 2))",
        "MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((5 5,6 5,6 6,5 5),(5.2 5.1,5.8 5.1,5.8 5.7,5.2 5.1)))",
    };
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
        sqlite3_stmt *st = NULL;
        cr_assert_eq(sqlite3_prepare_v2(db,
                                        "SELECT AsBinary(g), CastToMultiPolygon(g), MbrMinX(g), MbrMinY(g), MbrMaxX(g),"
                                        " MbrMaxY(g) FROM (SELECT GeomFromText(?, 4326) AS g)",
                                        -1, &st, NULL),
                     SQLITE_OK);
        sqlite3_bind_text(st, 1, shapes[i], -1, SQLITE_STATIC);
        cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
        double bounds[4];
        for (int k = 0; k < 4; k++)
            bounds[k] = sqlite3_column_double(st, 2 + k);
        unsigned char *blob = NULL;
        size_t size = 0;
        cr_assert_eq(rg_io_spatialite_multipolygon(&blob, &size, sqlite3_column_blob(st, 0),
                                                   (size_t)sqlite3_column_bytes(st, 0), bounds),
                     RG_OK, "%s", shapes[i]);
        cr_assert_eq(size, (size_t)sqlite3_column_bytes(st, 1), "%s", shapes[i]);
        cr_assert_eq(memcmp(blob, sqlite3_column_blob(st, 1), size), 0, "%s", shapes[i]);
        /* And back: the WKB, MBR and vertex count SpatiaLite gives of the same blob. */
        unsigned char *wkb = NULL;
        size_t wkb_size = 0;
        double mbr[4];
        long vertices = 0;
        cr_assert_eq(rg_io_spatialite_wkb(blob, size, &wkb, &wkb_size, mbr, &vertices), RG_OK, "%s", shapes[i]);
        sqlite3_stmt *back = NULL;
        cr_assert_eq(sqlite3_prepare_v2(db, "SELECT AsBinary(?1), ST_NPoints(?1)", -1, &back, NULL), SQLITE_OK);
        sqlite3_bind_blob(back, 1, blob, (int)size, SQLITE_STATIC);
        cr_assert_eq(sqlite3_step(back), SQLITE_ROW);
        cr_assert_eq(wkb_size, (size_t)sqlite3_column_bytes(back, 0), "%s", shapes[i]);
        cr_assert_eq(memcmp(wkb, sqlite3_column_blob(back, 0), wkb_size), 0, "%s", shapes[i]);
        cr_assert_eq(vertices, sqlite3_column_int(back, 1), "%s", shapes[i]);
        for (int k = 0; k < 4; k++)
            cr_assert(mbr[k] == bounds[k], "%s: MBR %d", shapes[i], k);
        sqlite3_finalize(back);
        rg_free(wkb);
        cr_assert_eq(rg_io_spatialite_wkb(blob, size - 1, &wkb, &wkb_size, mbr, &vertices), RG_EINVAL);
        cr_assert_null(wkb);
        /* Cut short, or with a byte too many, it is no WKB: refused, never read past. */
        unsigned char *bad = NULL;
        size_t bad_size = 0;
        cr_assert_eq(rg_io_spatialite_multipolygon(&bad, &bad_size, sqlite3_column_blob(st, 0),
                                                   (size_t)sqlite3_column_bytes(st, 0) - 1, bounds),
                     RG_EINVAL);
        cr_assert_null(bad);
        rg_free(blob);
        sqlite3_finalize(st);
    }
    static const unsigned char point[] = {1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    unsigned char *blob = NULL;
    size_t size = 0;
    const double bounds[4] = {0, 0, 0, 0};
    cr_assert_eq(rg_io_spatialite_multipolygon(&blob, &size, point, sizeof point, bounds), RG_EINVAL);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* The steps that only read (check, export, rank) open an existing database and create
 * nothing: not a file at a mistyped path, not a table in a database of something else. */
Test(io_store, opening_an_existing_database_creates_nothing)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = (rg_store *)0x1;
    const char *typo = tmp_path("typo.sqlite");
    cr_assert_eq(rg_io_store_open_existing(&store, ctx, typo), RG_ENOTFOUND);
    cr_assert_null(store);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "no working database there"), "%s", rg_ctx_errmsg(ctx));
    cr_assert_neq(run("test -e '%s'", typo), 0, "a read-only open created %s", typo);
    const char *other = tmp_path("other.sqlite");
    cr_assert_eq(run("sqlite3 '%s' 'CREATE TABLE notes(x)'", other), 0);
    cr_assert_eq(rg_io_store_open_existing(&store, ctx, other), RG_EDATA);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "not a regsosek-geo working database"), "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(run("test \"$(sqlite3 '%s' 'SELECT count(*) FROM sqlite_master')\" = 1", other), 0,
                 "tables were created in %s", other);
    /* A working database opens, and keeps what it has. */
    rg_store *made = test_store(ctx, "existing.sqlite");
    char path[600];
    snprintf(path, sizeof path, "%s", rg_io_store_path(made));
    rg_io_store_free(made);
    cr_assert_eq(rg_io_store_open_existing(&store, ctx, path), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM views_geometry_columns WHERE view_name = 'households'"), 1);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* A database of another layout (the previous one had no households without a point and no
 * forum tables) is refused with what to do, by the steps that write and those that read. */
Test(io_store, another_layout_is_refused_not_half_understood)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "old-layout.sqlite");
    char path[600];
    snprintf(path, sizeof path, "%s", rg_io_store_path(store));
    cr_assert_eq(sql_int(store, "PRAGMA user_version"), 8);
    rg_io_store_free(store);
    cr_assert_eq(run("sqlite3 '%s' 'PRAGMA user_version = 1'", path), 0);
    cr_assert_eq(rg_io_store_open(&store, ctx, path), RG_EDATA);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "made by an earlier regsosek-geo (layout 1, this one reads 8); start a new"),
              "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(rg_io_store_open_existing(&store, ctx, path), RG_EDATA);
    rg_ctx_free(ctx);
}

/* The store's households view as the query `sql` rewrites it (its text is sqlite_master's sql),
 * into view. */
static void rewritten_view(const char *path, const char *sql, char *view, size_t cap)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = NULL;
    cr_assert_eq(rg_io_store_open_existing(&store, ctx, path), RG_OK, "%s", rg_ctx_errmsg(ctx));
    snprintf(view, cap, "%s", sql_text(store, sql));
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* The layouts before this one as a store of theirs was: up to 6, household ids were unique by
 * the table's own constraint (its index is the same b-tree, renamed as SQLite names a
 * constraint's); layout 5's view applied a forum's latest decision wherever the household
 * had moved; the extra columns were in household_records (3 and 4); no attribute indexes on
 * the areas (3). */
/* RG_IO_LIVE_EDITION as an SQL string literal's body (its quotes doubled). */
#define RG_SQL_QUOTED_LIVE_EDITION                                                                             \
    "(SELECT edition FROM load_runs WHERE id = (SELECT max(id) FROM load_runs WHERE finished IS NOT NULL"      \
    " AND mode IN (''new'', ''replace'')))"
_Static_assert(sizeof RG_SQL_QUOTED_LIVE_EDITION == sizeof RG_IO_LIVE_EDITION + 4, "RG_IO_LIVE_EDITION, quoted");

static void make_older_layout(const char *path, int version)
{
    char view[16384];
    /* Layout 8's given desil and rank, and the loads' editions, go first. */
    rewritten_view(path, "SELECT replace(replace(sql, ' r.given_desil AS given_desil, r.given_rank AS given_rank,', ''),"
                         " ' AND d.edition IS ' || '" RG_SQL_QUOTED_LIVE_EDITION "', '')"
                         " FROM sqlite_master WHERE name = 'households'", view, sizeof view);
    cr_assert(strstr(view, "given_desil") == NULL && strstr(view, "edition") == NULL, "%s", view);
    cr_assert_eq(run("sqlite3 '%s' \"DROP VIEW households; ALTER TABLE household_records DROP COLUMN given_desil;"
                     " ALTER TABLE household_records DROP COLUMN given_rank; ALTER TABLE load_runs DROP COLUMN edition;"
                     " ALTER TABLE forum_decisions DROP COLUMN edition; %s\"", path, view), 0);
    if (version == 7) {
        cr_assert_eq(run("sqlite3 '%s' 'PRAGMA user_version = 7'", path), 0);
        return;
    }
    /* The view of this layout refers to the SLS (7): it goes with them, and each older
     * layout's view is this one's without them. */
    rewritten_view(path, "SELECT replace(replace(sql, ' a.sls_code AS sls_code, sl.name AS sls_name,', ''),"
                         " ' LEFT JOIN sls sl ON sl.code = a.sls_code', '') FROM sqlite_master WHERE name = 'households'",
                   view, sizeof view);
    cr_assert(strstr(view, "sls") == NULL, "%s", view);
    cr_assert_eq(run("sqlite3 '%s' .load\\ mod_spatialite \"DROP VIEW households; SELECT DropTable(NULL, 'sls');"
                     " ALTER TABLE household_areas DROP COLUMN sls_code; %s\" > /dev/null", path, view), 0);
    cr_assert_eq(run("sqlite3 '%s' \"PRAGMA writable_schema = ON;"
                     " UPDATE sqlite_master SET sql = replace(sql, 'household_id TEXT NOT NULL,',"
                     "  'household_id TEXT NOT NULL UNIQUE,') WHERE name = 'household_records';"
                     " UPDATE sqlite_master SET name = 'sqlite_autoindex_household_records_1', sql = NULL"
                     "  WHERE name = 'household_records_id'; PRAGMA writable_schema = OFF\"", path), 0);
    cr_assert_eq(run("test \"$(sqlite3 '%s' 'PRAGMA integrity_check; SELECT origin FROM"
                     " pragma_index_list('\\''household_records'\\'')')\" = \"$(printf 'ok\\nu')\"", path), 0);
    if (version == 6) {
        cr_assert_eq(run("sqlite3 '%s' 'PRAGMA user_version = 6'", path), 0);
        return;
    }
    if (version == 5) {
        rewritten_view(path, "SELECT replace(sql, ' AND d.kelurahan_code IS a.kelurahan_code', '')"
                             " FROM sqlite_master WHERE name = 'households'", view, sizeof view);
        cr_assert(strstr(view, "kelurahan_code IS") == NULL);
        cr_assert_eq(run("sqlite3 '%s' \"DROP VIEW households; %s; PRAGMA user_version = 5\"", path, view), 0);
        return;
    }
    rewritten_view(path, "SELECT replace(replace(sql, ' LEFT JOIN household_extra x ON x.hh = r.hh', ''),"
                         " 'x.extra', 'r.extra') FROM sqlite_master WHERE name = 'households'", view, sizeof view);
    cr_assert_eq(run("sqlite3 '%s' \"DROP VIEW households; ALTER TABLE household_records ADD COLUMN extra TEXT;"
                     " UPDATE household_records SET extra = (SELECT extra FROM household_extra x"
                     "  WHERE x.hh = household_records.hh); DROP TABLE household_extra; %s;"
                     " %s PRAGMA user_version = %d\"",
                     path, view,
                     version == 3 ? "DROP INDEX kelurahan_attributes; DROP INDEX kelurahan_children;"
                                    " DROP INDEX provinsi_attributes;" : "",
                     version), 0);
}

Test(io_store, a_store_of_an_earlier_layout_is_upgraded_by_a_writing_step, .timeout = 120)
{
    for (int version = 3; version <= 7; version++) {
        rg_ctx *ctx = test_ctx();
        char name[32];
        snprintf(name, sizeof name, "layout%d.sqlite", version);
        rg_store *store = classified_store_from(ctx, name, RG_SAMPLE_DIR "/households.csv");
        char path[600], extras[64];
        snprintf(path, sizeof path, "%s", rg_io_store_path(store));
        snprintf(extras, sizeof extras, "%s", sql_text(store, "SELECT count(*) || ' ' || total(length(extra))"
                                                              " FROM household_extra"));
        long long classes = sql_int(store, "SELECT count(*) FROM household_classes");
        rg_io_store_free(store);
        make_older_layout(path, version);

        /* Reading refuses until a step that writes has upgraded it, and changes nothing. */
        cr_assert_eq(rg_io_store_open_existing(&store, ctx, path), RG_EDATA);
        cr_assert(strstr(rg_ctx_errmsg(ctx), "the next step that writes (load, join, classify, amend) upgrades it"),
                  "%s", rg_ctx_errmsg(ctx));
        cr_assert_eq(rg_io_store_open(&store, ctx, path), RG_OK, "%s", rg_ctx_errmsg(ctx));
        cr_assert_eq(sql_int(store, "PRAGMA user_version"), 8);
        cr_assert_eq(sql_int(store, "SELECT (SELECT count(*) FROM pragma_table_info('household_records')"
                                    " WHERE name IN ('given_desil', 'given_rank')) + (SELECT count(*) FROM"
                                    " pragma_table_info('load_runs') WHERE name = 'edition') + (SELECT count(*) FROM"
                                    " pragma_table_info('households') WHERE name IN ('given_desil', 'given_rank'))"),
                     5, "layout 8's given desil and editions");
        cr_assert_eq(sql_int(store, "SELECT count(*) FROM pragma_table_info('forum_decisions') WHERE name = 'edition'"), 1);
        cr_assert_eq(sql_int(store, "SELECT instr(sql, 'AND d.kelurahan_code IS a.kelurahan_code') > 0"
                                    " FROM sqlite_master WHERE name = 'households'"), 1, "the view of layout 6");
        cr_assert_eq(sql_int(store, "SELECT count(*) FROM pragma_table_info('household_records')"
                                    " WHERE name = 'extra'"), 0);
        cr_assert_eq(sql_int(store, "SELECT (SELECT count(*) FROM pragma_table_info('household_areas')"
                                    " WHERE name = 'sls_code') + (SELECT count(*) FROM geometry_columns"
                                    " WHERE f_table_name = 'sls') + (SELECT count(*) FROM pragma_table_info('households')"
                                    " WHERE name IN ('sls_code', 'sls_name'))"), 4, "layout 7's SLS");
        cr_assert_str_eq(sql_text(store, "SELECT count(*) || ' ' || total(length(extra)) FROM households"
                                         " WHERE extra IS NOT NULL"), extras, "the extra columns moved whole");
        cr_assert_eq(sql_int(store, "SELECT count(*) FROM sqlite_master WHERE name IN ('kelurahan_attributes',"
                                    " 'kelurahan_children', 'provinsi_attributes')"), 3);
        cr_assert_eq(sql_int(store, "SELECT count(*) FROM views_geometry_columns WHERE view_name = 'households'"), 1);
        /* Every result is kept: the classes are still current. */
        int current = 0;
        cr_assert_eq(rg_io_store_step_current(store, RG_STEP_CLASSIFY, &current), RG_OK);
        cr_assert(current);
        cr_assert_eq(sql_int(store, "SELECT count(*) FROM household_classes"), classes);
        /* The table keeps its own constraint, and a load into it still keeps the first of an
         * id and rejects the others: one repeating a stored household, one repeating a row of
         * its own file. */
        const char *more = write_tmp("more.csv", "id_keluarga,lintang,bujur\n"
                                                 "KPG-000001,-10.16,123.6\n"
                                                 "NEW-1,-10.16,123.6\n"
                                                 "NEW-1,-10.17,123.61\n"
                                                 "NEW-2,-10.16,123.6\n");
        rg_load_opts opts = RG_LOAD_OPTS_INIT;
        opts.mode = RG_LOAD_APPEND;
        rg_load_stats s;
        cr_assert_eq(rg_load_run(store, more, &opts, &s), RG_OK, "%s", rg_ctx_errmsg(ctx));
        cr_assert_eq(s.loaded * 10 + s.by_reason[RG_REJECT_DUPLICATE_ID], 22);
        cr_assert_str_eq(sql_text(store, "SELECT group_concat(line, ' ') FROM (SELECT line FROM rejects r JOIN"
                                         " load_runs l ON l.id = r.load_run WHERE l.input_path LIKE '%more.csv'"
                                         " ORDER BY line)"), "2 4");
        /* Layout 7 already checks ids by an index of its own. */
        cr_assert_eq(sql_int(store, version == 7 ? "SELECT count(*) FROM pragma_index_list('household_records')"
                                                   " WHERE origin = 'c' AND \"unique\""
                                                 : "SELECT count(*) FROM pragma_index_list('household_records')"
                                                   " WHERE origin = 'u'"),
                     1);
        rg_io_store_free(store);
        rg_ctx_free(ctx);
    }
}
