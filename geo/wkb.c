/*
 * WKB read without GEOS, for the passes that need only its counts and numbers: the union from
 * edges (coverage.c) reads every ring, the gap filling (gaps.c) asks whether there is a hole
 * at all before it makes a geometry.
 */
#include "geo/internal.h"

#include <string.h>

int rg_geo__wkb_u32(rg_geo__wkb_reader *r, uint32_t *value)
{
    if (r->end - r->p < 4)
        return RG_EDATA;
    uint32_t x;
    memcpy(&x, r->p, 4);
    *value = r->swap ? __builtin_bswap32(x) : x;
    r->p += 4;
    return RG_OK;
}

int rg_geo__wkb_header(rg_geo__wkb_reader *r, uint32_t *type)
{
    static const uint32_t one = 1;
    if (r->p >= r->end || r->p[0] > 1)
        return RG_EDATA;
    int little = *(const unsigned char *)&one == 1;
    r->swap = (r->p[0] == 1) != little;
    r->p++;
    return rg_geo__wkb_u32(r, type);
}

/* One polygon's rings: 1 when it has a hole, else its points are stepped over. */
static int polygon_has_hole(rg_geo__wkb_reader *r)
{
    uint32_t rings, points;
    if (rg_geo__wkb_u32(r, &rings) != RG_OK)
        return -1;
    if (rings > 1)
        return 1;
    if (rings == 1 && (rg_geo__wkb_u32(r, &points) != RG_OK || (size_t)(r->end - r->p) / 16 < points))
        return -1;
    r->p += rings ? 16 * (size_t)points : 0;
    return 0;
}

int rg_geo__wkb_has_holes(const unsigned char *wkb, size_t size)
{
    rg_geo__wkb_reader r = {wkb, wkb + size, 0};
    uint32_t type, n;
    if (rg_geo__wkb_header(&r, &type) != RG_OK)
        return -1;
    if (type == 3)
        return polygon_has_hole(&r);
    if (type != 6 || rg_geo__wkb_u32(&r, &n) != RG_OK)
        return -1;
    int found = 0;
    for (uint32_t i = 0; i < n && found == 0; i++)
        found = rg_geo__wkb_header(&r, &type) == RG_OK && type == 3 ? polygon_has_hole(&r) : -1;
    return found;
}
