/*
 * The packed spatial index must be a sound SQLite R*Tree (rtreecheck) that SpatiaLite
 * uses, and must find exactly what a scan of the table finds.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "io/internal.h"
#include "io/io.h"
#include "load/load.h"
#include "support.h"

static void check_index(rg_store *store)
{
    cr_assert_str_eq(sql_text(store, "SELECT rtreecheck('idx_household_records_geom')"), "ok");
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM idx_household_records_geom"),
                 sql_int(store, "SELECT count(*) FROM households WHERE geom IS NOT NULL"));
    /* Boxes across Kupang: SpatiaLite's SpatialIndex against a plain scan. It is asked through
     * the households view, as a person in spatialite or QGIS would: a spatial view's rows are
     * found by its rowid column (hh), a view having no ROWID of its own. */
    const double boxes[][4] = {{123.55, -10.20, 123.60, -10.15}, {123.58, -10.18, 123.59, -10.17},
                               {123.5, -10.3, 123.7, -10.1},     {123.66, -10.16, 123.67, -10.15}};
    for (size_t i = 0; i < sizeof boxes / sizeof *boxes; i++) {
        const double *b = boxes[i];
        char indexed[512], scanned[256];
        snprintf(indexed, sizeof indexed,
                 "SELECT count(*) FROM households WHERE lon BETWEEN %.6f AND %.6f AND lat BETWEEN %.6f AND %.6f"
                 " AND hh IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'households'"
                 " AND search_frame = BuildMbr(%.6f, %.6f, %.6f, %.6f, 4326))",
                 b[0], b[2], b[1], b[3], b[0], b[1], b[2], b[3]);
        snprintf(scanned, sizeof scanned,
                 "SELECT count(*) FROM households WHERE geom IS NOT NULL AND lon BETWEEN %.6f AND %.6f"
                 " AND lat BETWEEN %.6f AND %.6f",
                 b[0], b[2], b[1], b[3]);
        long long expected = sql_int(store, scanned);
        cr_assert_gt(expected, 0, "box %zu holds no household: the check would prove nothing", i);
        cr_assert_eq(sql_int(store, indexed), expected, "box %zu", i);
    }
}

Test(io_rtree, packed_index_is_sound_and_complete)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "rtree.sqlite");
    rg_load_stats s;
    cr_assert_eq(rg_load_run(store, RG_SAMPLE_DIR "/households.csv", NULL, &s), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_gt(s.loaded, 29000);
    check_index(store);
    /* Appending rebuilds the index over old and new rows alike. */
    rg_load_opts o = RG_LOAD_OPTS_INIT;
    o.mode = RG_LOAD_APPEND;
    cr_assert_eq(rg_load_run(store, write_tmp("more.csv", "id,lat,lon\nNEW-1,-10.17,123.585\nNEW-2,-10.175,123.585\n"),
                             &o, &s),
                 RG_OK);
    check_index(store);
    /* The triggers SpatiaLite keeps the index with are back: a plain insert is indexed. */
    cr_assert_eq(rg_io_store_exec(store, "test",
                                  "INSERT INTO household_records(household_id, load_run, source_line, lon, lat, geom)"
                                  " VALUES('SQL-1', 1, 0, 123.6, -10.16, MakePoint(123.6, -10.16, 4326))"),
                 RG_OK);
    check_index(store);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(io_rtree, empty_and_single_node_trees)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "rtree-small.sqlite");
    rg_load_stats s;
    /* Every row rejected: the load fails, and the index stays an empty, valid tree. */
    cr_assert_eq(rg_load_run(store, write_tmp("none.csv", "id,lat,lon\nA,0,0\n"), NULL, &s), RG_EDATA);
    cr_assert_eq(s.loaded, 0);
    cr_assert_str_eq(sql_text(store, "SELECT rtreecheck('idx_household_records_geom')"), "ok");
    rg_load_opts o = RG_LOAD_OPTS_INIT;
    o.mode = RG_LOAD_REPLACE;
    cr_assert_eq(rg_load_run(store, write_tmp("one.csv", "id,lat,lon\nA,-10.16,123.6\n"), &o, &s), RG_OK);
    cr_assert_str_eq(sql_text(store, "SELECT rtreecheck('idx_household_records_geom')"), "ok");
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM idx_household_records_geom WHERE xmin <= 123.6 AND xmax >= 123.6"), 1);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* Every byte of the index's three shadow tables, in key order (FNV-1a). */
static uint64_t tree_digest(rg_store *store)
{
    static const char *const tables[] = {
        "SELECT nodeno, data FROM idx_household_records_geom_node ORDER BY nodeno",
        "SELECT rowid, nodeno FROM idx_household_records_geom_rowid ORDER BY rowid",
        "SELECT nodeno, parentnode FROM idx_household_records_geom_parent ORDER BY nodeno",
    };
    uint64_t h = 14695981039346656037u;
    for (size_t t = 0; t < 3; t++) {
        sqlite3_stmt *st = NULL;
        cr_assert_eq(sqlite3_prepare_v2(rg_io_store_db(store), tables[t], -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW)
            for (int c = 0; c < 2; c++) {
                const unsigned char *bytes = sqlite3_column_blob(st, c);
                for (int i = 0; i < sqlite3_column_bytes(st, c); i++)
                    h = (h ^ bytes[i]) * 1099511628211u;
            }
        sqlite3_finalize(st);
    }
    return h;
}

/* Packs the index again from the table's points, gathered in id order (as a load gathers
 * them) or scrambled, keeping at most cap points in memory. */
static void repack(rg_ctx *ctx, rg_store *store, size_t cap, int scrambled)
{
    static const double indonesia[4] = {92, -13, 143, 8}; /* the load's box (load/internal.h) */
    const char *near = tmp_path("spill.sqlite");
    rg_io_points *points = NULL;
    cr_assert_eq(rg_io_points_new(&points, ctx, near, indonesia, cap), RG_OK);
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(rg_io_store_db(store),
                                    scrambled ? "SELECT hh, lon, lat FROM households WHERE geom IS NOT NULL"
                                                " ORDER BY (hh * 7919) % 10007, hh"
                                              : "SELECT hh, lon, lat FROM households WHERE geom IS NOT NULL ORDER BY hh",
                                    -1, &st, NULL),
                 SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        cr_assert_eq(rg_io_points_add(points, sqlite3_column_int64(st, 0), sqlite3_column_double(st, 1),
                                       sqlite3_column_double(st, 2)),
                     RG_OK);
    sqlite3_finalize(st);
    cr_assert_eq(rg_io_store_exec(store, "test", "BEGIN"), RG_OK);
    cr_assert_eq(rg_io_rtree_pack_gathered(store, "household_records", points), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(rg_io_store_exec(store, "test", "COMMIT"), RG_OK);
    rg_io_points_free(points);
    /* The spilled points are personal data: nothing of them stays on disk. */
    cr_assert_eq(run("ls '%s'.points-* >/dev/null 2>&1", near) != 0, 1, "a spill file was left beside %s", near);
}

Test(io_rtree, points_spilled_in_runs_merge_into_the_same_tree)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "rtree-spill.sqlite");
    rg_load_stats s;
    cr_assert_eq(rg_load_run(store, RG_SAMPLE_DIR "/households.csv", NULL, &s), RG_OK, "%s", rg_ctx_errmsg(ctx));
    check_index(store);
    uint64_t loaded = tree_digest(store);
    /* All in memory; 6 runs of 5000, each read back through more than one window of
     * 4096; ~30 runs of 1000; thousands of runs of 7 (a partial last one); in id order
     * (sorted by radix) and scrambled (sorted by comparison). */
    const size_t caps[] = {0, 5000, 1000, 7};
    for (size_t i = 0; i < sizeof caps / sizeof *caps; i++)
        for (int scrambled = 0; scrambled < 2; scrambled++) {
            repack(ctx, store, caps[i], scrambled);
            check_index(store);
            cr_assert_eq(tree_digest(store), loaded, "cap %zu%s: a different tree than the load packed", caps[i],
                         scrambled ? ", scrambled" : "");
        }
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}
