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

/*
 * Households travel through the join in bounded memory, however many there are: read in
 * hh order, each numbered by its position there; sorted along a Hilbert curve by an
 * external sort (so consecutive points hit the same polygons while they are prepared);
 * located on every core a block at a time; their answers sorted back by position by a
 * second external sort; and written back in hh order, the order of the table's B-tree.
 */
typedef struct {
    rg__sort_head head; /* key: the point's Hilbert key; id: its position in hh order */
    double lon, lat;
} household_point;

typedef struct {
    rg__sort_head head; /* key: the position in hh order */
    double distance_m;
    int32_t kel, kec; /* area indexes fit 32 bits */
    unsigned char method, overlap;
} household_answer;

/* By default sorted runs of 2^16 records (2 and 2.5 MB, twice that while sorted) go to
 * disk: at 10 million households, 153 runs merged through windows of 1,024 records. */
#define SORT_CAP ((size_t)1 << 16)
#define JOIN_CACHE_KB 8192
#define BLOCK 2048

typedef struct {
    const rg_areas *kel, *kec;
    rg_ctx *sorter_ctx;  /* the sorters' messages land here */
    rg__sorter *points;  /* in Hilbert order; taken under lock */
    rg__sorter *answers; /* filled under lock */
    pthread_mutex_t lock;
    double max_distance_m;
    long kept_coordinates;
    rg__first_failure failure;
} locate_job;

/* Under the job's lock. A sorter's failure is raised on the worker's own context. */
static int take_block(locate_job *job, rg_ctx *ctx, household_point *block, size_t *count)
{
    int rc = RG_OK, got = 1;
    *count = 0;
    while (*count < BLOCK && (got = rg__sorter_next(job->points, &block[*count])) == 1)
        (*count)++;
    if (got < 0)
        rc = rg_ctx_error(ctx, got, "%s", rg_ctx_errmsg(job->sorter_ctx));
    return rc;
}

static int give_block(locate_job *job, rg_ctx *ctx, const household_answer *block, size_t count)
{
    int rc = RG_OK;
    for (size_t i = 0; i < count && rc == RG_OK; i++)
        rc = rg__sorter_add(job->answers, &block[i]);
    if (rc != RG_OK)
        rc = rg_ctx_error(ctx, rc, "%s", rg_ctx_errmsg(job->sorter_ctx));
    return rc;
}

static void *locate_worker(void *arg)
{
    locate_job *job = arg;
    rg_ctx *ctx = NULL;
    rg_locator *kl = NULL, *kcl = NULL;
    household_point *in = rg_malloc(BLOCK * sizeof *in);
    household_answer *out = rg_calloc(BLOCK, sizeof *out);
    int rc = in && out ? rg_ctx_new(&ctx) : RG_ENOMEM;
    GEOSContextHandle_t h = rc == RG_OK ? rg__ctx_geos(ctx) : NULL;
    if (rc == RG_OK && (rc = rg_geo_locator_new(&kl, ctx, job->kel)) == RG_OK)
        rg_geo__locator_keep(kl, job->kept_coordinates);
    if (rc == RG_OK && job->kec && (rc = rg_geo_locator_new(&kcl, ctx, job->kec)) == RG_OK)
        rg_geo__locator_keep(kcl, job->kept_coordinates);
    while (rc == RG_OK && !atomic_load(&job->failure.failed)) {
        size_t count = 0;
        pthread_mutex_lock(&job->lock);
        rc = take_block(job, ctx, in, &count);
        pthread_mutex_unlock(&job->lock);
        if (rc != RG_OK || count == 0)
            break;
        for (size_t k = 0; k < count && rc == RG_OK; k++) {
            double lon = in[k].lon, lat = in[k].lat;
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
            /* Field by field: the padding of the calloc'd block stays zero on its way to disk. */
            out[k].head.key = (uint64_t)in[k].head.id;
            out[k].distance_m = m.distance_m;
            out[k].kel = (int32_t)m.area;
            out[k].kec = (int32_t)km.area;
            out[k].method = (unsigned char)m.method;
            out[k].overlap = (unsigned char)m.overlap;
        }
        if (rc != RG_OK)
            break;
        pthread_mutex_lock(&job->lock);
        rc = give_block(job, ctx, out, count);
        pthread_mutex_unlock(&job->lock);
    }
    if (rc != RG_OK)
        rg__first_failure_set(&job->failure, rc, ctx);
    rg_geo_locator_free(kl);
    rg_geo_locator_free(kcl);
    rg_ctx_free(ctx);
    rg_free(in);
    rg_free(out);
    return NULL;
}

/* The corner and size of the box around all polygons, over which points are keyed:
 * a point outside it takes its edge's key, and is far from every polygon anyway. */
static void areas_extent(const rg_areas *areas, double box[4])
{
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < areas->count; i++) {
        const double *b = areas->items[i].bounds;
        x0 = fmin(x0, b[0]), y0 = fmin(y0, b[1]);
        x1 = fmax(x1, b[2]), y1 = fmax(y1, b[3]);
    }
    box[0] = x0, box[1] = y0, box[2] = x1 - x0, box[3] = y1 - y0;
}

/*
 * Reads every household's point into a Hilbert-ordered sorter, then locates them all in
 * the kelurahan, and in the kecamatan unless kec is NULL, on all cores, into a sorter of
 * answers by position. Both sorters are the caller's.
 */
static int locate_all(rg_store *store, const rg_areas *kel, const rg_areas *kec, int64_t households,
                      const rg_join_opts *opts, int threads, rg__sorter *points, rg__sorter *answers)
{
    rg_ctx *ctx = rg_io_store_ctx(store);
    double box[4];
    areas_extent(kel, box);
    sqlite3_stmt *read = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(store), "SELECT lon, lat FROM households ORDER BY hh", -1, &read, NULL) !=
        SQLITE_OK)
        return rg_io_store_sql_error(store);
    int rc = RG_OK, step;
    int64_t position = 0;
    while (rc == RG_OK && (step = sqlite3_step(read)) == SQLITE_ROW) {
        double lon = sqlite3_column_double(read, 0), lat = sqlite3_column_double(read, 1);
        household_point p = {{rg__hilbert(lon, lat, box[0], box[1], box[2], box[3]), position++}, lon, lat};
        rc = rg__sorter_add(points, &p);
    }
    if (rc == RG_OK && step != SQLITE_DONE)
        rc = rg_io_store_sql_error(store);
    sqlite3_finalize(read);
    if (rc == RG_OK && position != households)
        rc = rg_ctx_error(ctx, RG_EDATA, "join: households changed while being read");
    if (rc == RG_OK)
        rc = rg__sorter_finish(points);
    if (rc != RG_OK)
        return rc;

    double started = seconds_now();
    locate_job job = {.kel = kel, .kec = kec, .sorter_ctx = ctx, .points = points, .answers = answers,
                      .max_distance_m = opts->max_distance_m, .kept_coordinates = opts->kept_coordinates};
    pthread_mutex_init(&job.lock, NULL);
    rg__first_failure_init(&job.failure);
    rg__parallel(threads, locate_worker, &job);
    pthread_mutex_destroy(&job.lock);
    if ((rc = rg__first_failure_finish(&job.failure, ctx)) != RG_OK)
        return rc;
    if (rg__sorter_count(answers) != households)
        return rg_ctx_error(ctx, RG_EDATA, "join: %lld households located of %lld",
                            (long long)rg__sorter_count(answers), (long long)households);
    rg_ctx_notice(ctx, RG_NOTICE_INFO, "%lld households located on %d threads in %.2f s", (long long)households,
                  threads, seconds_now() - started);
    return rg__sorter_finish(answers);
}

/*
 * The write-back reads each household's id and reported code in chunks, with no cursor
 * open on households while it updates them: an open cursor on a table being written must
 * seek again after every write, which tripled the write-back.
 */
#define WRITE_CHUNK 65536

typedef struct {
    rg_buf text;                   /* the chunk's codes, each NUL-terminated */
    int64_t hh[WRITE_CHUNK];
    size_t offset[WRITE_CHUNK];    /* where each code starts in text, SIZE_MAX for NULL */
    const char *at[WRITE_CHUNK];   /* the codes, NULL when none */
    size_t count;
} chunk_codes;

/* The next chunk of households after `after`, in hh order. */
static int read_chunk(rg_store *store, sqlite3_stmt *st, int64_t after, chunk_codes *out)
{
    int rc = RG_OK, step;
    out->text.len = 0;
    out->count = 0;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, WRITE_CHUNK);
    while (rc == RG_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(st, 1);
        out->hh[out->count] = sqlite3_column_int64(st, 0);
        out->offset[out->count] = code ? out->text.len : SIZE_MAX;
        out->count++;
        if (code)
            rc = rg__buf_append(&out->text, code, strlen(code) + 1);
    }
    if (rc == RG_OK && step != SQLITE_DONE)
        rc = rg_io_store_sql_error(store);
    sqlite3_reset(st); /* closes the cursor before the chunk's updates */
    /* Pointers only now: text may have moved while it grew. */
    for (size_t i = 0; rc == RG_OK && i < out->count; i++)
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
    sqlite3_stmt *update = NULL, *chunk_read = NULL;
    chunk_codes *chunk = NULL; /* 1.5 MB: on the heap */
    rg__sorter *points = NULL, *answers = NULL;
    long *kel_parent_area = NULL;
    distances dist = {0};
    rg_buf flags = {0};
    int in_transaction = 0;
    char *triggers = NULL;
    int64_t households = 0, cache_pages = 0;
    int rc;

    /* The join reads and writes households in hh order, and the boundary tables once:
     * a small page cache does as well as the store's 64 MB (measured), which would be
     * the largest thing in the process; counting the households alone would fill it.
     * (SQLite ignores the pragma inside a transaction.) */
    if ((rc = rg_io_store_shrink_cache(store, JOIN_CACHE_KB, &cache_pages)) != RG_OK ||
        (rc = rg_io_store_count(store, "SELECT count(*) FROM households", &households)) != RG_OK)
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

    int threads = opts->threads > 0 ? opts->threads : rg__default_threads();
    size_t sort_cap = opts->sort_records ? opts->sort_records : SORT_CAP;
    if ((rc = rg__sorter_new(&points, ctx, rg_io_store_path(store), "join", sizeof(household_point), sort_cap)) !=
            RG_OK ||
        (rc = rg__sorter_new(&answers, ctx, rg_io_store_path(store), "join", sizeof(household_answer), sort_cap)) !=
            RG_OK)
        goto done;
    /* Kecamatan dissolved from the kelurahan cannot disagree with them: no need to look. */
    if ((rc = locate_all(store, kel, r.kecamatan_dissolved ? NULL : kec, households, opts, threads, points,
                         answers)) != RG_OK)
        goto done;
    rg__sorter_free(points); /* its merge windows */
    points = NULL;

    if (sqlite3_prepare_v2(db,
                           "UPDATE households SET kelurahan_code = ?, kelurahan_name = ?, kecamatan_code = ?,"
                           " kecamatan_name = ?, join_method = ?, join_distance_m = ?, join_flags = ?,"
                           " code_mismatch = ?, kecamatan_polygon_code = ? WHERE hh = ?",
                           -1, &update, NULL) != SQLITE_OK) {
        rc = rg_io_store_sql_error(store);
        goto done;
    }
    if (!(chunk = rg_calloc(1, sizeof *chunk))) {
        rc = RG_ENOMEM;
        goto done;
    }
    if (sqlite3_prepare_v2(db, "SELECT hh, reported_code FROM households WHERE hh > ? ORDER BY hh LIMIT ?", -1,
                           &chunk_read, NULL) != SQLITE_OK) {
        rc = rg_io_store_sql_error(store);
        goto done;
    }
    for (int64_t i = 0; i < households; i++) {
        if (i % WRITE_CHUNK == 0 &&
            (rc = read_chunk(store, chunk_read, i ? chunk->hh[WRITE_CHUNK - 1] : INT64_MIN, chunk)) != RG_OK)
            goto done;
        household_answer found;
        int got = rg__sorter_next(answers, &found);
        if (got < 0) {
            rc = got;
            goto done;
        }
        if ((size_t)(i % WRITE_CHUNK) >= chunk->count || got == 0 || found.head.key != (uint64_t)i) {
            rc = rg_ctx_error(ctx, RG_EDATA, "join: households changed while being read");
            goto done;
        }
        const char *reported = chunk->at[i % WRITE_CHUNK];
        rg_match m = {found.kel, (rg_join_method)found.method, found.distance_m, found.overlap};
        long parent_area = m.area >= 0 ? kel_parent_area[m.area] : -1;
        long kec_area = found.kec;
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
        sqlite3_bind_int64(update, 10, chunk->hh[i % WRITE_CHUNK]);
        if (sqlite3_step(update) != SQLITE_DONE) {
            rc = rg_io_store_sql_error(store);
            goto done;
        }
        if (r.households % 100000 == 0)
            rg_ctx_notice(ctx, RG_NOTICE_PROGRESS, "join: %lld of %lld households written", (long long)r.households,
                          (long long)households);
    }
    /* Statements still open on households would block the DROP TABLEs below. */
    sqlite3_finalize(chunk_read);
    chunk_read = NULL;
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
    sqlite3_finalize(update);
    update = NULL;
    rc = rg_io_store_exec(store, "committing the join", "COMMIT");
    in_transaction = rc != RG_OK;

done:
    sqlite3_finalize(update);
    sqlite3_finalize(chunk_read);
    if (chunk)
        rg__buf_free(&chunk->text);
    rg_free(chunk);
    rg__sorter_free(points);
    rg__sorter_free(answers);
    if (in_transaction)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    rg_io_store_restore_cache(store, cache_pages);
    rg_free(triggers);
    rg_free(kel_parent_area);
    rg_geo_areas_free(kel);
    rg_geo_areas_free(kec);
    rg_free(dist.values);
    rg__buf_free(&flags);
    if (report)
        *report = r;
    return rc;
}
