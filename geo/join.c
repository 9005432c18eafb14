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

/* 1 when the reported code names another kelurahan, 0 when the same, -1 when it cannot be told. */
static int code_mismatch(const char *reported, const rg_areas *kel, long area)
{
    rg_area_code r, k;
    if (!reported || rg_code_parse(reported, &r) != RG_OK)
        return -1;
    /* An SLS is checked by its desa: the boundaries are kelurahan. */
    while (r.level > RG_LEVEL_DESA && rg_code_parent(&r, &r) == RG_OK)
        ;
    const char *candidates[2] = {rg_geo_areas_code(kel, (size_t)area), rg_geo_areas_alt_code(kel, (size_t)area)};
    for (int i = 0; i < 2; i++) {
        if (!candidates[i] || rg_code_parse(candidates[i], &k) != RG_OK)
            continue;
        /* A reported kecamatan code is checked at kecamatan level. */
        while (k.level > r.level && rg_code_parent(&k, &k) == RG_OK)
            ;
        int comparable = 0;
        int same = rg_code_same(&r, &k, &comparable);
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
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(store),
                           "INSERT INTO join_report(finished, boundaries, households, within, boundary, nearest,"
                           " nearest_max_m, nearest_median_m, unmatched, overlaps, code_mismatches,"
                           " kecamatan_mismatches, kelurahan, kecamatan, repaired_polygons, kecamatan_dissolved,"
                           " boundaries_reused, code, without_point, unknown_codes)"
                           " VALUES(strftime('%Y-%m-%dT%H:%M:%fZ','now'),?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
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
    sqlite3_bind_int(st, 16, r->boundaries_reused);
    sqlite3_bind_int64(st, 17, r->code);
    sqlite3_bind_int64(st, 18, r->without_point);
    sqlite3_bind_int64(st, 19, r->unknown_codes);
    int rc = sqlite3_step(st) == SQLITE_DONE ? RG_OK : rg_io_store_sql_error(store);
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
    int32_t kel, kec, sls; /* area indexes fit 32 bits */
    unsigned char method, overlap, sls_method;
} household_answer;

/* By default sorted runs of 2^16 records (2 and 2.5 MB, twice that while sorted) go to
 * disk: at 10 million households, 153 runs merged through windows of 1,024 records. */
#define SORT_CAP ((size_t)1 << 16)
#define JOIN_CACHE_KB 8192
#define BLOCK 2048

typedef struct {
    const rg_areas *kel, *kec, *sls; /* kec, sls: NULL when not looked in */
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
    rg_locator *kl = NULL, *kcl = NULL, *sl = NULL;
    household_point *in = rg_malloc(BLOCK * sizeof *in);
    household_answer *out = rg_calloc(BLOCK, sizeof *out);
    int rc = in && out ? rg_ctx_new(&ctx) : RG_ENOMEM;
    GEOSContextHandle_t h = rc == RG_OK ? rg__ctx_geos(ctx) : NULL;
    if (rc == RG_OK && (rc = rg_geo_locator_new(&kl, ctx, job->kel)) == RG_OK)
        rg_geo__locator_keep(kl, job->kept_coordinates);
    if (rc == RG_OK && job->kec && (rc = rg_geo_locator_new(&kcl, ctx, job->kec)) == RG_OK)
        rg_geo__locator_keep(kcl, job->kept_coordinates);
    if (rc == RG_OK && job->sls && (rc = rg_geo_locator_new(&sl, ctx, job->sls)) == RG_OK)
        rg_geo__locator_keep(sl, job->kept_coordinates);
    while (rc == RG_OK && !atomic_load(&job->failure.failed)) {
        size_t count = 0;
        pthread_mutex_lock(&job->lock);
        rc = take_block(job, ctx, in, &count);
        pthread_mutex_unlock(&job->lock);
        if (rc != RG_OK || count == 0)
            break;
        for (size_t k = 0; k < count && rc == RG_OK; k++) {
            double lon = in[k].lon, lat = in[k].lat;
            rg_match m, km = {.area = -1}, sm = {.area = -1};
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
            /* The SLS by the desa's own rules: within, on a border, else the nearest; the
             * write-back keeps it when it lies in the household's desa. */
            if (rc == RG_OK && sl && m.area >= 0)
                rc = rg_geo__locate_point(sl, pt, lon, lat, job->max_distance_m, &sm);
            GEOSGeom_destroy_r(h, pt);
            /* Field by field: the padding of the calloc'd block stays zero on its way to disk. */
            out[k].head.key = (uint64_t)in[k].head.id;
            out[k].distance_m = m.distance_m;
            out[k].kel = (int32_t)m.area;
            out[k].kec = (int32_t)km.area;
            out[k].sls = (int32_t)sm.area;
            out[k].sls_method = (unsigned char)sm.method;
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
    rg_geo_locator_free(sl);
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
static int locate_all(rg_store *store, const rg_areas *kel, const rg_areas *kec, const rg_areas *sls,
                      int64_t households, const rg_join_opts *opts, int threads, rg__sorter *points,
                      rg__sorter *answers)
{
    int64_t located = 0;
    rg_ctx *ctx = rg_io_store_ctx(store);
    double box[4], reading = rg__seconds_now();
    areas_extent(kel, box);
    sqlite3_stmt *read = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(store), "SELECT geom IS NOT NULL, lon, lat FROM household_records ORDER BY hh", -1, &read,
                           NULL) !=
        SQLITE_OK)
        return rg_io_store_sql_error(store);
    int rc = RG_OK, step;
    int64_t position = 0;
    while (rc == RG_OK && (step = sqlite3_step(read)) == SQLITE_ROW) {
        /* A household without a point keeps its position; the code places it, at write-back. */
        if (!sqlite3_column_int(read, 0)) {
            position++;
            continue;
        }
        double lon = sqlite3_column_double(read, 1), lat = sqlite3_column_double(read, 2);
        household_point p = {{rg__hilbert(lon, lat, box[0], box[1], box[2], box[3]), position++}, lon, lat};
        rc = rg__sorter_add(points, &p);
        located++;
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
    rg_ctx_notice(ctx, RG_NOTICE_DETAIL, "households read and sorted along the Hilbert curve in %.2f s",
                  rg__seconds_now() - reading);

    double started = rg__seconds_now();
    locate_job job = {.kel = kel, .kec = kec, .sls = sls, .sorter_ctx = ctx, .points = points, .answers = answers,
                      .max_distance_m = opts->max_distance_m, .kept_coordinates = opts->kept_coordinates};
    pthread_mutex_init(&job.lock, NULL);
    rg__first_failure_init(&job.failure);
    rg__parallel(threads, locate_worker, &job);
    pthread_mutex_destroy(&job.lock);
    if ((rc = rg__first_failure_finish(&job.failure, ctx)) != RG_OK)
        return rc;
    if (rg__sorter_count(answers) != located)
        return rg_ctx_error(ctx, RG_EDATA, "join: %lld households located of %lld",
                            (long long)rg__sorter_count(answers), (long long)located);
    rg_ctx_notice(ctx, RG_NOTICE_INFO, "%lld households located on %d threads in %.2f s", (long long)located,
                  threads, rg__seconds_now() - started);
    return rg__sorter_finish(answers);
}

/* Rows of household_areas appended by one statement: a statement a row cost as much as
 * the rest of the write-back (as for the load's households). */
#define ROWS_PER_INSERT 64
#define AREA_COLUMNS 9

/* One household's row of household_areas, waiting for its statement. Strings are
 * borrowed from the areas, but for the flags. */
typedef struct {
    int64_t hh;
    const char *kelurahan, *kecamatan, *method, *kecamatan_polygon, *sls;
    double distance_m;
    int has_distance, mismatch; /* mismatch -1: not comparable */
    char flags[48];             /* "overlap,kecamatan_mismatch,sls_other_desa" at the most */
} area_row;

/* What the write-back keeps while it appends each household's answer in hh order. */
typedef struct {
    rg_store *store;
    const rg_areas *kel, *kec, *sls;
    const long *kel_parent_area; /* each kelurahan's kecamatan, found once */
    const rg_geo__code_index *codes, *kec_codes;
    sqlite3_stmt *one, *many;    /* many: ROWS_PER_INSERT rows; NULL when SQLite allows fewer parameters */
    area_row pending[ROWS_PER_INSERT];
    size_t pending_count;
    distances dist;
    rg_join_report *r;
} answer_writer;

static void bind_row(sqlite3_stmt *st, int at, const area_row *row)
{
    sqlite3_bind_int64(st, at + 1, row->hh);
    sqlite3_bind_text(st, at + 2, row->kelurahan, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, at + 3, row->kecamatan, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, at + 4, row->method, -1, SQLITE_STATIC);
    if (row->has_distance)
        sqlite3_bind_double(st, at + 5, row->distance_m);
    else
        sqlite3_bind_null(st, at + 5);
    if (row->flags[0])
        sqlite3_bind_text(st, at + 6, row->flags, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, at + 6);
    if (row->mismatch >= 0)
        sqlite3_bind_int(st, at + 7, row->mismatch);
    else
        sqlite3_bind_null(st, at + 7);
    sqlite3_bind_text(st, at + 8, row->kecamatan_polygon, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, at + 9, row->sls, -1, SQLITE_STATIC);
}

/* Writes the pending rows: a full batch with one statement, a partial one row by row. */
static int flush_rows(answer_writer *W)
{
    int full = W->many && W->pending_count == ROWS_PER_INSERT;
    for (size_t i = 0; i < W->pending_count; i++) {
        sqlite3_stmt *st = full ? W->many : W->one;
        if (!full || i == 0)
            sqlite3_reset(st);
        bind_row(st, full ? (int)i * AREA_COLUMNS : 0, &W->pending[i]);
        if ((!full || i + 1 == W->pending_count) && sqlite3_step(st) != SQLITE_DONE)
            return rg_io_store_sql_error(W->store);
    }
    W->pending_count = 0;
    return RG_OK;
}

/* SLS sls (an index, -1 for none) as the household's, when it lies in the household's desa. */
static void take_sls(answer_writer *W, long sls, area_row *row)
{
    if (sls >= 0 && strcmp(rg_geo_areas_parent(W->sls, (size_t)sls), row->kelurahan) == 0) {
        row->sls = rg_geo_areas_code(W->sls, (size_t)sls);
        W->r->in_sls++;
    }
}

/* A located household's SLS, once its desa is known. Desa dissolved from their SLS hold them:
 * the smallest code of overlapping SLS is the SLS of the smallest desa code, as the desa's
 * overlap rule, and only a nearest SLS across a desa border (a point in a filled gap) can
 * disagree. A desa layer beside the SLS is digitised apart from them: a point may lie in an
 * SLS of another desa than the desa polygon it lies in. Either way the household keeps its
 * desa and gets no SLS; the second is flagged. */
static void sls_answer(answer_writer *W, const household_answer *found, area_row *row)
{
    rg_join_report *r = W->r;
    take_sls(W, found->sls, row);
    int elsewhere = found->sls >= 0 && !row->sls && found->sls_method != RG_JOIN_NEAREST;
    r->sls_other_desa += elsewhere;
    if (elsewhere) {
        size_t n = strlen(row->flags);
        snprintf(row->flags + n, sizeof row->flags - n, "%ssls_other_desa", n ? "," : "");
    }
}

/* A located household's answer, into row and the report; `reported` is the code its
 * officer wrote, or NULL. */
static int located_answer(answer_writer *W, const char *reported, const household_answer *found, area_row *row)
{
    rg_join_report *r = W->r;
    rg_match m = {found->kel, (rg_join_method)found->method, found->distance_m, found->overlap};
    long parent_area = m.area >= 0 ? W->kel_parent_area[m.area] : -1;
    long kec_area = found->kec;
    /* A dissolved kecamatan holds exactly what its kelurahan hold. */
    if (r->kecamatan_dissolved && m.method != RG_JOIN_NEAREST)
        kec_area = parent_area;
    row->method = rg_geo_join_method_name(m.method);
    row->kecamatan_polygon = kec_area >= 0 ? rg_geo_areas_code(W->kec, (size_t)kec_area) : NULL;
    switch (m.method) {
    case RG_JOIN_WITHIN: r->within++; break;
    case RG_JOIN_BOUNDARY: r->boundary++; break;
    case RG_JOIN_NEAREST:
        r->nearest++;
        if (distances_push(&W->dist, m.distance_m) != RG_OK)
            return RG_ENOMEM;
        break;
    default: r->unmatched++; break;
    }
    if (m.area < 0)
        return RG_OK;
    size_t a = (size_t)m.area;
    const char *parent = rg_geo_areas_parent(W->kel, a);
    row->has_distance = 1;
    row->kelurahan = rg_geo_areas_code(W->kel, a);
    row->kecamatan = parent;
    row->distance_m = m.method == RG_JOIN_NEAREST ? m.distance_m : 0.0;
    row->mismatch = code_mismatch(reported, W->kel, m.area);
    r->code_mismatches += row->mismatch == 1;
    int kec_mismatch = kec_area >= 0 && parent && strcmp(rg_geo_areas_code(W->kec, (size_t)kec_area), parent) != 0;
    r->overlaps += m.overlap != 0;
    r->kecamatan_mismatches += kec_mismatch;
    snprintf(row->flags, sizeof row->flags, "%s%s%s", m.overlap ? "overlap" : "",
             m.overlap && kec_mismatch ? "," : "", kec_mismatch ? "kecamatan_mismatch" : "");
    sls_answer(W, found, row);
    return RG_OK;
}

/* The SLS a reported code of Blok I's r101 .. r105 names (14 BPS digits), when the map has it
 * whole: one feature whose code is those digits, or they and a sub-SLS suffix. A split SLS
 * leaves which part unknown: -1, as for a code the map lacks. */
static long sls_by_code(const rg_areas *sls, const char *reported)
{
    rg_area_code parsed;
    if (!sls || !reported || rg_code_parse(reported, &parsed) != RG_OK || parsed.level != RG_LEVEL_SLS ||
        parsed.scheme != RG_CODE_BPS)
        return -1;
    char digits[RG_CODE_TEXT_MAX];
    rg_code_format(&parsed, digits, sizeof digits);
    size_t n = strlen(digits), lo = 0, hi = rg_geo_areas_count(sls);
    while (lo < hi) { /* the first code not below the digits */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(rg_geo_areas_code(sls, mid), digits) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    int here = lo < rg_geo_areas_count(sls) && strncmp(rg_geo_areas_code(sls, lo), digits, n) == 0;
    int split = here && lo + 1 < rg_geo_areas_count(sls) && strncmp(rg_geo_areas_code(sls, lo + 1), digits, n) == 0;
    return here && !split ? (long)lo : -1;
}

/* A household without a point goes where its code says: its kelurahan, or, when the code
 * names none of the boundaries' but one of their kecamatan, that kecamatan alone (flagged
 * kecamatan_only, counted at kecamatan level and above); else it stays unmatched. A desa
 * code the boundaries lack is counted as unknown either way, for join_unknown_codes. */
static void placed_by_code(answer_writer *W, const char *reported, area_row *row)
{
    rg_join_report *r = W->r;
    long area = rg_geo__code_index_find(W->codes, reported);
    long kec = area < 0 ? rg_geo__code_index_find(W->kec_codes, reported) : -1;
    rg_area_code parsed;
    int names_desa = reported && rg_code_parse(reported, &parsed) == RG_OK && parsed.level >= RG_LEVEL_DESA;
    r->without_point++;
    if (area < 0 && kec < 0) {
        row->method = rg_geo_join_method_name(RG_JOIN_UNMATCHED);
        r->unmatched++;
        if (reported) {
            snprintf(row->flags, sizeof row->flags, "unknown_code");
            r->unknown_codes++;
        }
        return;
    }
    row->method = rg_geo_join_method_name(RG_JOIN_CODE);
    r->code++;
    if (area >= 0) {
        row->kelurahan = rg_geo_areas_code(W->kel, (size_t)area);
        row->kecamatan = rg_geo_areas_parent(W->kel, (size_t)area);
        take_sls(W, sls_by_code(W->sls, reported), row);
        return;
    }
    row->kecamatan = rg_geo_areas_code(W->kec, (size_t)kec);
    snprintf(row->flags, sizeof row->flags, "kecamatan_only%s", names_desa ? ",unknown_code" : "");
    r->unknown_codes += names_desa;
}

/* One household's answer (found NULL: it has no point), counted in the report and queued
 * for writing. */
static int write_answer(answer_writer *W, int64_t hh, const char *reported, const household_answer *found)
{
    area_row *row = &W->pending[W->pending_count++];
    memset(row, 0, sizeof *row);
    row->hh = hh;
    row->mismatch = -1;
    W->r->households++;
    int rc = RG_OK;
    if (found)
        rc = located_answer(W, reported, found, row);
    else
        placed_by_code(W, reported, row);
    if (rc == RG_OK && W->pending_count == ROWS_PER_INSERT)
        rc = flush_rows(W);
    return rc;
}

/* The multi-row insert's text: its first row's worth is the one-row statement. */
static int prepare_inserts(answer_writer *W)
{
    static const char head[] = "INSERT INTO household_areas(hh, kelurahan_code, kecamatan_code, join_method,"
                               " join_distance_m, join_flags, code_mismatch, kecamatan_polygon_code, sls_code) VALUES";
    static const char one_row[] = ",(?,?,?,?,?,?,?,?,?)";
    sqlite3 *db = rg_io_store_db(W->store);
    rg_buf sql = {0};
    int rc = rg__buf_append(&sql, head, strlen(head));
    for (int k = 0; k < ROWS_PER_INSERT && rc == RG_OK; k++)
        rc = rg__buf_append(&sql, one_row + (k == 0), strlen(one_row) - (k == 0));
    int one = (int)(strlen(head) + strlen(one_row) - 1);
    if (rc == RG_OK && sqlite3_prepare_v2(db, sql.data, one, &W->one, NULL) != SQLITE_OK)
        rc = rg_io_store_sql_error(W->store);
    if (rc == RG_OK && sqlite3_prepare_v2(db, sql.data, (int)sql.len, &W->many, NULL) != SQLITE_OK)
        W->many = NULL;
    rg__buf_free(&sql);
    return rc;
}

/*
 * The answers come back from their sort in hh order, the order of household_records, so
 * one cursor over the records (for each household's id and reported code) walks beside
 * them, and household_areas is appended at the end of its B-tree.
 */
static int write_answers(answer_writer *W, rg__sorter *answers, int64_t households)
{
    rg_ctx *ctx = rg_io_store_ctx(W->store);
    sqlite3_stmt *read = NULL;
    int rc = prepare_inserts(W), step;
    if (rc == RG_OK && sqlite3_prepare_v2(rg_io_store_db(W->store),
                                          "SELECT hh, reported_code, geom IS NOT NULL FROM household_records"
                                          " ORDER BY hh",
                                          -1, &read, NULL) != SQLITE_OK)
        rc = rg_io_store_sql_error(W->store);
    for (int64_t i = 0; rc == RG_OK && (step = sqlite3_step(read)) == SQLITE_ROW; i++) {
        household_answer found;
        int located = sqlite3_column_int(read, 2);
        int got = located ? rg__sorter_next(answers, &found) : 1;
        if (got < 0) {
            rc = got;
            break;
        }
        if (got == 0 || (located && found.head.key != (uint64_t)i)) {
            rc = rg_ctx_error(ctx, RG_EDATA, "join: households changed while being read");
            break;
        }
        rc = write_answer(W, sqlite3_column_int64(read, 0), (const char *)sqlite3_column_text(read, 1),
                          located ? &found : NULL);
        if (rc == RG_OK && W->r->households % 100000 == 0)
            rg_ctx_notice(ctx, RG_NOTICE_PROGRESS, "join: %lld of %lld households written",
                          (long long)W->r->households, (long long)households);
    }
    if (rc == RG_OK && step != SQLITE_DONE)
        rc = rg_io_store_sql_error(W->store);
    if (rc == RG_OK)
        rc = flush_rows(W);
    sqlite3_finalize(read);
    sqlite3_finalize(W->one);
    sqlite3_finalize(W->many);
    W->one = W->many = NULL;
    return rc;
}

static void nearest_distances(distances *d, rg_join_report *r)
{
    if (!d->count)
        return;
    qsort(d->values, d->count, sizeof *d->values, compare_double);
    r->nearest_max_m = d->values[d->count - 1];
    r->nearest_median_m = d->count % 2 ? d->values[d->count / 2]
                                       : (d->values[d->count / 2 - 1] + d->values[d->count / 2]) / 2;
}

/* Each kelurahan's kecamatan, found once here rather than once per household. */
static int parent_areas(rg_ctx *ctx, const char *path, const rg_areas *kel, const rg_areas *kec, long **out)
{
    size_t n = rg_geo_areas_count(kel);
    long *parent = rg_malloc((n ? n : 1) * sizeof *parent);
    if (!parent)
        return RG_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        parent[i] = rg_geo_areas_find(kec, rg_geo_areas_parent(kel, i));
        if (rg_geo_areas_parent(kel, i) && parent[i] < 0)
            rg_ctx_notice(ctx, RG_NOTICE_WARNING, "%s: kelurahan %s: parent kecamatan %s is not in the kecamatan layer",
                          path, rg_geo_areas_code(kel, i), rg_geo_areas_parent(kel, i));
    }
    *out = parent;
    return RG_OK;
}

/* Locates every household and appends its answer, inside the join's step. */
static int join_households(rg_store *store, const char *path, const rg_join_opts *opts, const rg_areas *kel,
                           const rg_areas *kec, const rg_areas *sls, int64_t households, rg_join_report *r)
{
    rg_ctx *ctx = rg_io_store_ctx(store);
    rg__sorter *points = NULL, *answers = NULL;
    answer_writer W = {.store = store, .kel = kel, .kec = kec, .sls = sls, .r = r};
    int threads = opts->threads > 0 ? opts->threads : rg__default_threads();
    size_t sort_cap = opts->sort_records ? opts->sort_records : SORT_CAP;
    long *kel_parent_area = NULL;
    rg_geo__code_index *codes = NULL, *kec_codes = NULL;
    int rc = parent_areas(ctx, path, kel, kec, &kel_parent_area);
    W.kel_parent_area = kel_parent_area;
    if (rc == RG_OK)
        rc = rg_geo__code_index_new(kel, RG_LEVEL_DESA, &codes);
    if (rc == RG_OK)
        rc = rg_geo__code_index_new(kec, RG_LEVEL_KECAMATAN, &kec_codes);
    W.codes = codes;
    W.kec_codes = kec_codes;
    if (rc == RG_OK)
        rc = rg__sorter_new(&points, ctx, rg_io_store_path(store), "join", sizeof(household_point), sort_cap);
    if (rc == RG_OK)
        rc = rg__sorter_new(&answers, ctx, rg_io_store_path(store), "join", sizeof(household_answer), sort_cap);
    /* Kecamatan dissolved from the kelurahan cannot disagree with them: no need to look. */
    if (rc == RG_OK)
        rc = locate_all(store, kel, r->kecamatan_dissolved ? NULL : kec, sls, households, opts, threads, points,
                        answers);
    rg__sorter_free(points); /* its merge windows */
    double writing = rg__seconds_now();
    if (rc == RG_OK && (rc = write_answers(&W, answers, households)) == RG_OK)
        rg_ctx_notice(ctx, RG_NOTICE_DETAIL, "answers written in %.2f s", rg__seconds_now() - writing);
    int64_t accounted = r->within + r->boundary + r->nearest + r->code + r->unmatched;
    if (rc == RG_OK && accounted != households)
        rc = rg_ctx_error(ctx, RG_EDATA, "join: accounting error: %lld households, %lld joined or unmatched",
                          (long long)households, (long long)accounted);
    nearest_distances(&W.dist, r);
    rg_geo__code_index_free(codes);
    rg_geo__code_index_free(kec_codes);
    rg__sorter_free(answers);
    rg_free(W.dist.values);
    rg_free(kel_parent_area);
    return rc;
}

/* "CODE (n), ..." or "CODE (n of m), ..." from rows of (code, n[, m]), into list. */
static int list_top(rg_store *store, const char *sql, rg_buf *list)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(store), sql, -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    int rc = RG_OK;
    while (rc == RG_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(st, 0);
        long long n = sqlite3_column_int64(st, 1), of = sqlite3_column_int64(st, 2);
        rc = sqlite3_column_count(st) > 2
                 ? rg__buf_appendf(list, "%s%s (%lld of %lld)", list->len ? ", " : "", code, n, of)
                 : rg__buf_appendf(list, "%s%s (%lld)", list->len ? ", " : "", code, n);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Codes that name no kelurahan of these boundaries, each with its households, into
 * join_unknown_codes; the most frequent are said. Never dropped silently: a supervisor
 * finds an officer's wrong codes here, and a wrong boundary file shows at once. */
static int report_unknown_codes(rg_store *store, const char *path, const rg_join_report *r)
{
    if (r->unknown_codes == 0)
        return RG_OK;
    int rc = rg_io_store_exec(store, "listing unknown codes",
                              "INSERT INTO join_unknown_codes(code, households)"
                              " SELECT CASE WHEN length(trim(h.reported_code)) = 14 THEN substr(trim(h.reported_code), 1, 10)"
                              "  ELSE h.reported_code END AS desa, count(*) FROM household_areas a"
                              " JOIN household_records h ON h.hh = a.hh"
                              " WHERE a.join_flags IN ('unknown_code', 'kecamatan_only,unknown_code')"
                              " GROUP BY desa");
    int64_t distinct = 0, in_kecamatan = 0;
    if (rc == RG_OK)
        rc = rg_io_store_count(store, "SELECT count(*) FROM join_unknown_codes", &distinct);
    if (rc == RG_OK)
        rc = rg_io_store_count(store, "SELECT count(*) FROM household_areas WHERE join_flags = 'kecamatan_only,unknown_code'",
                               &in_kecamatan);
    rg_buf list = {0};
    if (rc == RG_OK)
        rc = list_top(store, "SELECT code, households FROM join_unknown_codes ORDER BY households DESC, code LIMIT 5",
                      &list);
    if (rc == RG_OK)
        rg_ctx_notice(rg_io_store_ctx(store), RG_NOTICE_WARNING,
                      "%s: %lld households without a point report a code that names no kelurahan here (%lld placed"
                      " in the kecamatan it names, counted from kecamatan up, the rest unmatched): %s%s (each"
                      " desa/kelurahan code with its households in table join_unknown_codes)",
                      path, (long long)r->unknown_codes, (long long)in_kecamatan, list.data ? list.data : "",
                      distinct > 5 ? ", ..." : "");
    rg__buf_free(&list);
    return rc;
}

/* Where reported codes and points disagree most: a supervisor's first places to look. */
static int report_mismatches(rg_store *store, const rg_join_report *r)
{
    if (r->code_mismatches == 0)
        return RG_OK;
    rg_buf list = {0};
    int rc = list_top(store,
                      "SELECT kelurahan_code, sum(code_mismatch) AS n, count(*) FROM household_areas"
                      " WHERE code_mismatch IS NOT NULL GROUP BY kelurahan_code ORDER BY n DESC, 1 LIMIT 3",
                      &list);
    if (rc == RG_OK)
        rg_ctx_notice(rg_io_store_ctx(store), RG_NOTICE_INFO,
                      "reported codes disagree with the point most in kelurahan %s (per kelurahan: column"
                      " code_mismatches of the kelurahan summary)",
                      list.data ? list.data : "");
    rg__buf_free(&list);
    return rc;
}

/* A join that places most households nowhere has the wrong boundaries, or points that the
 * load kept without a position: said, with what to do, though nothing is wrong with the join. */
static int warn_if_mostly_unmatched(rg_store *store, const char *path, const rg_join_report *r)
{
    if (2 * r->unmatched <= r->households)
        return RG_OK;
    int64_t swapped = 0;
    int rc = rg_io_store_count(store,
                               "SELECT count(*) FROM household_records WHERE geom IS NULL"
                               " AND ',' || load_flags || ',' LIKE '%,swapped_latlon,%'",
                               &swapped);
    const char *hint = "";
    if (2 * swapped > r->unmatched)
        hint = " Most of them have no point (latitude and longitude swapped): load again with --replace --fix-swapped";
    else if (2 * r->unknown_codes > r->unmatched)
        hint = " Most of them have no point and a code these boundaries do not have: do the boundaries carry the"
               " codes' scheme (BPS or Kemendagri)?";
    if (rc == RG_OK)
        rg_ctx_notice(rg_io_store_ctx(store), RG_NOTICE_WARNING,
                      "%s: %lld of %lld households lie in no kelurahan (unmatched): are these the boundaries of where"
                      " they were collected?%s",
                      path, (long long)r->unmatched, (long long)r->households, hint);
    return rc;
}

int rg_geo_join(rg_store *store, const char *path, const rg_join_opts *opts, rg_join_report *report)
{
    static const rg_join_opts defaults = RG_JOIN_OPTS_INIT;
    if (!opts)
        opts = &defaults;
    rg_join_report r = {0};
    rg_boundaries_report b;
    rg_areas *kel = NULL, *kec = NULL, *sls = NULL;
    int64_t households = 0;
    int rc = rg_io_store_step_require(store, RG_STEP_LOAD, "join");
    /* NaN would make every "nearest" household "unmatched", saying nothing. */
    if (rc == RG_OK && !(opts->max_distance_m >= 0 && isfinite(opts->max_distance_m)))
        rc = rg_ctx_error(rg_io_store_ctx(store), RG_EINVAL, "the largest distance to a kelurahan must be a finite"
                          " number of metres, at least 0");
    /* The boundaries and the answers are one change: new boundaries drop the old answers,
     * and a join that fails after them must not leave the store without either. */
    if (rc == RG_OK)
        rc = rg_io_store_exec(store, "starting the join", "BEGIN IMMEDIATE");
    if (rc != RG_OK)
        goto done;
    rc = rg_geo__boundaries(store, path, opts, &b, &kel, &kec, &sls);
    if (rc != RG_OK)
        goto done;
    r.kelurahan = b.kelurahan;
    r.kecamatan = b.kecamatan;
    r.repaired = b.repaired;
    r.kecamatan_dissolved = b.kecamatan_dissolved;
    r.boundaries_reused = b.reused;
    r.sls = b.sls;
    /* The join reads the records in hh order and appends its answers: a small page cache
     * does as well as the store's 64 MB (measured), which would be the largest thing in
     * the process; counting the households alone would fill it. */
    if ((rc = rg_io_store_step_begin(store, RG_STEP_JOIN, RG_STEP_AFRESH, JOIN_CACHE_KB)) == RG_OK &&
        (rc = rg_io_store_count(store, "SELECT count(*) FROM household_records", &households)) == RG_OK &&
        (rc = join_households(store, path, opts, kel, kec, sls, households, &r)) == RG_OK &&
        (rc = report_unknown_codes(store, path, &r)) == RG_OK && (rc = report_mismatches(store, &r)) == RG_OK &&
        (rc = warn_if_mostly_unmatched(store, path, &r)) == RG_OK &&
        (rc = write_report(store, path, &r)) == RG_OK)
        rc = rg_io_store_step_commit(store, path);
    rg_io_store_step_end(store);

done:
    if (rc == RG_OK)
        rc = rg_io_store_exec(store, "committing the join", "COMMIT");
    else if (!sqlite3_get_autocommit(rg_io_store_db(store)))
        sqlite3_exec(rg_io_store_db(store), "ROLLBACK", NULL, NULL, NULL);
    rg_geo_areas_free(kel);
    rg_geo_areas_free(kec);
    rg_geo_areas_free(sls);
    if (report)
        *report = r;
    return rc;
}
