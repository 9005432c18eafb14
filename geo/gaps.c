/*
 * Gaps: desa digitised one by one leave slivers between them, a few metres wide, and the
 * union of a kecamatan's desa keeps each as a hole (169 in Kota Kupang's). On a map of the
 * upper levels every hole is a ring of outline, and at 1:1,700,000 the city was mostly grey
 * lines. A hole that is small (under GAP_MAX_M2) and whose inner point no part of another
 * area holds is such a gap, and is filled; an enclave (the desa of another kecamatan inside
 * this one) or a large hole (a lake outside every desa) stays.
 */
#include "geo/internal.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* 10 ha: a sliver 20 m wide along 5 km of border. */
#define GAP_MAX_M2 1e5
#define M_PER_DEGREE 111320.0
#define RG_GAPS_RAD (3.14159265358979323846 / 180)

typedef struct {
    size_t *items;
    size_t count, cap;
} hits;

static void collect(void *item, void *userdata)
{
    hits *h = userdata;
    /* Without memory, fewer candidates: a hole may be filled wrongly, never the step failed. */
    if (rg__grow(&h->items, &h->cap, h->count + 1, sizeof *h->items) == RG_OK)
        h->items[h->count++] = (size_t)(uintptr_t)item;
}

/* The parts of other areas met while one area's holes are tested, read and prepared once
 * each (a kab/kota's holes meet the same few large kecamatan again and again), freed when
 * the next area starts: only the neighbourhood is ever in memory. */
typedef struct {
    size_t part;
    GEOSGeometry *geom;
    const GEOSPreparedGeometry *prepared;
} cached;

typedef struct {
    rg_ctx *ctx;
    const rg_areas *parts;
    rg_buf buf;
    hits found;
    cached *items;
    size_t count, cap;
} neighbourhood;

static void neighbourhood_clear(neighbourhood *n)
{
    GEOSContextHandle_t h = rg__ctx_geos(n->ctx);
    for (size_t i = 0; i < n->count; i++) {
        GEOSPreparedGeom_destroy_r(h, n->items[i].prepared);
        GEOSGeom_destroy_r(h, n->items[i].geom);
    }
    n->count = 0;
}

/* Part k prepared, or NULL when it cannot be read (it then covers nothing). */
static const GEOSPreparedGeometry *prepared_part(neighbourhood *n, size_t k)
{
    for (size_t i = 0; i < n->count; i++)
        if (n->items[i].part == k)
            return n->items[i].prepared;
    if (rg__grow(&n->items, &n->cap, n->count + 1, sizeof *n->items) != RG_OK)
        return NULL;
    GEOSGeometry *g = NULL;
    if (rg_geo__areas_geom(n->parts, n->ctx, k, &n->buf, &g) != RG_OK)
        return NULL;
    const GEOSPreparedGeometry *p = GEOSPrepare_r(rg__ctx_geos(n->ctx), g);
    if (!p) {
        GEOSGeom_destroy_r(rg__ctx_geos(n->ctx), g);
        return NULL;
    }
    n->items[n->count++] = (cached){k, g, p};
    return p;
}

/* Whether a part of another area than `code` holds the hole's inner point: an enclave. A
 * sliver between parts is covered by none (that is why it is a hole of their union). */
static int enclave(neighbourhood *n, const char *code, const GEOSGeometry *hole)
{
    GEOSContextHandle_t h = rg__ctx_geos(n->ctx);
    GEOSGeometry *inner = GEOSPointOnSurface_r(h, hole);
    int found = 0;
    n->found.count = 0;
    if (inner)
        GEOSSTRtree_query_r(h, n->parts->tree, inner, collect, &n->found);
    for (size_t k = 0; k < n->found.count && !found; k++) {
        const rg_geo__area *part = &n->parts->items[n->found.items[k]];
        if (part->parent && strcmp(part->parent, code) == 0)
            continue;
        const GEOSPreparedGeometry *p = prepared_part(n, n->found.items[k]);
        found = p && GEOSPreparedIntersects_r(h, p, inner) == 1;
    }
    GEOSGeom_destroy_r(h, inner);
    return found;
}

/* polygon without its gaps, as a new geometry; *filled counts them, *m2 adds their area. */
static GEOSGeometry *without_gaps(neighbourhood *nb, const GEOSGeometry *polygon, const char *code, size_t *filled,
                                  double *m2)
{
    GEOSContextHandle_t h = rg__ctx_geos(nb->ctx);
    int n = GEOSGetNumInteriorRings_r(h, polygon);
    GEOSGeometry **kept = rg_calloc(n > 0 ? (size_t)n : 1, sizeof *kept);
    GEOSGeometry *shell = GEOSGeom_clone_r(h, GEOSGetExteriorRing_r(h, polygon));
    unsigned count = 0;
    for (int i = 0; kept && shell && i < n; i++) {
        const GEOSGeometry *ring = GEOSGetInteriorRingN_r(h, polygon, i);
        GEOSGeometry *hole = GEOSGeom_createPolygon_r(h, GEOSGeom_clone_r(h, ring), NULL, 0);
        double a = 0, miny = 0, maxy = 0;
        int measured = hole && GEOSArea_r(h, hole, &a) == 1 && GEOSGeom_getYMin_r(h, hole, &miny) == 1 &&
                       GEOSGeom_getYMax_r(h, hole, &maxy) == 1;
        double hole_m2 = a * M_PER_DEGREE * M_PER_DEGREE * cos((miny + maxy) / 2 * RG_GAPS_RAD);
        if (measured && hole_m2 < GAP_MAX_M2 && !enclave(nb, code, hole)) {
            (*filled)++;
            *m2 += hole_m2;
        } else {
            kept[count++] = GEOSGeom_clone_r(h, ring);
        }
        GEOSGeom_destroy_r(h, hole);
    }
    GEOSGeometry *out = kept && shell ? GEOSGeom_createPolygon_r(h, shell, kept, count) : NULL;
    if (!out) {
        GEOSGeom_destroy_r(h, shell);
        for (unsigned i = 0; kept && i < count; i++)
            GEOSGeom_destroy_r(h, kept[i]);
    }
    rg_free(kept);
    return out;
}

/* Area i of made with its gaps filled, written anew to the scratch file. */
static int fill_area(neighbourhood *nb, rg_areas *made, size_t i, size_t *filled, double *m2)
{
    rg_ctx *ctx = nb->ctx;
    GEOSContextHandle_t h = rg__ctx_geos(ctx);
    GEOSGeometry *g = NULL, *filled_g = NULL;
    int rc = rg_geo__areas_geom(made, ctx, i, &nb->buf, &g);
    size_t before = *filled;
    int n = rc == RG_OK ? GEOSGetNumGeometries_r(h, g) : 0;
    GEOSGeometry **polygons = rc == RG_OK ? rg_calloc(n > 0 ? (size_t)n : 1, sizeof *polygons) : NULL;
    if (rc == RG_OK && !polygons)
        rc = RG_ENOMEM;
    int made_all = 1;
    for (int k = 0; rc == RG_OK && k < n && made_all; k++)
        made_all = (polygons[k] = without_gaps(nb, GEOSGetGeometryN_r(h, g, k), made->items[i].code, filled, m2)) != NULL;
    if (rc == RG_OK && made_all && *filled > before)
        filled_g = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polygons, (unsigned)n);
    else
        for (int k = 0; polygons && k < n; k++)
            GEOSGeom_destroy_r(h, polygons[k]);
    rg_free(polygons);
    /* A filled hole may have held an island of the same area: the union makes it one. */
    if (filled_g && GEOSisValid_r(h, filled_g) != 1) {
        GEOSGeometry *u = GEOSUnaryUnion_r(h, filled_g);
        GEOSGeom_destroy_r(h, filled_g);
        filled_g = u && GEOSisValid_r(h, u) == 1 ? u : (GEOSGeom_destroy_r(h, u), NULL);
    }
    if (filled_g)
        rc = rg_geo__areas_put(made, ctx, filled_g, &made->items[i]);
    else if (*filled > before) /* left as it was: the holes are counted back out */
        *filled = before;
    GEOSGeom_destroy_r(h, filled_g);
    GEOSGeom_destroy_r(h, g);
    return rc;
}

int rg_geo__fill_gaps(rg_areas *made, const rg_areas *parts, const char *what)
{
    rg_ctx *ctx = made->ctx;
    neighbourhood n = {.ctx = ctx, .parts = parts};
    rg_buf wkb = {0};
    size_t filled = 0;
    double m2 = 0;
    int rc = RG_OK;
    for (size_t i = 0; i < made->count && rc == RG_OK; i++) {
        const rg_geo__area *a = &made->items[i];
        if ((rc = rg__buf_reserve(&wkb, a->wkb_size)) != RG_OK)
            break;
        if ((rc = rg_geo__areas_read_wkb(made, ctx, i, wkb.data)) == RG_OK &&
            rg_geo__wkb_has_holes((const unsigned char *)wkb.data, a->wkb_size) == 1)
            rc = fill_area(&n, made, i, &filled, &m2);
        neighbourhood_clear(&n);
    }
    if (rc == RG_OK && filled)
        rg_ctx_notice(ctx, RG_NOTICE_INFO,
                      "%s: %zu gaps between their parts filled (holes under %.0f ha that no other area covers,"
                      " %.2f ha in all)",
                      what, filled, GAP_MAX_M2 / 1e4, m2 / 1e4);
    rg_free(n.found.items);
    rg_free(n.items);
    rg__buf_free(&n.buf);
    rg__buf_free(&wkb);
    return rc;
}
