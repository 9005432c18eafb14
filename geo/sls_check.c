/*
 * An SLS map beside a desa layer in one file: two digitisations of the same ground, made
 * apart. Where an SLS sticks out of the desa its code names by a sliver, that is the two
 * hands; where it lies mostly outside, its code or the desa's polygon is wrong, and the
 * households there get a desa from one and no SLS from the other (flag sls_other_desa).
 * The office is told which, before it relies on either.
 */
#include "geo/internal.h"

#include <geos_c.h>

/* The share of an SLS's area outside its desa beyond which its code or the desa is wrong:
 * two hands digitising one border leave slivers of metres, a large share of only a small SLS. */
#define MOSTLY_OUTSIDE 0.5

typedef struct {
    size_t no_desa, outside, mostly;
    double worst;
    size_t worst_at;
    const char *no_desa_example;
} sls_report;

/* The share of SLS i's area outside desa d, 0 when it lies inside (tested first: most do). */
static int share_outside(rg_ctx *ctx, const rg_areas *sls, size_t i, const rg_areas *kel, size_t d, rg_buf *buf,
                         double *share)
{
    GEOSContextHandle_t h = rg__ctx_geos(ctx);
    GEOSGeometry *a = NULL, *b = NULL, *diff = NULL;
    int rc = rg_geo__areas_geom(sls, ctx, i, buf, &a);
    if (rc == RG_OK)
        rc = rg_geo__areas_geom(kel, ctx, d, buf, &b);
    *share = 0;
    double whole = 0, out = 0;
    if (rc == RG_OK && GEOSCovers_r(h, b, a) != 1) {
        diff = GEOSDifference_r(h, a, b);
        if (!diff || !GEOSArea_r(h, a, &whole) || !GEOSArea_r(h, diff, &out))
            rc = rg_ctx_error(ctx, RG_EGEOS, "SLS %s: %s", rg_geo_areas_code(sls, i), rg__ctx_geos_message(ctx));
        else if (whole > 0)
            *share = out / whole;
    }
    if (diff)
        GEOSGeom_destroy_r(h, diff);
    if (a)
        GEOSGeom_destroy_r(h, a);
    if (b)
        GEOSGeom_destroy_r(h, b);
    return rc;
}

int rg_geo__sls_check(rg_ctx *ctx, const char *path, const rg_areas *sls, const rg_areas *kelurahan)
{
    sls_report r = {0};
    rg_buf buf = {0};
    int rc = RG_OK;
    for (size_t i = 0; i < rg_geo_areas_count(sls) && rc == RG_OK; i++) {
        long d = rg_geo_areas_find(kelurahan, rg_geo_areas_parent(sls, i));
        if (d < 0) {
            if (!r.no_desa++)
                r.no_desa_example = rg_geo_areas_code(sls, i);
            continue;
        }
        double share = 0;
        rc = share_outside(ctx, sls, i, kelurahan, (size_t)d, &buf, &share);
        r.outside += share > 0;
        r.mostly += share > MOSTLY_OUTSIDE;
        if (share > r.worst) {
            r.worst = share;
            r.worst_at = i;
        }
    }
    rg__buf_free(&buf);
    if (rc != RG_OK)
        return rc;
    rg_ctx_notice(ctx, RG_NOTICE_INFO, "%s: %zu SLS beside %zu desa/kelurahan: both kept (the desa from their layer)",
                  path, rg_geo_areas_count(sls), rg_geo_areas_count(kelurahan));
    if (r.no_desa)
        rg_ctx_notice(ctx, RG_NOTICE_WARNING, "%s: %zu SLS name a desa the desa layer lacks (%s, for one)", path,
                      r.no_desa, r.no_desa_example);
    if (r.mostly)
        rg_ctx_notice(ctx, RG_NOTICE_WARNING,
                      "%s: %zu of %zu SLS lie mostly (over %.0f%%) outside the desa their code names (the most: SLS"
                      " %s, %.0f%% outside %s): their code or the desa's polygon is wrong", path, r.mostly,
                      rg_geo_areas_count(sls), 100 * MOSTLY_OUTSIDE, rg_geo_areas_code(sls, r.worst_at),
                      100 * r.worst, rg_geo_areas_parent(sls, r.worst_at));
    else if (r.outside)
        rg_ctx_notice(ctx, RG_NOTICE_INFO, "%s: %zu SLS stick out of their desa by slivers (at most %.1f%% of an SLS)",
                      path, r.outside, 100 * r.worst);
    return RG_OK;
}
