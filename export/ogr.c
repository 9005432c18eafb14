/*
 * Layers written through OGR, a feature at a time: GeoJSON (RFC 7946), GeoJSON Text
 * Sequences, FlatGeobuf, and the --public GeoPackage, whose cells are suppressed as they go.
 */
#include "export/internal.h"

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <string.h>

static int create_field(OGRLayerH layer, const char *name, OGRFieldType type)
{
    OGRFieldDefnH fd = OGR_Fld_Create(name, type);
    OGRErr err = OGR_L_CreateField(layer, fd, TRUE);
    OGR_Fld_Destroy(fd);
    return err == OGRERR_NONE;
}

void rg_export__feature_set_fields(const exporter *E, const layer_def *def, sqlite3_stmt *st, OGRFeatureH f)
{
    int n = (int)(def->field_count + rg_export__extra_count_of(E, def));
    for (int i = 0; i < n; i++) {
        OGRFieldType type = (size_t)i < def->field_count ? def->fields[i].type
                                                         : rg_export__extra_field(E, def, (size_t)i - def->field_count)->type;
        if (sqlite3_column_type(st, i) == SQLITE_NULL) {
            OGR_F_SetFieldNull(f, i);
            continue;
        }
        switch (type) {
        case OFTInteger: OGR_F_SetFieldInteger(f, i, sqlite3_column_int(st, i)); break;
        case OFTReal: OGR_F_SetFieldDouble(f, i, sqlite3_column_double(st, i)); break;
        default: OGR_F_SetFieldString(f, i, (const char *)sqlite3_column_text(st, i)); break;
        }
    }
}

int rg_export__write_layer(exporter *E, GDALDatasetH ds, const char *path, const layer_def *def)
{
    rg_ctx *ctx = E->ctx;
    int rc = RG_OK;
    int households = def->bit == RG_LAYER_HOUSEHOLDS;
    int public_area = E->opts->public_only && !households;
    OGRSpatialReferenceH srs = rg_io_crs_wgs84();
    OGRFeatureH f = NULL;
    OGRGeometryH point = NULL;
    sqlite3_stmt *st = NULL;
    rg_buf sql = {0};

    char description[1400];
    snprintf(description, sizeof description, "DESCRIPTION=%s%s%s%s", def->description,
             households || !E->poverty_rate ? "" : " ", households || !E->poverty_rate ? "" : E->poverty_rate,
             public_area ? " Counts below the minimum are suppressed (NULL, suppressed = 1)." : "");
    const char *gpkg_options[] = {description, "SPATIAL_INDEX=YES", NULL};
    const char *geojson_options[] = {"RFC7946=YES", "COORDINATE_PRECISION=7", "WRITE_NAME=YES", description, NULL};
    const char *seq_options[] = {"COORDINATE_PRECISION=7", strcmp(E->ext, ".geojsons") == 0 ? "RS=YES" : NULL, NULL};
    const char *fgb_options[] = {"SPATIAL_INDEX=YES", NULL};
    const char **options = E->fmt == FORMAT_GPKG        ? gpkg_options
                           : E->fmt == FORMAT_GEOJSON    ? geojson_options
                           : E->fmt == FORMAT_FLATGEOBUF ? fgb_options
                                                         : seq_options;
    OGRLayerH layer = GDALDatasetCreateLayer(ds, def->name, srs, def->type, (char **)options);
    if (!layer) {
        rc = rg_export__gdal_fail(ctx, path, "cannot create layer");
        goto done;
    }
    for (size_t i = 0; i < def->field_count; i++)
        if (!create_field(layer, def->fields[i].name, def->fields[i].type)) {
            rc = rg_export__gdal_fail(ctx, path, "cannot create field");
            goto done;
        }
    size_t extra = rg_export__extra_count_of(E, def);
    for (size_t i = 0; i < extra; i++)
        if (!create_field(layer, rg_export__extra_field(E, def, i)->name, rg_export__extra_field(E, def, i)->type)) {
            rc = rg_export__gdal_fail(ctx, path, "cannot create field");
            goto done;
        }
    if (public_area && !create_field(layer, "suppressed", OFTInteger)) {
        rc = rg_export__gdal_fail(ctx, path, "cannot create field");
        goto done;
    }
    if (E->direct) {
        /* Its rows go in by rg_export__gpkg_fill_layers(). Made now, its table takes its place
         * in gpkg_contents, whose order is the order QGIS and ogrinfo list the layers in:
         * GDAL would otherwise make it when it sees fit. */
        if (OGR_L_SyncToDisk(layer) != OGRERR_NONE)
            rc = rg_export__gdal_fail(ctx, path, "cannot create layer");
        goto done;
    }
    if ((rc = rg_export__layer_sql(E, def, 0, &sql)) != RG_OK)
        goto done;
    if (sqlite3_prepare_v2(rg_io_store_db(E->store), sql.data, -1, &st, NULL) != SQLITE_OK) {
        rc = rg_io_store_sql_error(E->store);
        goto done;
    }
    if (households)
        rg_export__bind_json_paths(E, st);
    f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
    point = OGR_G_CreateGeometry(wkbPoint);
    int step;
    int n = (int)(def->field_count + extra);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        OGR_F_SetFID(f, OGRNullFID);
        rg_export__feature_set_fields(E, def, st, f);
        if (public_area)
            rg_export__suppress_small_cells(E, f, E->opts->min_count);
        if (def->geom == GEOM_POINT_LONLAT && sqlite3_column_type(st, n) == SQLITE_NULL) {
            OGR_F_SetGeometry(f, NULL);
        } else if (def->geom == GEOM_POINT_LONLAT) {
            OGR_G_SetPoint_2D(point, 0, sqlite3_column_double(st, n), sqlite3_column_double(st, n + 1));
            OGR_F_SetGeometry(f, point);
        } else {
            OGRGeometryH g = NULL;
            const void *wkb = sqlite3_column_blob(st, n);
            int size = sqlite3_column_bytes(st, n);
            if (wkb && OGR_G_CreateFromWkb(wkb, NULL, &g, size) == OGRERR_NONE)
                OGR_F_SetGeometryDirectly(f, OGR_G_ForceToMultiPolygon(g));
            else
                OGR_F_SetGeometry(f, NULL);
        }
        if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE) {
            rc = rg_export__gdal_fail(ctx, path, "cannot write a feature (disk full?)");
            goto done;
        }
    }
    if (step != SQLITE_DONE)
        rc = rg_io_store_sql_error(E->store);

done:
    sqlite3_finalize(st);
    rg__buf_free(&sql);
    if (f)
        OGR_F_Destroy(f);
    if (point)
        OGR_G_DestroyGeometry(point);
    OSRDestroySpatialReference(srs);
    return rc;
}
