/*
 * The packed spatial index must be a sound SQLite R*Tree (rtreecheck) that SpatiaLite
 * uses, and must find exactly what a scan of the table finds.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "io/io.h"
#include "support.h"

static void check_index(rg_store *store)
{
    cr_assert_str_eq(sql_text(store, "SELECT rtreecheck('idx_households_geom')"), "ok");
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM idx_households_geom"),
                 sql_int(store, "SELECT count(*) FROM households WHERE geom IS NOT NULL"));
    /* Boxes across Kupang: SpatiaLite's SpatialIndex against a plain scan. */
    const double boxes[][4] = {{123.55, -10.20, 123.60, -10.15}, {123.58, -10.18, 123.59, -10.17},
                               {123.5, -10.3, 123.7, -10.1},     {123.66, -10.16, 123.67, -10.15}};
    for (size_t i = 0; i < sizeof boxes / sizeof *boxes; i++) {
        const double *b = boxes[i];
        char indexed[512], scanned[256];
        snprintf(indexed, sizeof indexed,
                 "SELECT count(*) FROM households WHERE lon BETWEEN %.6f AND %.6f AND lat BETWEEN %.6f AND %.6f"
                 " AND ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'households'"
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
    cr_assert_eq(rg_io_load(store, RG_SAMPLE_DIR "/households.csv", NULL, &s), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_gt(s.loaded, 29000);
    check_index(store);
    /* Appending rebuilds the index over old and new rows alike. */
    rg_load_opts o = RG_LOAD_OPTS_INIT;
    o.mode = RG_LOAD_APPEND;
    cr_assert_eq(rg_io_load(store, write_tmp("more.csv", "id,lat,lon\nNEW-1,-10.17,123.585\nNEW-2,-10.175,123.585\n"),
                            &o, &s),
                 RG_OK);
    check_index(store);
    /* The triggers SpatiaLite keeps the index with are back: a plain insert is indexed. */
    cr_assert_eq(rg_io_store_exec(store, "test",
                                  "INSERT INTO households(household_id, load_run, source_line, lon, lat, geom)"
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
    /* Every row rejected: the index stays an empty, valid tree. */
    cr_assert_eq(rg_io_load(store, write_tmp("none.csv", "id,lat,lon\nA,0,0\n"), NULL, &s), RG_OK);
    cr_assert_eq(s.loaded, 0);
    cr_assert_str_eq(sql_text(store, "SELECT rtreecheck('idx_households_geom')"), "ok");
    rg_load_opts o = RG_LOAD_OPTS_INIT;
    o.mode = RG_LOAD_REPLACE;
    cr_assert_eq(rg_io_load(store, write_tmp("one.csv", "id,lat,lon\nA,-10.16,123.6\n"), &o, &s), RG_OK);
    cr_assert_str_eq(sql_text(store, "SELECT rtreecheck('idx_households_geom')"), "ok");
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM idx_households_geom WHERE xmin <= 123.6 AND xmax >= 123.6"), 1);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}
