/*
 * BPS's SLS map (wilkerstat): the areas Regsosek's officers and forums worked in, as the
 * regional offices hand them out, one file per kab/kota and semester. Its one polygon layer
 * is named after its edition (PETA_SLS_5371_202501, sls, wilkerstat_sls, ...), so it is
 * known by its fields: the codes kdprov (2), kdkab (2), kdkec (3), kddesa (3), kdsls (4)
 * and kdsubsls (2), or idsls (14) and idsubsls (16), and the names nmprov .. nmsls. Each
 * feature is a sub-SLS; the desa and everything above are the dissolve of its SLS.
 */
#include "geo/internal.h"

#include <ctype.h>
#include <gdal.h>
#include <stdio.h>
#include <string.h>

/* A code part and its width: a Shapefile or a spreadsheet may have made it a number,
 * losing its leading zeros, which are put back. */
typedef struct {
    const char *field;
    int width;
} code_part;

static const code_part parts[] = {{"kdprov", 2}, {"kdkab", 2}, {"kdkec", 3}, {"kddesa", 3}, {"kdsls", 4},
                                  {"kdsubsls", 2}};
#define PARTS (sizeof parts / sizeof *parts)
#define DESA_PARTS 4
#define DESA_DIGITS 10
#define SLS_DIGITS 14

static const char *const idsls_names[] = {"idsls", NULL};
static const char *const idsubsls_names[] = {"idsubsls", NULL};
/* The names above an SLS, nearest first: the parts' upper_names. */
static const char *const upper_fields[RG_GEO__UPPER_NAMES] = {"nmdesa", "nmkec", "nmkab", "nmprov"};

typedef struct {
    int part[PARTS];
    int idsls, idsubsls, name;
    int upper[RG_GEO__UPPER_NAMES];
} sls_fields;

static int field(OGRFeatureDefnH defn, const char *name)
{
    const char *const names[] = {name, NULL};
    return rg_geo__find_field(defn, NULL, names);
}

/* A layer is an SLS map when it can give each feature its SLS code: the five code parts, or
 * idsls or idsubsls. */
static int map_sls_fields(OGRLayerH layer, sls_fields *m)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int all_parts = 1;
    for (size_t i = 0; i < PARTS; i++) {
        m->part[i] = field(defn, parts[i].field);
        all_parts &= i == PARTS - 1 || m->part[i] >= 0;
    }
    m->idsls = rg_geo__find_field(defn, NULL, idsls_names);
    m->idsubsls = rg_geo__find_field(defn, NULL, idsubsls_names);
    m->name = field(defn, "nmsls");
    for (int u = 0; u < RG_GEO__UPPER_NAMES; u++)
        m->upper[u] = field(defn, upper_fields[u]);
    int polygons = wkbFlatten(OGR_L_GetGeomType(layer)) == wkbPolygon ||
                   wkbFlatten(OGR_L_GetGeomType(layer)) == wkbMultiPolygon ||
                   OGR_L_GetGeomType(layer) == wkbUnknown;
    return polygons && (all_parts || m->idsls >= 0 || m->idsubsls >= 0);
}

/* Appends a field's digits to out, left-padded with zeros to width (0: as they are); 0 when
 * the field is missing, blank, not digits, or too long. */
static int append_digits(OGRFeatureH f, int index, int width, char *out, size_t cap)
{
    char *v = rg_geo__dup_field(f, index);
    if (!v)
        return 0;
    size_t n = strlen(v), at = strlen(out);
    int ok = n > 0 && (width == 0 || n <= (size_t)width) && at + (width > (int)n ? (size_t)width : n) < cap;
    for (size_t i = 0; ok && i < n; i++)
        ok = isdigit((unsigned char)v[i]) != 0;
    if (ok) {
        for (size_t k = n; width > 0 && k < (size_t)width; k++)
            out[at++] = '0';
        memcpy(out + at, v, n + 1);
    }
    rg_free(v);
    return ok;
}

/* The feature's code: idsubsls, else idsls with kdsubsls, else the parts; the SLS's desa is
 * its first ten digits. 0 when it has none that reads. */
static int sls_code(OGRFeatureH f, const sls_fields *m, char *code, size_t cap)
{
    code[0] = '\0';
    if (m->idsubsls >= 0 && append_digits(f, m->idsubsls, SLS_DIGITS + 2, code, cap) &&
        strlen(code) == SLS_DIGITS + 2)
        return 1;
    code[0] = '\0';
    if (!(m->idsls >= 0 && append_digits(f, m->idsls, SLS_DIGITS, code, cap))) {
        code[0] = '\0';
        for (size_t i = 0; i < PARTS - 1; i++)
            if (m->part[i] < 0 || !append_digits(f, m->part[i], parts[i].width, code, cap))
                return 0;
    }
    if (m->part[PARTS - 1] >= 0 && !append_digits(f, m->part[PARTS - 1], parts[PARTS - 1].width, code, cap))
        snprintf(code + strlen(code), cap - strlen(code), "00");
    return strlen(code) >= SLS_DIGITS;
}

static int read_sls_feature(rg_areas *areas, rg_ctx *ctx, const char *path, OGRFeatureH f, const sls_fields *m,
                            void *ct, long *skipped)
{
    char code[40];
    if (!sls_code(f, m, code, sizeof code)) {
        if (!(*skipped)++)
            rg_ctx_notice(ctx, RG_NOTICE_WARNING,
                          "%s: SLS feature %lld: no SLS code in idsubsls, idsls or kdprov .. kdsls: skipped", path,
                          (long long)OGR_F_GetFID(f));
        return RG_OK;
    }
    rg_geo__area area = {0};
    area.code = rg_strdup(code);
    area.parent = rg_malloc(DESA_DIGITS + 1);
    if (area.parent)
        snprintf(area.parent, DESA_DIGITS + 1, "%.*s", DESA_DIGITS, code);
    area.name = rg_geo__dup_field(f, m->name);
    for (int u = 0; u < RG_GEO__UPPER_NAMES; u++)
        area.upper_names[u] = rg_geo__dup_field(f, m->upper[u]);
    if (!area.code || !area.parent) {
        rg_geo__area_clear(&area);
        return RG_ENOMEM;
    }
    return rg_geo__feature_area(areas, ctx, path, "SLS", f, ct, &area);
}

static OGRLayerH find_sls_layer(GDALDatasetH ds, sls_fields *m)
{
    for (int i = 0; i < GDALDatasetGetLayerCount(ds); i++) {
        OGRLayerH layer = GDALDatasetGetLayer(ds, i);
        if (map_sls_fields(layer, m))
            return layer;
    }
    return NULL;
}

static int read_layer(rg_areas *areas, rg_ctx *ctx, const char *path, OGRLayerH layer, const sls_fields *m)
{
    void *ct = NULL;
    long skipped = 0;
    int rc = rg_geo__layer_transform(ctx, path, layer, "SLS", &ct);
    OGRFeatureH f;
    OGR_L_ResetReading(layer);
    while (rc == RG_OK && (f = OGR_L_GetNextFeature(layer)) != NULL) {
        rc = read_sls_feature(areas, ctx, path, f, m, ct, &skipped);
        OGR_F_Destroy(f);
    }
    rg_io_crs_free(ct);
    if (rc == RG_OK && skipped > 1)
        rg_ctx_notice(ctx, RG_NOTICE_WARNING, "%s: %ld SLS features without a code skipped in all", path, skipped);
    return rc;
}

int rg_geo__sls_read(rg_areas **out, rg_ctx *ctx, const char *path)
{
    *out = NULL;
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds)
        return RG_ENOTFOUND; /* the caller has said why it cannot be opened */
    sls_fields m;
    OGRLayerH layer = find_sls_layer(ds, &m);
    rg_areas *areas = NULL;
    int rc = layer ? rg_geo__areas_new(&areas, ctx) : RG_ENOTFOUND;
    if (rc == RG_OK) {
        OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
        rg_ctx_notice(ctx, RG_NOTICE_INFO,
                      "%s: SLS from layer '%s' (a wilkerstat SLS map: code from %s, desa names from '%s')", path,
                      OGR_L_GetName(layer),
                      m.idsubsls >= 0 ? "idsubsls" : m.idsls >= 0 ? "idsls" : "kdprov .. kdsls",
                      m.upper[0] >= 0 ? OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, m.upper[0])) : "(none)");
        rc = read_layer(areas, ctx, path, layer, &m);
    }
    if (rc == RG_OK)
        rc = rg_geo__areas_finish(areas, path);
    GDALClose(ds);
    if (rc != RG_OK) {
        rg_geo_areas_free(areas);
        return rc;
    }
    *out = areas;
    return RG_OK;
}
