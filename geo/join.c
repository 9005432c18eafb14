/*
 * The join: households get a kelurahan from the kelurahan polygons and their
 * kecamatan from that kelurahan's parent code, so the hierarchy is always
 * consistent and kecamatan totals equal the sum of their kelurahan. The kecamatan
 * polygons are still consulted for every point, and a household whose kecamatan
 * polygon disagrees is flagged `kecamatan_mismatch` for review.
 */
#include "geo/internal.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const char area_table_sql[] =
    "CREATE TABLE %s(code TEXT PRIMARY KEY, name TEXT, parent_code TEXT, alt_code TEXT,"
    " repaired INTEGER NOT NULL DEFAULT 0, dissolved INTEGER NOT NULL DEFAULT 0, urban_rural TEXT);"
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
             "INSERT INTO %s(code, name, parent_code, alt_code, repaired, dissolved, geom, urban_rural)"
             " VALUES(?, ?, ?, ?, ?, ?, CastToMultiPolygon(GeomFromWKB(?, 4326)), ?)",
             table);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
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
        sqlite3_bind_text(st, 8, rg_geo_urban_rural_name(rg_geo_areas_urban_rural(areas, i)), -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = rg_io_store_sql_error(store);
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
        return rg_io_store_sql_error(store);
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
    rc = sqlite3_step(st) == SQLITE_DONE ? RG_OK : rg_io_store_sql_error(store);
    sqlite3_finalize(st);
    return rc;
}

/* ------------------------------------------------------------ parallel location */

/* One household's answer from the polygons; positions match the hh-ordered arrays.
 * Area indexes fit 32 bits, and there are tens of millions of these. */
typedef struct {
    int32_t kel, kec;
    double distance_m;
    unsigned char method, overlap;
} located;

typedef struct {
    const rg_areas *kel, *kec;
    const double *lon, *lat;
    const uint32_t *order;  /* positions in Hilbert order */
    located *out;
    size_t n;
    double max_distance_m;
    atomic_size_t next;     /* next block of order[] to take */
    rg__first_failure failure;
} locate_job;

#define BLOCK 2048

static void *locate_worker(void *arg)
{
    locate_job *job = arg;
    rg_ctx *ctx = NULL;
    rg_locator *kl = NULL, *kcl = NULL;
    int rc = rg_ctx_new(&ctx);
    GEOSContextHandle_t h = rc == RG_OK ? rg__ctx_geos(ctx) : NULL;
    if (rc == RG_OK)
        rc = rg_geo_locator_new(&kl, ctx, job->kel);
    if (rc == RG_OK && job->kec)
        rc = rg_geo_locator_new(&kcl, ctx, job->kec);
    while (rc == RG_OK && !atomic_load(&job->failure.failed)) {
        size_t start = atomic_fetch_add(&job->next, BLOCK);
        if (start >= job->n)
            break;
        size_t end = start + BLOCK < job->n ? start + BLOCK : job->n;
        for (size_t k = start; k < end && rc == RG_OK; k++) {
            uint32_t i = job->order[k];
            double lon = job->lon[i], lat = job->lat[i];
            rg_match m, km = {.area = -1};
            GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, lon, lat);
            if (!pt) {
                rc = rg_ctx_error(ctx, RG_EGEOS, "point (%.7f, %.7f): %s", lon, lat, rg__ctx_geos_message(ctx));
                break;
            }
            rc = rg_geo__locate_point(kl, pt, lon, lat, job->max_distance_m, &m);
            /* The kecamatan polygon only checks the hierarchy: a point outside them all has
             * nothing to compare, and a nearest search on a coastal kecamatan's thousands of
             * vertices would cost more than all the rest. */
            if (rc == RG_OK && kcl)
                rc = rg_geo__locate_point(kcl, pt, lon, lat, 0, &km);
            GEOSGeom_destroy_r(h, pt);
            if (rc == RG_OK)
                job->out[i] = (located){(int32_t)m.area, (int32_t)km.area, m.distance_m,
                                        (unsigned char)m.method, (unsigned char)m.overlap};
        }
    }
    if (rc != RG_OK)
        rg__first_failure_set(&job->failure, rc, ctx);
    rg_geo_locator_free(kl);
    rg_geo_locator_free(kcl);
    rg_ctx_free(ctx);
    return NULL;
}

static const uint64_t *sort_keys;
static int compare_by_key(const void *a, const void *b)
{
    uint64_t x = sort_keys[*(const uint32_t *)a], y = sort_keys[*(const uint32_t *)b];
    return (x > y) - (x < y);
}

/*
 * Locates every point in the kelurahan, and in the kecamatan unless kec is NULL, on all
 * cores. Points are visited in Hilbert order, so consecutive points hit the same polygons
 * while their edges are in cache; results land at each point's own position.
 */
static int locate_all(rg_ctx *ctx, const rg_areas *kel, const rg_areas *kec, const double *lon, const double *lat,
                      size_t n, double max_distance_m, int threads, located *out)
{
    int rc = RG_OK;
    uint32_t *order = rg_malloc((n ? n : 1) * sizeof *order);
    uint64_t *keys = rg_malloc((n ? n : 1) * sizeof *keys);
    if (!order || !keys) {
        rc = RG_ENOMEM;
        goto done;
    }
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        x0 = fmin(x0, lon[i]), x1 = fmax(x1, lon[i]);
        y0 = fmin(y0, lat[i]), y1 = fmax(y1, lat[i]);
    }
    for (size_t i = 0; i < n; i++) {
        order[i] = (uint32_t)i;
        keys[i] = rg__hilbert(lon[i], lat[i], x0, y0, x1 - x0, y1 - y0);
    }
    sort_keys = keys;
    qsort(order, n, sizeof *order, compare_by_key);
    sort_keys = NULL;
    /* Each STRtree is built on its first query: one query each, before threads share them. */
    rg_locator *probe = NULL;
    rg_match m;
    for (int level = 0; level < (kec ? 2 : 1) && rc == RG_OK; level++) {
        if ((rc = rg_geo_locator_new(&probe, ctx, level ? kec : kel)) == RG_OK)
            rc = rg_geo_locate(probe, 0, 0, 0, &m);
        rg_geo_locator_free(probe);
        probe = NULL;
    }
    if (rc != RG_OK)
        goto done;

    locate_job job = {.kel = kel, .kec = kec, .lon = lon, .lat = lat, .order = order, .out = out, .n = n,
                      .max_distance_m = max_distance_m};
    atomic_init(&job.next, 0);
    rg__first_failure_init(&job.failure);
    rg__parallel(threads, locate_worker, &job);
    rc = rg__first_failure_finish(&job.failure, ctx);

done:
    rg_free(order);
    rg_free(keys);
    return rc;
}


/*
 * The write-back reads each household's reported code in chunks, with no cursor open on
 * households while it updates them: an open cursor on a table being written must seek
 * again after every write, which tripled the write-back.
 */
#define WRITE_CHUNK 65536

typedef struct {
    rg_buf text;                   /* the chunk's codes, each NUL-terminated */
    size_t offset[WRITE_CHUNK];    /* where each code starts in text, SIZE_MAX for NULL */
    const char *at[WRITE_CHUNK];   /* the codes, NULL when none */
} chunk_codes;

static int read_reported(rg_store *store, sqlite3_stmt *st, const int64_t *hh, size_t count, chunk_codes *out)
{
    rg_ctx *ctx = rg_io_store_ctx(store);
    int rc = RG_OK, step = SQLITE_ROW;
    size_t k = 0;
    out->text.len = 0;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, hh[0]);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)count);
    for (; k < count && (step = sqlite3_step(st)) == SQLITE_ROW; k++) {
        if (sqlite3_column_int64(st, 0) != hh[k]) {
            rc = rg_ctx_error(ctx, RG_EDATA, "join: households changed while being read");
            break;
        }
        const char *code = (const char *)sqlite3_column_text(st, 1);
        out->offset[k] = code ? out->text.len : SIZE_MAX;
        if (code && (rc = rg__buf_append(&out->text, code, strlen(code) + 1)) != RG_OK)
            break;
    }
    if (rc == RG_OK && k < count)
        rc = step == SQLITE_ROW || step == SQLITE_DONE
                 ? rg_ctx_error(ctx, RG_EDATA, "join: households changed while being read")
                 : rg_io_store_sql_error(store);
    sqlite3_reset(st); /* closes the cursor before the chunk's updates */
    /* Pointers only now: text may have moved while it grew. */
    for (size_t i = 0; rc == RG_OK && i < count; i++)
        out->at[i] = out->offset[i] == SIZE_MAX ? NULL : out->text.data + out->offset[i];
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
    sqlite3_stmt *read = NULL, *update = NULL, *reported_read = NULL;
    chunk_codes *reported_codes = NULL; /* 1 MB: on the heap */
    long *kel_parent_area = NULL;
    distances dist = {0};
    rg_buf flags = {0};
    int in_transaction = 0;
    char *triggers = NULL;
    int64_t households = 0;
    int64_t *hh = NULL;
    double *lon = NULL, *lat = NULL;
    located *found = NULL;
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
    /* Each kelurahan's kecamatan, found once here rather than once per household. */
    if (!(kel_parent_area = rg_malloc((r.kelurahan ? r.kelurahan : 1) * sizeof *kel_parent_area))) {
        rc = RG_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < r.kelurahan; i++) {
        kel_parent_area[i] = rg_geo_areas_find(kec, rg_geo_areas_parent(kel, i));
        if (rg_geo_areas_parent(kel, i) && kel_parent_area[i] < 0)
            rg_ctx_notice(ctx, RG_NOTICE_WARNING, "%s: kelurahan %s: parent kecamatan %s is not in the kecamatan layer",
                          path, rg_geo_areas_code(kel, i), rg_geo_areas_parent(kel, i));
    }

    if ((rc = rg_io_store_exec(store, "starting the join", "BEGIN IMMEDIATE")) != RG_OK)
        goto done;
    in_transaction = 1;
    if ((rc = rg_io_store_drop_row_triggers(store, RG_ROW_TRIGGERS_UPDATE, &triggers)) != RG_OK ||
        (rc = write_areas(store, "kelurahan", kel, 0)) != RG_OK ||
        (rc = write_areas(store, "kecamatan", kec, r.kecamatan_dissolved)) != RG_OK)
        goto done;

    /* All points in memory (24 bytes each), located on every core, then written in one pass. */
    size_t n = (size_t)households;
    hh = rg_malloc(n * sizeof *hh);
    lon = rg_malloc(n * sizeof *lon);
    lat = rg_malloc(n * sizeof *lat);
    found = rg_malloc(n * sizeof *found);
    if (!hh || !lon || !lat || !found) {
        rc = RG_ENOMEM;
        goto done;
    }
    if (sqlite3_prepare_v2(db, "SELECT hh, lon, lat FROM households ORDER BY hh", -1, &read, NULL) !=
        SQLITE_OK) {
        rc = rg_io_store_sql_error(store);
        goto done;
    }
    size_t count = 0;
    int step;
    while ((step = sqlite3_step(read)) == SQLITE_ROW && count < n) {
        hh[count] = sqlite3_column_int64(read, 0);
        lon[count] = sqlite3_column_double(read, 1);
        lat[count] = sqlite3_column_double(read, 2);
        count++;
    }
    if ((step != SQLITE_DONE && step != SQLITE_ROW) || count != n) {
        rc = step == SQLITE_DONE || step == SQLITE_ROW
                 ? rg_ctx_error(ctx, RG_EDATA, "join: households changed while being read")
                 : rg_io_store_sql_error(store);
        goto done;
    }
    double started = seconds_now();
    int threads = opts->threads > 0 ? opts->threads : rg__default_threads();
    /* Kecamatan dissolved from the kelurahan cannot disagree with them: no need to look. */
    if ((rc = locate_all(ctx, kel, r.kecamatan_dissolved ? NULL : kec, lon, lat, n, opts->max_distance_m, threads,
                         found)) != RG_OK)
        goto done;
    rg_ctx_notice(ctx, RG_NOTICE_INFO, "%zu households located on %d threads in %.2f s", n, threads,
                  seconds_now() - started);

    sqlite3_reset(read);
    if (sqlite3_prepare_v2(db,
                           "UPDATE households SET kelurahan_code = ?, kelurahan_name = ?, kecamatan_code = ?,"
                           " kecamatan_name = ?, join_method = ?, join_distance_m = ?, join_flags = ?,"
                           " code_mismatch = ?, kecamatan_polygon_code = ? WHERE hh = ?",
                           -1, &update, NULL) != SQLITE_OK) {
        rc = rg_io_store_sql_error(store);
        goto done;
    }
    if (!(reported_codes = rg_calloc(1, sizeof *reported_codes))) {
        rc = RG_ENOMEM;
        goto done;
    }
    if (sqlite3_prepare_v2(db, "SELECT hh, reported_code FROM households WHERE hh >= ? ORDER BY hh LIMIT ?", -1,
                           &reported_read, NULL) != SQLITE_OK) {
        rc = rg_io_store_sql_error(store);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        if (i % WRITE_CHUNK == 0 &&
            (rc = read_reported(store, reported_read, hh + i, n - i < WRITE_CHUNK ? n - i : WRITE_CHUNK,
                                reported_codes)) != RG_OK)
            goto done;
        const char *reported = reported_codes->at[i % WRITE_CHUNK];
        rg_match m = {found[i].kel, (rg_join_method)found[i].method, found[i].distance_m, found[i].overlap};
        long parent_area = m.area >= 0 ? kel_parent_area[m.area] : -1;
        long kec_area = found[i].kec;
        /* A dissolved kecamatan holds exactly what its kelurahan hold. */
        if (r.kecamatan_dissolved && m.method != RG_JOIN_NEAREST)
            kec_area = parent_area;
        r.households++;
        flags.len = 0;
        sqlite3_reset(update);
        sqlite3_clear_bindings(update);
        sqlite3_bind_text(update, 5, rg_geo_join_method_name(m.method), -1, SQLITE_STATIC);
        if (kec_area >= 0)
            sqlite3_bind_text(update, 9, rg_geo_areas_code(kec, (size_t)kec_area), -1, SQLITE_STATIC);
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
            sqlite3_bind_text(update, 1, rg_geo_areas_code(kel, a), -1, SQLITE_STATIC);
            sqlite3_bind_text(update, 2, rg_geo_areas_name(kel, a), -1, SQLITE_STATIC);
            sqlite3_bind_text(update, 3, parent, -1, SQLITE_STATIC);
            if (parent_area >= 0)
                sqlite3_bind_text(update, 4, rg_geo_areas_name(kec, (size_t)parent_area), -1, SQLITE_STATIC);
            sqlite3_bind_double(update, 6, m.method == RG_JOIN_NEAREST ? m.distance_m : 0.0);
            int mismatch = code_mismatch(reported, kel, m.area);
            if (mismatch >= 0)
                sqlite3_bind_int(update, 8, mismatch);
            r.code_mismatches += mismatch == 1;
            if (m.overlap) {
                r.overlaps++;
                rg__buf_appendf(&flags, "overlap");
            }
            if (kec_area >= 0 && parent && strcmp(rg_geo_areas_code(kec, (size_t)kec_area), parent) != 0) {
                r.kecamatan_mismatches++;
                rg__buf_appendf(&flags, "%skecamatan_mismatch", flags.len ? "," : "");
            }
        }
        if (flags.len)
            sqlite3_bind_text(update, 7, flags.data, (int)flags.len, SQLITE_STATIC);
        sqlite3_bind_int64(update, 10, hh[i]);
        if (sqlite3_step(update) != SQLITE_DONE) {
            rc = rg_io_store_sql_error(store);
            goto done;
        }
        if (r.households % 100000 == 0)
            rg_ctx_notice(ctx, RG_NOTICE_PROGRESS, "join: %lld of %lld households written", (long long)r.households,
                          (long long)households);
    }
    /* A statement still open on households would block the DROP TABLEs below. */
    sqlite3_finalize(read);
    read = NULL;
    step = SQLITE_DONE;
    if (step != SQLITE_DONE) {
        rc = rg_io_store_sql_error(store);
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
        (rc = write_report(store, path, &r)) != RG_OK ||
        (rc = rg_io_store_restore_row_triggers(store, RG_ROW_TRIGGERS_UPDATE, triggers)) != RG_OK)
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
    sqlite3_finalize(reported_read);
    if (reported_codes)
        rg__buf_free(&reported_codes->text);
    rg_free(reported_codes);
    if (in_transaction)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    rg_free(triggers);
    rg_free(kel_parent_area);
    rg_geo_areas_free(kel);
    rg_geo_areas_free(kec);
    rg_free(dist.values);
    rg__buf_free(&flags);
    rg_free(hh);
    rg_free(lon);
    rg_free(lat);
    rg_free(found);
    if (report)
        *report = r;
    return rc;
}
