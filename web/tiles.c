/*
 * The areas as vector tiles, through GDAL's MVT writer. Left to itself the writer clips each
 * area's full outline against every tile of every zoom: the provinsi of a national store
 * (a million vertices each level) took 11 s for five zooms. Each zoom gets its own copy,
 * simplified to half a tile unit of that zoom first (invisible, and it cuts the work by
 * three), and the writer's CONF folds the copies back into one tile layer, "area". A second
 * layer, "label", holds one point inside each area, so a name is drawn once and not once per
 * tile the area crosses.
 */
#include "web/internal.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <ogr_api.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* A tile unit of zoom z is 40,075 km / 2^z / 4,096: 4.8 m at 11, 1.2 m at 13, finer than a
 * screen pixel up to view zoom 15 and 17 (the view's maximum). Past its last zoom a level is
 * drawn from its last tiles, scaled: the desa stop at 11 and the SLS have 13 alone, which
 * halves their work (on 154,000 SLS of the real desa, 44.6 s for zooms 13-14). */
const rg_web_level rg_web__levels[RG_WEB_LEVELS] = {
    {"provinsi", 3, 6},
    {"kabkota", 6, 8},
    {"kecamatan", 8, 10},
    {"kelurahan", 10, 11},
    {"sls", 13, 13},
};

/* The fields every tile carries: what the map colours, labels and links by. */
static const struct {
    const char *from, *to;
    OGRFieldType type;
} tile_fields[] = {
    {"code", "code", OFTString},
    {"name", "name", OFTString},
    {"parent_code", "parent", OFTString},
    {"poverty_rate", "rate", OFTReal},
    {"suppressed", "hidden", OFTInteger},
};
#define TILE_FIELDS (sizeof tile_fields / sizeof *tile_fields)

typedef struct {
    const char *gpkg, *tmp;
    const rg_web_level *level;
    char message[512];
} tile_job;

/* Half a tile unit (4096 a tile) of zoom z, in degrees: what the writer would round away. */
static double tolerance(int z) { return 360.0 / (double)(1 << z) / 4096.0 / 2.0; }

static int fail(tile_job *j, const char *what)
{
    snprintf(j->message, sizeof j->message, "%s: %s", what, rg_web__gdal_error("GDAL gave no reason"));
    return RG_EGDAL;
}

/* "area_zN" layers for each zoom, and "label", gathered by CONF into two tile layers. */
static char *layer_conf(const rg_web_level *l)
{
    rg_buf b = {0};
    int rc = rg__buf_appendf(&b, "{");
    for (int z = l->tile_min; z <= l->tile_max && rc == RG_OK; z++)
        rc = rg__buf_appendf(&b, "\"area_z%d\":{\"target_name\":\"area\",\"minzoom\":%d,\"maxzoom\":%d},", z, z, z);
    if (rc == RG_OK)
        rc = rg__buf_appendf(&b, "\"label\":{\"target_name\":\"label\",\"minzoom\":%d,\"maxzoom\":%d}}", l->tile_min,
                             l->tile_max);
    if (rc != RG_OK)
        rg__buf_free(&b);
    return b.data;
}

static OGRLayerH make_layer(GDALDatasetH out, const char *name, OGRSpatialReferenceH srs, OGRwkbGeometryType type)
{
    OGRLayerH layer = GDALDatasetCreateLayer(out, name, srs, type, NULL);
    for (size_t i = 0; layer && i < TILE_FIELDS; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(tile_fields[i].to, tile_fields[i].type);
        OGRErr err = OGR_L_CreateField(layer, fd, 1);
        OGR_Fld_Destroy(fd);
        if (err != OGRERR_NONE)
            layer = NULL;
    }
    return layer;
}

/* One feature of out_layer: the tile fields of src, and geom (taken). */
static int put(OGRLayerH out_layer, OGRFeatureH src, const int *src_index, OGRGeometryH geom)
{
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(out_layer));
    for (size_t i = 0; i < TILE_FIELDS; i++)
        if (OGR_F_IsFieldSetAndNotNull(src, src_index[i]))
            switch (tile_fields[i].type) {
            case OFTReal: OGR_F_SetFieldDouble(f, (int)i, OGR_F_GetFieldAsDouble(src, src_index[i])); break;
            case OFTInteger: OGR_F_SetFieldInteger(f, (int)i, OGR_F_GetFieldAsInteger(src, src_index[i])); break;
            default: OGR_F_SetFieldString(f, (int)i, OGR_F_GetFieldAsString(src, src_index[i])); break;
            }
    OGR_F_SetGeometryDirectly(f, geom);
    OGRErr err = OGR_L_CreateFeature(out_layer, f);
    OGR_F_Destroy(f);
    return err == OGRERR_NONE;
}

/* An area's copy for zoom z: simplified, or whole where simplifying would lose it (an
 * island smaller than half a unit still shows at the level's last zoom). */
static OGRGeometryH at_zoom(OGRGeometryH g, int z, int last)
{
    OGRGeometryH s = OGR_G_Simplify(g, tolerance(z));
    if (s && !OGR_G_IsEmpty(s))
        return s;
    OGR_G_DestroyGeometry(s);
    return last ? OGR_G_Clone(g) : NULL;
}

static int copy_features(tile_job *j, OGRLayerH src, OGRLayerH *zooms, OGRLayerH label)
{
    const rg_web_level *l = j->level;
    int index[TILE_FIELDS];
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(src);
    for (size_t i = 0; i < TILE_FIELDS; i++)
        if ((index[i] = OGR_FD_GetFieldIndex(defn, tile_fields[i].from)) < 0) {
            snprintf(j->message, sizeof j->message, "layer %s has no field %s", l->layer, tile_fields[i].from);
            return RG_EGDAL;
        }
    OGRFeatureH f;
    int ok = 1;
    OGR_L_ResetReading(src);
    while (ok && (f = OGR_L_GetNextFeature(src)) != NULL) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        for (int z = l->tile_min; g && ok && z <= l->tile_max; z++) {
            OGRGeometryH s = at_zoom(g, z, z == l->tile_max);
            ok = !s || put(zooms[z - l->tile_min], f, index, s);
        }
        OGRGeometryH point = g ? OGR_G_PointOnSurface(g) : NULL;
        if (ok && point)
            ok = put(label, f, index, point);
        OGR_F_Destroy(f);
    }
    return ok ? RG_OK : fail(j, "writing a tile feature");
}

static char **creation_options(const rg_web_level *l, const char *conf)
{
    char **o = NULL, z[16];
    o = CSLSetNameValue(o, "FORMAT", "DIRECTORY");
    o = CSLSetNameValue(o, "COMPRESS", "NO"); /* a plain server sends no Content-Encoding: gzip */
    o = CSLSetNameValue(o, "MAX_SIZE", "500000");
    snprintf(z, sizeof z, "%d", l->tile_min);
    o = CSLSetNameValue(o, "MINZOOM", z);
    snprintf(z, sizeof z, "%d", l->tile_max);
    o = CSLSetNameValue(o, "MAXZOOM", z);
    o = CSLSetNameValue(o, "NAME", l->layer);
    o = CSLSetNameValue(o, "TYPE", "overlay");
    return CSLSetNameValue(o, "CONF", conf);
}

static int write_level(tile_job *j)
{
    const rg_web_level *l = j->level;
    char path[4096], name[32];
    snprintf(path, sizeof path, "%s/tiles/%s", j->tmp, l->layer);
    GDALDatasetH in = GDALOpenEx(j->gpkg, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    OGRLayerH src = in ? GDALDatasetGetLayerByName(in, l->layer) : NULL;
    if (!src) {
        if (in)
            GDALClose(in);
        return fail(j, "reading the public GeoPackage");
    }
    char *conf = layer_conf(l);
    char **options = conf ? creation_options(l, conf) : NULL;
    GDALDatasetH out = options ? GDALCreate(GDALGetDriverByName("MVT"), path, 0, 0, 0, GDT_Unknown, options) : NULL;
    CSLDestroy(options);
    rg_free(conf);
    int rc = out ? RG_OK : conf ? fail(j, "creating the tiles") : RG_ENOMEM;
    OGRLayerH zooms[32] = {0}, label = NULL;
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(src);
    for (int z = l->tile_min; rc == RG_OK && z <= l->tile_max; z++) {
        snprintf(name, sizeof name, "area_z%d", z);
        if (!(zooms[z - l->tile_min] = make_layer(out, name, srs, wkbMultiPolygon)))
            rc = fail(j, "creating a tile layer");
    }
    if (rc == RG_OK && !(label = make_layer(out, "label", srs, wkbPoint)))
        rc = fail(j, "creating a tile layer");
    if (rc == RG_OK)
        rc = copy_features(j, src, zooms, label);
    /* Closing is when the writer makes the tiles. */
    CPLErrorReset();
    if (out)
        GDALClose(out); /* void in GDAL 3.6: a failure shows only as the error it left */
    if (out && rc == RG_OK && CPLGetLastErrorType() >= CE_Failure)
        rc = fail(j, "writing the tiles");
    GDALClose(in);
    return rc;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int rg_web__tiles(rg_ctx *ctx, const char *gpkg, const char *tmp, int levels)
{
    int rc = rg_web__folder(ctx, tmp, "tiles");
    /* One level at a time: the writer finishes each level's tiles on every core itself (two
     * levels at once were no faster, 80 s against 78 s for the generated country). */
    for (int i = 0; rc == RG_OK && i < levels; i++) {
        tile_job j = {.gpkg = gpkg, .tmp = tmp, .level = &rg_web__levels[i]};
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if ((rc = write_level(&j)) != RG_OK)
            rc = rc == RG_ENOMEM ? RG_ENOMEM : rg_ctx_error(ctx, rc, "the %s tiles: %s", j.level->layer, j.message);
        else
            rg_ctx_notice(ctx, RG_NOTICE_DETAIL, "web: %s tiles, zooms %d-%d, in %.1f s", j.level->layer,
                          j.level->tile_min, j.level->tile_max, seconds_since(&t0));
    }
    return rc;
}
