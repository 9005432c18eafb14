/*
 * Any OGR point source (GeoPackage, GeoJSON, Shapefile, ...): its fields are the columns, its
 * geometry the point, in its own CRS.
 */
#include "load/internal.h"

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <string.h>

/* Any OGR source: fields become columns, the point geometry (in any CRS) the coordinates. */
int rg_load__from_ogr(loader *L)
{
    int rc = RG_OK;
    GDALDatasetH ds = NULL;
    void *to_wgs84 = NULL; /* the layer's CRS to EPSG:4326 */
    char **header = NULL, **values = NULL;
    size_t n = 0;
    rg_buf raw = {0};
    OGRFeatureH feature = NULL;
    row_batch batch = {0};

    ds = GDALOpenEx(L->path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds) {
        char why[256];
        rc = rg_ctx_error(L->ctx, RG_EGDAL, "%s: not a CSV and not a vector source GDAL can open: %s", L->path,
                          rg__open_failure(L->path, CPLGetLastErrorMsg(), why, sizeof why));
        goto done;
    }
    OGRLayerH layer = L->opts->layer ? GDALDatasetGetLayerByName(ds, L->opts->layer)
                                     : (GDALDatasetGetLayerCount(ds) ? GDALDatasetGetLayer(ds, 0) : NULL);
    if (!layer) {
        rc = rg_ctx_error(L->ctx, RG_ENOTFOUND, "%s: no layer %s%s", L->path, L->opts->layer ? "named " : "",
                          L->opts->layer ? L->opts->layer : "at all");
        goto done;
    }
    /* A source of several layers is read from one: which, said, so a wrong pick shows. */
    if (GDALDatasetGetLayerCount(ds) > 1)
        rg_ctx_notice(L->ctx, RG_NOTICE_INFO, "%s: households from layer '%s' (of %d; --layer names another)", L->path,
                      OGR_L_GetName(layer), GDALDatasetGetLayerCount(ds));
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    n = (size_t)OGR_FD_GetFieldCount(defn);
    header = rg_calloc(n + 1, sizeof *header);
    values = rg_calloc(n + 1, sizeof *values);
    if (!header || !values) {
        rc = RG_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        if (!(header[i] = rg_strdup(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, (int)i))))) {
            rc = RG_ENOMEM;
            goto done;
        }
    L->header = (const char *const *)header;
    L->header_count = n;

    OGRSpatialReferenceH layer_srs = OGR_L_GetSpatialRef(layer);
    int has_geometry = OGR_FD_GetGeomType(defn) != wkbNone;
    if (has_geometry) {
        /* The geometry gives the coordinates; lat/lon columns become optional. */
        if ((rc = rg_load__map_columns(L, 0)) != RG_OK || (rc = rg_load__map_specs(L)) != RG_OK)
            goto done;
        if (!layer_srs && (rc = rg_load__prepare_crs(L)) != RG_OK)
            goto done;
        if (layer_srs && (rc = rg_io_crs_from_srs(&to_wgs84, L->ctx, layer_srs, L->path)) != RG_OK)
            goto done;
    } else if ((rc = rg_load__map_columns(L, 1)) != RG_OK || (rc = rg_load__map_specs(L)) != RG_OK || (rc = rg_load__prepare_crs(L)) != RG_OK) {
        goto done;
    }
    L->decimal_comma = 0;

    long index = 0;
    OGR_L_ResetReading(layer);
    while ((feature = OGR_L_GetNextFeature(layer)) != NULL) {
        index++;
        raw.len = 0;
        rc = rg__buf_appendf(&raw, "fid=%lld", (long long)OGR_F_GetFID(feature));
        for (size_t i = 0; i < n && rc == RG_OK; i++) {
            const char *v = OGR_F_IsFieldSetAndNotNull(feature, (int)i) ? OGR_F_GetFieldAsString(feature, (int)i) : "";
            rg_free(values[i]);
            if (!(values[i] = rg_strdup(v)))
                rc = RG_ENOMEM;
            else if (*v)
                rc = rg__buf_appendf(&raw, "|%s=%s", header[i], v);
        }
        if (rc != RG_OK)
            goto done;
        double xy[2];
        const double *geom_xy = NULL;
        OGRGeometryH g = OGR_F_GetGeometryRef(feature);
        if (has_geometry && g && !OGR_G_IsEmpty(g) && wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPoint) {
            double x = OGR_G_GetX(g, 0), y = OGR_G_GetY(g, 0), z = 0;
            OGRCoordinateTransformationH ct = to_wgs84 ? to_wgs84 : L->to_wgs84;
            if (!ct || OCTTransform(ct, 1, &x, &y, &z)) {
                xy[0] = x;
                xy[1] = y;
                geom_xy = xy;
            }
        }
        rc = rg_load__check_row(L, &batch, index, raw.data, raw.len, (const char *const *)values, n, geom_xy);
        OGR_F_Destroy(feature);
        feature = NULL;
        if (rc == RG_OK && rg_load__batch_full(&batch))
            rc = rg_load__store_batch(L, &batch);
        if (rc != RG_OK)
            goto done;
    }
    if ((rc = rg_load__store_batch(L, &batch)) != RG_OK)
        goto done;
    if (L->stats.rows_read == 0)
        rc = rg_ctx_error(L->ctx, RG_EDATA, "%s: no household features", L->path);

done:
    if (feature)
        OGR_F_Destroy(feature);
    for (size_t i = 0; header && i < n; i++)
        rg_free(header[i]);
    for (size_t i = 0; values && i < n; i++)
        rg_free(values[i]);
    rg_free(header);
    rg_free(values);
    L->header = NULL;
    rg__buf_free(&raw);
    rg_load__batch_free(&batch);
    rg_io_crs_free(to_wgs84);
    if (ds)
        GDALClose(ds);
    return rc;
}
