/* Shared inside geo/ only. */
#ifndef RG_GEO_INTERNAL_H
#define RG_GEO_INTERNAL_H

#include "core/internal.h"
#include "geo/geo.h"

typedef struct {
    char *code, *name, *parent, *alt_code, *parent_name;
    GEOSGeometry *geom;
    int repaired;
    rg_urban_rural area_type;
} rg_geo__area;

struct rg_areas {
    rg_ctx *ctx;
    rg_geo__area *items;
    size_t count, cap;
    size_t *by_code;       /* indexes sorted by code, for rg_geo_areas_find */
    GEOSSTRtree *tree;
};

/* Sorts by code, rejects duplicates and builds the STRtree. (Prepared geometries belong
 * to each locator, see index.c.) */
int rg_geo__areas_finish(rg_areas *areas, const char *source);
/* Appends an area, taking ownership of geom and of the strings. */
int rg_geo__areas_add(rg_areas *areas, rg_geo__area *area);
void rg_geo__area_clear(rg_areas *areas, rg_geo__area *area);

/* rg_geo_locate() for a point the caller already made (pt borrowed, at lon/lat), so
 * one GEOS point serves the kelurahan and the kecamatan lookup of a household. */
int rg_geo__locate_point(rg_locator *locator, const GEOSGeometry *pt, double lon, double lat,
                         double max_distance_m, rg_match *out);

#endif
