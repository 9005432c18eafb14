/*
 * Point location: STRtree candidates, then prepared-geometry predicates. The choice
 * among several candidates depends only on their codes, never on the order the
 * polygons came in, so the same data always gives the same answer.
 *
 * Each locator (one a thread) reads the polygons it meets from the areas' scratch file,
 * prepares them and keeps them while their vertices fit its budget, evicting the least
 * recently used (the CLOCK algorithm). A prepared polygon's segment index costs about as
 * much memory as the polygon itself: preparing all 84,000 kelurahan of the country at
 * once took 1.3 GB more, and holding them unprepared another gigabyte. Points come in
 * Hilbert order, so a polygon is met in one stretch and rarely read twice; and a
 * locator's own prepared geometries need no warming before threads share them, since
 * threads share none.
 */
#include "geo/internal.h"

#include <math.h>
#include <string.h>

/* Vertices a locator keeps prepared by default (~100 bytes each with their index): room
 * for the few dozen kelurahan around a thread's stretch of points, or a coastal kecamatan. */
#define KEPT_COORDINATES (1 << 16)
#define KEPT_MAX 1024

typedef struct {
    size_t area;
    GEOSGeometry *geom; /* NULL: the slot is free */
    const GEOSPreparedGeometry *prepared;
    int coordinates;
    int recently_used;
} prepared_slot;

struct rg_locator {
    rg_ctx *ctx;
    const rg_areas *areas;
    size_t *candidates;
    size_t count, cap;
    int overflow;
    prepared_slot slots[KEPT_MAX];
    size_t free_slots[KEPT_MAX], free_count;
    size_t hand;
    long kept_coordinates, keep_coordinates;
    int32_t *slot_of; /* for each area, its slot, or -1 */
    rg_buf wkb;       /* reused to read polygons back */
};

static const char *const method_names[] = {"unmatched", "within", "boundary", "nearest", "code"};

const char *rg_geo_join_method_name(rg_join_method method)
{
    return (unsigned)method <= RG_JOIN_CODE ? method_names[method] : "unmatched";
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
    loc->slot_of = rg_malloc((areas->count ? areas->count : 1) * sizeof *loc->slot_of);
    if (!loc->candidates || !loc->slot_of) {
        rg_geo_locator_free(loc);
        return RG_ENOMEM;
    }
    for (size_t i = 0; i < areas->count; i++)
        loc->slot_of[i] = -1;
    for (size_t i = 0; i < KEPT_MAX; i++)
        loc->free_slots[i] = KEPT_MAX - 1 - i;
    loc->free_count = KEPT_MAX;
    loc->keep_coordinates = KEPT_COORDINATES;
    *out = loc;
    return RG_OK;
}

void rg_geo__locator_keep(rg_locator *loc, long coordinates)
{
    loc->keep_coordinates = coordinates > 0 ? coordinates : KEPT_COORDINATES;
}

static void release(rg_locator *loc, GEOSContextHandle_t h, size_t slot)
{
    prepared_slot *s = &loc->slots[slot];
    loc->slot_of[s->area] = -1;
    loc->kept_coordinates -= s->coordinates;
    GEOSPreparedGeom_destroy_r(h, s->prepared);
    GEOSGeom_destroy_r(h, s->geom);
    memset(s, 0, sizeof *s);
    loc->free_slots[loc->free_count++] = slot;
}

void rg_geo_locator_free(rg_locator *loc)
{
    if (!loc)
        return;
    for (size_t i = 0; i < KEPT_MAX; i++)
        if (loc->slots[i].geom)
            release(loc, rg__ctx_geos(loc->ctx), i);
    rg_free(loc->slot_of);
    rg_free(loc->candidates);
    rg__buf_free(&loc->wkb);
    rg_free(loc);
}

/* Area a, from this locator's slots or read now, evicting the least recently used while
 * the budget is exceeded (but never the last one: a polygon larger than the whole budget
 * is still kept while it is used). *out is valid until the next call.
 * @return RG_OK, or the failure (message on the context). */
static int kept(rg_locator *loc, GEOSContextHandle_t h, size_t a, const prepared_slot **out)
{
    int32_t s = loc->slot_of[a];
    if (s >= 0) {
        loc->slots[s].recently_used = 1;
        *out = &loc->slots[s];
        return RG_OK;
    }
    GEOSGeometry *geom = NULL;
    int rc = rg_geo__areas_geom(loc->areas, loc->ctx, a, &loc->wkb, &geom);
    if (rc != RG_OK)
        return rc;
    const GEOSPreparedGeometry *made = GEOSPrepare_r(h, geom);
    if (!made) {
        rc = rg_ctx_error(loc->ctx, RG_EGEOS, "area %s: %s", loc->areas->items[a].code,
                          rg__ctx_geos_message(loc->ctx));
        GEOSGeom_destroy_r(h, geom);
        return rc;
    }
    int coordinates = loc->areas->items[a].coordinates;
    while (loc->free_count < KEPT_MAX &&
           (loc->free_count == 0 || loc->kept_coordinates + coordinates > loc->keep_coordinates)) {
        prepared_slot *victim = &loc->slots[loc->hand];
        if (victim->geom && !victim->recently_used)
            release(loc, h, loc->hand);
        else
            victim->recently_used = 0;
        loc->hand = (loc->hand + 1) % KEPT_MAX;
    }
    size_t slot = loc->free_slots[--loc->free_count];
    loc->slots[slot] = (prepared_slot){a, geom, made, coordinates, 1};
    loc->slot_of[a] = (int32_t)slot;
    loc->kept_coordinates += coordinates;
    *out = &loc->slots[slot];
    return RG_OK;
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
        const prepared_slot *slot = NULL;
        if ((rc = kept(loc, h, a, &slot)) != RG_OK)
            return rc;
        GEOSCoordSequence *seq = GEOSNearestPoints_r(h, slot->geom, pt);
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
        const prepared_slot *slot = NULL;
        if ((rc = kept(loc, h, a, &slot)) != RG_OK)
            return rc;
        const GEOSPreparedGeometry *prep = slot->prepared;
        char contains = GEOSPreparedContains_r(h, prep, pt);
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
