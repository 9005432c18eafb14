#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "io/io.h"
#include "load/load.h"
#include "support.h"

/* Loads text as a CSV into a fresh store; checks the accounting invariant every time. */
static rg_store *load_text(rg_ctx *ctx, const char *text, const rg_load_opts *opts, rg_load_stats *stats, int *rc)
{
    rg_store *store = test_store(ctx, "load.sqlite");
    *rc = rg_load_run(store, write_tmp("h.csv", text), opts, stats);
    if (*rc == RG_OK) {
        cr_assert_eq(stats->rows_read, stats->loaded + stats->rejected);
        cr_assert_eq(sql_int(store, "SELECT count(*) FROM households"), stats->loaded);
        cr_assert_eq(sql_int(store, "SELECT count(*) FROM rejects"), stats->rejected);
    }
    return store;
}

static const char *reason_at(rg_store *store, int line)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT reason FROM rejects WHERE line = %d", line);
    return sql_text(store, sql);
}

Test(load, every_case_ends_in_its_place)
{
    rg_ctx *ctx = test_ctx();
    rg_load_stats s;
    int rc;
    rg_store *store = load_text(ctx,
                                "id_keluarga,lintang,bujur,jumlah_art,pengeluaran\n" /* 1 */
                                "A,-10.16,123.6,4,2000000\n"                          /* 2 loaded */
                                ",-10.16,123.6,4,1\n"                                 /* 3 missing id */
                                "B,,123.6,4,1\n"                                      /* 4 missing coordinate */
                                "C,-10.1x,123.6,4,1\n"                                /* 5 bad coordinate */
                                "D,nan,123.6,4,1\n"                                   /* 6 bad coordinate */
                                "E,-100,123.6,4,1\n"                                  /* 7 out of range */
                                "F,0,0,4,1\n"                                         /* 8 null island */
                                "G,51.5,-0.12,4,1\n"                                  /* 9 outside Indonesia */
                                "H,123.6,-10.16,4,1\n"                                /* 10 swapped: flagged */
                                "A,-10.2,123.5,1,1\n"                                 /* 11 duplicate id */
                                "I,-10.16\n"                                          /* 12 too few fields */
                                "J,-10.16,123.6,4,1,extra\n"                          /* 13 too many fields */
                                "\n"                                                  /* 14 empty line */
                                "K,\"-10.16,123.6\n"                                  /* 15 broken quote */
                                "L,-10.16,123.6,x,y\n",                               /* 16 loaded, flagged */
                                NULL, &s, &rc);
    cr_assert_eq(rc, RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(s.rows_read, 15);
    cr_assert_eq(s.loaded, 3);
    cr_assert_eq(s.flagged, 2);
    const char *expected[] = {[3] = "missing_id",   [4] = "missing_coordinate", [5] = "bad_coordinate",
                              [6] = "bad_coordinate", [7] = "out_of_range",     [8] = "null_island",
                              [9] = "outside_indonesia", [11] = "duplicate_id",  [12] = "field_count",
                              [13] = "field_count", [14] = "empty_line",        [15] = "broken_quote"};
    for (int line = 3; line <= 15; line++)
        if (expected[line])
            cr_assert_str_eq(reason_at(store, line), expected[line], "line %d", line);
    cr_assert_str_eq(sql_text(store, "SELECT load_flags FROM households WHERE household_id = 'H'"), "swapped_latlon");
    cr_assert_str_eq(sql_text(store, "SELECT load_flags FROM households WHERE household_id = 'L'"),
                     "bad_household_size,bad_spending");
    cr_assert_eq(sql_int(store, "SELECT source_line FROM households WHERE household_id = 'A'"), 2,
                 "the first of two duplicate ids is kept");
    cr_assert(strstr(sql_text(store, "SELECT message FROM rejects WHERE line = 11"), "already loaded from line 2"));
    cr_assert(strstr(sql_text(store, "SELECT message FROM rejects WHERE line = 4"), "h.csv: line 4: column 'lintang'"));
    cr_assert_str_eq(sql_text(store, "SELECT raw FROM rejects WHERE line = 5"), "C,-10.1x,123.6,4,1");
    cr_assert_eq(sql_int(store, "SELECT rows_read + loaded * 1000 + rejected * 100000 FROM load_runs"),
                 15 + 3 * 1000 + 12 * 100000);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(load, fixes_swapped_coordinates_only_when_asked)
{
    rg_ctx *ctx = test_ctx();
    rg_load_stats s;
    int rc;
    rg_load_opts o = RG_LOAD_OPTS_INIT;
    o.fix_swapped = 1;
    rg_store *store = load_text(ctx, "id,lat,lon\nH,123.6,-10.16\n", &o, &s, &rc);
    cr_assert_eq(rc, RG_OK);
    cr_assert_str_eq(sql_text(store, "SELECT load_flags FROM households"), "swapped_latlon_fixed");
    cr_assert_eq(sql_int(store, "SELECT lon = 123.6 AND lat = -10.16 AND ST_X(geom) = 123.6 FROM households"), 1);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(load, decimal_comma_and_indonesian_names)
{
    rg_ctx *ctx = test_ctx();
    rg_load_stats s;
    int rc;
    rg_store *store = load_text(ctx, "ID_Keluarga;Lintang;Bujur;Jumlah ART;Pengeluaran Per Bulan;NIK\n"
                                     "A;-10,1667;123,6;3;1.500.000;5371000000000001\n",
                                NULL, &s, &rc);
    cr_assert_eq(rc, RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(sql_int(store, "SELECT lat = -10.1667 AND lon = 123.6 AND household_size = 3 AND spending = 1500000"
                                " FROM households"),
                 1);
    cr_assert_str_eq(sql_text(store, "SELECT extra FROM households"), "{\"NIK\":\"5371000000000001\"}");
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(load, stops_on_a_missing_column_listing_what_it_found)
{
    rg_ctx *ctx = test_ctx();
    rg_load_stats s;
    int rc;
    rg_store *store = load_text(ctx, "id,a,b\nA,1,2\n", NULL, &s, &rc);
    cr_assert_eq(rc, RG_EDATA);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "no latitude column"), "%s", rg_ctx_errmsg(ctx));
    cr_assert(strstr(rg_ctx_errmsg(ctx), "columns found: id, a, b"));
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM load_runs"), 0, "a failed load leaves nothing");
    rg_io_store_free(store);

    rg_load_opts o = RG_LOAD_OPTS_INIT;
    o.lat_column = "breedte";
    store = load_text(ctx, "id,lat,lon\nA,1,2\n", &o, &s, &rc);
    cr_assert_eq(rc, RG_EDATA);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "no column named 'breedte' (--lat latitude)"), "%s", rg_ctx_errmsg(ctx));
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(load, empty_file_and_header_only_are_errors)
{
    rg_ctx *ctx = test_ctx();
    rg_load_stats s;
    int rc;
    rg_store *store = load_text(ctx, "", NULL, &s, &rc);
    cr_assert_eq(rc, RG_EDATA);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "empty file"));
    rg_io_store_free(store);
    store = load_text(ctx, "id,lat,lon\n", NULL, &s, &rc);
    cr_assert_eq(rc, RG_EDATA);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "a header and no household rows"));
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM households"), 0);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(load, a_second_load_refuses_replaces_or_appends)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "twice.sqlite");
    const char *a = write_tmp("a.csv", "id,lat,lon\nA,-10.16,123.6\nB,-10.17,123.6\n");
    const char *b = write_tmp("b.csv", "id,lat,lon\nB,-10.16,123.6\nC,-10.17,123.6\n");
    rg_load_opts o = RG_LOAD_OPTS_INIT;
    rg_load_stats s;
    cr_assert_eq(rg_load_run(store, a, &o, &s), RG_OK);
    cr_assert_eq(rg_load_run(store, a, &o, &s), RG_EEXIST);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "already holds 2 households"));
    o.mode = RG_LOAD_APPEND;
    cr_assert_eq(rg_load_run(store, b, &o, &s), RG_OK);
    cr_assert_eq(s.loaded, 1);
    cr_assert_eq(s.by_reason[RG_REJECT_DUPLICATE_ID], 1);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM households"), 3);
    /* The stored B is kept, with its point; the index holds each household once. */
    cr_assert(strstr(sql_text(store, "SELECT message FROM rejects"), "b.csv: line 2: column 'id': household id 'B'"
                                                                     " already loaded from line 3"));
    cr_assert_eq(sql_int(store, "SELECT round(lat * 100) FROM households WHERE household_id = 'B'"), -1017);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM idx_household_records_geom"), 3);
    cr_assert_str_eq(sql_text(store, "SELECT rtreecheck('idx_household_records_geom')"), "ok");
    cr_assert_eq(sql_int(store, "SELECT \"unique\" FROM pragma_index_list('household_records')"
                                " WHERE name = 'household_records_id'"), 1);
    o.mode = RG_LOAD_REPLACE;
    cr_assert_eq(rg_load_run(store, b, &o, &s), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM households"), 2);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM rejects"), 0);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM load_runs"), 3);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(load, reject_rate_limit_loads_nothing)
{
    rg_ctx *ctx = test_ctx();
    rg_load_opts o = RG_LOAD_OPTS_INIT;
    o.max_reject_rate = 0.25;
    rg_load_stats s;
    int rc;
    rg_store *store = load_text(ctx, "id,lat,lon\nA,-10.16,123.6\nB,,\n", &o, &s, &rc);
    cr_assert_eq(rc, RG_EINVAL);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM households"), 0);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(load, ogr_source_in_utm_is_reprojected)
{
    /* ogr2ogr (PROJ through GDAL's own tool) makes the UTM 51S file: the oracle. */
    const char *geojson = write_tmp("pts.geojson",
                                    "{\"type\":\"FeatureCollection\",\"features\":["
                                    "{\"type\":\"Feature\",\"properties\":{\"id_keluarga\":\"A\",\"jumlah_art\":4},"
                                    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[123.6,-10.16]}},"
                                    "{\"type\":\"Feature\",\"properties\":{\"id_keluarga\":\"B\",\"jumlah_art\":2},"
                                    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[123.58,-10.2]}}]}");
    const char *utm = tmp_path("pts-utm.gpkg");
    cr_assert_eq(run("ogr2ogr -q -t_srs EPSG:32751 '%s' '%s'", utm, geojson), 0);
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "ogr.sqlite");
    rg_load_stats s;
    cr_assert_eq(rg_load_run(store, utm, NULL, &s), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(s.loaded, 2);
    cr_assert_eq(sql_int(store, "SELECT abs(lon - 123.6) < 1e-7 AND abs(lat + 10.16) < 1e-7 AND household_size = 4"
                                " FROM households WHERE household_id = 'A'"),
                 1, "lon %s", sql_text(store, "SELECT lon || ' ' || lat FROM households WHERE household_id = 'A'"));
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(load, households_table_is_a_spatialite_layer)
{
    rg_ctx *ctx = test_ctx();
    rg_load_stats s;
    int rc;
    rg_store *store = load_text(ctx, "id,lat,lon\nA,-10.16,123.6\n", NULL, &s, &rc);
    cr_assert_eq(rc, RG_OK);
    cr_assert_eq(sql_int(store, "SELECT srid = 4326 AND spatial_index_enabled = 1 FROM geometry_columns"
                                " WHERE f_table_name = 'household_records'"),
                 1);
    cr_assert_eq(sql_int(store, "SELECT ST_X(geom) = 123.6 AND ST_Y(geom) = -10.16 AND ST_IsValid(geom)"
                                " FROM households"),
                 1);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(load, csv_in_utm_with_crs)
{
    /* The oracle is ogr2ogr: PROJ through GDAL's own tool, from the same CSV. */
    const char *csv = write_tmp("utm.csv", "id,easting,northing\nA,566000,8876000\nB,566100,8876100\nC,1e30,5\n");
    const char *ref = tmp_path("utm-ref.csv");
    cr_assert_eq(run("ogr2ogr -q -f CSV '%s' -s_srs EPSG:32751 -t_srs EPSG:4326 -oo X_POSSIBLE_NAMES=easting"
                     " -oo Y_POSSIBLE_NAMES=northing -lco GEOMETRY=AS_XY -where \"id <> 'C'\" '%s'",
                     ref, csv),
                 0);
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "utm.sqlite");
    rg_load_opts o = RG_LOAD_OPTS_INIT;
    o.crs = "EPSG:32751";
    rg_load_stats s;
    cr_assert_eq(rg_load_run(store, csv, &o, &s), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(s.loaded, 2);
    cr_assert_eq(s.rejected, 1, "a point PROJ cannot transform is rejected");
    FILE *f = fopen(ref, "r");
    cr_assert_not_null(f);
    char line[256];
    cr_assert_not_null(fgets(line, sizeof line, f)); /* header X,Y,id,... */
    for (int i = 0; i < 2; i++) {
        double x, y;
        char id[8];
        cr_assert_not_null(fgets(line, sizeof line, f));
        cr_assert_eq(sscanf(line, "%lf,%lf,%7[^,]", &x, &y, id), 3);
        char sql[200];
        snprintf(sql, sizeof sql, "SELECT abs(lon - %.12f) < 1e-9 AND abs(lat - %.12f) < 1e-9 FROM households"
                                  " WHERE household_id = '%s'", x, y, id);
        cr_assert_eq(sql_int(store, sql), 1, "%s", line);
    }
    fclose(f);
    o.crs = "EPSG:99999";
    o.mode = RG_LOAD_REPLACE;
    cr_assert_eq(rg_load_run(store, csv, &o, &s), RG_EPROJ);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(load, columns_keep_rename_and_type)
{
    rg_ctx *ctx = test_ctx();
    rg_load_opts o = RG_LOAD_OPTS_INIT;
    o.columns = "luas_lantai=floor_area:real,jumlah_kamar:integer,jenis_atap";
    rg_load_stats s;
    int rc;
    rg_store *store = load_text(ctx, "id;lat;lon;nama;nik;luas_lantai;jumlah_kamar;jenis_atap\n"
                                     "A;-10,16;123,6;Budi;5371;36,5;3;seng\n"
                                     "B;-10,17;123,6;Ani;5372;besar;2.5;\n",
                                &o, &s, &rc);
    cr_assert_eq(rc, RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_str_eq(sql_text(store, "SELECT extra FROM households WHERE household_id = 'A'"),
                     "{\"floor_area\":36.5,\"jumlah_kamar\":3,\"jenis_atap\":\"seng\"}");
    cr_assert_str_eq(sql_text(store, "SELECT extra || ' ' || load_flags FROM households WHERE household_id = 'B'"),
                     "{\"floor_area\":\"besar\",\"jumlah_kamar\":\"2.5\"} bad_floor_area,bad_jumlah_kamar");
    rg_io_store_free(store);

    o.columns = "luas:real";
    store = load_text(ctx, "id,lat,lon\nA,-10.16,123.6\n", &o, &s, &rc);
    cr_assert_eq(rc, RG_EDATA);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "--columns names 'luas', which is not a column; columns found: id, lat, lon"),
              "%s", rg_ctx_errmsg(ctx));
    rg_io_store_free(store);
    o.columns = "lat:date";
    store = load_text(ctx, "id,lat,lon\nA,-10.16,123.6\n", &o, &s, &rc);
    cr_assert_eq(rc, RG_EINVAL);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(load, hostile_column_names_and_values_stay_data)
{
    rg_ctx *ctx = test_ctx();
    rg_load_stats s;
    int rc;
    rg_store *store = load_text(ctx,
                                "id,lat,lon,\"\"\"; DROP TABLE households; --\",\"two\nlines\",nama lengkap \xc3\xa9\xe2\x82\xac,'\n"
                                "\"'); DELETE FROM rejects; --\",-10.16,123.6,\"x\"\"y\",\"a\nb\",\"Jos\xc3\xa9\",\\\n"
                                "B,-10.17,123.6,\"; DROP TABLE kelurahan; --\",,,\n",
                                NULL, &s, &rc);
    cr_assert_eq(rc, RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(s.loaded, 2);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM sqlite_master WHERE name IN ('households', 'rejects')"), 2);
    cr_assert_str_eq(sql_text(store, "SELECT household_id FROM households WHERE source_line = 3"),
                     "'); DELETE FROM rejects; --");
    cr_assert_str_eq(sql_text(store, "SELECT j.value FROM households, json_each(households.extra) j"
                                     " WHERE household_id = 'B' AND j.key = '\"; DROP TABLE households; --'"),
                     "; DROP TABLE kelurahan; --");
    cr_assert_str_eq(sql_text(store, "SELECT extra FROM households WHERE source_line = 3"),
                     "{\"\\\"; DROP TABLE households; --\":\"x\\\"y\",\"two\\nlines\":\"a\\nb\","
                     "\"nama lengkap \xc3\xa9\xe2\x82\xac\":\"Jos\xc3\xa9\",\"'\":\"\\\\\"}");
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM households WHERE NOT json_valid(extra)"), 0);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* Households are written many to a statement; a duplicate id inside such a group, or
 * repeating one from an earlier group, must end exactly as it would alone. */
Test(load, duplicates_inside_and_across_written_groups)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "groups.sqlite");
    rg_buf csv = {0};
    cr_assert_eq(rg__buf_appendf(&csv, "id,lat,lon\n"), RG_OK);
    /* Data line k (file line k + 1) holds household H<k>, except: line 41 repeats line 11's
     * id (same group), line 131 repeats line 21's (an earlier group), line 200 has no
     * coordinates (a reject between groups), line 260 repeats line 259's. */
    for (int k = 1; k <= 300; k++) {
        int id = k == 40 ? 10 : k == 130 ? 20 : k == 259 ? 258 : k;
        if (k == 199)
            cr_assert_eq(rg__buf_appendf(&csv, "H%d,,\n", id), RG_OK);
        else
            cr_assert_eq(rg__buf_appendf(&csv, "H%d,%.6f,%.6f\n", id, -10.2 + k * 1e-4, 123.55 + k * 1e-4), RG_OK);
    }
    rg_load_stats s;
    cr_assert_eq(rg_load_run(store, write_tmp("groups.csv", csv.data), NULL, &s), RG_OK, "%s", rg_ctx_errmsg(ctx));
    rg__buf_free(&csv);
    cr_assert_eq(s.rows_read, 300);
    cr_assert_eq(s.loaded, 296);
    cr_assert_eq(s.by_reason[RG_REJECT_DUPLICATE_ID], 3);
    cr_assert_eq(s.by_reason[RG_REJECT_MISSING_COORDINATE], 1);
    cr_assert_str_eq(sql_text(store, "SELECT group_concat(line, ' ') FROM (SELECT line FROM rejects ORDER BY line)"),
                     "41 131 200 260");
    /* The first of each pair is kept, from its own line. */
    cr_assert_eq(sql_int(store, "SELECT source_line FROM households WHERE household_id = 'H10'"), 11);
    cr_assert_eq(sql_int(store, "SELECT source_line FROM households WHERE household_id = 'H20'"), 21);
    cr_assert_eq(sql_int(store, "SELECT source_line FROM households WHERE household_id = 'H258'"), 259);
    /* Ids follow the file, and the spatial index holds each point under its own id. */
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM households a JOIN households b ON b.hh = a.hh + 1"
                                " WHERE b.source_line <= a.source_line"),
                 0);
    cr_assert_str_eq(sql_text(store, "SELECT rtreecheck('idx_household_records_geom')"), "ok");
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM households h WHERE NOT EXISTS (SELECT 1 FROM"
                                " idx_household_records_geom i WHERE i.pkid = h.hh AND i.xmin <= h.lon AND i.xmax >= h.lon"
                                " AND i.ymin <= h.lat AND i.ymax >= h.lat)"),
                 0);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* While ids come in order the index checks each as it is written; at the first out of order
 * it is set aside and repeats are settled at the end: a repeat on either side of that switch,
 * of an id written on either side, ends the same. */
Test(load, repeats_before_and_after_ids_leave_their_order)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "order.sqlite");
    rg_buf csv = {0};
    cr_assert_eq(rg__buf_appendf(&csv, "id,lat,lon\n"), RG_OK);
    /* Data line k (file line k + 1) holds H<k> in order, except: line 61 repeats 60's
     * (in order, the index sees it), line 81 repeats 31's (out of order: the switch), lines
     * 91 and 96 repeat 86's and 83's (after it). */
    for (int k = 1; k <= 100; k++) {
        int id = k == 60 ? 59 : k == 80 ? 30 : k == 90 ? 85 : k == 95 ? 82 : k;
        cr_assert_eq(rg__buf_appendf(&csv, "H%03d,%.6f,%.6f\n", id, -10.2 + k * 1e-4, 123.55 + k * 1e-4), RG_OK);
    }
    rg_load_stats s;
    cr_assert_eq(rg_load_run(store, write_tmp("order.csv", csv.data), NULL, &s), RG_OK, "%s", rg_ctx_errmsg(ctx));
    rg__buf_free(&csv);
    cr_assert_eq(s.loaded * 10 + s.by_reason[RG_REJECT_DUPLICATE_ID], 964);
    cr_assert_str_eq(sql_text(store, "SELECT group_concat(line || ':' || substr(message, instr(message, 'from line')),"
                                     " ' ') FROM (SELECT line, message FROM rejects ORDER BY line)"),
                     "61:from line 60; the first is kept 81:from line 31; the first is kept"
                     " 91:from line 86; the first is kept 96:from line 83; the first is kept");
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM idx_household_records_geom"), 96);
    cr_assert_eq(sql_int(store, "SELECT \"unique\" FROM pragma_index_list('household_records')"
                                " WHERE name = 'household_records_id'"), 1);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* A repeat is known only once every row is written (duplicates.c): it leaves the counts it
 * entered (flagged, swapped, without a point), the extra columns and the spatial index. */
Test(load, a_repeated_id_is_counted_out_as_it_was_counted_in)
{
    rg_ctx *ctx = test_ctx();
    rg_load_stats s;
    int rc;
    rg_store *store = load_text(ctx,
                                "id,lat,lon,jumlah_art,nama\n"
                                "A,-10.16,123.6,4,Ina\n"      /* 2 loaded */
                                "A,123.6,-10.16,x,Ani\n"      /* 3 a repeat, swapped and flagged */
                                "B,-10.17,123.6,3,Budi\n"     /* 4 loaded */
                                "B,,,2,Beni\n"                /* 5 no point, no code: not a household */
                                "C,-10.18,123.6,3,Cici\n",    /* 6 loaded */
                                NULL, &s, &rc);
    cr_assert_eq(rc, RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(s.loaded * 1000 + s.flagged * 100 + s.swapped * 10 + s.without_point, 3000);
    cr_assert_eq(s.by_reason[RG_REJECT_DUPLICATE_ID] * 10 + s.by_reason[RG_REJECT_MISSING_COORDINATE], 11);
    cr_assert_str_eq(sql_text(store, "SELECT raw FROM rejects WHERE line = 3"), "A,123.6,-10.16,x,Ani");
    cr_assert_str_eq(sql_text(store, "SELECT loaded || ' ' || flagged || ' ' || rejected FROM load_runs"), "3 0 2");
    cr_assert_str_eq(sql_text(store, "SELECT group_concat(json_extract(x.extra, '$.nama'), ' ') FROM"
                                     " (SELECT extra FROM household_extra ORDER BY hh) x"), "Ina Budi Cici");
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM idx_household_records_geom i JOIN household_records r"
                                " ON r.hh = i.pkid"), 3);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM idx_household_records_geom"), 3);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* The cases the first test leaves to the reader's own tests, seen end to end: where the
 * row ends and with which reason. */
Test(load, infinity_invalid_utf8_and_an_all_empty_row_are_rejected_by_reason)
{
    rg_ctx *ctx = test_ctx();
    rg_load_stats s;
    int rc;
    rg_store *store = load_text(ctx,
                                "id,lat,lon\n"          /* 1 */
                                "A,-10.16,123.6\n"      /* 2 loaded */
                                "B,inf,123.6\n"         /* 3 bad coordinate */
                                "C,-10.16,-Infinity\n"  /* 4 bad coordinate */
                                "D\xC3\x28,-10.16,123.6\n" /* 5 invalid UTF-8 */
                                ",,\n"                  /* 6 every field empty */
                                "E,-10.17,123.6\n",     /* 7 loaded */
                                NULL, &s, &rc);
    cr_assert_eq(rc, RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(s.rows_read, 6);
    cr_assert_eq(s.loaded, 2);
    cr_assert_str_eq(reason_at(store, 3), "bad_coordinate");
    cr_assert_str_eq(reason_at(store, 4), "bad_coordinate");
    cr_assert_str_eq(reason_at(store, 5), "invalid_utf8");
    cr_assert_str_eq(reason_at(store, 6), "empty_line");
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM households WHERE household_id IN ('A', 'E')"), 2);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* A household strictly inside a desa of Pulau Ndana (Rote Ndao), south of 11 S, and ones at
 * the other extremes of the country, are loaded, not refused as outside Indonesia. */
Test(load, households_at_indonesias_extremes_are_loaded)
{
    rg_ctx *ctx = test_ctx();
    rg_load_stats s;
    int rc;
    rg_store *store = load_text(ctx, "id,lat,lon\n"
                                     "NDANA,-11.0056,122.8787\n"   /* Pulau Ndana, NTT */
                                     "RONDO,6.0735,95.1186\n"      /* Pulau Rondo, Aceh */
                                     "BENGGALA,5.7790,94.9700\n"   /* Pulau Benggala, Aceh */
                                     "MERAUKE,-9.1200,141.0190\n"  /* the border south of Merauke */
                                     "SYDNEY,-33.87,151.21\n",
                                NULL, &s, &rc);
    cr_assert_eq(rc, RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(s.loaded, 4);
    cr_assert_eq(s.by_reason[RG_REJECT_OUTSIDE_INDONESIA], 1);
    cr_assert_str_eq(sql_text(store, "SELECT group_concat(household_id) FROM (SELECT household_id FROM households"
                                     " ORDER BY hh)"),
                     "NDANA,RONDO,BENGGALA,MERAUKE");
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

static void keep_warning(rg_notice_level level, const char *message, void *userdata)
{
    if (level == RG_NOTICE_WARNING)
        snprintf(userdata, 512, "%s", message);
}

/* A load that would leave no household with a point fails and loads nothing, saying why
 * and what to do; one that is mostly swapped or rejected loads and says so. */
Test(load, nothing_usable_fails_and_says_what_to_do)
{
    rg_ctx *ctx = test_ctx();
    rg_load_stats s;
    int rc;
    /* Every pair swapped. */
    rg_store *store = load_text(ctx, "id,lat,lon\nA,123.6,-10.16\nB,123.61,-10.17\n", NULL, &s, &rc);
    cr_assert_eq(rc, RG_EDATA);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "none of the 2 households has a usable point"), "%s", rg_ctx_errmsg(ctx));
    cr_assert(strstr(rg_ctx_errmsg(ctx), "--fix-swapped"), "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM household_records"), 0);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM load_runs"), 0, "a failed load left its run");
    rg_io_store_free(store);
    /* The wrong columns: every row rejected, the first reject quoted. */
    rg_load_opts o = RG_LOAD_OPTS_INIT;
    o.lat_column = "nama";
    store = load_text(ctx, "id,nama,lat,lon\nA,Maria,-10.16,123.6\nB,Yosef,-10.17,123.61\n", &o, &s, &rc);
    cr_assert_eq(rc, RG_EDATA);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "all 2 rows were rejected, most as bad_coordinate"), "%s", rg_ctx_errmsg(ctx));
    cr_assert(strstr(rg_ctx_errmsg(ctx), "line 2: column 'nama': 'Maria' is not a number"), "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM rejects"), 0);
    rg_io_store_free(store);
    /* Two of three swapped: loaded, with a warning that names the flag to use. */
    char warning[512] = "";
    rg_ctx_set_notice(ctx, keep_warning, warning);
    store = load_text(ctx, "id,lat,lon\nA,123.6,-10.16\nB,123.61,-10.17\nC,-10.18,123.62\n", NULL, &s, &rc);
    cr_assert_eq(rc, RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(s.without_point, 2);
    cr_assert(strstr(warning, "2 of the 3 households have latitude and longitude swapped"), "%s", warning);
    cr_assert(strstr(warning, "--replace --fix-swapped"), "%s", warning);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* What Excel writes in an Indonesian locale when asked for CSV: comma-separated, with the
 * coordinates' decimal comma quoted. */
Test(load, a_quoted_decimal_comma_in_a_comma_separated_file_is_read)
{
    rg_ctx *ctx = test_ctx();
    rg_load_stats s;
    int rc;
    rg_store *store = load_text(ctx, "id,lat,lon,pengeluaran\nA,\"-10,284122\",\"123,60105\",1500000\n"
                                     "B,-10.2,123.6,\"1,5\"\n",
                                NULL, &s, &rc);
    cr_assert_eq(rc, RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(s.loaded, 2);
    cr_assert_eq(s.rejected, 0);
    cr_assert_str_eq(sql_text(store, "SELECT lat || ' ' || lon FROM households WHERE household_id = 'A'"),
                     "-10.284122 123.60105");
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* Excel's "Unicode Text" is UTF-16 with a byte-order mark: refused once, saying how to
 * convert it, rather than every row rejected as invalid UTF-8. */
Test(load, a_utf16_file_is_named_with_how_to_convert_it)
{
    rg_ctx *ctx = test_ctx();
    const char *text = "id,lat,lon\nA,-10.2,123.6\n";
    const char *path = tmp_path("unicode.txt");
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputc(0xFF, f);
    fputc(0xFE, f);
    for (const char *p = text; *p; p++) {
        fputc(*p, f);
        fputc(0, f);
    }
    fclose(f);
    rg_store *store = test_store(ctx, "utf16.sqlite");
    rg_load_stats s;
    cr_assert_eq(rg_load_run(store, path, NULL, &s), RG_EDATA);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "unicode.txt: the file is UTF-16 (little-endian"), "%s", rg_ctx_errmsg(ctx));
    cr_assert(strstr(rg_ctx_errmsg(ctx), "iconv -f UTF-16 -t UTF-8"), "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM household_records"), 0);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* Regsosek 2022 recorded points for part of the households and codes for all: a row
 * without a usable point stays a household when its code names a desa, or a kecamatan. */
Test(load, a_household_without_a_point_is_kept_by_its_code)
{
    rg_ctx *ctx = test_ctx();
    rg_load_stats s;
    int rc;
    rg_store *store = load_text(ctx,
                                "id,lat,lon,kode_wilayah\n"      /* 1 */
                                "A,,,5371010001\n"               /* 2 kept, no flag */
                                "B,,,53.71.01.1001\n"            /* 3 kept: Kemendagri */
                                "C,,,53710100010007\n"           /* 4 kept: an SLS */
                                "D,0,0,5371010001\n"             /* 5 kept, flagged null_island */
                                "E,-10.1x,123.6,5371010001\n"    /* 6 kept, flagged bad_coordinate */
                                "F,,,\n"                         /* 7 rejected: no point, no code */
                                "G,,,5371\n"                     /* 8 rejected: a kab/kota only */
                                "H,,,53x\n"                      /* 9 rejected: no code */
                                "I,-10.16,123.6,\n"              /* 10 kept, a point, no code */
                                "J,,,5371010\n",                 /* 11 kept: a kecamatan, placed there */
                                NULL, &s, &rc);
    cr_assert_eq(rc, RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(s.loaded, 7);
    cr_assert_eq(s.without_point, 6);
    cr_assert_eq(s.rejected, 3);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM household_records WHERE geom IS NULL"), 6);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM idx_household_records_geom"), 1, "only I has a point");
    cr_assert_eq(sql_int(store, "SELECT lon IS NULL AND lat IS NULL AND load_flags IS NULL FROM households"
                                " WHERE household_id = 'A'"),
                 1);
    cr_assert_str_eq(sql_text(store, "SELECT load_flags FROM households WHERE household_id = 'D'"), "null_island");
    cr_assert_str_eq(sql_text(store, "SELECT load_flags FROM households WHERE household_id = 'E'"), "bad_coordinate");
    for (int line = 7; line <= 9; line++)
        cr_assert_str_eq(reason_at(store, line), "missing_coordinate", "line %d", line);
    /* Both reasons, each naming its column. */
    const char *both = sql_text(store, "SELECT message FROM rejects WHERE line = 7");
    cr_assert(strstr(both, "column 'lat': empty coordinate") && strstr(both, "column 'kode_wilayah' is empty"), "%s",
              both);
    cr_assert(strstr(sql_text(store, "SELECT message FROM rejects WHERE line = 8"), "names no kecamatan or desa/kelurahan"));
    cr_assert(strstr(sql_text(store, "SELECT message FROM rejects WHERE line = 9"), "'53x' is no area code"));
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* The questionnaire's columns r101..r105, as a spreadsheet leaves them: numbers. */
Test(load, code_parts_are_assembled_and_padded)
{
    rg_ctx *ctx = test_ctx();
    rg_load_stats s;
    int rc;
    rg_store *store = load_text(ctx,
                                "id,lat,lon,r101,r102,r103,r104,r105,nama\n"
                                "A,,,53,71,10,1,7,Ana\n"
                                "B,,,53,71,010,001,,Budi\n"
                                "C,,,53,71,1,1001,,Citra\n"
                                "D,-10.16,123.6,53,71,x,1,,Dewi\n"
                                "E,,,53,71,,1,,Eko\n",
                                NULL, &s, &rc);
    cr_assert_eq(rc, RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_str_eq(sql_text(store, "SELECT reported_code FROM households WHERE household_id = 'A'"), "53710100010007");
    cr_assert_str_eq(sql_text(store, "SELECT reported_code FROM households WHERE household_id = 'B'"), "5371010001");
    cr_assert_str_eq(sql_text(store, "SELECT reported_code FROM households WHERE household_id = 'C'"), "53.71.01.1001");
    /* Parts that make no code are kept as they were, beside a point. */
    cr_assert_str_eq(sql_text(store, "SELECT reported_code FROM households WHERE household_id = 'D'"), "53/71/x/1/");
    cr_assert_str_eq(reason_at(store, 6), "missing_coordinate");
    cr_assert(strstr(sql_text(store, "SELECT message FROM rejects WHERE line = 6"), "columns 'r101'..'r104'"));
    cr_assert_str_eq(sql_text(store, "SELECT extra FROM households WHERE household_id = 'A'"), "{\"nama\":\"Ana\"}",
                     "the parts are the code, not extra columns");
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(load, code_parts_named_by_hand)
{
    rg_ctx *ctx = test_ctx();
    rg_load_stats s;
    int rc;
    rg_load_opts o = RG_LOAD_OPTS_INIT;
    o.code_parts = "p,k,c,d";
    rg_store *store = load_text(ctx, "id,lat,lon,p,k,c,d\nA,,,53,71,10,2\n", &o, &s, &rc);
    cr_assert_eq(rc, RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_str_eq(sql_text(store, "SELECT reported_code FROM households"), "5371010002");
    rg_io_store_free(store);
    o.code_parts = "p,k";
    store = load_text(ctx, "id,lat,lon,p,k\nA,,,53,71\n", &o, &s, &rc);
    cr_assert_eq(rc, RG_EINVAL);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "--code-parts"), "%s", rg_ctx_errmsg(ctx));
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* A file of codes only, with no point at all, is a file of households, not a mistake. */
/* Most Regsosek families have no GPS point: an extract of codes alone, with no coordinate
 * columns at all, loads, each household placed by its code; half a pair is still an error. */
Test(load, a_file_of_codes_alone_loads_and_half_a_pair_does_not)
{
    rg_ctx *ctx = test_ctx();
    rg_load_stats s;
    int rc;
    rg_store *store = load_text(ctx, "id_keluarga,r101,r102,r103,r104,r105\nX1,53,71,10,1,7\nX2,53,71,10,2,\nX3,,,,,\n",
                                NULL, &s, &rc);
    cr_assert_eq(rc, RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(s.loaded * 100 + s.without_point * 10 + s.by_reason[RG_REJECT_MISSING_COORDINATE], 221);
    cr_assert_str_eq(sql_text(store, "SELECT group_concat(reported_code, ' ') FROM households"),
                     "53710100010007 5371010002");
    rg_io_store_free(store);
    store = load_text(ctx, "id_keluarga,lintang,kode_desa\nX1,-10.1,5371010001\n", NULL, &s, &rc);
    cr_assert_eq(rc, RG_EDATA);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "no longitude column"), "%s", rg_ctx_errmsg(ctx));
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(load, a_file_without_any_point_loads)
{
    rg_ctx *ctx = test_ctx();
    rg_load_stats s;
    int rc;
    rg_store *store = load_text(ctx, "id,lat,lon,kode_desa\nA,,,5371010001\nB,,,5371010002\n", NULL, &s, &rc);
    cr_assert_eq(rc, RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(s.loaded, 2);
    cr_assert_eq(s.without_point, 2);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}
