/*
 * Coordinate reference systems, once for every step: whatever CRS households or boundaries
 * come in (a layer's own, or one the user names with --crs), they are turned into EPSG:4326
 * in longitude, latitude order, the order GIS files and GeoJSON use, whatever axis order the
 * EPSG definition gives.
 */
#include "io/internal.h"

#include <cpl_error.h>
#include <ogr_srs_api.h>
#include <stdio.h>

void *rg_io_crs_wgs84(void)
{
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    if (srs && OSRImportFromEPSG(srs, 4326) != OGRERR_NONE) {
        OSRDestroySpatialReference(srs);
        return NULL;
    }
    if (srs)
        OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}

/* The transformation from `from` (the caller's, its axis order set here) to EPSG:4326;
 * NULL in *out when it is EPSG:4326 already. */
static int transformation(void **out, rg_ctx *ctx, OGRSpatialReferenceH from, const char *what, const char *name)
{
    *out = NULL;
    OGRSpatialReferenceH wgs84 = rg_io_crs_wgs84();
    if (!wgs84)
        return rg_ctx_error(ctx, RG_EPROJ, "%s: EPSG:4326 is unknown to PROJ here: %s", what, CPLGetLastErrorMsg());
    OSRSetAxisMappingStrategy(from, OAMS_TRADITIONAL_GIS_ORDER);
    int rc = RG_OK;
    if (!OSRIsSame(from, wgs84)) {
        *out = OCTNewCoordinateTransformation(from, wgs84);
        if (!*out)
            rc = rg_ctx_error(ctx, RG_EPROJ, "%s: no transformation from %s to EPSG:4326: %s", what, name,
                              CPLGetLastErrorMsg());
        else
            rg_ctx_notice(ctx, RG_NOTICE_INFO, "%s: coordinates in %s, transformed to EPSG:4326", what,
                          OSRGetName(from) ? OSRGetName(from) : name);
    }
    OSRDestroySpatialReference(wgs84);
    return rc;
}

int rg_io_crs_from_text(void **out, rg_ctx *ctx, const char *text, const char *what)
{
    *out = NULL;
    OGRSpatialReferenceH from = OSRNewSpatialReference(NULL);
    if (!from)
        return RG_ENOMEM;
    int rc = OSRSetFromUserInput(from, text) == OGRERR_NONE
                 ? transformation(out, ctx, from, what, text)
                 : rg_ctx_error(ctx, RG_EPROJ, "%s: --crs '%s' is not a CRS PROJ knows", what, text);
    OSRDestroySpatialReference(from);
    return rc;
}

int rg_io_crs_from_srs(void **out, rg_ctx *ctx, const void *srs, const char *what)
{
    *out = NULL;
    OGRSpatialReferenceH from = OSRClone((OGRSpatialReferenceH)srs);
    if (!from)
        return RG_ENOMEM;
    int rc = transformation(out, ctx, from, what, "its CRS");
    OSRDestroySpatialReference(from);
    return rc;
}

void rg_io_crs_free(void *transformation)
{
    if (transformation)
        OCTDestroyCoordinateTransformation(transformation);
}
