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

/* What each level's layer and fields are usually called: BPS and BIG (RBI: wadmkd, wadmkc,
 * wadmkk, wadmpr), HDX/OCHA (adm1..adm4) and the names people give them. */
typedef struct {
    const char *const *layers, *const *codes, *const *names;
    const char *const *upper_names[RG_GEO__UPPER_NAMES]; /* of its parent, grandparent, ... */
} vocabulary;

static const char *const kel_layers[] = {"kelurahan", "desa", "kelurahan_desa", "desa_kelurahan", "kel",
                                         "adm4", "batas_desa", "batas_kelurahan", "administrasi_desa", NULL};
static const char *const kec_layers[] = {"kecamatan", "kec", "adm3", "batas_kecamatan", "administrasi_kecamatan",
                                         NULL};
static const char *const kab_layers[] = {"kabkota", "kabupaten_kota", "kab_kota", "kabupaten", "kota", "kab",
                                         "adm2", "batas_kabupaten", "batas_kabkota", "administrasi_kabupaten", NULL};
static const char *const prov_layers[] = {"provinsi", "propinsi", "prov", "adm1", "batas_provinsi",
                                          "administrasi_provinsi", NULL};
static const char *const kel_codes[] = {"kode_kel", "kode_desa", "kode_kelurahan", "kd_desa", "kdepum",
                                        "adm4_pcode", "iddesa", "kode_bps", "kode", "code", NULL};
static const char *const kec_codes[] = {"kode_kec", "kd_kec", "kdcpum", "adm3_pcode", "idkec", "kode_bps", "kode",
                                        "code", NULL};
static const char *const kab_codes[] = {"kode_kab", "kode_kabkota", "kd_kab", "kdpkab", "adm2_pcode", "idkab",
                                        "kode_bps", "kode", "code", NULL};
static const char *const prov_codes[] = {"kode_prov", "kode_provinsi", "kd_prov", "kdppum", "adm1_pcode", "idprov",
                                         "kode_bps", "kode", "code", NULL};
static const char *const kel_names[] = {"nama_kel", "nama_desa", "nama_kelurahan", "wadmkd", "namobj", "nmdesa",
                                        "adm4_en", "desa", "kelurahan", "nama", "name", NULL};
static const char *const kec_names[] = {"nama_kec", "nama_kecamatan", "wadmkc", "nmkec", "adm3_en", "kecamatan",
                                        "nama", "name", NULL};
static const char *const kab_names[] = {"nama_kab", "nama_kabkota", "nama_kabupaten", "wadmkk", "nmkab", "adm2_en",
                                        "kabupaten", "kabkota", "nama", "name", NULL};
static const char *const prov_names[] = {"nama_prov", "nama_provinsi", "wadmpr", "nmprov", "adm1_en", "provinsi",
                                         "nama", "name", NULL};
/* Names of a level above in a layer of its own: only the specific ones ("nama" is the area's own). */
static const char *const kec_names_above[] = {"nama_kec", "nama_kecamatan", "wadmkc", "nmkec", "adm3_en", NULL};
static const char *const kab_names_above[] = {"nama_kab", "nama_kabkota", "nama_kabupaten", "wadmkk", "nmkab",
                                              "adm2_en", NULL};
static const char *const prov_names_above[] = {"nama_prov", "nama_provinsi", "wadmpr", "nmprov", "adm1_en", NULL};

static const vocabulary vocabularies[RG_AREA_KINDS] = {
    {kel_layers, kel_codes, kel_names, {kec_names_above, kab_names_above, prov_names_above}},
    {kec_layers, kec_codes, kec_names, {kab_names_above, prov_names_above, NULL}},
    {kab_layers, kab_codes, kab_names, {prov_names_above, NULL, NULL}},
    {prov_layers, prov_codes, prov_names, {NULL, NULL, NULL}},
};

static const char *const kind_names[RG_AREA_KINDS] = {"kelurahan", "kecamatan", "kabkota", "provinsi"};

const char *rg_geo_area_kind_name(rg_area_kind kind) { return kind_names[kind]; }

static const char *const kel_parents[] = {"kode_kec", "kd_kec", "kdcpum", "adm3_pcode", NULL};
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
    for (int i = 0; i < RG_GEO__UPPER_NAMES; i++)
        rg_free(area->upper_names[i]);
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

int rg_geo__areas_read_wkb(const rg_areas *areas, rg_ctx *ctx, size_t i, void *into)
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
    int rc = rg_geo__areas_read_wkb(areas, ctx, i, buf->data);
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
    int rc = rg_geo__areas_read_wkb(areas, ctx, i, *wkb);
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

int rg_geo__find_field(OGRFeatureDefnH defn, const char *wanted, const char *const *candidates)
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

char *rg_geo__dup_field(OGRFeatureH f, int index)
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

/* Where a layer's fields are: -1 for those it lacks. */
typedef struct {
    int code, name, parent, alt, type;
    int upper_names[RG_GEO__UPPER_NAMES];
} field_map;

static void list_fields(OGRFeatureDefnH defn, rg_buf *names)
{
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++)
        rg__buf_appendf(names, "%s%s", i ? ", " : "", OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
}

static const char *field_name(OGRFeatureDefnH defn, int i)
{
    return i >= 0 ? OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)) : "(none)";
}

static int map_fields(rg_ctx *ctx, const char *path, OGRLayerH layer, rg_area_kind kind, const rg_area_source *src,
                      field_map *m)
{
    const vocabulary *v = &vocabularies[kind];
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    m->code = rg_geo__find_field(defn, src->code_field, v->codes);
    m->name = rg_geo__find_field(defn, src->name_field, v->names);
    m->parent = kind == RG_AREA_KELURAHAN ? rg_geo__find_field(defn, src->parent_field, kel_parents) : -1;
    m->alt = rg_geo__find_field(defn, NULL, alt_codes);
    if (m->alt == m->code)
        m->alt = -1;
    m->type = kind == RG_AREA_KELURAHAN ? rg_geo__find_field(defn, NULL, area_types) : -1;
    for (int u = 0; u < RG_GEO__UPPER_NAMES; u++)
        m->upper_names[u] = v->upper_names[u] ? rg_geo__find_field(defn, NULL, v->upper_names[u]) : -1;
    if (m->code < 0) {
        rg_buf names = {0};
        list_fields(defn, &names);
        int rc = rg_ctx_error(ctx, RG_EDATA, "%s: layer %s: no %s code field%s%s (fields found: %s)", path,
                              OGR_L_GetName(layer), kind_names[kind], src->code_field ? " named " : "",
                              src->code_field ? src->code_field : "", names.data ? names.data : "none");
        rg__buf_free(&names);
        return rc;
    }
    rg_ctx_notice(ctx, RG_NOTICE_INFO, "%s: %s from layer '%s', code '%s', name '%s'%s%s", path, kind_names[kind],
                  OGR_L_GetName(layer), field_name(defn, m->code), field_name(defn, m->name),
                  m->parent >= 0 ? ", parent " : "", m->parent >= 0 ? field_name(defn, m->parent) : "");
    return RG_OK;
}

static int open_layer(rg_ctx *ctx, const char *path, rg_area_kind kind, const rg_area_source *src, GDALDatasetH *ds,
                      OGRLayerH *layer)
{
    GDALAllRegister(); /* idempotent: the library's callers need not remember it */
    *ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!*ds) {
        char why[256];
        return rg_ctx_error(ctx, RG_EGDAL, "%s: cannot open as boundaries: %s", path,
                            rg__open_failure(path, CPLGetLastErrorMsg(), why, sizeof why));
    }
    *layer = find_layer(*ds, src->layer, vocabularies[kind].layers);
    if (*layer)
        return RG_OK;
    rg_buf names = {0};
    for (int i = 0; i < GDALDatasetGetLayerCount(*ds); i++)
        rg__buf_appendf(&names, "%s%s", i ? ", " : "", OGR_L_GetName(GDALDatasetGetLayer(*ds, i)));
    int rc = rg_ctx_error(ctx, RG_ENOTFOUND, "%s: no %s layer%s%s (layers found: %s)", path, kind_names[kind],
                          src->layer ? " named " : "", src->layer ? src->layer : "", names.data ? names.data : "none");
    rg__buf_free(&names);
    return rc;
}

int rg_geo__layer_transform(rg_ctx *ctx, const char *path, OGRLayerH layer, const char *what, void **ct)
{
    *ct = NULL;
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(layer);
    char source[600];
    snprintf(source, sizeof source, "%s: layer %s (%s)", path, OGR_L_GetName(layer), what);
    return srs ? rg_io_crs_from_srs(ct, ctx, srs, source) : RG_OK;
}

char *rg_geo__parent_of_code(const char *code)
{
    rg_area_code parsed, parent;
    char buf[RG_CODE_TEXT_MAX];
    if (!code || rg_code_parse(code, &parsed) != RG_OK || rg_code_parent(&parsed, &parent) != RG_OK)
        return NULL;
    rg_code_format(&parent, buf, sizeof buf);
    return rg_strdup(buf);
}

/* A feature's code, names and parent into *area; its geometry is read apart. */
static void read_attributes(OGRFeatureH f, rg_area_kind kind, const field_map *m, rg_geo__area *area,
                            long *unknown_types)
{
    area->code = rg_geo__dup_field(f, m->code);
    area->name = rg_geo__dup_field(f, m->name);
    area->alt_code = rg_geo__dup_field(f, m->alt);
    for (int u = 0; u < RG_GEO__UPPER_NAMES; u++)
        area->upper_names[u] = rg_geo__dup_field(f, m->upper_names[u]);
    if (m->type >= 0 && OGR_F_IsFieldSetAndNotNull(f, m->type)) {
        area->area_type = rg_geo_urban_rural_parse(OGR_F_GetFieldAsString(f, m->type));
        *unknown_types += area->area_type == RG_AREA_TYPE_ANY;
    }
    if (kind == RG_AREA_KELURAHAN)
        area->parent = derive_parent(area->code ? area->code : "", rg_geo__dup_field(f, m->parent));
    else
        area->parent = rg_geo__parent_of_code(area->code);
}

typedef enum { SHAPE_KEEP, SHAPE_SKIP } shape_verdict;

/* Checks a feature's polygon and repairs it with GEOSMakeValid when it is invalid; says
 * why it skips one it cannot use. *geom may be replaced. */
static int check_shape(rg_ctx *ctx, const char *path, const char *what, long long fid, rg_geo__area *area,
                       GEOSGeometry **geom, shape_verdict *verdict)
{
    GEOSContextHandle_t h = rg__ctx_geos(ctx);
    const char *name = area->name ? area->name : "no name";
    *verdict = SHAPE_SKIP;
    int type = GEOSGeomTypeId_r(h, *geom);
    char valid = GEOSisValid_r(h, *geom);
    if (valid == 2)
        return rg_ctx_error(ctx, RG_EGEOS, "%s: %s %s: %s", path, what, area->code, rg__ctx_geos_message(ctx));
    if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON && type != GEOS_GEOMETRYCOLLECTION) {
        rg_ctx_notice(ctx, RG_NOTICE_WARNING, "%s: %s %s, feature %lld: not a polygon: skipped", path, what,
                      area->code, fid);
        return RG_OK;
    }
    if (valid && type != GEOS_GEOMETRYCOLLECTION) {
        *verdict = SHAPE_KEEP;
        return RG_OK;
    }
    char *reason = GEOSisValidReason_r(h, *geom);
    int rc = RG_OK;
    /* A NaN or infinite vertex has no place on the ground to repair it to. */
    if (reason && strncmp(reason, "Invalid Coordinate", 18) == 0) {
        rg_ctx_notice(ctx, RG_NOTICE_WARNING, "%s: %s %s (%s), feature %lld: a coordinate is not a number (%s): skipped",
                      path, what, area->code, name, fid, reason);
    } else {
        GEOSGeometry *fixed = GEOSMakeValid_r(h, *geom);
        if (!fixed) {
            rc = rg_ctx_error(ctx, RG_EGEOS, "%s: %s %s: cannot repair: %s", path, what, area->code,
                              rg__ctx_geos_message(ctx));
        } else {
            GEOSGeom_destroy_r(h, *geom);
            *geom = polygonal_part(h, fixed);
            area->repaired = 1;
            rg_ctx_notice(ctx, RG_NOTICE_WARNING, "%s: %s %s (%s): invalid polygon (%s) repaired with MakeValid", path,
                          what, area->code, name, reason ? reason : "unknown reason");
            if (!*geom || GEOSisEmpty_r(h, *geom) == 1)
                rg_ctx_notice(ctx, RG_NOTICE_WARNING, "%s: %s %s: nothing left after repair: skipped", path, what,
                              area->code);
            else
                *verdict = SHAPE_KEEP;
        }
    }
    if (reason)
        GEOSFree_r(h, reason);
    return rc;
}

/* text as a message may show it: control characters as '?', cut with "..." past cap. */
static void printable(const char *text, char *out, size_t cap)
{
    size_t n = 0, len = strlen(text);
    for (; text[n] && n + 1 < cap; n++)
        out[n] = (unsigned char)text[n] < 0x20 || text[n] == 0x7f ? '?' : text[n];
    out[n] = '\0';
    if (len >= cap && cap > 4)
        memcpy(out + cap - 4, "...", 4);
}

/* One feature into the areas, or skipped with a warning that names it. */
static int read_feature(rg_areas *areas, rg_ctx *ctx, const char *path, rg_area_kind kind, OGRFeatureH f,
                        const field_map *m, OGRCoordinateTransformationH ct, long *unknown_types)
{
    rg_geo__area area = {0};
    read_attributes(f, kind, m, &area, unknown_types);
    return rg_geo__feature_area(areas, ctx, path, kind_names[kind], f, ct, &area);
}

int rg_geo__feature_area(rg_areas *areas, rg_ctx *ctx, const char *path, const char *what, OGRFeatureH f,
                         void *ct, rg_geo__area *attributes)
{
    GEOSContextHandle_t h = rg__ctx_geos(ctx);
    long long fid = OGR_F_GetFID(f);
    rg_geo__area area = *attributes;
    memset(attributes, 0, sizeof *attributes);
    GEOSGeometry *geom = NULL;
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    int rc = RG_OK;
    shape_verdict verdict = SHAPE_SKIP;
    /* A code names files (packs, rank lists) and parents name areas: both are checked. */
    const char *bad = area.code, *fault = area.code ? rg_area_id_fault(area.code) : NULL;
    if (area.code && !fault && area.parent && (fault = rg_area_id_fault(area.parent)) != NULL)
        bad = area.parent;
    if (!area.code) {
        rg_ctx_notice(ctx, RG_NOTICE_WARNING, "%s: %s feature %lld (%s) has no code: skipped", path, what, fid,
                      area.name ? area.name : "no name");
    } else if (fault) {
        char shown[48];
        printable(bad, shown, sizeof shown);
        rc = rg_ctx_error(ctx, RG_EDATA, "%s: %s feature %lld (%s): %scode '%s' cannot name an area: %s; correct the"
                          " boundary file",
                          path, what, fid, area.name ? area.name : "no name", bad == area.code ? "" : "parent ",
                          shown, fault);
    } else if (!g || OGR_G_IsEmpty(g)) {
        rg_ctx_notice(ctx, RG_NOTICE_WARNING, "%s: %s %s (%s), feature %lld: empty geometry: skipped", path, what,
                      area.code, area.name ? area.name : "no name", fid);
    } else if ((rc = read_geometry(ctx, g, ct, &geom)) != RG_OK) {
        rc = rg_ctx_error(ctx, rc, "%s: %s %s, feature %lld: cannot read geometry: %s", path, what, area.code, fid,
                          rc == RG_EPROJ ? CPLGetLastErrorMsg() : rg__ctx_geos_message(ctx));
    } else {
        rc = check_shape(ctx, path, what, fid, &area, &geom, &verdict);
    }
    if (rc == RG_OK && verdict == SHAPE_KEEP && (rc = rg_geo__areas_put(areas, ctx, geom, &area)) == RG_OK)
        rc = rg_geo__areas_add(areas, &area); /* takes the strings */
    rg_geo__area_clear(&area);
    if (geom)
        GEOSGeom_destroy_r(h, geom);
    return rc;
}

static void report_area_types(rg_ctx *ctx, const char *path, OGRLayerH layer, const field_map *m, long unknown,
                              const char *what)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    if (unknown)
        rg_ctx_notice(ctx, RG_NOTICE_WARNING,
                      "%s: %ld %s have a %s that is neither perkotaan nor perdesaan: only lines for all"
                      " areas apply to them",
                      path, unknown, what, field_name(defn, m->type));
    else if (m->type >= 0)
        rg_ctx_notice(ctx, RG_NOTICE_INFO, "%s: urban/rural from field '%s'", path, field_name(defn, m->type));
}

int rg_geo_areas_read(rg_areas **out, rg_ctx *ctx, const char *path, rg_area_kind kind,
                      const rg_area_source *source)
{
    *out = NULL;
    static const rg_area_source none = RG_AREA_SOURCE_INIT;
    const rg_area_source *src = source ? source : &none;
    GDALDatasetH ds = NULL;
    OGRLayerH layer = NULL;
    void *ct = NULL; /* the layer's CRS to EPSG:4326 */
    rg_areas *areas = NULL;
    field_map m;
    long unknown_types = 0;
    int rc = rg_geo__areas_new(&areas, ctx);
    if (rc == RG_OK)
        rc = open_layer(ctx, path, kind, src, &ds, &layer);
    if (rc == RG_OK)
        rc = map_fields(ctx, path, layer, kind, src, &m);
    if (rc == RG_OK)
        rc = rg_geo__layer_transform(ctx, path, layer, kind_names[kind], &ct);
    if (rc == RG_OK) {
        OGR_L_ResetReading(layer);
        OGRFeatureH f;
        while (rc == RG_OK && (f = OGR_L_GetNextFeature(layer)) != NULL) {
            rc = read_feature(areas, ctx, path, kind, f, &m, ct, &unknown_types);
            OGR_F_Destroy(f);
        }
    }
    if (rc == RG_OK) {
        report_area_types(ctx, path, layer, &m, unknown_types, kind_names[kind]);
        rc = rg_geo__areas_finish(areas, path);
    }
    rg_io_crs_free(ct);
    if (ds)
        GDALClose(ds);
    if (rc != RG_OK) {
        rg_geo_areas_free(areas);
        return rc;
    }
    *out = areas;
    return RG_OK;
}
