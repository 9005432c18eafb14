/*
 * Forum groups: Regsosek's public consultation forum (FKP) was held for at most 12 SLS at a
 * time, the heads of those SLS around one table, every desa holding one or more. With an SLS
 * map in the store each desa's SLS are grouped so: ceil(n / 12) forums of neighbouring SLS,
 * balanced by families, the same grouping from the same store every time.
 *
 * The SLS of a desa are ordered so that each follows one it borders where it can (a walk
 * that goes on from the last SLS taken to a neighbour, else from any taken, else to the SLS
 * first on the Hilbert curve), and the order is cut into the forums' runs: as few runs whose
 * SLS do not all border one another as the walk allows, then the largest forum's families as
 * few as can be. A forum left unconnected (an SLS apart from the rest) is counted and said.
 * SLS border one another when within NEIGHBOUR_DEG: neighbours digitised apart leave gaps of
 * metres between them.
 */
#include "forum/internal.h"

#include <errno.h>
#include <geos_c.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define NEIGHBOUR_DEG 0.0001 /* about 11 m */

/* The store's grouping, owned here: the last one computed or given back. A new SLS map (new
 * boundaries) leaves it naming SLS that are gone; `forums` writes it afresh each time. */
static const char table_sql[] =
    "CREATE TABLE IF NOT EXISTS forum_groups(idsls TEXT PRIMARY KEY, desa_code TEXT NOT NULL, forum TEXT NOT NULL,"
    "  position INTEGER NOT NULL, source TEXT NOT NULL);"
    "DELETE FROM forum_groups;";

typedef struct {
    char code[24];   /* the SLS: 14 digits (its sub-SLS' first 14) */
    int64_t families;
    double bounds[4];
    GEOSGeometry *g; /* its sub-SLS' polygons */
    int forum;
} sls_unit;

typedef struct {
    rg_ctx *ctx;
    GEOSContextHandle_t h;
    sls_unit *units;
    size_t count, cap;
    unsigned char *adjacent; /* count x count */
    size_t *order;
    sqlite3_stmt *insert; /* into forum_groups */
    rg_forum_groups_report *report;
} desa_groups;

static void units_clear(desa_groups *d)
{
    for (size_t i = 0; i < d->count; i++)
        if (d->units[i].g)
            GEOSGeom_destroy_r(d->h, d->units[i].g);
    d->count = 0;
}

/* A sub-SLS polygon into unit u: the first makes the unit, the others join its collection. */
static int add_polygon(desa_groups *d, sls_unit *u, const unsigned char *blob, size_t n)
{
    unsigned char *wkb = NULL;
    size_t size = 0;
    double b[4];
    if (rg_io_spatialite_wkb(blob, n, &wkb, &size, b, NULL) != RG_OK)
        return rg_ctx_error(d->ctx, RG_EDATA, "SLS %s: its polygon is not a SpatiaLite polygon", u->code);
    GEOSGeometry *g = GEOSGeomFromWKB_buf_r(d->h, wkb, size);
    rg_free(wkb);
    if (!g)
        return rg_ctx_error(d->ctx, RG_EGEOS, "SLS %s: %s", u->code, rg__ctx_geos_message(d->ctx));
    if (!u->g) {
        u->g = g;
        memcpy(u->bounds, b, sizeof b);
        return RG_OK;
    }
    GEOSGeometry *both = GEOSUnion_r(d->h, u->g, g);
    GEOSGeom_destroy_r(d->h, g);
    if (!both)
        return rg_ctx_error(d->ctx, RG_EGEOS, "SLS %s: %s", u->code, rg__ctx_geos_message(d->ctx));
    GEOSGeom_destroy_r(d->h, u->g);
    u->g = both;
    u->bounds[0] = fmin(u->bounds[0], b[0]), u->bounds[1] = fmin(u->bounds[1], b[1]);
    u->bounds[2] = fmax(u->bounds[2], b[2]), u->bounds[3] = fmax(u->bounds[3], b[3]);
    return RG_OK;
}

static int boxes_near(const double *a, const double *b)
{
    return a[0] <= b[2] + NEIGHBOUR_DEG && b[0] <= a[2] + NEIGHBOUR_DEG && a[1] <= b[3] + NEIGHBOUR_DEG &&
           b[1] <= a[3] + NEIGHBOUR_DEG;
}

static int find_neighbours(desa_groups *d)
{
    size_t n = d->count;
    unsigned char *adj = rg_calloc(n ? n * n : 1, 1);
    if (!adj)
        return RG_ENOMEM;
    rg_free(d->adjacent);
    d->adjacent = adj;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            if (!boxes_near(d->units[i].bounds, d->units[j].bounds))
                continue;
            char near = GEOSDistanceWithin_r(d->h, d->units[i].g, d->units[j].g, NEIGHBOUR_DEG);
            if (near == 2)
                return rg_ctx_error(d->ctx, RG_EGEOS, "SLS %s and %s: %s", d->units[i].code, d->units[j].code,
                                    rg__ctx_geos_message(d->ctx));
            adj[i * n + j] = adj[j * n + i] = (unsigned char)near;
        }
    return RG_OK;
}

/* The walk over the desa's SLS (see the top): order[] gets every unit once. */
static int walk(desa_groups *d)
{
    size_t n = d->count;
    size_t *order = rg_malloc((n ? n : 1) * sizeof *order);
    uint64_t *key = rg_malloc((n ? n : 1) * sizeof *key);
    unsigned char *taken = rg_calloc(n ? n : 1, 1);
    if (!order || !key || !taken) {
        rg_free(order), rg_free(key), rg_free(taken);
        return RG_ENOMEM;
    }
    double box[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < n; i++) {
        const double *b = d->units[i].bounds;
        box[0] = fmin(box[0], b[0]), box[1] = fmin(box[1], b[1]), box[2] = fmax(box[2], b[2]), box[3] = fmax(box[3], b[3]);
    }
    for (size_t i = 0; i < n; i++) {
        const double *b = d->units[i].bounds;
        key[i] = rg__hilbert((b[0] + b[2]) / 2, (b[1] + b[3]) / 2, box[0], box[1], box[2] - box[0], box[3] - box[1]);
    }
    for (size_t t = 0; t < n; t++) {
        long best = -1;
        /* a neighbour of the last taken, else of any taken (latest first), else any */
        for (size_t back = t; back > 0 && best < 0; back--)
            for (size_t i = 0; i < n; i++)
                if (!taken[i] && d->adjacent[order[back - 1] * n + i] && (best < 0 || key[i] < key[best]))
                    best = (long)i;
        if (best < 0)
            for (size_t i = 0; i < n; i++)
                if (!taken[i] && (best < 0 || key[i] < key[best]))
                    best = (long)i;
        order[t] = (size_t)best;
        taken[best] = 1;
    }
    rg_free(key);
    rg_free(taken);
    rg_free(d->order);
    d->order = order;
    return RG_OK;
}

/* For each run of the walk from s of len SLS (len 1 .. 12): 1 when its SLS are not all
 * connected through their borders. broken[s * (MAX + 1) + len]. Grown a SLS at a time with
 * a union-find of the run's members. */
static void find_broken_runs(const desa_groups *d, unsigned char *broken)
{
    size_t n = d->count, parent[RG_FORUM_MAX_SLS];
    for (size_t s = 0; s < n; s++) {
        size_t parts = 0;
        for (size_t len = 1; len <= RG_FORUM_MAX_SLS && s + len <= n; len++) {
            size_t m = len - 1, a = d->order[s + m];
            parent[m] = m;
            parts++;
            for (size_t o = 0; o < m; o++) {
                if (!d->adjacent[a * n + d->order[s + o]])
                    continue;
                size_t x = m, y = o;
                while (parent[x] != x)
                    x = parent[x];
                while (parent[y] != y)
                    y = parent[y];
                if (x != y) {
                    parent[x] = y;
                    parts--;
                }
            }
            broken[s * (RG_FORUM_MAX_SLS + 1) + len] = parts > 1;
        }
    }
}

/* Cuts the walk into ceil(n / max) runs of at most max SLS: as few runs whose SLS do not all
 * border one another as can be, then the largest run's families as few as can be (the first
 * such cut, so the same every time); forum numbers from 1. A cost is broken runs * big +
 * the largest run's families, big above any desa's families. */
static int partition(desa_groups *d)
{
    size_t n = d->count, k = (n + RG_FORUM_MAX_SLS - 1) / RG_FORUM_MAX_SLS, w = RG_FORUM_MAX_SLS + 1;
    int64_t *prefix = rg_calloc(n + 1, sizeof *prefix);
    int64_t *cost = rg_malloc((k + 1) * (n + 1) * sizeof *cost); /* cost[j][i]: i SLS in j runs */
    size_t *cut = rg_calloc((k + 1) * (n + 1), sizeof *cut);
    unsigned char *broken = rg_calloc(n * w, 1);
    if (!prefix || !cost || !cut || !broken) {
        rg_free(prefix), rg_free(cost), rg_free(cut), rg_free(broken);
        return RG_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        prefix[i + 1] = prefix[i] + d->units[d->order[i]].families;
    find_broken_runs(d, broken);
    int64_t big = prefix[n] + 1;
    for (size_t x = 0; x < (k + 1) * (n + 1); x++)
        cost[x] = INT64_MAX;
    cost[0] = 0;
    for (size_t j = 1; j <= k; j++)
        for (size_t i = j; i <= n && i <= j * RG_FORUM_MAX_SLS; i++)
            for (size_t s = i > RG_FORUM_MAX_SLS ? i - RG_FORUM_MAX_SLS : 0; s < i; s++) {
                int64_t before = cost[(j - 1) * (n + 1) + s];
                if (before == INT64_MAX)
                    continue;
                int64_t run = prefix[i] - prefix[s], worst = before % big > run ? before % big : run;
                int64_t here = (before / big + broken[s * w + (i - s)]) * big + worst;
                if (here < cost[j * (n + 1) + i]) {
                    cost[j * (n + 1) + i] = here;
                    cut[j * (n + 1) + i] = s;
                }
            }
    for (size_t j = k, i = n; j > 0; j--) {
        size_t s = cut[j * (n + 1) + i];
        for (size_t t = s; t < i; t++)
            d->units[d->order[t]].forum = (int)j;
        d->report->scattered += broken[s * w + (i - s)];
        i = s;
    }
    rg_free(prefix), rg_free(cost), rg_free(cut), rg_free(broken);
    d->report->forums += (int64_t)k;
    return RG_OK;
}

/* The desa's forums (its units read), each SLS a row of forum_groups. */
static int group_desa(desa_groups *d, const char *desa)
{
    int rc = find_neighbours(d);
    if (rc == RG_OK)
        rc = walk(d);
    if (rc == RG_OK)
        rc = partition(d);
    for (size_t t = 0; t < d->count && rc == RG_OK; t++) {
        const sls_unit *u = &d->units[d->order[t]];
        char forum[RG_AREA_ID_MAX + 16];
        snprintf(forum, sizeof forum, "%s-%d", desa, u->forum);
        sqlite3_reset(d->insert);
        sqlite3_bind_text(d->insert, 1, u->code, -1, SQLITE_STATIC);
        sqlite3_bind_text(d->insert, 2, desa, -1, SQLITE_STATIC);
        sqlite3_bind_text(d->insert, 3, forum, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(d->insert, 4, (sqlite3_int64)t);
        if (sqlite3_step(d->insert) != SQLITE_DONE)
            rc = RG_ESQL;
    }
    d->report->desa++;
    d->report->sls += (int64_t)d->count;
    return rc;
}

/* Appends row's SLS to the desa's units: a new unit, or a sub-SLS of the last. */
static int add_row(desa_groups *d, sqlite3_stmt *st)
{
    const char *code = (const char *)sqlite3_column_text(st, 1);
    sls_unit *u = d->count ? &d->units[d->count - 1] : NULL;
    if (!u || strcmp(u->code, code) != 0) {
        if (rg__grow(&d->units, &d->cap, d->count + 1, sizeof *d->units) != RG_OK)
            return RG_ENOMEM;
        u = &d->units[d->count++];
        memset(u, 0, sizeof *u);
        snprintf(u->code, sizeof u->code, "%s", code);
        u->families = sqlite3_column_int64(st, 3);
    }
    return add_polygon(d, u, sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2));
}

static const char units_sql[] =
    "SELECT s.parent_code, substr(s.code, 1, 14), s.geom, coalesce(f.n, 0) FROM sls s"
    " LEFT JOIN " RG_FORUM_FAMILIES_BY_SLS " f ON f.k = substr(s.code, 1, 14)"
    " WHERE s.parent_code IS NOT NULL ORDER BY s.parent_code, s.code";

/* Every desa's forums into forum_groups, desa by desa. */
static int compute_groups(rg_store *store, rg_forum_groups_report *report)
{
    desa_groups d = {.ctx = rg_io_store_ctx(store), .report = report};
    d.h = rg__ctx_geos(d.ctx);
    sqlite3_stmt *st = NULL;
    sqlite3 *db = rg_io_store_db(store);
    if (sqlite3_prepare_v2(db, units_sql, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO forum_groups VALUES(?, ?, ?, ?, 'computed')", -1, &d.insert, NULL) !=
            SQLITE_OK) {
        sqlite3_finalize(st);
        return rg_io_store_sql_error(store);
    }
    char desa[RG_AREA_ID_MAX + 1] = "";
    int rc = RG_OK, step;
    while (rc == RG_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *parent = (const char *)sqlite3_column_text(st, 0);
        if (strcmp(parent, desa) != 0) {
            if (d.count)
                rc = group_desa(&d, desa);
            units_clear(&d);
            snprintf(desa, sizeof desa, "%s", parent);
        }
        if (rc == RG_OK)
            rc = add_row(&d, st);
    }
    if (rc == RG_OK && step != SQLITE_DONE)
        rc = rg_io_store_sql_error(store);
    if (rc == RG_OK && d.count)
        rc = group_desa(&d, desa);
    if (rc == RG_ESQL)
        rc = rg_io_store_sql_error(store);
    sqlite3_finalize(st);
    sqlite3_finalize(d.insert);
    units_clear(&d);
    rg_free(d.units);
    rg_free(d.adjacent);
    rg_free(d.order);
    return rc;
}

/* The report's counts, from the grouping stored. */
static int count_groups(rg_store *store, rg_forum_groups_report *r)
{
    int rc = rg_io_store_count(store, "SELECT count(DISTINCT desa_code) FROM forum_groups", &r->desa);
    if (rc == RG_OK)
        rc = rg_io_store_count(store, "SELECT count(*) FROM forum_groups", &r->sls);
    if (rc == RG_OK)
        rc = rg_io_store_count(store, "SELECT count(DISTINCT forum) FROM forum_groups", &r->forums);
    if (rc == RG_OK)
        rc = rg_io_store_count(store, "SELECT count(*) FROM household_areas WHERE sls_code IS NULL"
                                      " AND kelurahan_code IN (SELECT parent_code FROM sls)", &r->families_without_sls);
    return rc;
}

/* The grouping computed or given, kept in the store in a transaction of its own. */
static int keep_grouping(rg_store *store, const char *given, rg_forum_groups_report *r)
{
    int rc = rg_io_store_exec(store, "grouping the forums", "BEGIN IMMEDIATE");
    if (rc != RG_OK)
        return rc;
    if ((rc = rg_io_store_exec(store, "grouping the forums", table_sql)) == RG_OK)
        rc = given ? rg_forum__groups_read(store, given) : compute_groups(store, r);
    if (rc == RG_OK)
        rc = count_groups(store, r);
    if (rc == RG_OK)
        return rg_io_store_exec(store, "grouping the forums", "COMMIT");
    sqlite3_exec(rg_io_store_db(store), "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int rg_forum_groups_write(rg_store *store, const char *path, const char *given, int overwrite,
                          rg_forum_groups_report *report)
{
    rg_ctx *ctx = rg_io_store_ctx(store);
    rg_forum_groups_report r = {0};
    int64_t sls = 0;
    int rc = rg_io_store_step_require(store, RG_STEP_JOIN, "forums");
    if (rc == RG_OK && (rc = rg_io_store_count(store, "SELECT count(*) FROM sls", &sls)) == RG_OK && sls == 0)
        rc = rg_ctx_error(ctx, RG_EDATA, "%s: the boundaries joined are no SLS map: each desa/kelurahan is one forum"
                          " (join an SLS map, a wilkerstat PETA_SLS file, to group its SLS)", rg_io_store_path(store));
    rg_io_atomic out;
    /* The file is claimed first: one that may not be replaced leaves the store as it was. */
    if (rc != RG_OK || (rc = rg_io_atomic_begin(ctx, path, "", overwrite, &out)) != RG_OK)
        return rc;
    if ((rc = keep_grouping(store, given, &r)) == RG_OK)
        rc = rg_forum__groups_csv(store, &out, path);
    else
        rg_io_atomic_abandon(&out);
    if (report)
        *report = r;
    return rc;
}
