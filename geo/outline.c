/*
 * Outlines: what a map draws of a level the boundary file gives. A kecamatan layer digitised
 * apart from its desa (as BPS's and BIG's are) cuts across them: on the Kupang sample it
 * differs from the union of its kelurahan on ~8% of its area, and its lines ran through
 * kelurahan on every map. So a level is drawn as the union of its parts, the level below,
 * and nests; the file's layer keeps what it is good for, the codes, names and types, and
 * (kecamatan) the check of each household's point, and the share of area where it differs
 * is reported.
 */
#include "geo/internal.h"

#include <string.h>

static int copy_attributes(const rg_geo__area *from, rg_geo__area *to)
{
    memset(to, 0, sizeof *to);
    to->repaired = from->repaired;
    to->area_type = from->area_type;
    const char *src[] = {from->code, from->name, from->parent, from->alt_code};
    char **dst[] = {&to->code, &to->name, &to->parent, &to->alt_code};
    for (size_t i = 0; i < sizeof src / sizeof *src; i++)
        if (src[i] && !(*dst[i] = rg_strdup(src[i])))
            return RG_ENOMEM;
    for (int u = 0; u < RG_GEO__UPPER_NAMES; u++)
        if (from->upper_names[u] && !(to->upper_names[u] = rg_strdup(from->upper_names[u])))
            return RG_ENOMEM;
    return RG_OK;
}

/* Area i of `from` with its polygon as `from` has it, appended to `to` with attrs. */
static int put_polygon(rg_areas *to, rg_ctx *ctx, const rg_areas *from, size_t i, rg_buf *buf, rg_geo__area *attrs)
{
    const rg_geo__area *a = &from->items[i];
    int rc = rg__buf_reserve(buf, a->wkb_size) == RG_OK ? rg_geo__areas_read_wkb(from, ctx, i, buf->data) : RG_ENOMEM;
    if (rc == RG_OK) {
        memcpy(attrs->bounds, a->bounds, sizeof attrs->bounds);
        attrs->coordinates = a->coordinates;
        rc = rg_geo__areas_put_wkb(to, ctx, (const unsigned char *)buf->data, a->wkb_size, attrs);
    }
    return rc == RG_OK ? rg_geo__areas_add(to, attrs) : rc;
}

/* The area where given area i and outline j differ, and given's own: added to the sums.
 * A polygon GEOS cannot compare is left out of both (the share is a report, not a check). */
static void add_difference(rg_ctx *ctx, const rg_areas *given, size_t i, const rg_areas *outlines, long j,
                           rg_buf *buf, double *differ, double *total)
{
    GEOSContextHandle_t h = rg__ctx_geos(ctx);
    GEOSGeometry *g = NULL, *o = NULL, *x = NULL;
    double a = 0, d = 0;
    if (rg_geo__areas_geom(given, ctx, i, buf, &g) == RG_OK && rg_geo__areas_geom(outlines, ctx, (size_t)j, buf, &o) == RG_OK &&
        (x = GEOSSymDifference_r(h, g, o)) != NULL && GEOSArea_r(h, g, &a) == 1 && GEOSArea_r(h, x, &d) == 1) {
        *differ += d;
        *total += a;
    }
    GEOSGeom_destroy_r(h, g);
    GEOSGeom_destroy_r(h, o);
    GEOSGeom_destroy_r(h, x);
}

int rg_geo__outline(rg_areas **out, rg_ctx *ctx, const char *path, const rg_areas *given, const rg_areas *parts,
                    rg_area_kind kind)
{
    rg_areas *dissolved = NULL, *drawn = NULL;
    rg_buf buf = {0};
    double differ = 0, total = 0;
    size_t own = 0;
    *out = NULL;
    int rc = rg_geo_areas_dissolve(&dissolved, ctx, parts, kind);
    if (rc == RG_OK)
        rc = rg_geo__areas_new(&drawn, ctx);
    for (size_t i = 0; rc == RG_OK && i < given->count; i++) {
        rg_geo__area attrs;
        long j = rg_geo_areas_find(dissolved, given->items[i].code);
        if (j < 0 && given->items[i].alt_code)
            j = rg_geo_areas_find(dissolved, given->items[i].alt_code);
        if ((rc = copy_attributes(&given->items[i], &attrs)) == RG_OK)
            rc = j >= 0 ? put_polygon(drawn, ctx, dissolved, (size_t)j, &buf, &attrs)
                        : put_polygon(drawn, ctx, given, i, &buf, &attrs); /* no part names it */
        rg_geo__area_clear(&attrs);
        own += j < 0;
        if (rc == RG_OK && j >= 0)
            add_difference(ctx, given, i, dissolved, j, &buf, &differ, &total);
    }
    if (rc == RG_OK)
        rc = rg_geo__areas_finish(drawn, path);
    if (rc == RG_OK) {
        const char *what = rg_geo_area_kind_name(kind), *below = rg_geo_area_kind_name((rg_area_kind)(kind - 1));
        rg_ctx_notice(ctx, RG_NOTICE_INFO,
                      "%s: %s drawn as the union of their %s, so that they nest; the file's %s layer gives their"
                      " codes and names, and differs from that union on %.1f%% of its area",
                      path, what, below, what, total > 0 ? 100.0 * differ / total : 0.0);
        if (own)
            rg_ctx_notice(ctx, RG_NOTICE_WARNING, "%s: %zu %s have no %s in the file: drawn as the layer gives them",
                          path, own, what, below);
    }
    rg__buf_free(&buf);
    rg_geo_areas_free(dissolved);
    if (rc != RG_OK) {
        rg_geo_areas_free(drawn);
        return rc;
    }
    *out = drawn;
    return RG_OK;
}
