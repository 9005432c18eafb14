/*
 * The slivers between desa digitised apart are filled in the union of their kecamatan
 * (geo/gaps.c), and nothing else is: a hole that another kecamatan's desa fills (an enclave)
 * and a large hole (a lake in no desa) stay. Areas hand-computed: a ring of four rectangles
 * around a square of side a covers 8a^2, filled 9a^2.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "geo/internal.h"
#include "support.h"

static char features[8192];

static void add(const char *code, const char *kec, double x0, double y0, double x1, double y1)
{
    size_t n = strlen(features);
    snprintf(features + n, sizeof features - n,
             "%s{\"type\":\"Feature\",\"properties\":{\"kode_kel\":\"%s\",\"nama_kel\":\"K%s\",\"kode_kec\":\"%s\"},"
             "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],"
             "[%.6f,%.6f]]]}}",
             n ? "," : "", code, code, kec, x0, y0, x1, y0, x1, y1, x0, y1, x0, y0);
}

/* Kecamatan 5371010: four desa around the square [a, 2a]^2, near the equator. */
static void ring_of(double a)
{
    features[0] = '\0';
    add("5371010001", "5371010", 0, 0, 3 * a, a);
    add("5371010002", "5371010", 0, 2 * a, 3 * a, 3 * a);
    add("5371010003", "5371010", 0, a, a, 2 * a);
    add("5371010004", "5371010", 2 * a, a, 3 * a, 2 * a);
}

typedef struct {
    int holes;
    double area;
} shape;

/* The dissolved kecamatan 5371010: its holes and area, read by GEOS. */
static shape dissolve(const char *name)
{
    char text[9000];
    snprintf(text, sizeof text, "{\"type\":\"FeatureCollection\",\"name\":\"desa\",\"features\":[%s]}", features);
    rg_ctx *ctx = test_ctx();
    rg_areas *kel = NULL, *kec = NULL;
    cr_assert_eq(rg_geo_areas_read(&kel, ctx, write_tmp(name, text), RG_AREA_KELURAHAN, NULL), RG_OK, "%s",
                 rg_ctx_errmsg(ctx));
    cr_assert_eq(rg_geo_areas_dissolve(&kec, ctx, kel, RG_AREA_KECAMATAN), RG_OK, "%s", rg_ctx_errmsg(ctx));
    long i = rg_geo_areas_find(kec, "5371010");
    cr_assert_geq(i, 0);
    unsigned char *wkb = NULL;
    size_t size = 0;
    cr_assert_eq(rg_geo_areas_wkb(kec, ctx, (size_t)i, &wkb, &size), RG_OK);
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSGeometry *g = GEOSGeomFromWKB_buf_r(h, wkb, size);
    cr_assert_not_null(g);
    cr_assert_eq(GEOSisValid_r(h, g), 1);
    shape s = {0, 0};
    for (int k = 0; k < GEOSGetNumGeometries_r(h, g); k++)
        s.holes += GEOSGetNumInteriorRings_r(h, GEOSGetGeometryN_r(h, g, k));
    GEOSArea_r(h, g, &s.area);
    GEOSGeom_destroy_r(h, g);
    GEOS_finish_r(h);
    rg_free(wkb);
    rg_geo_areas_free(kec);
    rg_geo_areas_free(kel);
    rg_ctx_free(ctx);
    return s;
}

Test(geo_gaps, a_small_gap_between_desa_is_filled)
{
    double a = 0.001; /* 111 m: a hole of 1.2 ha */
    ring_of(a);
    shape s = dissolve("gap.geojson");
    cr_assert_eq(s.holes, 0);
    cr_assert_float_eq(s.area, 9 * a * a, 1e-12);
}

Test(geo_gaps, an_enclave_of_another_kecamatan_stays_a_hole)
{
    double a = 0.001;
    ring_of(a);
    add("5371020001", "5371020", a, a, 2 * a, 2 * a);
    shape s = dissolve("enclave.geojson");
    cr_assert_eq(s.holes, 1);
    cr_assert_float_eq(s.area, 8 * a * a, 1e-12);
}

Test(geo_gaps, a_large_hole_stays)
{
    double a = 0.01; /* 1.1 km: a hole of 124 ha, a lake rather than a sliver */
    ring_of(a);
    shape s = dissolve("lake.geojson");
    cr_assert_eq(s.holes, 1);
    cr_assert_float_eq(s.area, 8 * a * a, 1e-10);
}
