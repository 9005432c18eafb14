/*
 * Reading kelurahan and kecamatan polygons from whatever the office has: a BPS or
 * BIG GeoPackage, a shapefile, GeoJSON. Layers and fields are found by their usual
 * names; every pick is announced so a person can see what was used.
 */
#include "geo/internal.h"

#include <gdal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

static const char *const kel_layers[] = {"kelurahan", "desa", "kelurahan_desa", "desa_kelurahan", "kel",
                                         "adm4", "batas_desa", "batas_kelurahan", "administrasi_desa", NULL};
static const char *const kec_layers[] = {"kecamatan", "kec", "adm3", "batas_kecamatan", "administrasi_kecamatan",
                                         NULL};
static const char *const kel_codes[] = {"kode_kel", "kode_desa", "kode_kelurahan", "kd_desa", "kdepum",
                                        "adm4_pcode", "iddesa", "kode_bps", "kode", "code", NULL};
static const char *const kel_names[] = {"nama_kel", "nama_desa", "nama_kelurahan", "wadmkd", "namobj",
                                        "adm4_en", "desa", "kelurahan", "nama", "name", NULL};
static const char *const kel_parents[] = {"kode_kec", "kd_kec", "kdcpum", "adm3_pcode", NULL};
static const char *const kec_names_in_kel[] = {"nama_kec", "wadmkc", "adm3_en", NULL};
static const char *const kec_codes[] = {"kode_kec", "kd_kec", "kdcpum", "adm3_pcode", "kode_bps", "kode",
                                        "code", NULL};
static const char *const kec_names[] = {"nama_kec", "nama_kecamatan", "wadmkc", "adm3_en", "kecamatan", "nama",
                                        "name", NULL};
/* BPS's urban/rural classification of each desa/kelurahan, for the poverty lines. */
static const char *const area_types[] = {"klasifikasi", "perkotaan_perdesaan", "perkotaan", "urban_rural",
                                         "kota_desa", "klas_desa", "tipe_wilayah", NULL};
static const char *const alt_codes[] = {"kode_kemendagri", "kemendagri", "kode_dagri", "kode_permendagri", NULL};

void rg_geo__area_clear(rg_geo__area *area)
{
    rg_free(area->code);
    rg_free(area->name);
    rg_free(area->parent);
    rg_free(area->alt_code);
    rg_free(area->parent_name);
    memset(area, 0, sizeof *area);
}

void rg_geo_areas_free(rg_areas *areas)
{
    if (!areas)
        return;
    if (areas->tree)
        GEOSSTRtree_destroy_r(rg__ctx_geos(areas->ctx), areas->tree);
    for (size_t i = 0; i < areas->count; i++)
        rg_geo__area_clear(&areas->items[i]);
    if (areas->scratch_fd >= 0)
        close(areas->scratch_fd);
    rg_free(areas->items);
    rg_free(areas);
}

int rg_geo__areas_new(rg_areas **out, rg_ctx *ctx)
{
    *out = NULL;
    rg_areas *areas = rg_calloc(1, sizeof *areas);
    if (!areas)
        return RG_ENOMEM;
    areas->ctx = ctx;
    atomic_init(&areas->scratch_end, 0);
    const char *dir = getenv("TMPDIR");
    char *path = areas->scratch_path;
    snprintf(path, sizeof areas->scratch_path, "%s/regsosek-geo-areas-XXXXXX", dir && *dir ? dir : "/var/tmp");
    areas->scratch_fd = mkstemp(path);
    if (areas->scratch_fd < 0) {
        int rc = rg_ctx_error(ctx, RG_EIO, "%s: cannot make a scratch file for the polygons: %s", path,
                              strerror(errno));
        rg_free(areas);
        return rc;
    }
    unlink(path);
    *out = areas;
    return RG_OK;
}

int rg_geo__areas_put(rg_areas *areas, rg_ctx *ctx, const GEOSGeometry *g, rg_geo__area *area)
{
    GEOSContextHandle_t h = rg__ctx_geos(ctx);
    if (!GEOSGeom_getXMin_r(h, g, &area->bounds[0]) || !GEOSGeom_getYMin_r(h, g, &area->bounds[1]) ||
        !GEOSGeom_getXMax_r(h, g, &area->bounds[2]) || !GEOSGeom_getYMax_r(h, g, &area->bounds[3]))
        return rg_ctx_error(ctx, RG_EGEOS, "area %s: no extent: %s", area->code ? area->code : "?",
                            rg__ctx_geos_message(ctx));
    area->coordinates = GEOSGetNumCoordinates_r(h, g);
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(h);
    if (!w)
        return RG_ENOMEM;
    GEOSWKBWriter_setOutputDimension_r(h, w, 2);
    size_t size = 0;
    unsigned char *wkb = GEOSWKBWriter_write_r(h, w, g, &size);
    GEOSWKBWriter_destroy_r(h, w);
    if (!wkb)
        return rg_ctx_error(ctx, RG_EGEOS, "area %s: %s", area->code ? area->code : "?", rg__ctx_geos_message(ctx));
    int rc = rg_geo__areas_put_wkb(areas, ctx, wkb, size, area);
    GEOSFree_r(h, wkb);
    return rc;
}

int rg_geo__areas_put_wkb(rg_areas *areas, rg_ctx *ctx, const unsigned char *wkb, size_t size, rg_geo__area *area)
{
    /* Writers on several threads each take their own stretch of the file. */
    off_t at = (off_t)atomic_fetch_add(&areas->scratch_end, (long long)size);
    size_t done = 0;
    while (done < size) {
        ssize_t n = pwrite(areas->scratch_fd, wkb + done, size - done, at + (off_t)done);
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    if (done < size)
        return rg_ctx_error(ctx, RG_EIO, "%s: area %s: cannot write the polygon to this scratch file: %s%s",
                            areas->scratch_path, area->code ? area->code : "?", strerror(errno),
                            errno == ENOSPC || errno == EFBIG ? " (is its disk full?)" : "");
    area->wkb_at = at;
    area->wkb_size = size;
    return RG_OK;
}

/* Area i's WKB into `into` (room for wkb_size bytes). */
static int read_wkb(const rg_areas *areas, rg_ctx *ctx, size_t i, void *into)
{
    const rg_geo__area *a = &areas->items[i];
    ssize_t n = pread(areas->scratch_fd, into, a->wkb_size, a->wkb_at);
    if (n != (ssize_t)a->wkb_size)
        return rg_ctx_error(ctx, RG_EIO, "%s: area %s: cannot read its polygon back from this scratch file: %s",
                            areas->scratch_path, a->code, n < 0 ? strerror(errno) : "short read");
    return RG_OK;
}

int rg_geo__areas_geom(const rg_areas *areas, rg_ctx *ctx, size_t i, rg_buf *buf, GEOSGeometry **out)
{
    const rg_geo__area *a = &areas->items[i];
    *out = NULL;
    if (rg__buf_reserve(buf, a->wkb_size) != RG_OK)
        return rg_ctx_error(ctx, RG_ENOMEM, "area %s: no memory for its polygon", a->code);
    int rc = read_wkb(areas, ctx, i, buf->data);
    if (rc != RG_OK)
        return rc;
    *out = GEOSGeomFromWKB_buf_r(rg__ctx_geos(ctx), (const unsigned char *)buf->data, a->wkb_size);
    return *out ? RG_OK : rg_ctx_error(ctx, RG_EGEOS, "area %s: %s", a->code, rg__ctx_geos_message(ctx));
}

int rg_geo__areas_add(rg_areas *areas, rg_geo__area *area)
{
    if (areas->count == areas->cap) {
        size_t cap = areas->cap ? areas->cap * 2 : 64;
        rg_geo__area *grown = rg_realloc(areas->items, cap * sizeof *grown);
        if (!grown) {
            rg_geo__area_clear(area);
            return RG_ENOMEM;
        }
        areas->items = grown;
        areas->cap = cap;
    }
    areas->items[areas->count++] = *area;
    memset(area, 0, sizeof *area);
    return RG_OK;
}

static int compare_codes(const void *a, const void *b)
{
    return strcmp(((const rg_geo__area *)a)->code, ((const rg_geo__area *)b)->code);
}

static void ignore_item(void *item, void *userdata)
{
    (void)item;
    (void)userdata;
}

int rg_geo__areas_finish(rg_areas *areas, const char *source)
{
    GEOSContextHandle_t h = rg__ctx_geos(areas->ctx);
    if (areas->count == 0)
        return rg_ctx_error(areas->ctx, RG_EDATA, "%s: no polygons with a geometry", source);
    /* Sorting by code makes index order, and so every tie, independent of input order. */
    qsort(areas->items, areas->count, sizeof *areas->items, compare_codes);
    rg_buf dups = {0};
    for (size_t i = 1; i < areas->count; i++)
        if (strcmp(areas->items[i].code, areas->items[i - 1].code) == 0 &&
            (i < 2 || strcmp(areas->items[i].code, areas->items[i - 2].code) != 0))
            rg__buf_appendf(&dups, "%s%s", dups.len ? ", " : "", areas->items[i].code);
    if (dups.len) {
        int rc = rg_ctx_error(areas->ctx, RG_EDATA, "%s: duplicate area codes: %s", source, dups.data);
        rg__buf_free(&dups);
        return rc;
    }
    rg__buf_free(&dups);

    areas->tree = GEOSSTRtree_create_r(h, 10);
    if (!areas->tree)
        return rg_ctx_error(areas->ctx, RG_EGEOS, "%s: cannot build the spatial index: %s", source,
                            rg__ctx_geos_message(areas->ctx));
    for (size_t i = 0; i < areas->count; i++) {
        const double *b = areas->items[i].bounds;
        GEOSGeometry *box = GEOSGeom_createRectangle_r(h, b[0], b[1], b[2], b[3]);
        if (!box)
            return rg_ctx_error(areas->ctx, RG_EGEOS, "%s: %s: %s", source, areas->items[i].code,
                                rg__ctx_geos_message(areas->ctx));
        GEOSSTRtree_insert_r(h, areas->tree, box, (void *)(uintptr_t)i);
        GEOSGeom_destroy_r(h, box); /* the tree keeps only its envelope */
    }
    /* GEOS builds an STRtree on its first query, which two threads must not do at once,
     * and 3.11 has no call to build it: one query now makes the areas safe to share. */
    GEOSGeometry *probe = GEOSGeom_createPointFromXY_r(h, areas->items[0].bounds[0], areas->items[0].bounds[1]);
    if (!probe)
        return rg_ctx_error(areas->ctx, RG_EGEOS, "%s: cannot build the spatial index: %s", source,
                            rg__ctx_geos_message(areas->ctx));
    GEOSSTRtree_query_r(h, areas->tree, probe, ignore_item, NULL);
    GEOSGeom_destroy_r(h, probe);
    return RG_OK;
}

size_t rg_geo_areas_count(const rg_areas *areas) { return areas->count; }
const char *rg_geo_areas_code(const rg_areas *areas, size_t i) { return areas->items[i].code; }
const char *rg_geo_areas_name(const rg_areas *areas, size_t i) { return areas->items[i].name; }
const char *rg_geo_areas_parent(const rg_areas *areas, size_t i) { return areas->items[i].parent; }
const char *rg_geo_areas_alt_code(const rg_areas *areas, size_t i) { return areas->items[i].alt_code; }
rg_urban_rural rg_geo_areas_urban_rural(const rg_areas *areas, size_t i) { return areas->items[i].area_type; }
int rg_geo_areas_repaired(const rg_areas *areas, size_t i) { return areas->items[i].repaired; }

long rg_geo_areas_find(const rg_areas *areas, const char *code)
{
    if (!code)
        return -1;
    size_t lo = 0, hi = areas->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(areas->items[mid].code, code);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

int rg_geo_areas_wkb(const rg_areas *areas, rg_ctx *ctx, size_t i, unsigned char **wkb, size_t *size)
{
    const rg_geo__area *a = &areas->items[i];
    *wkb = rg_malloc(a->wkb_size ? a->wkb_size : 1);
    *size = a->wkb_size;
    if (!*wkb)
        return RG_ENOMEM;
    int rc = read_wkb(areas, ctx, i, *wkb);
    if (rc != RG_OK) {
        rg_free(*wkb);
        *wkb = NULL;
    }
    return rc;
}

static void normalise(const char *in, char *out, size_t cap)
{
    size_t j = 0;
    for (; *in && j + 1 < cap; in++) {
        char c = *in;
        out[j++] = (c == ' ' || c == '-') ? '_' : (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    out[j] = '\0';
}

static int find_field(OGRFeatureDefnH defn, const char *wanted, const char *const *candidates)
{
    int n = OGR_FD_GetFieldCount(defn);
    if (wanted)
        return OGR_FD_GetFieldIndex(defn, wanted);
    for (const char *const *c = candidates; *c; c++)
        for (int i = 0; i < n; i++) {
            char norm[128];
            normalise(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)), norm, sizeof norm);
            if (strcmp(norm, *c) == 0)
                return i;
        }
    return -1;
}

static OGRLayerH find_layer(GDALDatasetH ds, const char *wanted, const char *const *candidates)
{
    if (wanted)
        return GDALDatasetGetLayerByName(ds, wanted);
    int n = GDALDatasetGetLayerCount(ds);
    for (const char *const *c = candidates; *c; c++)
        for (int i = 0; i < n; i++) {
            char norm[128];
            OGRLayerH layer = GDALDatasetGetLayer(ds, i);
            normalise(OGR_L_GetName(layer), norm, sizeof norm);
            if (strcmp(norm, *c) == 0)
                return layer;
        }
    return NULL;
}

/* Keeps only the polygons of what GEOSMakeValid returns (it may add lines and points). */
static GEOSGeometry *polygonal_part(GEOSContextHandle_t h, GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON)
        return g;
    int n = GEOSGetNumGeometries_r(h, g);
    GEOSGeometry **polys = rg_calloc((size_t)(n > 0 ? n : 1), sizeof *polys);
    if (!polys) {
        GEOSGeom_destroy_r(h, g);
        return NULL;
    }
    unsigned count = 0;
    for (int i = 0; i < n; i++) {
        const GEOSGeometry *part = GEOSGetGeometryN_r(h, g, i);
        int t = GEOSGeomTypeId_r(h, part);
        if (t == GEOS_POLYGON)
            polys[count++] = GEOSGeom_clone_r(h, part);
        else if (t == GEOS_MULTIPOLYGON)
            for (int k = 0; k < GEOSGetNumGeometries_r(h, part); k++)
                polys[count++] = GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, part, k));
    }
    GEOSGeom_destroy_r(h, g);
    GEOSGeometry *out = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, count);
    rg_free(polys);
    return out;
}

static char *dup_field(OGRFeatureH f, int index)
{
    if (index < 0 || !OGR_F_IsFieldSetAndNotNull(f, index))
        return NULL;
    const char *v = OGR_F_GetFieldAsString(f, index);
    while (*v == ' ')
        v++;
    if (!*v)
        return NULL;
    char *copy = rg_strdup(v);
    for (size_t n = copy ? strlen(copy) : 0; n && copy[n - 1] == ' ';)
        copy[--n] = '\0';
    return copy;
}

/* The kecamatan of a kelurahan: from its own code when that parses, else its parent field. */
static char *derive_parent(const char *code, char *parent_field)
{
    rg_area_code parsed, parent;
    if (rg_code_parse(code, &parsed) == RG_OK && parsed.level == RG_LEVEL_DESA &&
        rg_code_parent(&parsed, &parent) == RG_OK) {
        char buf[16];
        rg_code_format(&parent, buf, sizeof buf);
        rg_free(parent_field);
        return rg_strdup(buf);
    }
    return parent_field;
}

static int read_geometry(rg_ctx *ctx, OGRGeometryH g, OGRCoordinateTransformationH ct, GEOSGeometry **out)
{
    *out = NULL;
    GEOSContextHandle_t h = rg__ctx_geos(ctx);
    if (ct && OGR_G_Transform(g, ct) != OGRERR_NONE)
        return RG_EPROJ;
    int size = OGR_G_WkbSize(g);
    unsigned char *wkb = rg_malloc((size_t)size);
    if (!wkb)
        return RG_ENOMEM;
    OGR_G_ExportToWkb(g, wkbNDR, wkb);
    *out = GEOSGeomFromWKB_buf_r(h, wkb, (size_t)size);
    rg_free(wkb);
    return *out ? RG_OK : RG_EGEOS;
}

int rg_geo_areas_read(rg_areas **out, rg_ctx *ctx, const char *path, rg_area_kind kind,
                      const rg_area_source *source)
{
    *out = NULL;
    static const rg_area_source none = RG_AREA_SOURCE_INIT;
    const rg_area_source *src = source ? source : &none;
    const char *what = kind == RG_AREA_KELURAHAN ? "kelurahan" : "kecamatan";
    GEOSContextHandle_t h = rg__ctx_geos(ctx);
    int rc = RG_OK;
    GDALDatasetH ds = NULL;
    OGRSpatialReferenceH wgs84 = NULL, layer_srs = NULL;
    OGRCoordinateTransformationH ct = NULL;
    OGRFeatureH f = NULL;
    rg_geo__area area = {0};
    GEOSGeometry *geom = NULL;
    rg_areas *areas = NULL;
    if ((rc = rg_geo__areas_new(&areas, ctx)) != RG_OK)
        return rc;

    GDALAllRegister(); /* idempotent: the library's callers need not remember it */
    ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds) {
        char why[256];
        rc = rg_ctx_error(ctx, RG_EGDAL, "%s: cannot open as boundaries: %s", path,
                          rg__open_failure(path, CPLGetLastErrorMsg(), why, sizeof why));
        goto done;
    }
    OGRLayerH layer = find_layer(ds, src->layer, kind == RG_AREA_KELURAHAN ? kel_layers : kec_layers);
    if (!layer) {
        rg_buf names = {0};
        for (int i = 0; i < GDALDatasetGetLayerCount(ds); i++)
            rg__buf_appendf(&names, "%s%s", i ? ", " : "", OGR_L_GetName(GDALDatasetGetLayer(ds, i)));
        rc = rg_ctx_error(ctx, RG_ENOTFOUND, "%s: no %s layer%s%s (layers found: %s)", path, what,
                          src->layer ? " named " : "", src->layer ? src->layer : "",
                          names.data ? names.data : "none");
        rg__buf_free(&names);
        goto done;
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int code_i = find_field(defn, src->code_field, kind == RG_AREA_KELURAHAN ? kel_codes : kec_codes);
    int name_i = find_field(defn, src->name_field, kind == RG_AREA_KELURAHAN ? kel_names : kec_names);
    int parent_i = kind == RG_AREA_KELURAHAN ? find_field(defn, src->parent_field, kel_parents) : -1;
    int parent_name_i = kind == RG_AREA_KELURAHAN ? find_field(defn, NULL, kec_names_in_kel) : -1;
    int alt_i = find_field(defn, NULL, alt_codes);
    if (alt_i == code_i)
        alt_i = -1;
    int type_i = kind == RG_AREA_KELURAHAN ? find_field(defn, NULL, area_types) : -1;
    long unknown_types = 0;
    if (code_i < 0) {
        rg_buf names = {0};
        for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++)
            rg__buf_appendf(&names, "%s%s", i ? ", " : "", OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
        rc = rg_ctx_error(ctx, RG_EDATA, "%s: layer %s: no %s code field%s%s (fields found: %s)", path,
                          OGR_L_GetName(layer), what, src->code_field ? " named " : "",
                          src->code_field ? src->code_field : "", names.data ? names.data : "none");
        rg__buf_free(&names);
        goto done;
    }
    rg_ctx_notice(ctx, RG_NOTICE_INFO, "%s: %s from layer '%s', code '%s', name '%s'%s%s", path, what,
                  OGR_L_GetName(layer), OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, code_i)),
                  name_i >= 0 ? OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, name_i)) : "(none)",
                  parent_i >= 0 ? ", parent " : "",
                  parent_i >= 0 ? OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, parent_i)) : "");

    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(layer);
    if (srs) {
        wgs84 = OSRNewSpatialReference(NULL);
        OSRImportFromEPSG(wgs84, 4326);
        OSRSetAxisMappingStrategy(wgs84, OAMS_TRADITIONAL_GIS_ORDER);
        layer_srs = OSRClone(srs);
        OSRSetAxisMappingStrategy(layer_srs, OAMS_TRADITIONAL_GIS_ORDER);
        if (!OSRIsSame(layer_srs, wgs84)) {
            ct = OCTNewCoordinateTransformation(layer_srs, wgs84);
            if (!ct) {
                rc = rg_ctx_error(ctx, RG_EPROJ, "%s: layer %s: cannot transform its CRS to EPSG:4326: %s", path,
                                  OGR_L_GetName(layer), CPLGetLastErrorMsg());
                goto done;
            }
            rg_ctx_notice(ctx, RG_NOTICE_INFO, "%s: reprojecting %s from %s to EPSG:4326", path, what,
                          OSRGetName(layer_srs) ? OSRGetName(layer_srs) : "its CRS");
        }
    }

    OGR_L_ResetReading(layer);
    while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
        long long fid = OGR_F_GetFID(f);
        if (geom) /* the previous feature's, written or skipped */
            GEOSGeom_destroy_r(h, geom);
        geom = NULL;
        area.code = dup_field(f, code_i);
        area.name = dup_field(f, name_i);
        area.alt_code = dup_field(f, alt_i);
        area.parent_name = dup_field(f, parent_name_i);
        if (type_i >= 0 && OGR_F_IsFieldSetAndNotNull(f, type_i)) {
            area.area_type = rg_geo_urban_rural_parse(OGR_F_GetFieldAsString(f, type_i));
            unknown_types += area.area_type == RG_AREA_TYPE_ANY;
        }
        if (kind == RG_AREA_KELURAHAN)
            area.parent = derive_parent(area.code ? area.code : "", dup_field(f, parent_i));
        else if (area.code) {
            rg_area_code parsed, parent;
            char buf[16];
            if (rg_code_parse(area.code, &parsed) == RG_OK && rg_code_parent(&parsed, &parent) == RG_OK) {
                rg_code_format(&parent, buf, sizeof buf);
                area.parent = rg_strdup(buf);
            }
        }
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (!area.code) {
            rg_ctx_notice(ctx, RG_NOTICE_WARNING, "%s: %s feature %lld (%s) has no code: skipped", path, what, fid,
                          area.name ? area.name : "no name");
            rg_geo__area_clear(&area);
        } else if (!g || OGR_G_IsEmpty(g)) {
            rg_ctx_notice(ctx, RG_NOTICE_WARNING, "%s: %s %s (%s), feature %lld: empty geometry: skipped", path, what,
                          area.code, area.name ? area.name : "no name", fid);
            rg_geo__area_clear(&area);
        } else {
            rc = read_geometry(ctx, g, ct, &geom);
            if (rc != RG_OK) {
                rc = rg_ctx_error(ctx, rc, "%s: %s %s, feature %lld: cannot read geometry: %s", path, what, area.code,
                                  fid, rc == RG_EPROJ ? CPLGetLastErrorMsg() : rg__ctx_geos_message(ctx));
                goto done;
            }
            int type = GEOSGeomTypeId_r(h, geom);
            char valid = GEOSisValid_r(h, geom);
            if (valid == 2) {
                rc = rg_ctx_error(ctx, RG_EGEOS, "%s: %s %s: %s", path, what, area.code, rg__ctx_geos_message(ctx));
                goto done;
            }
            if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON && type != GEOS_GEOMETRYCOLLECTION) {
                rg_ctx_notice(ctx, RG_NOTICE_WARNING, "%s: %s %s, feature %lld: not a polygon: skipped", path, what,
                              area.code, fid);
                rg_geo__area_clear(&area);
                OGR_F_Destroy(f);
                f = NULL;
                continue;
            }
            if (!valid || type == GEOS_GEOMETRYCOLLECTION) {
                char *reason = GEOSisValidReason_r(h, geom);
                /* A NaN or infinite vertex has no place on the ground to repair it to. */
                if (reason && strncmp(reason, "Invalid Coordinate", 18) == 0) {
                    rg_ctx_notice(ctx, RG_NOTICE_WARNING,
                                  "%s: %s %s (%s), feature %lld: a coordinate is not a number (%s): skipped", path,
                                  what, area.code, area.name ? area.name : "no name", fid, reason);
                    GEOSFree_r(h, reason);
                    rg_geo__area_clear(&area);
                    OGR_F_Destroy(f);
                    f = NULL;
                    continue;
                }
                GEOSGeometry *fixed = GEOSMakeValid_r(h, geom);
                if (!fixed) {
                    rc = rg_ctx_error(ctx, RG_EGEOS, "%s: %s %s: cannot repair: %s", path, what, area.code,
                                      rg__ctx_geos_message(ctx));
                    if (reason)
                        GEOSFree_r(h, reason);
                    goto done;
                }
                GEOSGeom_destroy_r(h, geom);
                geom = polygonal_part(h, fixed);
                area.repaired = 1;
                rg_ctx_notice(ctx, RG_NOTICE_WARNING, "%s: %s %s (%s): invalid polygon (%s) repaired with MakeValid",
                              path, what, area.code, area.name ? area.name : "no name",
                              reason ? reason : "unknown reason");
                if (reason)
                    GEOSFree_r(h, reason);
                if (!geom || GEOSisEmpty_r(h, geom) == 1) {
                    rg_ctx_notice(ctx, RG_NOTICE_WARNING, "%s: %s %s: nothing left after repair: skipped", path,
                                  what, area.code);
                    rg_geo__area_clear(&area);
                }
            }
            if (area.code && ((rc = rg_geo__areas_put(areas, ctx, geom, &area)) != RG_OK ||
                              (rc = rg_geo__areas_add(areas, &area)) != RG_OK))
                goto done;
        }
        OGR_F_Destroy(f);
        f = NULL;
    }
    if (unknown_types)
        rg_ctx_notice(ctx, RG_NOTICE_WARNING,
                      "%s: %ld %s have a %s that is neither perkotaan nor perdesaan: only lines for all"
                      " areas apply to them",
                      path, unknown_types, what, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, type_i)));
    else if (type_i >= 0)
        rg_ctx_notice(ctx, RG_NOTICE_INFO, "%s: urban/rural from field '%s'", path,
                      OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, type_i)));
    rc = rg_geo__areas_finish(areas, path);

done:
    rg_geo__area_clear(&area);
    if (geom)
        GEOSGeom_destroy_r(h, geom);
    if (f)
        OGR_F_Destroy(f);
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    if (layer_srs)
        OSRDestroySpatialReference(layer_srs);
    if (wgs84)
        OSRDestroySpatialReference(wgs84);
    if (ds)
        GDALClose(ds);
    if (rc != RG_OK) {
        rg_geo_areas_free(areas);
        return rc;
    }
    *out = areas;
    return RG_OK;
}

static const rg_areas *parent_order_areas;
static int compare_by_parent(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(parent_order_areas->items[x].parent, parent_order_areas->items[y].parent);
    return c ? c : (x > y) - (x < y);
}

/* Kecamatan are dissolved on all cores: each union is independent, and at national scale
 * (7,000 unions of a dozen polygons with hundreds of vertices) they take most of a join.
 * Each worker reads its kelurahan from their scratch file and writes the union to the
 * kecamatan's, so only the unions in progress are in memory. */
typedef struct {
    const rg_areas *kelurahan;
    rg_areas *kecamatan;
    const size_t *order;       /* kelurahan indexes, grouped by parent */
    const size_t *group_start; /* group g is order[group_start[g] .. group_start[g + 1]) */
    size_t groups;
    rg_geo__area *merged;      /* one per group: where its union is in the scratch file */
    atomic_size_t next;
    rg__first_failure failure;
} dissolve_job;

static int dissolve_group(dissolve_job *job, rg_ctx *ctx, size_t g, rg_buf *buf)
{
    GEOSContextHandle_t h = rg__ctx_geos(ctx);
    size_t first = job->group_start[g], n = job->group_start[g + 1] - first;
    const char *code = job->kelurahan->items[job->order[first]].parent;
    GEOSGeometry **parts = rg_calloc(n, sizeof *parts);
    if (!parts)
        return RG_ENOMEM;
    int rc = RG_OK;
    size_t have = 0;
    for (; have < n && rc == RG_OK; have++)
        rc = rg_geo__areas_geom(job->kelurahan, ctx, job->order[first + have], buf, &parts[have]);
    if (rc != RG_OK)
        have--; /* the failed one is NULL */
    GEOSGeometry *collection =
        rc == RG_OK ? GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)n) : NULL;
    if (collection)
        have = 0; /* the collection owns them */
    GEOSGeometry *merged = collection ? GEOSUnaryUnion_r(h, collection) : NULL;
    if (rc == RG_OK && !merged)
        rc = rg_ctx_error(ctx, RG_EGEOS, "dissolving kecamatan %s: %s", code, rg__ctx_geos_message(ctx));
    job->merged[g].code = (char *)code; /* borrowed for messages; replaced by the caller */
    if (rc == RG_OK)
        rc = rg_geo__areas_put(job->kecamatan, ctx, merged, &job->merged[g]);
    job->merged[g].code = NULL;
    for (size_t i = 0; i < have; i++)
        GEOSGeom_destroy_r(h, parts[i]);
    if (collection)
        GEOSGeom_destroy_r(h, collection);
    if (merged)
        GEOSGeom_destroy_r(h, merged);
    rg_free(parts);
    return rc;
}

static void *dissolve_worker(void *arg)
{
    dissolve_job *job = arg;
    rg_ctx *ctx = NULL;
    rg_buf buf = {0};
    int rc = rg_ctx_new(&ctx);
    size_t g = 0;
    while (rc == RG_OK && !atomic_load(&job->failure.failed) && (g = atomic_fetch_add(&job->next, 1)) < job->groups)
        rc = dissolve_group(job, ctx, g, &buf);
    if (rc != RG_OK)
        rg__first_failure_set(&job->failure, rc, ctx);
    rg__buf_free(&buf);
    rg_ctx_free(ctx);
    return NULL;
}

int rg_geo_areas_dissolve(rg_areas **out, rg_ctx *ctx, const rg_areas *kelurahan)
{
    *out = NULL;
    int rc = RG_OK;
    size_t count = kelurahan->count ? kelurahan->count : 1, grouped = 0, groups = 0;
    rg_areas *areas = NULL;
    size_t *order = rg_calloc(count, sizeof *order);
    size_t *group_start = rg_calloc(count + 1, sizeof *group_start);
    rg_geo__area *merged = rg_calloc(count, sizeof *merged);
    if (!order || !group_start || !merged) {
        rc = RG_ENOMEM;
        goto done;
    }
    if ((rc = rg_geo__areas_new(&areas, ctx)) != RG_OK)
        goto done;
    /* A parent field need not be a prefix of the code: group on the parent itself. */
    for (size_t i = 0; i < kelurahan->count; i++)
        if (kelurahan->items[i].parent)
            order[grouped++] = i;
    parent_order_areas = kelurahan;
    qsort(order, grouped, sizeof *order, compare_by_parent);
    parent_order_areas = NULL;
    for (size_t i = 0; i < grouped; i++)
        if (i == 0 || strcmp(kelurahan->items[order[i]].parent, kelurahan->items[order[i - 1]].parent) != 0)
            group_start[groups++] = i;
    group_start[groups] = grouped;

    dissolve_job job = {.kelurahan = kelurahan, .kecamatan = areas, .order = order, .group_start = group_start,
                        .groups = groups, .merged = merged};
    atomic_init(&job.next, 0);
    rg__first_failure_init(&job.failure);
    rg__parallel(rg__default_threads(), dissolve_worker, &job);
    if ((rc = rg__first_failure_finish(&job.failure, ctx)) != RG_OK)
        goto done;

    for (size_t g = 0; g < groups && rc == RG_OK; g++) {
        const rg_geo__area *k = &kelurahan->items[order[group_start[g]]];
        rg_geo__area area = merged[g];
        area.code = rg_strdup(k->parent);
        area.name = k->parent_name ? rg_strdup(k->parent_name) : NULL;
        rg_area_code parsed, parent;
        char buf[16];
        if (rg_code_parse(k->parent, &parsed) == RG_OK && rg_code_parent(&parsed, &parent) == RG_OK) {
            rg_code_format(&parent, buf, sizeof buf);
            area.parent = rg_strdup(buf);
        }
        rc = rg_geo__areas_add(areas, &area);
    }
    if (rc == RG_OK)
        rc = rg_geo__areas_finish(areas, "kecamatan dissolved from kelurahan");

done:
    rg_free(merged);
    rg_free(group_start);
    rg_free(order);
    if (rc != RG_OK) {
        rg_geo_areas_free(areas);
        return rc;
    }
    *out = areas;
    return RG_OK;
}
