/*
 * Boundaries prepared once. Reading, checking, repairing and dissolving the polygons of a
 * whole country takes longer than locating millions of households in them, and the
 * boundaries change once a year while household batches come every few months. So the
 * prepared polygons stay in the store (tables kelurahan and kecamatan), recorded in
 * boundary_sets with the SHA-256 of the file and the layer and field choices they were
 * read with; a join given the same file and choices reads them back from the store.
 */
#include "geo/internal.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* The prepared boundaries are written and read with a small page cache: they stream. */
#define PREPARE_CACHE_KB 8192

/* What, besides the file's bytes, decides the prepared polygons: the layer and field
 * choices, and the tool's version (a later one may repair or dissolve differently). */
static int source_key(const rg_join_opts *opts, rg_buf *key)
{
    const rg_area_source *k = &opts->kelurahan, *c = &opts->kecamatan;
#define OR_AUTO(s) ((s) ? (s) : "(detected)")
    return rg__buf_appendf(key,
                           "regsosek-geo %s; kelurahan layer %s, code %s, name %s, parent %s;"
                           " kecamatan layer %s, code %s, name %s",
                           rg_version(), OR_AUTO(k->layer), OR_AUTO(k->code_field), OR_AUTO(k->name_field),
                           OR_AUTO(k->parent_field), OR_AUTO(c->layer), OR_AUTO(c->code_field),
                           OR_AUTO(c->name_field));
#undef OR_AUTO
}

static int write_areas(rg_store *store, const char *table, const rg_areas *areas, int dissolved)
{
    rg_ctx *ctx = rg_io_store_ctx(store);
    char sql[512];
    int rc = RG_OK;
    snprintf(sql, sizeof sql,
             "INSERT INTO %s(code, name, parent_code, alt_code, repaired, dissolved, geom, urban_rural)"
             " VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
             table);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(store), sql, -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    for (size_t i = 0; i < rg_geo_areas_count(areas) && rc == RG_OK; i++) {
        unsigned char *wkb = NULL, *blob = NULL;
        size_t size = 0, blob_size = 0;
        if ((rc = rg_geo_areas_wkb(areas, ctx, i, &wkb, &size)) != RG_OK)
            break;
        rc = rg_io_spatialite_multipolygon(&blob, &blob_size, wkb, size, areas->items[i].bounds);
        rg_free(wkb);
        if (rc != RG_OK) {
            rc = rg_ctx_error(ctx, rc, "%s %s: its polygon is not the WKB GEOS writes", table,
                              rg_geo_areas_code(areas, i));
            break;
        }
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, rg_geo_areas_code(areas, i), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, rg_geo_areas_name(areas, i), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, rg_geo_areas_parent(areas, i), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, rg_geo_areas_alt_code(areas, i), -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 5, rg_geo_areas_repaired(areas, i));
        sqlite3_bind_int(st, 6, dissolved);
        sqlite3_bind_blob(st, 7, blob, (int)blob_size, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, rg_geo_urban_rural_name(rg_geo_areas_urban_rural(areas, i)), -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = rg_io_store_sql_error(store);
        rg_free(blob);
    }
    sqlite3_finalize(st);
    return rc == RG_OK ? rg_io_store_index_table(store, table) : rc;
}

static char *column_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? rg_strdup((const char *)t) : NULL;
}

/* The prepared areas of table read back from the store, their polygons going straight to
 * the scratch file as WKB (SpatiaLite's blob holds it all but a byte a part, and its MBR):
 * no GEOS geometry is made until a locator needs one. */
static int areas_from_store(rg_areas **out, rg_store *store, const char *table)
{
    rg_ctx *ctx = rg_io_store_ctx(store);
    char sql[400];
    snprintf(sql, sizeof sql,
             "SELECT code, name, parent_code, alt_code, repaired, urban_rural, geom FROM %s ORDER BY code", table);
    sqlite3_stmt *st = NULL;
    rg_areas *areas = NULL;
    int rc = rg_geo__areas_new(&areas, ctx), step;
    if (rc == RG_OK && sqlite3_prepare_v2(rg_io_store_db(store), sql, -1, &st, NULL) != SQLITE_OK)
        rc = rg_io_store_sql_error(store);
    while (rc == RG_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        rg_geo__area area = {.code = column_dup(st, 0), .name = column_dup(st, 1), .parent = column_dup(st, 2),
                             .alt_code = column_dup(st, 3), .repaired = sqlite3_column_int(st, 4),
                             .area_type = rg_geo_urban_rural_parse((const char *)sqlite3_column_text(st, 5))};
        unsigned char *wkb = NULL;
        size_t size = 0;
        long vertices = 0;
        const unsigned char *blob = sqlite3_column_blob(st, 6);
        if (!area.code || !blob ||
            rg_io_spatialite_wkb(blob, (size_t)sqlite3_column_bytes(st, 6), &wkb, &size, area.bounds, &vertices) !=
                RG_OK) {
            rc = rg_ctx_error(ctx, RG_EDATA, "%s: %s %s: no code or no polygon in the prepared boundaries",
                              rg_io_store_path(store), table, area.code ? area.code : "?");
            rg_geo__area_clear(&area);
        } else {
            area.coordinates = vertices > INT_MAX ? INT_MAX : (int)vertices;
            rc = rg_geo__areas_put_wkb(areas, ctx, wkb, size, &area);
            if (rc == RG_OK)
                rc = rg_geo__areas_add(areas, &area);
            else
                rg_geo__area_clear(&area);
        }
        rg_free(wkb);
    }
    if (rc == RG_OK && step != SQLITE_DONE)
        rc = rg_io_store_sql_error(store);
    sqlite3_finalize(st);
    if (rc == RG_OK)
        rc = rg_geo__areas_finish(areas, table);
    if (rc != RG_OK) {
        rg_geo_areas_free(areas);
        return rc;
    }
    *out = areas;
    return RG_OK;
}

/* The current prepared set, when it was made from a file with this checksum and this key. */
static int find_prepared(rg_store *store, const char *sha256, const char *key, rg_boundaries_report *r, int *found)
{
    *found = 0;
    int current = 0;
    int rc = rg_io_store_step_current(store, RG_STEP_BOUNDARIES, &current);
    if (rc != RG_OK || !current)
        return rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(store),
                           "SELECT kelurahan, kecamatan, repaired, kecamatan_dissolved, prepared, path FROM boundary_sets"
                           " WHERE id = (SELECT max(id) FROM boundary_sets) AND sha256 = ? AND source = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *found = 1;
        r->kelurahan = (size_t)sqlite3_column_int64(st, 0);
        r->kecamatan = (size_t)sqlite3_column_int64(st, 1);
        r->repaired = (size_t)sqlite3_column_int64(st, 2);
        r->kecamatan_dissolved = sqlite3_column_int(st, 3);
        snprintf(r->prepared, sizeof r->prepared, "%s", (const char *)sqlite3_column_text(st, 4));
        snprintf(r->prepared_from, sizeof r->prepared_from, "%s", (const char *)sqlite3_column_text(st, 5));
    } else if (step != SQLITE_DONE) {
        rc = rg_io_store_sql_error(store);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Reads, checks, repairs and dissolves the polygons at path. Caller owns *kel and *kec. */
static int read_boundaries(rg_ctx *ctx, const char *path, const rg_join_opts *opts, rg_boundaries_report *r,
                           rg_areas **kel, rg_areas **kec)
{
    int rc = rg_geo_areas_read(kel, ctx, path, RG_AREA_KELURAHAN, &opts->kelurahan);
    if (rc == RG_OK)
        rc = rg_geo_areas_read(kec, ctx, path, RG_AREA_KECAMATAN, &opts->kecamatan);
    if (rc == RG_ENOTFOUND && *kel && !opts->kecamatan.layer) {
        rg_ctx_notice(ctx, RG_NOTICE_INFO, "%s: no kecamatan layer: dissolving kelurahan by their parent code", path);
        r->kecamatan_dissolved = 1;
        double started = rg__seconds_now();
        rc = rg_geo_areas_dissolve(kec, ctx, *kel);
        if (rc == RG_OK)
            rg_ctx_notice(ctx, RG_NOTICE_DETAIL, "%s: %zu kecamatan dissolved in %.2f s", path, rg_geo_areas_count(*kec),
                          rg__seconds_now() - started);
    }
    if (rc != RG_OK)
        return rc;
    r->kelurahan = rg_geo_areas_count(*kel);
    r->kecamatan = rg_geo_areas_count(*kec);
    for (size_t i = 0; i < r->kelurahan; i++)
        r->repaired += (size_t)rg_geo_areas_repaired(*kel, i);
    for (size_t i = 0; i < r->kecamatan; i++)
        r->repaired += (size_t)rg_geo_areas_repaired(*kec, i);
    return RG_OK;
}

static int record_set(rg_store *store, const char *path, const char *sha256, const char *key,
                      const rg_boundaries_report *r)
{
    struct stat sb;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(store),
                           "INSERT INTO boundary_sets(path, size, sha256, source, prepared, kelurahan, kecamatan,"
                           " repaired, kecamatan_dissolved) VALUES(?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),"
                           " ?, ?, ?, ?)",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    if (stat(path, &sb) == 0)
        sqlite3_bind_int64(st, 2, (sqlite3_int64)sb.st_size);
    sqlite3_bind_text(st, 3, sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)r->kelurahan);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)r->kecamatan);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)r->repaired);
    sqlite3_bind_int(st, 8, r->kecamatan_dissolved);
    int rc = sqlite3_step(st) == SQLITE_DONE ? RG_OK : rg_io_store_sql_error(store);
    sqlite3_finalize(st);
    return rc;
}

/* Writes freshly read boundaries into the store, as a step of their own. */
static int store_boundaries(rg_store *store, const char *path, const char *sha256, const char *key,
                            const rg_boundaries_report *r, const rg_areas *kel, const rg_areas *kec)
{
    int rc = rg_io_store_step_begin(store, RG_STEP_BOUNDARIES, RG_STEP_AFRESH, PREPARE_CACHE_KB);
    if (rc == RG_OK)
        rc = write_areas(store, "kelurahan", kel, 0);
    if (rc == RG_OK)
        rc = write_areas(store, "kecamatan", kec, r->kecamatan_dissolved);
    if (rc == RG_OK)
        rc = record_set(store, path, sha256, key, r);
    if (rc == RG_OK)
        rc = rg_io_store_step_commit(store, path);
    rg_io_store_step_end(store);
    return rc;
}

int rg_geo__boundaries(rg_store *store, const char *path, const rg_join_opts *opts, rg_boundaries_report *r,
                       rg_areas **kel, rg_areas **kec)
{
    rg_ctx *ctx = rg_io_store_ctx(store);
    rg_buf key = {0};
    int found = 0;
    *kel = *kec = NULL;
    memset(r, 0, sizeof *r);
    /* A source that is not one file (a folder of shapefiles, say) has no checksum: it is
     * prepared afresh each time. One that cannot be opened at all is GDAL's to explain. */
    if (!rg__sha256_file(path, r->sha256))
        r->sha256[0] = '\0';
    int rc = source_key(opts, &key);
    if (rc == RG_OK && !opts->reprepare && r->sha256[0])
        rc = find_prepared(store, r->sha256, key.data, r, &found);
    if (rc == RG_OK && found) {
        r->reused = 1;
        rg_ctx_notice(ctx, RG_NOTICE_INFO,
                      "%s: reusing the boundaries prepared on %s from %s (same SHA-256 %.12s..., same layers and"
                      " fields): %zu kelurahan, %zu kecamatan",
                      path, r->prepared, r->prepared_from, r->sha256, r->kelurahan, r->kecamatan);
        rc = areas_from_store(kel, store, "kelurahan");
        if (rc == RG_OK)
            rc = areas_from_store(kec, store, "kecamatan");
    } else if (rc == RG_OK) {
        rc = read_boundaries(ctx, path, opts, r, kel, kec);
        double started = rg__seconds_now();
        if (rc == RG_OK)
            rc = store_boundaries(store, path, r->sha256, key.data, r, *kel, *kec);
        if (rc == RG_OK)
            rg_ctx_notice(ctx, RG_NOTICE_DETAIL, "%s: boundaries kept in the store in %.2f s", path,
                          rg__seconds_now() - started);
    }
    rg__buf_free(&key);
    if (rc != RG_OK) {
        rg_geo_areas_free(*kel);
        rg_geo_areas_free(*kec);
        *kel = *kec = NULL;
    }
    return rc;
}

int rg_geo_boundaries_prepare(rg_store *store, const char *path, const rg_join_opts *opts,
                              rg_boundaries_report *report)
{
    static const rg_join_opts defaults = RG_JOIN_OPTS_INIT;
    rg_boundaries_report r;
    rg_areas *kel = NULL, *kec = NULL;
    int rc = rg_geo__boundaries(store, path, opts ? opts : &defaults, &r, &kel, &kec);
    rg_geo_areas_free(kel);
    rg_geo_areas_free(kec);
    if (report)
        *report = r;
    return rc;
}
