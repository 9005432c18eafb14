/*
 * Point location: STRtree candidates, then prepared-geometry predicates. The choice
 * among several candidates depends only on their codes, never on the order the
 * polygons came in, so the same data always gives the same answer.
 *
 * Each locator (one a thread) prepares the polygons it meets and keeps at most
 * PREPARED_KEPT of them, evicting the least recently used (the CLOCK algorithm). A
 * prepared polygon's segment index costs about as much memory as the polygon itself:
 * preparing all 84,000 kelurahan of the country at once took 1.3 GB more. Points come
 * in Hilbert order, so a polygon is met in one stretch and rarely prepared twice; and a
 * locator's own prepared geometries need no warming before threads share them, since
 * threads share none.
 */
#include "geo/internal.h"

#include <math.h>
#include <string.h>

#define PREPARED_KEPT 1024

typedef struct {
    size_t area;
    const GEOSPreparedGeometry *prepared;
    int recently_used;
} prepared_slot;

struct rg_locator {
    rg_ctx *ctx;
    const rg_areas *areas;
    size_t *candidates;
    size_t count, cap;
    int overflow;
    prepared_slot *slots;
    size_t slots_used, hand;
    int32_t *slot_of; /* for each area, its slot, or -1 */
};

static const char *const method_names[] = {"unmatched", "within", "boundary", "nearest"};

const char *rg_geo_join_method_name(rg_join_method method)
{
    return (unsigned)method <= RG_JOIN_NEAREST ? method_names[method] : "unmatched";
}

int rg_geo_locator_new(rg_locator **out, rg_ctx *ctx, const rg_areas *areas)
{
    *out = NULL;
    rg_locator *loc = rg_calloc(1, sizeof *loc);
    if (!loc)
        return RG_ENOMEM;
    loc->ctx = ctx;
    loc->areas = areas;
    /* Every area at once is the most a query can return, so the buffer never grows. */
    loc->cap = areas->count;
    loc->candidates = rg_calloc(loc->cap ? loc->cap : 1, sizeof *loc->candidates);
    loc->slots = rg_calloc(PREPARED_KEPT, sizeof *loc->slots);
    loc->slot_of = rg_malloc((areas->count ? areas->count : 1) * sizeof *loc->slot_of);
    if (!loc->candidates || !loc->slots || !loc->slot_of) {
        rg_geo_locator_free(loc);
        return RG_ENOMEM;
    }
    for (size_t i = 0; i < areas->count; i++)
        loc->slot_of[i] = -1;
    *out = loc;
    return RG_OK;
}

void rg_geo_locator_free(rg_locator *loc)
{
    if (!loc)
        return;
    for (size_t i = 0; i < loc->slots_used; i++)
        GEOSPreparedGeom_destroy_r(rg__ctx_geos(loc->ctx), loc->slots[i].prepared);
    rg_free(loc->slots);
    rg_free(loc->slot_of);
    rg_free(loc->candidates);
    rg_free(loc);
}

/* Area a prepared, from this locator's slots or made now in the place of the least
 * recently used. Valid until the next call. NULL: GEOS failed (message on the context). */
static const GEOSPreparedGeometry *prepared(rg_locator *loc, GEOSContextHandle_t h, size_t a)
{
    int32_t s = loc->slot_of[a];
    if (s >= 0) {
        loc->slots[s].recently_used = 1;
        return loc->slots[s].prepared;
    }
    const GEOSPreparedGeometry *made = GEOSPrepare_r(h, loc->areas->items[a].geom);
    if (!made)
        return NULL;
    size_t slot;
    if (loc->slots_used < PREPARED_KEPT) {
        slot = loc->slots_used++;
    } else {
        while (loc->slots[loc->hand].recently_used) {
            loc->slots[loc->hand].recently_used = 0;
            loc->hand = (loc->hand + 1) % PREPARED_KEPT;
        }
        slot = loc->hand;
        loc->hand = (loc->hand + 1) % PREPARED_KEPT;
        loc->slot_of[loc->slots[slot].area] = -1;
        GEOSPreparedGeom_destroy_r(h, loc->slots[slot].prepared);
    }
    loc->slots[slot] = (prepared_slot){a, made, 1};
    loc->slot_of[a] = (int32_t)slot;
    return made;
}

static void collect(void *item, void *userdata)
{
    rg_locator *loc = userdata;
    if (loc->count < loc->cap)
        loc->candidates[loc->count++] = (size_t)(uintptr_t)item;
    else
        loc->overflow = 1;
}

/* Candidates are area indexes and areas are sorted by code: the smallest index is the smallest code. */
static int query(rg_locator *loc, const GEOSGeometry *g)
{
    loc->count = 0;
    loc->overflow = 0;
    GEOSSTRtree_query_r(rg__ctx_geos(loc->ctx), loc->areas->tree, g, collect, loc);
    return loc->overflow ? RG_EGEOS : RG_OK;
}

static int nearest(rg_locator *loc, GEOSContextHandle_t h, const GEOSGeometry *pt, double lon, double lat,
                   double max_distance_m, rg_match *out)
{
    /* A box a little larger than max_distance_m on the ground: degrees of longitude shrink with latitude. */
    double dlat = max_distance_m / 110574.0 * 1.01 + 1e-9;
    double coslat = cos(lat * 3.14159265358979323846 / 180.0);
    double dlon = max_distance_m / (111320.0 * (coslat > 0.01 ? coslat : 0.01)) * 1.01 + 1e-9;
    GEOSGeometry *box = GEOSGeom_createRectangle_r(h, lon - dlon, lat - dlat, lon + dlon, lat + dlat);
    if (!box)
        return rg_ctx_error(loc->ctx, RG_EGEOS, "point (%.7f, %.7f): %s", lon, lat, rg__ctx_geos_message(loc->ctx));
    int rc = query(loc, box);
    GEOSGeom_destroy_r(h, box);
    if (rc != RG_OK)
        return rg_ctx_error(loc->ctx, rc, "point (%.7f, %.7f): index query failed", lon, lat);

    double best = INFINITY;
    long best_area = -1;
    for (size_t i = 0; i < loc->count; i++) {
        size_t a = loc->candidates[i];
        GEOSCoordSequence *seq = GEOSNearestPoints_r(h, loc->areas->items[a].geom, pt);
        if (!seq)
            return rg_ctx_error(loc->ctx, RG_EGEOS, "point (%.7f, %.7f): %s", lon, lat, rg__ctx_geos_message(loc->ctx));
        double x = 0, y = 0;
        GEOSCoordSeq_getXY_r(h, seq, 0, &x, &y);
        GEOSCoordSeq_destroy_r(h, seq);
        double d = rg__geodesic_m(lon, lat, x, y);
        if (d < best || (d == best && (long)a < best_area)) {
            best = d;
            best_area = (long)a;
        }
    }
    if (best_area >= 0 && best <= max_distance_m) {
        out->area = best_area;
        out->method = RG_JOIN_NEAREST;
        out->distance_m = best;
    }
    return RG_OK;
}

int rg_geo__locate_point(rg_locator *loc, const GEOSGeometry *pt, double lon, double lat, double max_distance_m,
                         rg_match *out)
{
    GEOSContextHandle_t h = rg__ctx_geos(loc->ctx);
    memset(out, 0, sizeof *out);
    out->area = -1;
    out->method = RG_JOIN_UNMATCHED;

    int rc = query(loc, pt);
    if (rc != RG_OK)
        return rg_ctx_error(loc->ctx, rc, "point (%.7f, %.7f): index query failed", lon, lat);
    long inside = -1, on_boundary = -1;
    int inside_count = 0;
    for (size_t i = 0; i < loc->count; i++) {
        size_t a = loc->candidates[i];
        const GEOSPreparedGeometry *prep = prepared(loc, h, a);
        char contains = prep ? GEOSPreparedContains_r(h, prep, pt) : 2;
        if (contains == 2)
            return rg_ctx_error(loc->ctx, RG_EGEOS, "point (%.7f, %.7f) in %s: %s", lon, lat,
                                loc->areas->items[a].code, rg__ctx_geos_message(loc->ctx));
        if (contains == 1) {
            inside_count++;
            if (inside < 0 || (long)a < inside)
                inside = (long)a;
            continue;
        }
        char covers = GEOSPreparedCovers_r(h, prep, pt);
        if (covers == 2)
            return rg_ctx_error(loc->ctx, RG_EGEOS, "point (%.7f, %.7f) in %s: %s", lon, lat,
                                loc->areas->items[a].code, rg__ctx_geos_message(loc->ctx));
        if (covers == 1 && (on_boundary < 0 || (long)a < on_boundary))
            on_boundary = (long)a;
    }
    if (inside >= 0) {
        out->area = inside;
        out->method = RG_JOIN_WITHIN;
        out->overlap = inside_count > 1;
    } else if (on_boundary >= 0) {
        out->area = on_boundary;
        out->method = RG_JOIN_BOUNDARY;
    } else if (max_distance_m > 0) {
        return nearest(loc, h, pt, lon, lat, max_distance_m, out);
    }
    return RG_OK;
}

int rg_geo_locate(rg_locator *loc, double lon, double lat, double max_distance_m, rg_match *out)
{
    GEOSContextHandle_t h = rg__ctx_geos(loc->ctx);
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, lon, lat);
    if (!pt)
        return rg_ctx_error(loc->ctx, RG_EGEOS, "point (%.7f, %.7f): %s", lon, lat, rg__ctx_geos_message(loc->ctx));
    int rc = rg_geo__locate_point(loc, pt, lon, lat, max_distance_m, out);
    GEOSGeom_destroy_r(h, pt);
    return rc;
}
