/*
 * Boundaries prepared once. Reading, checking, repairing and dissolving the polygons of a
 * whole country takes longer than locating millions of households in them, and the
 * boundaries change once a year while household batches come every few months. So the
 * prepared polygons stay in the store (tables kelurahan, kecamatan, kabkota, provinsi), recorded in
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
static const rg_area_source *source_of(const rg_join_opts *opts, rg_area_kind kind)
{
    switch (kind) {
    case RG_AREA_KELURAHAN: return &opts->kelurahan;
    case RG_AREA_KECAMATAN: return &opts->kecamatan;
    case RG_AREA_KABKOTA: return &opts->kabkota;
    default: return &opts->provinsi;
    }
}

static int source_key(const rg_join_opts *opts, rg_buf *key)
{
#define OR_AUTO(s) ((s) ? (s) : "(detected)")
    /* "outlines": upper levels drawn from the level below (outline.c); sets prepared before
     * it hold the file's own polygons and are prepared again. */
    int rc = rg__buf_appendf(key, "regsosek-geo %s, outlines", rg_version());
    for (int k = 0; k < RG_AREA_KINDS && rc == RG_OK; k++) {
        const rg_area_source *s = source_of(opts, (rg_area_kind)k);
        rc = rg__buf_appendf(key, "; %s layer %s, code %s, name %s", rg_geo_area_kind_name((rg_area_kind)k),
                             OR_AUTO(s->layer), OR_AUTO(s->code_field), OR_AUTO(s->name_field));
        if (rc == RG_OK && k == RG_AREA_KELURAHAN)
            rc = rg__buf_appendf(key, ", parent %s", OR_AUTO(s->parent_field));
    }
#undef OR_AUTO
    return rc;
}

/* Area i's polygon as a SpatiaLite blob; caller frees *blob with rg_free(). */
static int area_blob(rg_ctx *ctx, const char *table, const rg_areas *areas, size_t i, unsigned char **blob,
                     size_t *blob_size)
{
    unsigned char *wkb = NULL;
    size_t size = 0;
    int rc = rg_geo_areas_wkb(areas, ctx, i, &wkb, &size);
    if (rc != RG_OK)
        return rc;
    rc = rg_io_spatialite_multipolygon(blob, blob_size, wkb, size, areas->items[i].bounds);
    rg_free(wkb);
    return rc == RG_OK ? RG_OK
                       : rg_ctx_error(ctx, rc, "%s %s: its polygon is not the WKB GEOS writes", table,
                                      rg_geo_areas_code(areas, i));
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
        unsigned char *blob = NULL;
        size_t blob_size = 0;
        if ((rc = area_blob(ctx, table, areas, i, &blob, &blob_size)) != RG_OK)
            break;
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
 * no GEOS geometry is made until a locator needs one. Without `polygons`, their codes and
 * names only: what the join needs of kecamatan it dissolved, which it never locates in. */
static int areas_from_store(rg_areas **out, rg_store *store, const char *table, const char *polygons)
{
    rg_ctx *ctx = rg_io_store_ctx(store);
    char sql[400];
    snprintf(sql, sizeof sql,
             "SELECT code, name, parent_code, alt_code, repaired, urban_rural, %s FROM %s ORDER BY code",
             polygons ? polygons : "NULL", table);
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
        if (area.code && !polygons) {
            rc = rg_geo__areas_add(areas, &area);
            continue;
        }
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
                           "SELECT kelurahan, kecamatan, repaired, kecamatan_dissolved, prepared, path, kabkota, provinsi,"
                           " kabkota_dissolved, provinsi_dissolved FROM boundary_sets"
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
        r->kabkota = (size_t)sqlite3_column_int64(st, 6);
        r->provinsi = (size_t)sqlite3_column_int64(st, 7);
        r->kabkota_dissolved = sqlite3_column_int(st, 8);
        r->provinsi_dissolved = sqlite3_column_int(st, 9);
    } else if (step != SQLITE_DONE) {
        rc = rg_io_store_sql_error(store);
    }
    sqlite3_finalize(st);
    return rc;
}

static int *dissolved_flag(rg_boundaries_report *r, rg_area_kind kind)
{
    return kind == RG_AREA_KECAMATAN ? &r->kecamatan_dissolved
           : kind == RG_AREA_KABKOTA ? &r->kabkota_dissolved
                                     : &r->provinsi_dissolved;
}

static size_t *count_of(rg_boundaries_report *r, rg_area_kind kind)
{
    switch (kind) {
    case RG_AREA_KELURAHAN: return &r->kelurahan;
    case RG_AREA_KECAMATAN: return &r->kecamatan;
    case RG_AREA_KABKOTA: return &r->kabkota;
    default: return &r->provinsi;
    }
}

/* A level above kelurahan, drawn as the union of the level below: named by its layer when
 * the file has one (outline.c), else dissolved by parent code (a layer named with
 * --*-layer must be there). *given keeps the layer's own polygons (caller owns), or NULL. */
static int read_level(rg_ctx *ctx, const char *path, const rg_join_opts *opts, rg_area_kind kind,
                      rg_boundaries_report *r, rg_areas *levels[RG_AREA_KINDS], rg_areas **given)
{
    const char *what = rg_geo_area_kind_name(kind), *below = rg_geo_area_kind_name((rg_area_kind)(kind - 1));
    int rc = rg_geo_areas_read(given, ctx, path, kind, source_of(opts, kind));
    if (rc == RG_OK)
        return rg_geo__outline(&levels[kind], ctx, path, *given, levels[kind - 1], kind);
    if (rc != RG_ENOTFOUND || source_of(opts, kind)->layer)
        return rc;
    rg__ctx_error_clear(ctx);
    rg_ctx_notice(ctx, RG_NOTICE_INFO, "%s: no %s layer: dissolving %s by their parent code", path, what, below);
    *dissolved_flag(r, kind) = 1;
    double started = rg__seconds_now();
    rc = rg_geo_areas_dissolve(&levels[kind], ctx, levels[kind - 1], kind);
    if (rc == RG_OK)
        rg_ctx_notice(ctx, RG_NOTICE_DETAIL, "%s: %zu %s dissolved in %.2f s", path, rg_geo_areas_count(levels[kind]),
                      what, rg__seconds_now() - started);
    return rc;
}

/* Areas whose parent the level above does not hold: their households count up to them and
 * no further, so the coarser totals miss them. Said once per level, with an example. */
static void warn_orphans(rg_ctx *ctx, const char *path, const rg_areas *finer, const rg_areas *coarser,
                         rg_area_kind kind)
{
    size_t orphans = 0, example = 0;
    for (size_t i = 0; i < rg_geo_areas_count(finer); i++) {
        const char *parent = rg_geo_areas_parent(finer, i);
        if (!parent || rg_geo_areas_find(coarser, parent) < 0) {
            if (!orphans)
                example = i;
            orphans++;
        }
    }
    if (orphans)
        rg_ctx_notice(ctx, RG_NOTICE_WARNING,
                      "%s: %zu %s lie in no %s of the boundaries (%s, parent %s, for one): their households are"
                      " counted up to the %s and left out of the coarser totals",
                      path, orphans, rg_geo_area_kind_name(kind), rg_geo_area_kind_name((rg_area_kind)(kind + 1)),
                      rg_geo_areas_code(finer, example),
                      rg_geo_areas_parent(finer, example) ? rg_geo_areas_parent(finer, example) : "none",
                      rg_geo_area_kind_name(kind));
}

/* A level's layer, or the parts it was dissolved from, may not name its areas while the
 * desa layer does (BIG's RBI desa carry wadmkc, wadmkk, wadmpr): each nameless area of a
 * level above takes the name its first kelurahan gives it. */
static int inherit_names(rg_areas *levels[RG_AREA_KINDS])
{
    const rg_areas *kel = levels[RG_AREA_KELURAHAN];
    for (size_t i = 0; i < kel->count; i++) {
        const char *code = kel->items[i].parent;
        for (int k = RG_AREA_KECAMATAN; k < RG_AREA_KINDS && code; k++) {
            long at = rg_geo_areas_find(levels[k], code);
            if (at < 0)
                break;
            rg_geo__area *area = &levels[k]->items[at];
            const char *name = kel->items[i].upper_names[k - 1];
            if (!area->name && name && !(area->name = rg_strdup(name)))
                return RG_ENOMEM;
            code = area->parent;
        }
    }
    return RG_OK;
}

/* A file with no desa/kelurahan layer may be BPS's SLS map: its desa are then the dissolve
 * of their SLS (*sls, the caller's), named from its nmdesa .. nmprov. Otherwise the desa
 * layer's absence (rc, whose message stands) is the error. */
static int kelurahan_from_sls(rg_ctx *ctx, const char *path, rg_areas **kelurahan, rg_areas **sls_out, int rc)
{
    rg_areas *sls = NULL;
    double started = rg__seconds_now();
    int found = rg_geo__sls_read(&sls, ctx, path);
    if (found == RG_ENOTFOUND)
        return rc;
    if (found != RG_OK)
        return found;
    rg__ctx_error_clear(ctx);
    rg_ctx_notice(ctx, RG_NOTICE_INFO, "%s: no kelurahan layer: dissolving %zu SLS by their desa code", path,
                  rg_geo_areas_count(sls));
    rc = rg_geo_areas_dissolve(kelurahan, ctx, sls, RG_AREA_KELURAHAN);
    if (rc == RG_OK)
        rg_ctx_notice(ctx, RG_NOTICE_DETAIL, "%s: %zu kelurahan dissolved from %zu SLS in %.2f s", path,
                      rg_geo_areas_count(*kelurahan), rg_geo_areas_count(sls), rg__seconds_now() - started);
    *sls_out = sls;
    return rc;
}

/* An SLS map in the same file as a desa layer: both are kept (the desa from their layer, each
 * household's SLS from the map), and how far the two disagree is said (sls_check.c). */
static int sls_beside_desa(rg_ctx *ctx, const char *path, const rg_areas *kelurahan, rg_areas **sls)
{
    int rc = rg_geo__sls_read(sls, ctx, path);
    if (rc == RG_ENOTFOUND)
        return RG_OK;
    if (rc == RG_OK)
        rc = rg_geo__sls_check(ctx, path, *sls, kelurahan);
    return rc;
}

/* Reads, checks, repairs and dissolves the polygons at path, every level. Caller owns levels[],
 * *given_kec, the file's kecamatan polygons, and *sls, the SLS of an SLS map (each NULL when
 * the file has none). */
static int read_boundaries(rg_ctx *ctx, const char *path, const rg_join_opts *opts, rg_boundaries_report *r,
                           rg_areas *levels[RG_AREA_KINDS], rg_areas **given_kec, rg_areas **sls)
{
    double started = rg__seconds_now();
    int rc = rg_geo_areas_read(&levels[RG_AREA_KELURAHAN], ctx, path, RG_AREA_KELURAHAN, &opts->kelurahan);
    if (rc == RG_ENOTFOUND && !opts->kelurahan.layer)
        rc = kelurahan_from_sls(ctx, path, &levels[RG_AREA_KELURAHAN], sls, rc);
    else if (rc == RG_OK)
        rc = sls_beside_desa(ctx, path, levels[RG_AREA_KELURAHAN], sls);
    if (rc == RG_OK)
        rg_ctx_notice(ctx, RG_NOTICE_DETAIL, "%s: %zu kelurahan read and checked in %.2f s", path,
                      rg_geo_areas_count(levels[RG_AREA_KELURAHAN]), rg__seconds_now() - started);
    for (int k = RG_AREA_KECAMATAN; k < RG_AREA_KINDS && rc == RG_OK; k++) {
        rg_areas *given = NULL;
        rc = read_level(ctx, path, opts, (rg_area_kind)k, r, levels, &given);
        /* The join checks each point against the file's kecamatan; the upper layers have
         * given what they had to give. */
        if (k == RG_AREA_KECAMATAN)
            *given_kec = given;
        else
            rg_geo_areas_free(given);
    }
    if (rc == RG_OK)
        rc = inherit_names(levels);
    if (rc != RG_OK)
        return rc;
    for (int k = 0; k < RG_AREA_KINDS; k++) {
        *count_of(r, (rg_area_kind)k) = rg_geo_areas_count(levels[k]);
        for (size_t i = 0; i < rg_geo_areas_count(levels[k]); i++)
            r->repaired += (size_t)rg_geo_areas_repaired(levels[k], i);
        if (k + 1 < RG_AREA_KINDS)
            warn_orphans(ctx, path, levels[k], levels[k + 1], (rg_area_kind)k);
    }
    return RG_OK;
}

static int record_set(rg_store *store, const char *path, const char *sha256, const char *key,
                      const rg_boundaries_report *r)
{
    struct stat sb;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(store),
                           "INSERT INTO boundary_sets(path, size, sha256, source, prepared, kelurahan, kecamatan,"
                           " repaired, kecamatan_dissolved, kabkota, provinsi, kabkota_dissolved, provinsi_dissolved)"
                           " VALUES(?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?, ?, ?, ?, ?, ?, ?, ?)",
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
    sqlite3_bind_int64(st, 9, (sqlite3_int64)r->kabkota);
    sqlite3_bind_int64(st, 10, (sqlite3_int64)r->provinsi);
    sqlite3_bind_int(st, 11, r->kabkota_dissolved);
    sqlite3_bind_int(st, 12, r->provinsi_dissolved);
    int rc = sqlite3_step(st) == SQLITE_DONE ? RG_OK : rg_io_store_sql_error(store);
    sqlite3_finalize(st);
    return rc;
}

/* The file's kecamatan polygons, for the join's check of each point when the set is reused. */
static int write_given(rg_store *store, const rg_areas *given)
{
    rg_ctx *ctx = rg_io_store_ctx(store);
    sqlite3_stmt *st = NULL;
    int rc = RG_OK;
    if (sqlite3_prepare_v2(rg_io_store_db(store), "INSERT INTO kecamatan_given(code, geom) VALUES(?, ?)", -1, &st,
                           NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    for (size_t i = 0; i < rg_geo_areas_count(given) && rc == RG_OK; i++) {
        unsigned char *blob = NULL;
        size_t blob_size = 0;
        rc = area_blob(ctx, "kecamatan_given", given, i, &blob, &blob_size);
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, rg_geo_areas_code(given, i), -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, blob, (int)blob_size, SQLITE_STATIC);
        if (rc == RG_OK && sqlite3_step(st) != SQLITE_DONE)
            rc = rg_io_store_sql_error(store);
        rg_free(blob);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Writes freshly read boundaries into the store, as a step of their own. */
static int store_boundaries(rg_store *store, const char *path, const char *sha256, const char *key,
                            rg_boundaries_report *r, rg_areas *const levels[RG_AREA_KINDS], const rg_areas *given_kec,
                            const rg_areas *sls)
{
    int rc = rg_io_store_step_begin(store, RG_STEP_BOUNDARIES, RG_STEP_AFRESH, PREPARE_CACHE_KB);
    for (int k = 0; k < RG_AREA_KINDS && rc == RG_OK; k++)
        rc = write_areas(store, rg_geo_area_kind_name((rg_area_kind)k), levels[k],
                         k > RG_AREA_KELURAHAN && *dissolved_flag(r, (rg_area_kind)k));
    if (rc == RG_OK && given_kec)
        rc = write_given(store, given_kec);
    if (rc == RG_OK && sls)
        rc = write_areas(store, "sls", sls, 0);
    if (rc == RG_OK)
        rc = record_set(store, path, sha256, key, r);
    if (rc == RG_OK)
        rc = rg_io_store_step_commit(store, path);
    rg_io_store_step_end(store);
    return rc;
}

int rg_geo__boundaries(rg_store *store, const char *path, const rg_join_opts *opts, rg_boundaries_report *r,
                       rg_areas **kel, rg_areas **kec, rg_areas **sls)
{
    rg_ctx *ctx = rg_io_store_ctx(store);
    rg_buf key = {0};
    rg_areas *levels[RG_AREA_KINDS] = {NULL}, *given_kec = NULL;
    int found = 0;
    int64_t sls_count = 0;
    *kel = *kec = *sls = NULL;
    memset(r, 0, sizeof *r);
    /* A source that is not one file (a folder of shapefiles, say) has no checksum: it is
     * prepared afresh each time. One that cannot be opened at all is GDAL's to explain. */
    double hashing = rg__seconds_now();
    if (!rg__sha256_file(path, r->sha256))
        r->sha256[0] = '\0';
    else
        rg_ctx_notice(ctx, RG_NOTICE_DETAIL, "%s: SHA-256 in %.2f s", path, rg__seconds_now() - hashing);
    int rc = source_key(opts, &key);
    if (rc == RG_OK && !opts->reprepare && r->sha256[0])
        rc = find_prepared(store, r->sha256, key.data, r, &found);
    if (rc == RG_OK && found) {
        r->reused = 1;
        rg_ctx_notice(ctx, RG_NOTICE_INFO,
                      "%s: reusing the boundaries prepared on %s from %s (same SHA-256 %.12s..., same layers and"
                      " fields): %zu kelurahan, %zu kecamatan, %zu kab/kota, %zu provinsi",
                      path, r->prepared, r->prepared_from, r->sha256, r->kelurahan, r->kecamatan, r->kabkota,
                      r->provinsi);
        /* The join locates in the two finest levels; the coarser stay in their tables. */
        rc = areas_from_store(&levels[RG_AREA_KELURAHAN], store, "kelurahan", "geom");
        if (rc == RG_OK && r->kecamatan_dissolved)
            rc = areas_from_store(&levels[RG_AREA_KECAMATAN], store, "kecamatan", NULL);
        else if (rc == RG_OK)
            rc = areas_from_store(&given_kec, store, "kecamatan JOIN kecamatan_given USING (code)",
                                  "kecamatan_given.geom");
        if (rc == RG_OK && (rc = rg_io_store_count(store, "SELECT count(*) FROM sls", &sls_count)) == RG_OK &&
            sls_count > 0)
            rc = areas_from_store(sls, store, "sls", "geom");
    } else if (rc == RG_OK) {
        rc = read_boundaries(ctx, path, opts, r, levels, &given_kec, sls);
        double started = rg__seconds_now();
        if (rc == RG_OK)
            rc = store_boundaries(store, path, r->sha256, key.data, r, levels, given_kec, *sls);
        if (rc == RG_OK)
            rg_ctx_notice(ctx, RG_NOTICE_DETAIL, "%s: boundaries kept in the store in %.2f s", path,
                          rg__seconds_now() - started);
    }
    rg__buf_free(&key);
    /* The join locates in the kelurahan and in the file's own kecamatan; the codes of the
     * dissolved ones do for the rest. */
    if (given_kec) {
        rg_geo_areas_free(levels[RG_AREA_KECAMATAN]);
        levels[RG_AREA_KECAMATAN] = given_kec;
    }
    for (int k = RG_AREA_KABKOTA; k < RG_AREA_KINDS; k++)
        rg_geo_areas_free(levels[k]);
    if (rc != RG_OK) {
        rg_geo_areas_free(levels[RG_AREA_KELURAHAN]);
        rg_geo_areas_free(levels[RG_AREA_KECAMATAN]);
        rg_geo_areas_free(*sls);
        *sls = NULL;
        return rc;
    }
    r->sls = *sls ? rg_geo_areas_count(*sls) : 0;
    *kel = levels[RG_AREA_KELURAHAN];
    *kec = levels[RG_AREA_KECAMATAN];
    return RG_OK;
}

int rg_geo_boundaries_prepare(rg_store *store, const char *path, const rg_join_opts *opts,
                              rg_boundaries_report *report)
{
    static const rg_join_opts defaults = RG_JOIN_OPTS_INIT;
    rg_boundaries_report r;
    rg_areas *kel = NULL, *kec = NULL, *sls = NULL;
    int rc = rg_geo__boundaries(store, path, opts ? opts : &defaults, &r, &kel, &kec, &sls);
    rg_geo_areas_free(sls);
    rg_geo_areas_free(kel);
    rg_geo_areas_free(kec);
    if (report)
        *report = r;
    return rc;
}
