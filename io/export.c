/*
 * Export: the poverty map layers, written under a temporary name beside the target
 * and renamed into place only when complete, so an interrupted export never leaves
 * a file that looks finished and never damages the previous one.
 *
 * Households are personal data: the households layer carries an allow-list of fields
 * (codes, names of areas, class, rank, join fields, household size) and never the
 * `extra` columns (names, NIK, addresses) that the store keeps.
 */
#include "core/internal.h"
#include "io/io.h"

#include <errno.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

extern const char rg_style_households[], rg_style_kelurahan[], rg_style_kecamatan[];

typedef struct {
    const char *name;
    OGRFieldType type;
} field_def;

typedef enum { GEOM_POINT_LONLAT, GEOM_WKB } geom_source;

typedef struct {
    const char *name;
    int bit;
    const char *description;
    OGRwkbGeometryType type;
    const field_def *fields;
    size_t field_count;
    const char *sql;   /* selects the fields in order, then lon, lat or a WKB blob */
    geom_source geom;
    const char *const *style;
} layer_def;

static const field_def household_fields[] = {
    {"household_id", OFTString},  {"kelurahan_code", OFTString}, {"kelurahan_name", OFTString},
    {"kecamatan_code", OFTString}, {"kecamatan_name", OFTString}, {"poverty_class", OFTString},
    {"desil", OFTInteger},         {"welfare_rank", OFTInteger},  {"household_size", OFTInteger},
    {"join_method", OFTString},    {"join_distance_m", OFTReal},  {"join_flags", OFTString},
    {"code_mismatch", OFTInteger}, {"reported_code", OFTString},  {"load_flags", OFTString},
};

static const field_def area_fields[] = {
    {"code", OFTString},         {"name", OFTString},         {"parent_code", OFTString},
    {"parent_name", OFTString},  {"households", OFTInteger},  {"sangat_miskin", OFTInteger},
    {"miskin", OFTInteger},      {"rentan_miskin", OFTInteger}, {"tidak_miskin", OFTInteger},
    {"unclassified", OFTInteger}, {"poverty_rate", OFTReal},
};

#define AREA_SQL(table, parent_table)                                                                          \
    "SELECT a.code, a.name, a.parent_code, p.name, s.households, s.sangat_miskin, s.miskin, s.rentan_miskin,"  \
    " s.tidak_miskin, s.unclassified,"                                                                          \
    " CASE WHEN s.households - s.unclassified > 0 THEN"                                                         \
    "  round(CAST(s.sangat_miskin + s.miskin AS REAL) / (s.households - s.unclassified), 4) END,"             \
    " AsBinary(a.geom)"                                                                                         \
    " FROM " table " a JOIN " table "_summary s ON s.code = a.code"                                             \
    " LEFT JOIN " parent_table " p ON p.code = a.parent_code ORDER BY a.code"

static const char *const households_style = rg_style_households;
static const char *const kelurahan_style = rg_style_kelurahan;
static const char *const kecamatan_style = rg_style_kecamatan;

static const layer_def layers[] = {
    {"households", RG_LAYER_HOUSEHOLDS,
     "Regsosek households: kelurahan and kecamatan from the spatial join, poverty class, desil and rank"
     " (1 = poorest in the kelurahan).",
     wkbPoint, household_fields, sizeof household_fields / sizeof *household_fields,
     "SELECT household_id, kelurahan_code, kelurahan_name, kecamatan_code, kecamatan_name, poverty_class, desil,"
     " welfare_rank, household_size, join_method, join_distance_m, join_flags, code_mismatch, reported_code,"
     " load_flags, CASE WHEN geom IS NOT NULL THEN lon END, lat FROM households ORDER BY hh",
     GEOM_POINT_LONLAT, &households_style},
    {"kelurahan", RG_LAYER_KELURAHAN,
     "Kelurahan/desa: households per poverty class and poverty_rate, the share of sangat miskin + miskin"
     " among classified households.",
     wkbMultiPolygon, area_fields, sizeof area_fields / sizeof *area_fields, AREA_SQL("kelurahan", "kecamatan"),
     GEOM_WKB, &kelurahan_style},
    {"kecamatan", RG_LAYER_KECAMATAN,
     "Kecamatan: the sums of their kelurahan, and poverty_rate, the share of sangat miskin + miskin among"
     " classified households.",
     wkbMultiPolygon, area_fields, sizeof area_fields / sizeof *area_fields, AREA_SQL("kecamatan", "kecamatan"),
     GEOM_WKB, &kecamatan_style},
};

int rg_io_layers_parse(rg_ctx *ctx, const char *list, int *out)
{
    *out = 0;
    const char *p = list;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        int found = 0;
        for (size_t i = 0; i < sizeof layers / sizeof *layers; i++)
            if (strlen(layers[i].name) == n && strncmp(p, layers[i].name, n) == 0) {
                *out |= layers[i].bit;
                found = 1;
            }
        if (!found) {
            *out = 0;
            return rg_ctx_error(ctx, RG_EINVAL, "unknown layer '%.*s' (layers: households, kelurahan, kecamatan)",
                                (int)n, p);
        }
        p = end ? end + 1 : p + n;
    }
    return *out ? RG_OK : rg_ctx_error(ctx, RG_EINVAL, "no layer named");
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && rg__strieq(s + n - m, suffix);
}

static int gdal_fail(rg_ctx *ctx, const char *path, const char *what)
{
    return rg_ctx_error(ctx, RG_EGDAL, "%s: %s: %s", path, what,
                        CPLGetLastErrorMsg()[0] ? CPLGetLastErrorMsg() : "GDAL gave no reason");
}

static int write_layer(rg_store *store, GDALDatasetH ds, const char *path, const layer_def *def, int geojson)
{
    rg_ctx *ctx = rg_io_store_ctx(store);
    int rc = RG_OK;
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OGRFeatureH f = NULL;
    OGRGeometryH point = NULL;
    sqlite3_stmt *st = NULL;
    OSRImportFromEPSG(srs, 4326);
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);

    char description[512];
    snprintf(description, sizeof description, "DESCRIPTION=%s", def->description);
    const char *gpkg_options[] = {description, "SPATIAL_INDEX=YES", NULL};
    const char *geojson_options[] = {"RFC7946=YES", "COORDINATE_PRECISION=7", "WRITE_NAME=YES", description, NULL};
    OGRLayerH layer = GDALDatasetCreateLayer(ds, def->name, srs, def->type,
                                             (char **)(geojson ? geojson_options : gpkg_options));
    if (!layer) {
        rc = gdal_fail(ctx, path, "cannot create layer");
        goto done;
    }
    for (size_t i = 0; i < def->field_count; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(def->fields[i].name, def->fields[i].type);
        OGRErr err = OGR_L_CreateField(layer, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (err != OGRERR_NONE) {
            rc = gdal_fail(ctx, path, "cannot create field");
            goto done;
        }
    }
    if (sqlite3_prepare_v2(rg_io_store_db(store), def->sql, -1, &st, NULL) != SQLITE_OK) {
        rc = rg_ctx_error(ctx, RG_ESQL, "%s: %s", rg_io_store_path(store), sqlite3_errmsg(rg_io_store_db(store)));
        goto done;
    }
    f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
    point = OGR_G_CreateGeometry(wkbPoint);
    int step;
    int n = (int)def->field_count;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        OGR_F_SetFID(f, OGRNullFID);
        for (int i = 0; i < n; i++) {
            if (sqlite3_column_type(st, i) == SQLITE_NULL) {
                OGR_F_SetFieldNull(f, i);
                continue;
            }
            switch (def->fields[i].type) {
            case OFTInteger: OGR_F_SetFieldInteger(f, i, sqlite3_column_int(st, i)); break;
            case OFTReal: OGR_F_SetFieldDouble(f, i, sqlite3_column_double(st, i)); break;
            default: OGR_F_SetFieldString(f, i, (const char *)sqlite3_column_text(st, i)); break;
            }
        }
        if (def->geom == GEOM_POINT_LONLAT && sqlite3_column_type(st, n) == SQLITE_NULL) {
            OGR_F_SetGeometry(f, NULL);
        } else if (def->geom == GEOM_POINT_LONLAT) {
            OGR_G_SetPoint_2D(point, 0, sqlite3_column_double(st, n), sqlite3_column_double(st, n + 1));
            OGR_F_SetGeometry(f, point);
        } else {
            OGRGeometryH g = NULL;
            const void *wkb = sqlite3_column_blob(st, n);
            int size = sqlite3_column_bytes(st, n);
            if (wkb && OGR_G_CreateFromWkb(wkb, NULL, &g, size) == OGRERR_NONE) {
                OGR_F_SetGeometryDirectly(f, OGR_G_ForceToMultiPolygon(g));
            } else {
                OGR_F_SetGeometry(f, NULL);
            }
        }
        if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE) {
            rc = gdal_fail(ctx, path, "cannot write a feature (disk full?)");
            goto done;
        }
    }
    if (step != SQLITE_DONE)
        rc = rg_ctx_error(ctx, RG_ESQL, "%s: %s", rg_io_store_path(store), sqlite3_errmsg(rg_io_store_db(store)));

done:
    sqlite3_finalize(st);
    if (f)
        OGR_F_Destroy(f);
    if (point)
        OGR_G_DestroyGeometry(point);
    OSRDestroySpatialReference(srs);
    return rc;
}

/* QGIS reads a layer's default style from this table when it opens the layer. */
static int write_styles(rg_ctx *ctx, GDALDatasetH ds, const char *path, int chosen)
{
    static const field_def style_fields[] = {
        {"f_table_catalog", OFTString}, {"f_table_schema", OFTString}, {"f_table_name", OFTString},
        {"f_geometry_column", OFTString}, {"styleName", OFTString},  {"styleQML", OFTString},
        {"styleSLD", OFTString},        {"useAsDefault", OFTInteger}, {"description", OFTString},
        {"owner", OFTString},           {"ui", OFTString},            {"update_time", OFTDateTime},
    };
    const char *options[] = {"DESCRIPTION=QGIS layer styles (default styles of the poverty map layers)", NULL};
    OGRLayerH layer = GDALDatasetCreateLayer(ds, "layer_styles", NULL, wkbNone, (char **)options);
    if (!layer)
        return gdal_fail(ctx, path, "cannot create layer_styles");
    for (size_t i = 0; i < sizeof style_fields / sizeof *style_fields; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(style_fields[i].name, style_fields[i].type);
        if (strcmp(style_fields[i].name, "useAsDefault") == 0)
            OGR_Fld_SetSubType(fd, OFSTBoolean);
        OGRErr err = OGR_L_CreateField(layer, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (err != OGRERR_NONE)
            return gdal_fail(ctx, path, "cannot create layer_styles");
    }
    int rc = RG_OK;
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
    time_t now = time(NULL);
    struct tm utc;
    gmtime_r(&now, &utc);
    for (size_t i = 0; i < sizeof layers / sizeof *layers && rc == RG_OK; i++) {
        if (!(chosen & layers[i].bit))
            continue;
        OGR_F_SetFID(f, OGRNullFID);
        OGR_F_SetFieldString(f, 0, "");
        OGR_F_SetFieldString(f, 1, "");
        OGR_F_SetFieldString(f, 2, layers[i].name);
        OGR_F_SetFieldString(f, 3, "geom");
        OGR_F_SetFieldString(f, 4, layers[i].name);
        OGR_F_SetFieldString(f, 5, *layers[i].style);
        OGR_F_SetFieldString(f, 6, "");
        OGR_F_SetFieldInteger(f, 7, 1);
        OGR_F_SetFieldString(f, 8, "regsosek-geo default style");
        OGR_F_SetFieldString(f, 9, "");
        OGR_F_SetFieldNull(f, 10);
        OGR_F_SetFieldDateTime(f, 11, utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                               utc.tm_sec, 100);
        if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE)
            rc = gdal_fail(ctx, path, "cannot write layer_styles");
    }
    OGR_F_Destroy(f);
    return rc;
}

static int write_provenance(rg_store *store, GDALDatasetH ds, const rg_export_opts *opts)
{
    rg_buf inputs = {0};
    sqlite3_stmt *st = NULL;
    int rc = RG_OK;
    if (sqlite3_prepare_v2(rg_io_store_db(store),
                           "SELECT input_path, input_size, sha256, rows_read, loaded, rejected FROM load_runs"
                           " WHERE finished IS NOT NULL ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_ctx_error(rg_io_store_ctx(store), RG_ESQL, "%s: %s", rg_io_store_path(store),
                            sqlite3_errmsg(rg_io_store_db(store)));
    while (sqlite3_step(st) == SQLITE_ROW && rc == RG_OK)
        rc = rg__buf_appendf(&inputs, "%s%s (%lld bytes, sha256 %s, %lld rows read, %lld loaded, %lld rejected)",
                             inputs.len ? "; " : "", sqlite3_column_text(st, 0),
                             (long long)sqlite3_column_int64(st, 1),
                             sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "unknown",
                             (long long)sqlite3_column_int64(st, 3), (long long)sqlite3_column_int64(st, 4),
                             (long long)sqlite3_column_int64(st, 5));
    sqlite3_finalize(st);
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
    if (inputs.data)
        GDALSetMetadataItem(ds, "INPUTS", inputs.data, NULL);
    int64_t n = 0;
    char text[32];
    static const struct {
        const char *key, *sql;
    } counts[] = {
        {"HOUSEHOLDS", "SELECT count(*) FROM households"},
        {"HOUSEHOLDS_UNMATCHED", "SELECT count(*) FROM households WHERE join_method = 'unmatched'"},
        {"HOUSEHOLDS_CLASSIFIED", "SELECT count(*) FROM households WHERE poverty_class IS NOT NULL"},
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

/* Writes one dataset at tmp_path; the caller renames it into place. */
static int write_dataset(rg_store *store, const char *driver_name, const char *tmp_path, int chosen,
                         const rg_export_opts *opts)
{
    rg_ctx *ctx = rg_io_store_ctx(store);
    int geojson = strcmp(driver_name, "GeoJSON") == 0;
    GDALDriverH driver = GDALGetDriverByName(driver_name);
    if (!driver)
        return rg_ctx_error(ctx, RG_EGDAL, "GDAL has no %s driver", driver_name);
    CPLErrorReset();
    GDALDatasetH ds = GDALCreate(driver, tmp_path, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds)
        return gdal_fail(ctx, tmp_path, "cannot create");
    int rc = RG_OK;
    if (!geojson && GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE)
        rc = gdal_fail(ctx, tmp_path, "cannot start a transaction");
    for (size_t i = 0; i < sizeof layers / sizeof *layers && rc == RG_OK; i++)
        if (chosen & layers[i].bit)
            rc = write_layer(store, ds, tmp_path, &layers[i], geojson);
    if (!geojson && rc == RG_OK)
        rc = write_styles(ctx, ds, tmp_path, chosen);
    if (!geojson && rc == RG_OK && GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
        rc = gdal_fail(ctx, tmp_path, "cannot commit (disk full?)");
    if (!geojson && rc == RG_OK)
        rc = write_provenance(store, ds, opts);
    CPLErrorReset();
    GDALClose(ds);
    /* GDAL reports a failed final flush only through the error state. */
    if (rc == RG_OK && CPLGetLastErrorType() >= CE_Failure)
        rc = gdal_fail(ctx, tmp_path, "cannot finish writing (disk full?)");
    return rc;
}

static int file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* ".kupang.gpkg.partial-1234.gpkg" beside kupang.gpkg: same file system, so rename is atomic. */
static char *partial_name(const char *target, const char *ext)
{
    const char *slash = strrchr(target, '/');
    size_t dir_len = slash ? (size_t)(slash - target + 1) : 0;
    rg_buf b = {0};
    if (rg__buf_appendf(&b, "%.*s.%s.partial-%ld%s", (int)dir_len, target, target + dir_len, (long)getpid(), ext) !=
        RG_OK) {
        rg__buf_free(&b);
        return NULL;
    }
    return b.data;
}

static int publish(rg_ctx *ctx, const char *tmp, const char *target)
{
    if (rename(tmp, target) != 0) {
        int rc = rg_ctx_error(ctx, RG_EIO, "%s: cannot move the finished file into place: %s", target,
                              strerror(errno));
        unlink(tmp);
        return rc;
    }
    return RG_OK;
}

static int check_ready(rg_store *store)
{
    int64_t n = 0;
    int rc = rg_io_store_count(store, "SELECT count(*) FROM sqlite_master WHERE name = 'kelurahan_summary'", &n);
    if (rc == RG_OK && n == 0)
        rc = rg_ctx_error(rg_io_store_ctx(store), RG_EDATA,
                          "%s: nothing to export yet: run load, join and classify first (or `regsosek-geo run`)",
                          rg_io_store_path(store));
    return rc;
}

int rg_io_export(rg_store *store, const char *output, const rg_export_opts *opts)
{
    static const rg_export_opts defaults = RG_EXPORT_OPTS_INIT;
    if (!opts)
        opts = &defaults;
    rg_ctx *ctx = rg_io_store_ctx(store);
    int chosen = opts->layers ? opts->layers : RG_LAYER_ALL;
    int gpkg = ends_with(output, ".gpkg");
    int geojson = ends_with(output, ".geojson");
    if (!gpkg && !geojson)
        return rg_ctx_error(ctx, RG_EINVAL, "%s: the output must end in .gpkg or .geojson", output);
    int rc = check_ready(store);
    if (rc != RG_OK)
        return rc;

    /* One GeoJSON file per layer; with several, STEM-LAYER.geojson beside output. */
    char *targets[3] = {NULL, NULL, NULL};
    int bits[3] = {0, 0, 0};
    size_t ntargets = 0;
    if (gpkg) {
        targets[ntargets] = rg_strdup(output);
        bits[ntargets++] = chosen;
    } else {
        int several = (chosen & (chosen - 1)) != 0;
        for (size_t i = 0; i < sizeof layers / sizeof *layers; i++) {
            if (!(chosen & layers[i].bit))
                continue;
            rg_buf b = {0};
            if (several)
                rg__buf_appendf(&b, "%.*s-%s.geojson", (int)(strlen(output) - 8), output, layers[i].name);
            else
                rg__buf_appendf(&b, "%s", output);
            targets[ntargets] = b.data;
            bits[ntargets++] = layers[i].bit;
        }
    }
    for (size_t i = 0; i < ntargets; i++) {
        if (!targets[i]) {
            rc = RG_ENOMEM;
            goto done;
        }
        if (!opts->overwrite && file_exists(targets[i])) {
            rc = rg_ctx_error(ctx, RG_EEXIST, "%s: already exists; use --overwrite to replace it", targets[i]);
            goto done;
        }
    }
    for (size_t i = 0; i < ntargets && rc == RG_OK; i++) {
        char *tmp = partial_name(targets[i], gpkg ? ".gpkg" : ".geojson");
        if (!tmp) {
            rc = RG_ENOMEM;
            break;
        }
        unlink(tmp);
        rc = write_dataset(store, gpkg ? "GPKG" : "GeoJSON", tmp, bits[i], opts);
        if (rc == RG_OK)
            rc = publish(ctx, tmp, targets[i]);
        else
            unlink(tmp);
        rg_free(tmp);
    }

done:
    for (size_t i = 0; i < ntargets; i++)
        rg_free(targets[i]);
    return rc;
}
