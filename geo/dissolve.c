/*
 * A level made of the level below when the boundary file lacks it: kecamatan from
 * kelurahan, kab/kota from kecamatan, provinsi from kab/kota, each area the union of the
 * parts that name it as their parent.
 *
 * Administrative boundaries are a coverage: neighbours share their borders. Such a group is
 * dissolved from its edges (coverage.c), in time linear in its vertices, and the result is
 * checked with GEOS; a group whose parts overlap, leave gaps or cross gets GEOS's general
 * union instead. Groups are independent and shared out over every core; each worker reads
 * its parts from their scratch file and writes the union to the level's, so only the unions
 * in progress are in memory.
 */
#include "geo/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const rg_areas *parts;  /* the finer level */
    rg_areas *made;         /* the level made of it */
    const char *what;
    const size_t *order;       /* part indexes, grouped by parent */
    const size_t *group_start; /* group g is order[group_start[g] .. group_start[g + 1]) */
    size_t groups;
    rg_geo__area *merged;      /* one per group: where its union is in the scratch file */
    atomic_size_t next;
    atomic_size_t general;     /* groups that needed the general union */
    rg__first_failure failure;
} dissolve_job;

/* Each worker's reusable state. */
typedef struct {
    rg_ctx *ctx;
    rg_buf buf;
    rg_geo__coverage *coverage;
} dissolver;

/* The group's union from its edges, when its parts are a clean coverage and the result is
 * valid; *done = 0 otherwise. */
static int union_from_edges(dissolve_job *job, dissolver *d, size_t g, int *done)
{
    GEOSContextHandle_t h = rg__ctx_geos(d->ctx);
    size_t first = job->group_start[g], n = job->group_start[g + 1] - first;
    rg_geo__area *merged = &job->merged[g];
    *done = 0;
    rg_geo__coverage_reset(d->coverage);
    int rc = RG_OK;
    for (size_t k = 0; k < n && rc == RG_OK; k++) {
        size_t part = job->order[first + k];
        rc = rg__buf_reserve(&d->buf, job->parts->items[part].wkb_size);
        if (rc == RG_OK)
            rc = rg_geo__areas_read_wkb(job->parts, d->ctx, part, d->buf.data);
        if (rc == RG_OK)
            rc = rg_geo__coverage_add(d->coverage, (const unsigned char *)d->buf.data,
                                      job->parts->items[part].wkb_size);
        if (rc == RG_EDATA)
            return RG_OK; /* not WKB this reads: the general union will say what it is */
    }
    unsigned char *wkb = NULL;
    size_t size = 0;
    long vertices = 0;
    int clean = 0;
    if (rc == RG_OK)
        rc = rg_geo__coverage_union(d->coverage, &wkb, &size, merged->bounds, &vertices, &clean);
    if (rc != RG_OK || !clean)
        return rc;
    GEOSGeometry *g_union = GEOSGeomFromWKB_buf_r(h, wkb, size);
    if (g_union && GEOSisValid_r(h, g_union) == 1) {
        merged->coordinates = vertices > INT32_MAX ? INT32_MAX : (int)vertices;
        rc = rg_geo__areas_put_wkb(job->made, d->ctx, wkb, size, merged);
        *done = rc == RG_OK;
    }
    if (g_union)
        GEOSGeom_destroy_r(h, g_union);
    rg_free(wkb);
    return rc;
}

/* The group's union by GEOS's overlay, whatever its parts. */
static int general_union(dissolve_job *job, dissolver *d, size_t g)
{
    GEOSContextHandle_t h = rg__ctx_geos(d->ctx);
    size_t first = job->group_start[g], n = job->group_start[g + 1] - first;
    const char *code = job->parts->items[job->order[first]].parent;
    GEOSGeometry **parts = rg_calloc(n, sizeof *parts);
    if (!parts)
        return RG_ENOMEM;
    int rc = RG_OK;
    size_t have = 0;
    for (; have < n && rc == RG_OK; have++)
        rc = rg_geo__areas_geom(job->parts, d->ctx, job->order[first + have], &d->buf, &parts[have]);
    if (rc != RG_OK)
        have--; /* the failed one is NULL */
    GEOSGeometry *collection =
        rc == RG_OK ? GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)n) : NULL;
    if (collection)
        have = 0; /* the collection owns them */
    GEOSGeometry *merged = collection ? GEOSUnaryUnion_r(h, collection) : NULL;
    if (rc == RG_OK && !merged)
        rc = rg_ctx_error(d->ctx, RG_EGEOS, "dissolving %s %s: %s", job->what, code, rg__ctx_geos_message(d->ctx));
    job->merged[g].code = (char *)code; /* borrowed for messages; replaced by the caller */
    if (rc == RG_OK)
        rc = rg_geo__areas_put(job->made, d->ctx, merged, &job->merged[g]);
    job->merged[g].code = NULL;
    for (size_t i = 0; i < have; i++)
        GEOSGeom_destroy_r(h, parts[i]);
    if (collection)
        GEOSGeom_destroy_r(h, collection);
    if (merged)
        GEOSGeom_destroy_r(h, merged);
    rg_free(parts);
    return rc;
}

static int dissolve_group(dissolve_job *job, dissolver *d, size_t g)
{
    int done = 0, rc = union_from_edges(job, d, g, &done);
    if (rc != RG_OK || done)
        return rc;
    atomic_fetch_add(&job->general, 1);
    return general_union(job, d, g);
}

static void *dissolve_worker(void *arg)
{
    dissolve_job *job = arg;
    dissolver d = {0};
    int rc = rg_ctx_new(&d.ctx);
    if (rc == RG_OK)
        rc = rg_geo__coverage_new(&d.coverage);
    size_t g = 0;
    while (rc == RG_OK && !atomic_load(&job->failure.failed) && (g = atomic_fetch_add(&job->next, 1)) < job->groups)
        rc = dissolve_group(job, &d, g);
    if (rc != RG_OK)
        rg__first_failure_set(&job->failure, rc, d.ctx);
    rg_geo__coverage_free(d.coverage);
    rg__buf_free(&d.buf);
    rg_ctx_free(d.ctx);
    return NULL;
}

/* A dissolved area's identity, from the first of its parts: the code and the names above
 * it that the part's layer gave, one level up; its alternative code the parent of the
 * part's. */
static int name_dissolved(rg_areas *areas, const rg_geo__area *part, rg_geo__area *merged)
{
    rg_geo__area area = *merged;
    area.code = rg_strdup(part->parent);
    for (int u = 0; u < RG_GEO__UPPER_NAMES; u++) {
        const char *name = part->upper_names[u];
        char *copy = name ? rg_strdup(name) : NULL;
        if (u == 0)
            area.name = copy;
        else
            area.upper_names[u - 1] = copy;
    }
    area.parent = rg_geo__parent_of_code(part->parent);
    area.alt_code = rg_geo__parent_of_code(part->alt_code);
    return area.code ? rg_geo__areas_add(areas, &area) : (rg_geo__area_clear(&area), RG_ENOMEM);
}

typedef struct {
    const char *parent;
    size_t part;
} by_parent;

static int compare_by_parent(const void *a, const void *b)
{
    const by_parent *x = a, *y = b;
    int c = strcmp(x->parent, y->parent);
    return c ? c : (x->part > y->part) - (x->part < y->part);
}

/* The parts that have a parent, grouped by it (a parent field need not be a prefix of the
 * code: group on the parent itself). Fills order[] and group_start[]; returns the groups. */
static size_t group_by_parent(const rg_areas *parts, size_t *order, size_t *group_start, by_parent *sorting)
{
    size_t grouped = 0, groups = 0;
    for (size_t i = 0; i < parts->count; i++)
        if (parts->items[i].parent)
            sorting[grouped++] = (by_parent){parts->items[i].parent, i};
    qsort(sorting, grouped, sizeof *sorting, compare_by_parent);
    for (size_t i = 0; i < grouped; i++) {
        order[i] = sorting[i].part;
        if (i == 0 || strcmp(sorting[i].parent, sorting[i - 1].parent) != 0)
            group_start[groups++] = i;
    }
    group_start[groups] = grouped;
    return groups;
}

int rg_geo_areas_dissolve(rg_areas **out, rg_ctx *ctx, const rg_areas *parts, rg_area_kind kind)
{
    *out = NULL;
    int rc = RG_OK;
    size_t count = parts->count ? parts->count : 1;
    rg_areas *areas = NULL;
    size_t *order = rg_calloc(count, sizeof *order);
    size_t *group_start = rg_calloc(count + 1, sizeof *group_start);
    rg_geo__area *merged = rg_calloc(count, sizeof *merged);
    by_parent *sorting = rg_calloc(count, sizeof *sorting);
    if (!order || !group_start || !merged || !sorting) {
        rc = RG_ENOMEM;
        goto done;
    }
    if ((rc = rg_geo__areas_new(&areas, ctx)) != RG_OK)
        goto done;
    size_t groups = group_by_parent(parts, order, group_start, sorting);
    dissolve_job job = {.parts = parts, .made = areas, .what = rg_geo_area_kind_name(kind), .order = order,
                        .group_start = group_start, .groups = groups, .merged = merged};
    atomic_init(&job.next, 0);
    atomic_init(&job.general, 0);
    rg__first_failure_init(&job.failure);
    rg__parallel(rg__default_threads(), dissolve_worker, &job);
    if ((rc = rg__first_failure_finish(&job.failure, ctx)) != RG_OK)
        goto done;
    size_t general = atomic_load(&job.general);
    if (general)
        rg_ctx_notice(ctx, RG_NOTICE_DETAIL,
                      "%zu of %zu %s are not a clean coverage of their parts (overlaps, gaps or borders that do not"
                      " share their vertices): dissolved by a general union",
                      general, groups, job.what);
    for (size_t g = 0; g < groups && rc == RG_OK; g++)
        rc = name_dissolved(areas, &parts->items[order[group_start[g]]], &merged[g]);
    double filling = rg__seconds_now();
    if (rc == RG_OK && (rc = rg_geo__fill_gaps(areas, parts, job.what)) == RG_OK)
        rg_ctx_notice(ctx, RG_NOTICE_DETAIL, "%s: gaps filled in %.2f s", job.what, rg__seconds_now() - filling);
    if (rc == RG_OK) {
        char source[64];
        snprintf(source, sizeof source, "%s dissolved from the level below", job.what);
        rc = rg_geo__areas_finish(areas, source);
    }

done:
    rg_free(sorting);
    rg_free(merged);
    rg_free(group_start);
    rg_free(order);
    if (rc != RG_OK) {
        rg_geo_areas_free(areas);
        return rc;
    }
    *out = areas;
    return RG_OK;
}
