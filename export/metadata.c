/*
 * What a GeoPackage says of itself: QGIS default styles in layer_styles, and provenance in
 * gpkg_metadata (tool, command, inputs with their SHA-256, boundaries, method, rules, what
 * poverty_rate means).
 */
#include "export/internal.h"

#include <gdal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* QGIS reads a layer's default style from this table when it opens the layer. */
int rg_export_layer_styles(rg_ctx *ctx, GDALDatasetH ds, const char *path, const char *const *layers,
                           const char *const *qml, size_t count)
{
    static const field_def style_fields[] = {
        {"f_table_catalog", OFTString}, {"f_table_schema", OFTString}, {"f_table_name", OFTString},
        {"f_geometry_column", OFTString}, {"styleName", OFTString},  {"styleQML", OFTString},
        {"styleSLD", OFTString},        {"useAsDefault", OFTInteger}, {"description", OFTString},
        {"owner", OFTString},           {"ui", OFTString},            {"update_time", OFTDateTime},
    };
    const char *options[] = {"DESCRIPTION=QGIS layer styles (default styles of the layers)", NULL};
    OGRLayerH layer = GDALDatasetCreateLayer(ds, "layer_styles", NULL, wkbNone, (char **)options);
    if (!layer)
        return rg_export__gdal_fail(ctx, path, "cannot create layer_styles");
    for (size_t i = 0; i < sizeof style_fields / sizeof *style_fields; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(style_fields[i].name, style_fields[i].type);
        if (strcmp(style_fields[i].name, "useAsDefault") == 0)
            OGR_Fld_SetSubType(fd, OFSTBoolean);
        OGRErr err = OGR_L_CreateField(layer, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (err != OGRERR_NONE)
            return rg_export__gdal_fail(ctx, path, "cannot create layer_styles");
    }
    int rc = RG_OK;
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
    time_t now = time(NULL);
    struct tm utc;
    gmtime_r(&now, &utc);
    for (size_t i = 0; i < count && rc == RG_OK; i++) {
        OGR_F_SetFID(f, OGRNullFID);
        OGR_F_SetFieldString(f, 0, "");
        OGR_F_SetFieldString(f, 1, "");
        OGR_F_SetFieldString(f, 2, layers[i]);
        OGR_F_SetFieldString(f, 3, "geom");
        OGR_F_SetFieldString(f, 4, layers[i]);
        OGR_F_SetFieldString(f, 5, qml[i]);
        OGR_F_SetFieldString(f, 6, "");
        OGR_F_SetFieldInteger(f, 7, 1);
        OGR_F_SetFieldString(f, 8, "regsosek-geo default style");
        OGR_F_SetFieldString(f, 9, "");
        OGR_F_SetFieldNull(f, 10);
        OGR_F_SetFieldDateTime(f, 11, utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                               utc.tm_sec, 100);
        if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE)
            rc = rg_export__gdal_fail(ctx, path, "cannot write layer_styles");
    }
    OGR_F_Destroy(f);
    return rc;
}

int rg_export__write_styles(rg_ctx *ctx, GDALDatasetH ds, const char *path, int chosen)
{
    const char *layers[RG_LAYER_FILES_MAX], *qml[RG_LAYER_FILES_MAX];
    size_t n = 0;
    for (size_t i = 0; i < RG_LAYER_FILES_MAX; i++)
        if (chosen & rg_export__layers[i].bit) {
            layers[n] = rg_export__layers[i].name;
            qml[n++] = *rg_export__layers[i].style;
        }
    return rg_export_layer_styles(ctx, ds, path, layers, qml, n);
}

/* The boundaries, the method, the rules in force and what poverty_rate means, as the
 * steps that used them recorded them. */
static int write_classify_provenance(rg_store *store, GDALDatasetH ds)
{
    sqlite3_stmt *st = NULL;
    static const char sql[] = "SELECT 'BOUNDARIES', " RG_EXPORT__BOUNDARIES_TEXT
                              " UNION ALL SELECT upper(key), value FROM classify_meta"
                              /* compare names the two editions it reads by this. */
                              " UNION ALL SELECT 'EDITION', group_concat(DISTINCT edition) FROM load_runs"
                              "  WHERE edition IS NOT NULL AND " RG_IO_LIVE_RUN;
    if (sqlite3_prepare_v2(rg_io_store_db(store), sql, -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        GDALSetMetadataItem(ds, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
                            NULL);
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? RG_OK : rg_io_store_sql_error(store);
}

int rg_export__inputs_text(rg_store *store, rg_buf *out)
{
    sqlite3_stmt *st = NULL;
    int rc = RG_OK;
    if (sqlite3_prepare_v2(rg_io_store_db(store),
                           "SELECT input_path, input_size, sha256, rows_read, loaded, rejected,"
                           " coalesce(', edition ' || edition, '') FROM load_runs"
                           " WHERE " RG_IO_LIVE_RUN " ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    while (sqlite3_step(st) == SQLITE_ROW && rc == RG_OK)
        rc = rg__buf_appendf(out, "%s%s (%lld bytes, sha256 %s, %lld rows read, %lld loaded, %lld rejected%s)",
                             out->len ? "; " : "", sqlite3_column_text(st, 0), (long long)sqlite3_column_int64(st, 1),
                             sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "unknown",
                             (long long)sqlite3_column_int64(st, 3), (long long)sqlite3_column_int64(st, 4),
                             (long long)sqlite3_column_int64(st, 5), (const char *)sqlite3_column_text(st, 6));
    sqlite3_finalize(st);
    return rc;
}

int rg_export__write_provenance(rg_store *store, GDALDatasetH ds, const rg_export_opts *opts)
{
    rg_buf inputs = {0};
    int rc = rg_export__inputs_text(store, &inputs);
    if (rc != RG_OK) {
        rg__buf_free(&inputs);
        return rc;
    }
    char when[32];
    time_t now = time(NULL);
    struct tm utc;
    gmtime_r(&now, &utc);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &utc);
    GDALSetMetadataItem(ds, "REGSOSEK_GEO_VERSION", rg_version(), NULL);
    GDALSetMetadataItem(ds, "CREATED", when, NULL);
    if (opts->command_line)
        GDALSetMetadataItem(ds, "COMMAND_LINE", opts->command_line, NULL);
    if (opts->only)
        GDALSetMetadataItem(ds, "ONLY", opts->only, NULL);
    if (opts->public_only) {
        char min[32];
        snprintf(min, sizeof min, "%d", opts->min_count);
        GDALSetMetadataItem(ds, "PUBLIC", "YES: area summaries only, small counts suppressed", NULL);
        GDALSetMetadataItem(ds, "MIN_COUNT", min, NULL);
    }
    if (inputs.data)
        GDALSetMetadataItem(ds, "INPUTS", inputs.data, NULL);
    rc = write_classify_provenance(store, ds);
    int64_t n = 0;
    char text[32];
    static const struct {
        const char *key, *sql;
    } counts[] = {
        /* From each step's own table: the view would join them all for a count. */
        {"HOUSEHOLDS", "SELECT count(*) FROM household_records"},
        {"HOUSEHOLDS_UNMATCHED", "SELECT count(*) FROM household_areas WHERE join_method = 'unmatched'"},
        {"HOUSEHOLDS_CLASSIFIED", "SELECT count(*) FROM household_classes WHERE poverty_class IS NOT NULL"},
        {"ROWS_REJECTED", "SELECT count(*) FROM rejects"},
    };
    for (size_t i = 0; i < sizeof counts / sizeof *counts && rc == RG_OK; i++) {
        rc = rg_io_store_count(store, counts[i].sql, &n);
        snprintf(text, sizeof text, "%lld", (long long)n);
        GDALSetMetadataItem(ds, counts[i].key, text, NULL);
    }
    rg__buf_free(&inputs);
    return rc;
}
