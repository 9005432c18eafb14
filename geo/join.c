/*
 * The join: households get a kelurahan from the kelurahan polygons and their
 * kecamatan from that kelurahan's parent code, so the hierarchy is always
 * consistent and kecamatan totals equal the sum of their kelurahan. The kecamatan
 * polygons are still consulted for every point, and a household whose kecamatan
 * polygon disagrees is flagged `kecamatan_mismatch` for review.
 */
#include "geo/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sql_fail(rg_store *store)
{
    return rg_ctx_error(rg_io_store_ctx(store), RG_ESQL, "%s: %s", rg_io_store_path(store),
                        sqlite3_errmsg(rg_io_store_db(store)));
}

static const char area_table_sql[] =
    "CREATE TABLE %s(code TEXT PRIMARY KEY, name TEXT, parent_code TEXT, alt_code TEXT,"
    " repaired INTEGER NOT NULL DEFAULT 0, dissolved INTEGER NOT NULL DEFAULT 0);"
    "SELECT AddGeometryColumn('%s', 'geom', 4326, 'MULTIPOLYGON', 'XY');";

static int write_areas(rg_store *store, const char *table, const rg_areas *areas, int dissolved)
{
    rg_ctx *ctx = rg_io_store_ctx(store);
    sqlite3 *db = rg_io_store_db(store);
    char sql[512];
    int rc;
    snprintf(sql, sizeof sql, "SELECT DropTable(NULL, '%s', 1)", table);
    if ((rc = rg_io_store_exec(store, "dropping the previous boundaries", sql)) != RG_OK)
        return rc;
    snprintf(sql, sizeof sql, area_table_sql, table, table);
    if ((rc = rg_io_store_exec(store, "creating the boundary tables", sql)) != RG_OK)
        return rc;
    snprintf(sql, sizeof sql,
             "INSERT INTO %s(code, name, parent_code, alt_code, repaired, dissolved, geom)"
             " VALUES(?, ?, ?, ?, ?, ?, CastToMultiPolygon(GeomFromWKB(?, 4326)))",
             table);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return sql_fail(store);
    for (size_t i = 0; i < rg_geo_areas_count(areas) && rc == RG_OK; i++) {
        unsigned char *wkb = NULL;
        size_t size = 0;
        if ((rc = rg_geo_areas_wkb(areas, ctx, i, &wkb, &size)) != RG_OK)
            break;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, rg_geo_areas_code(areas, i), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, rg_geo_areas_name(areas, i), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, rg_geo_areas_parent(areas, i), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, rg_geo_areas_alt_code(areas, i), -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 5, rg_geo_areas_repaired(areas, i));
        sqlite3_bind_int(st, 6, dissolved);
        sqlite3_bind_blob(st, 7, wkb, (int)size, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = sql_fail(store);
        rg_free(wkb);
    }
    sqlite3_finalize(st);
    if (rc != RG_OK)
        return rc;
    snprintf(sql, sizeof sql, "SELECT CreateSpatialIndex('%s', 'geom')", table);
    return rg_io_store_exec(store, "indexing the boundaries", sql);
}

/* 1 when the reported code names another kelurahan, 0 when the same, -1 when it cannot be told. */
static int code_mismatch(const char *reported, const rg_areas *kel, long area)
{
    rg_area_code r, k;
    if (!reported || rg_geo_code_parse(reported, &r) != RG_OK)
        return -1;
    const char *candidates[2] = {rg_geo_areas_code(kel, (size_t)area), rg_geo_areas_alt_code(kel, (size_t)area)};
    for (int i = 0; i < 2; i++) {
        if (!candidates[i] || rg_geo_code_parse(candidates[i], &k) != RG_OK)
            continue;
        /* A reported kecamatan code is checked at kecamatan level. */
        while (k.level > r.level && rg_geo_code_parent(&k, &k) == RG_OK)
            ;
        int comparable = 0;
        int same = rg_geo_code_same(&r, &k, &comparable);
        if (comparable)
            return !same;
    }
    return -1;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct {
    double *values;
    size_t count, cap;
} distances;

static int distances_push(distances *d, double v)
{
    if (d->count == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 1024;
        double *grown = rg_realloc(d->values, cap * sizeof *grown);
        if (!grown)
            return RG_ENOMEM;
        d->values = grown;
        d->cap = cap;
    }
    d->values[d->count++] = v;
    return RG_OK;
}

static int write_report(rg_store *store, const char *path, const rg_join_report *r)
{
    int rc = rg_io_store_exec(store, "creating join_report",
                              "CREATE TABLE IF NOT EXISTS join_report(id INTEGER PRIMARY KEY, finished TEXT,"
                              " boundaries TEXT, households INTEGER, within INTEGER, boundary INTEGER,"
                              " nearest INTEGER, nearest_max_m REAL, nearest_median_m REAL, unmatched INTEGER,"
                              " overlaps INTEGER, code_mismatches INTEGER, kecamatan_mismatches INTEGER,"
                              " kelurahan INTEGER, kecamatan INTEGER, repaired_polygons INTEGER,"
                              " kecamatan_dissolved INTEGER)");
    if (rc != RG_OK)
        return rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(store),
                           "INSERT INTO join_report(finished, boundaries, households, within, boundary, nearest,"
                           " nearest_max_m, nearest_median_m, unmatched, overlaps, code_mismatches,"
                           " kecamatan_mismatches, kelurahan, kecamatan, repaired_polygons, kecamatan_dissolved)"
                           " VALUES(strftime('%Y-%m-%dT%H:%M:%fZ','now'),?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_fail(store);
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, r->households);
    sqlite3_bind_int64(st, 3, r->within);
    sqlite3_bind_int64(st, 4, r->boundary);
    sqlite3_bind_int64(st, 5, r->nearest);
    sqlite3_bind_double(st, 6, r->nearest_max_m);
    sqlite3_bind_double(st, 7, r->nearest_median_m);
    sqlite3_bind_int64(st, 8, r->unmatched);
    sqlite3_bind_int64(st, 9, r->overlaps);
    sqlite3_bind_int64(st, 10, r->code_mismatches);
    sqlite3_bind_int64(st, 11, r->kecamatan_mismatches);
    sqlite3_bind_int64(st, 12, (sqlite3_int64)r->kelurahan);
    sqlite3_bind_int64(st, 13, (sqlite3_int64)r->kecamatan);
    sqlite3_bind_int64(st, 14, (sqlite3_int64)r->repaired);
    sqlite3_bind_int(st, 15, r->kecamatan_dissolved);
    rc = sqlite3_step(st) == SQLITE_DONE ? RG_OK : sql_fail(store);
    sqlite3_finalize(st);
    return rc;
}

int rg_geo_join(rg_store *store, const char *path, const rg_join_opts *opts, rg_join_report *report)
{
    static const rg_join_opts defaults = RG_JOIN_OPTS_INIT;
    if (!opts)
        opts = &defaults;
    rg_ctx *ctx = rg_io_store_ctx(store);
    sqlite3 *db = rg_io_store_db(store);
    rg_join_report r = {0};
    rg_areas *kel = NULL, *kec = NULL;
    rg_locator *kel_loc = NULL, *kec_loc = NULL;
    sqlite3_stmt *read = NULL, *update = NULL;
    distances dist = {0};
    rg_buf flags = {0};
    int in_transaction = 0;
    int64_t households = 0;
    int rc;

    if ((rc = rg_io_store_count(store, "SELECT count(*) FROM households", &households)) != RG_OK)
        goto done;
    if (households == 0) {
        rc = rg_ctx_error(ctx, RG_EDATA, "%s: no households loaded yet: run `regsosek-geo load` first",
                          rg_io_store_path(store));
        goto done;
    }
    if ((rc = rg_geo_areas_read(&kel, ctx, path, RG_AREA_KELURAHAN, &opts->kelurahan)) != RG_OK)
        goto done;
    rc = rg_geo_areas_read(&kec, ctx, path, RG_AREA_KECAMATAN, &opts->kecamatan);
    if (rc == RG_ENOTFOUND && !opts->kecamatan.layer) {
        rg_ctx_notice(ctx, RG_NOTICE_INFO, "%s: no kecamatan layer: dissolving kelurahan by their parent code", path);
        r.kecamatan_dissolved = 1;
        rc = rg_geo_areas_dissolve(&kec, ctx, kel);
    }
    if (rc != RG_OK)
        goto done;
    r.kelurahan = rg_geo_areas_count(kel);
    r.kecamatan = rg_geo_areas_count(kec);
    for (size_t i = 0; i < r.kelurahan; i++)
        r.repaired += (size_t)rg_geo_areas_repaired(kel, i);
    for (size_t i = 0; i < r.kecamatan; i++)
        r.repaired += (size_t)rg_geo_areas_repaired(kec, i);
    for (size_t i = 0; i < r.kelurahan; i++)
        if (rg_geo_areas_parent(kel, i) && rg_geo_areas_find(kec, rg_geo_areas_parent(kel, i)) < 0)
            rg_ctx_notice(ctx, RG_NOTICE_WARNING, "%s: kelurahan %s: parent kecamatan %s is not in the kecamatan layer",
                          path, rg_geo_areas_code(kel, i), rg_geo_areas_parent(kel, i));
    if ((rc = rg_geo_locator_new(&kel_loc, ctx, kel)) != RG_OK || (rc = rg_geo_locator_new(&kec_loc, ctx, kec)) != RG_OK)
        goto done;

    if ((rc = rg_io_store_exec(store, "starting the join", "BEGIN IMMEDIATE")) != RG_OK)
        goto done;
    in_transaction = 1;
    if ((rc = write_areas(store, "kelurahan", kel, 0)) != RG_OK ||
        (rc = write_areas(store, "kecamatan", kec, r.kecamatan_dissolved)) != RG_OK)
        goto done;

    if (sqlite3_prepare_v2(db, "SELECT hh, lon, lat, reported_code FROM households ORDER BY hh", -1, &read, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "UPDATE households SET kelurahan_code = ?, kelurahan_name = ?, kecamatan_code = ?,"
                           " kecamatan_name = ?, join_method = ?, join_distance_m = ?, join_flags = ?,"
                           " code_mismatch = ?, kecamatan_polygon_code = ? WHERE hh = ?",
                           -1, &update, NULL) != SQLITE_OK) {
        rc = sql_fail(store);
        goto done;
    }
    int step;
    while ((step = sqlite3_step(read)) == SQLITE_ROW) {
        int64_t hh = sqlite3_column_int64(read, 0);
        double lon = sqlite3_column_double(read, 1), lat = sqlite3_column_double(read, 2);
        const char *reported = (const char *)sqlite3_column_text(read, 3);
        rg_match m, km;
        if ((rc = rg_geo_locate(kel_loc, lon, lat, opts->max_distance_m, &m)) != RG_OK ||
            (rc = rg_geo_locate(kec_loc, lon, lat, opts->max_distance_m, &km)) != RG_OK)
            goto done;
        r.households++;
        flags.len = 0;
        sqlite3_reset(update);
        sqlite3_clear_bindings(update);
        sqlite3_bind_text(update, 5, rg_geo_join_method_name(m.method), -1, SQLITE_STATIC);
        if (km.area >= 0)
            sqlite3_bind_text(update, 9, rg_geo_areas_code(kec, (size_t)km.area), -1, SQLITE_STATIC);
        switch (m.method) {
        case RG_JOIN_WITHIN: r.within++; break;
        case RG_JOIN_BOUNDARY: r.boundary++; break;
        case RG_JOIN_NEAREST:
            r.nearest++;
            if ((rc = distances_push(&dist, m.distance_m)) != RG_OK)
                goto done;
            break;
        case RG_JOIN_UNMATCHED: r.unmatched++; break;
        }
        if (m.area >= 0) {
            size_t a = (size_t)m.area;
            const char *parent = rg_geo_areas_parent(kel, a);
            long parent_area = rg_geo_areas_find(kec, parent);
            sqlite3_bind_text(update, 1, rg_geo_areas_code(kel, a), -1, SQLITE_STATIC);
            sqlite3_bind_text(update, 2, rg_geo_areas_name(kel, a), -1, SQLITE_STATIC);
            sqlite3_bind_text(update, 3, parent, -1, SQLITE_STATIC);
            if (parent_area >= 0)
                sqlite3_bind_text(update, 4, rg_geo_areas_name(kec, (size_t)parent_area), -1, SQLITE_STATIC);
            if (m.method == RG_JOIN_NEAREST)
                sqlite3_bind_double(update, 6, m.distance_m);
            else
                sqlite3_bind_double(update, 6, 0.0);
            int mismatch = code_mismatch(reported, kel, m.area);
            if (mismatch >= 0)
                sqlite3_bind_int(update, 8, mismatch);
            r.code_mismatches += mismatch == 1;
            if (m.overlap) {
                r.overlaps++;
                rg__buf_appendf(&flags, "overlap");
            }
            if (km.area >= 0 && parent && strcmp(rg_geo_areas_code(kec, (size_t)km.area), parent) != 0) {
                r.kecamatan_mismatches++;
                rg__buf_appendf(&flags, "%skecamatan_mismatch", flags.len ? "," : "");
            }
        }
        if (flags.len)
            sqlite3_bind_text(update, 7, flags.data, (int)flags.len, SQLITE_STATIC);
        sqlite3_bind_int64(update, 10, hh);
        if (sqlite3_step(update) != SQLITE_DONE) {
            rc = sql_fail(store);
            goto done;
        }
        if (r.households % 100000 == 0)
            rg_ctx_notice(ctx, RG_NOTICE_PROGRESS, "join: %lld of %lld households", (long long)r.households,
                          (long long)households);
    }
    if (step != SQLITE_DONE) {
        rc = sql_fail(store);
        goto done;
    }
    if (dist.count) {
        qsort(dist.values, dist.count, sizeof *dist.values, compare_double);
        r.nearest_max_m = dist.values[dist.count - 1];
        r.nearest_median_m = dist.count % 2 ? dist.values[dist.count / 2]
                                            : (dist.values[dist.count / 2 - 1] + dist.values[dist.count / 2]) / 2;
    }
    if (r.within + r.boundary + r.nearest + r.unmatched != households) {
        rc = rg_ctx_error(ctx, RG_EDATA, "join: accounting error: %lld households, %lld joined or unmatched",
                          (long long)households, (long long)(r.within + r.boundary + r.nearest + r.unmatched));
        goto done;
    }
    /* A new join makes the old classes and summaries stale. */
    if ((rc = rg_io_store_exec(store, "clearing stale classes",
                               "UPDATE households SET welfare = NULL, desil = NULL, welfare_rank = NULL,"
                               " poverty_class = NULL;"
                               "DROP TABLE IF EXISTS kelurahan_summary; DROP TABLE IF EXISTS kecamatan_summary;")) !=
            RG_OK ||
        (rc = write_report(store, path, &r)) != RG_OK)
        goto done;
    sqlite3_finalize(read);
    read = NULL;
    sqlite3_finalize(update);
    update = NULL;
    rc = rg_io_store_exec(store, "committing the join", "COMMIT");
    in_transaction = rc != RG_OK;

done:
    sqlite3_finalize(read);
    sqlite3_finalize(update);
    if (in_transaction)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    rg_geo_locator_free(kel_loc);
    rg_geo_locator_free(kec_loc);
    rg_geo_areas_free(kel);
    rg_geo_areas_free(kec);
    rg_free(dist.values);
    rg__buf_free(&flags);
    if (report)
        *report = r;
    return rc;
}
