/*
 * The union of a coverage from its edges (geo/coverage.c), checked against GEOS's general
 * union (GEOSUnaryUnion) as the oracle: the same area covered (symmetric difference of no
 * area), a valid result, the shells and holes counted by hand for the small cases.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/rng.h"
#include "geo/internal.h"
#include "support.h"

static GEOSContextHandle_t geos;

static void setup(void) { geos = GEOS_init_r(); }
static void teardown(void) { GEOS_finish_r(geos); }

static GEOSGeometry *from_wkt(const char *wkt)
{
    GEOSWKTReader *r = GEOSWKTReader_create_r(geos);
    GEOSGeometry *g = GEOSWKTReader_read_r(geos, r, wkt);
    GEOSWKTReader_destroy_r(geos, r);
    cr_assert_not_null(g, "bad WKT %s", wkt);
    return g;
}

static void add_geometry(rg_geo__coverage *c, const GEOSGeometry *g, int big_endian)
{
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(geos);
    GEOSWKBWriter_setByteOrder_r(geos, w, big_endian ? GEOS_WKB_XDR : GEOS_WKB_NDR);
    size_t size = 0;
    unsigned char *wkb = GEOSWKBWriter_write_r(geos, w, g, &size);
    cr_assert_eq(rg_geo__coverage_add(c, wkb, size), RG_OK);
    GEOSFree_r(geos, wkb);
    GEOSWKBWriter_destroy_r(geos, w);
}

typedef struct {
    int clean;
    GEOSGeometry *result; /* NULL unless clean */
} outcome;

static outcome unite(rg_geo__coverage *c)
{
    unsigned char *wkb = NULL;
    size_t size = 0;
    double bounds[4];
    long vertices = 0;
    outcome o = {0, NULL};
    cr_assert_eq(rg_geo__coverage_union(c, &wkb, &size, bounds, &vertices, &o.clean), RG_OK);
    if (!o.clean) {
        cr_assert_null(wkb);
        return o;
    }
    o.result = GEOSGeomFromWKB_buf_r(geos, wkb, size);
    cr_assert_not_null(o.result, "the union is not WKB GEOS reads");
    cr_assert_eq(GEOSGetNumCoordinates_r(geos, o.result), vertices);
    double x0, y0, x1, y1;
    GEOSGeom_getXMin_r(geos, o.result, &x0);
    GEOSGeom_getYMin_r(geos, o.result, &y0);
    GEOSGeom_getXMax_r(geos, o.result, &x1);
    GEOSGeom_getYMax_r(geos, o.result, &y1);
    cr_assert(x0 == bounds[0] && y0 == bounds[1] && x1 == bounds[2] && y1 == bounds[3], "bounds");
    rg_free(wkb);
    return o;
}

/* The parts' union by GEOS, and how much area the two answers do not share. */
static double difference_from_geos(GEOSGeometry *const *parts, size_t n, const GEOSGeometry *result)
{
    GEOSGeometry **copies = malloc(n * sizeof *copies);
    for (size_t i = 0; i < n; i++)
        copies[i] = GEOSGeom_clone_r(geos, parts[i]);
    GEOSGeometry *all = GEOSGeom_createCollection_r(geos, GEOS_GEOMETRYCOLLECTION, copies, (unsigned)n);
    GEOSGeometry *expected = GEOSUnaryUnion_r(geos, all);
    GEOSGeometry *diff = GEOSSymDifference_r(geos, expected, result);
    double area = 0;
    GEOSArea_r(geos, diff, &area);
    GEOSGeom_destroy_r(geos, diff);
    GEOSGeom_destroy_r(geos, expected);
    GEOSGeom_destroy_r(geos, all);
    free(copies);
    return area;
}

static int polygons_in(const GEOSGeometry *g) { return GEOSGetNumGeometries_r(geos, g); }

static int holes_in(const GEOSGeometry *g)
{
    int holes = 0;
    for (int i = 0; i < GEOSGetNumGeometries_r(geos, g); i++)
        holes += GEOSGetNumInteriorRings_r(geos, GEOSGetGeometryN_r(geos, g, i));
    return holes;
}

/* Unites the parts given as WKT. When they are a coverage (`coverage` set), the answer must be
 * clean, valid and equal to GEOS's. */
static outcome unite_wkt(const char *const *wkt, size_t n, int big_endian, int coverage)
{
    rg_geo__coverage *c = NULL;
    cr_assert_eq(rg_geo__coverage_new(&c), RG_OK);
    GEOSGeometry *parts[16];
    for (size_t i = 0; i < n; i++) {
        parts[i] = from_wkt(wkt[i]);
        add_geometry(c, parts[i], big_endian);
    }
    outcome o = unite(c);
    if (coverage) {
        cr_assert(o.clean, "a coverage was not seen as one");
        cr_assert_eq(GEOSisValid_r(geos, o.result), 1, "the union is not valid");
        cr_assert_lt(difference_from_geos(parts, n, o.result), 1e-12, "the union differs from GEOS's");
    }
    for (size_t i = 0; i < n; i++)
        GEOSGeom_destroy_r(geos, parts[i]);
    rg_geo__coverage_free(c);
    return o;
}

TestSuite(geo_coverage, .init = setup, .fini = teardown);

Test(geo_coverage, two_squares_sharing_an_edge_are_one_square)
{
    const char *parts[] = {"POLYGON((0 0,1 0,1 1,0 1,0 0))", "POLYGON((1 0,1 1,2 1,2 0,1 0))"};
    outcome o = unite_wkt(parts, 2, 0, 1);
    cr_assert(o.clean);
    cr_assert_eq(polygons_in(o.result), 1);
    cr_assert_eq(holes_in(o.result), 0);
    double area;
    GEOSArea_r(geos, o.result, &area);
    cr_assert_float_eq(area, 2.0, 1e-12);
    /* the shared edge is gone: its two ends stay on the outline, nothing inside */
    cr_assert_eq(GEOSGetNumCoordinates_r(geos, o.result), 7);
    GEOSGeom_destroy_r(geos, o.result);
}

Test(geo_coverage, a_ring_of_squares_keeps_its_hole_and_big_endian_wkb_reads)
{
    const char *parts[] = {"POLYGON((0 0,1 0,1 1,0 1,0 0))", "POLYGON((1 0,2 0,2 1,1 1,1 0))",
                           "POLYGON((2 0,3 0,3 1,2 1,2 0))", "POLYGON((2 1,3 1,3 2,2 2,2 1))",
                           "POLYGON((2 2,3 2,3 3,2 3,2 2))", "POLYGON((1 2,2 2,2 3,1 3,1 2))",
                           "POLYGON((0 2,1 2,1 3,0 3,0 2))", "POLYGON((0 1,1 1,1 2,0 2,0 1))"};
    outcome o = unite_wkt(parts, 8, 1, 1);
    cr_assert(o.clean);
    cr_assert_eq(polygons_in(o.result), 1);
    cr_assert_eq(holes_in(o.result), 1);
    GEOSGeom_destroy_r(geos, o.result);
}

Test(geo_coverage, parts_touching_at_a_corner_stay_two_polygons)
{
    /* and the second is walked clockwise in its WKB: orientation is the union's to fix */
    const char *parts[] = {"POLYGON((0 0,1 0,1 1,0 1,0 0))", "POLYGON((1 1,1 2,2 2,2 1,1 1))"};
    outcome o = unite_wkt(parts, 2, 0, 1);
    cr_assert(o.clean);
    cr_assert_eq(polygons_in(o.result), 2);
    GEOSGeom_destroy_r(geos, o.result);
}

Test(geo_coverage, a_part_filling_another_parts_hole_leaves_no_hole)
{
    const char *parts[] = {"POLYGON((0 0,3 0,3 3,0 3,0 0),(1 1,1 2,2 2,2 1,1 1))", "POLYGON((1 1,2 1,2 2,1 2,1 1))"};
    outcome o = unite_wkt(parts, 2, 0, 1);
    cr_assert(o.clean);
    cr_assert_eq(polygons_in(o.result), 1);
    cr_assert_eq(holes_in(o.result), 0);
    GEOSGeom_destroy_r(geos, o.result);
}

Test(geo_coverage, an_island_in_a_lake_is_a_shell_of_its_own)
{
    const char *parts[] = {"POLYGON((0 0,9 0,9 9,0 9,0 0),(2 2,2 7,7 7,7 2,2 2))",
                           "MULTIPOLYGON(((9 0,10 0,10 9,9 9,9 0)),((4 4,5 4,5 5,4 5,4 4)))"};
    outcome o = unite_wkt(parts, 2, 0, 1);
    cr_assert(o.clean);
    cr_assert_eq(polygons_in(o.result), 2);
    cr_assert_eq(holes_in(o.result), 1);
    GEOSGeom_destroy_r(geos, o.result);
}

Test(geo_coverage, a_hole_touching_its_shell_at_a_vertex_is_valid)
{
    /* A U of three parts whose arms meet at one point around an empty square. */
    const char *parts[] = {"POLYGON((0 0,3 0,3 1,2 1,1 1,0 1,0 0))", "POLYGON((0 1,1 1,1 2,0 3,0 1))",
                           "POLYGON((2 1,3 1,3 3,1 2,2 1))"};
    outcome o = unite_wkt(parts, 3, 0, 1);
    cr_assert(o.clean);
    GEOSGeom_destroy_r(geos, o.result);
}

Test(geo_coverage, overlapping_parts_are_no_clean_coverage)
{
    const char *parts[] = {"POLYGON((0 0,2 0,2 2,0 2,0 0))", "POLYGON((1 1,3 1,3 3,1 3,1 1))"};
    const char *inside[] = {"POLYGON((0 0,4 0,4 4,0 4,0 0))", "POLYGON((1 1,2 1,2 2,1 2,1 1))"};
    const char *twice[] = {"POLYGON((0 0,1 0,1 1,0 1,0 0))", "POLYGON((0 0,1 0,1 1,0 1,0 0))"};
    outcome o = unite_wkt(parts, 2, 0, 0);
    /* Crossing edges are GEOS's to see: either not clean, or not valid. */
    cr_assert(!o.clean || GEOSisValid_r(geos, o.result) != 1);
    if (o.result)
        GEOSGeom_destroy_r(geos, o.result);
    cr_assert(!unite_wkt(inside, 2, 0, 0).clean, "a part inside another");
    cr_assert(!unite_wkt(twice, 2, 0, 0).clean, "the same part twice");
}

Test(geo_coverage, neighbours_that_do_not_share_vertices_are_no_clean_coverage)
{
    /* A T-junction: the big square's edge is the two small squares' edges unsplit. */
    const char *parts[] = {"POLYGON((0 0,2 0,2 2,0 2,0 0))", "POLYGON((2 0,3 0,3 1,2 1,2 0))",
                           "POLYGON((2 1,3 1,3 2,2 2,2 1))"};
    outcome o = unite_wkt(parts, 3, 0, 0);
    cr_assert(!o.clean || GEOSisValid_r(geos, o.result) != 1);
    if (o.result)
        GEOSGeom_destroy_r(geos, o.result);
}

Test(geo_coverage, a_border_whose_last_bits_differ_still_cancels)
{
    const char *parts[] = {"POLYGON((0 0,1 0,1.0000000000000002 0.5,1 1,0 1,0 0))",
                           "POLYGON((1 0,2 0,2 1,1 1,0.9999999999999998 0.5,1 0))"};
    outcome o = unite_wkt(parts, 2, 0, 1);
    cr_assert(o.clean);
    cr_assert_eq(polygons_in(o.result), 1);
    cr_assert_eq(GEOSGetNumCoordinates_r(geos, o.result), 7);
    GEOSGeom_destroy_r(geos, o.result);
}

Test(geo_coverage, wkb_that_is_no_polygon_is_refused)
{
    rg_geo__coverage *c = NULL;
    cr_assert_eq(rg_geo__coverage_new(&c), RG_OK);
    GEOSGeometry *line = from_wkt("LINESTRING(0 0,1 1)");
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(geos);
    size_t size = 0;
    unsigned char *wkb = GEOSWKBWriter_write_r(geos, w, line, &size);
    cr_assert_eq(rg_geo__coverage_add(c, wkb, size), RG_EDATA);
    cr_assert_eq(rg_geo__coverage_add(c, wkb, 3), RG_EDATA, "cut short");
    GEOSFree_r(geos, wkb);
    GEOSWKBWriter_destroy_r(geos, w);
    GEOSGeom_destroy_r(geos, line);
    rg_geo__coverage_free(c);
}

/* Random Voronoi tilings, densified (so neighbours carry their borders' vertices computed
 * from opposite ends), cut into groups of cells that are neighbours and groups that are
 * not: every group's union equals GEOS's. */
Test(geo_coverage, voronoi_groups_equal_the_general_union)
{
    rng_seed(7);
    rg_geo__coverage *c = NULL;
    cr_assert_eq(rg_geo__coverage_new(&c), RG_OK);
    for (int round = 0; round < 6; round++) {
        int n = 60 + round * 40;
        GEOSGeometry **sites = malloc((size_t)n * sizeof *sites);
        for (int i = 0; i < n; i++)
            sites[i] = GEOSGeom_createPointFromXY_r(geos, 120 + uniform(), -10 + uniform());
        GEOSGeometry *multi = GEOSGeom_createCollection_r(geos, GEOS_MULTIPOINT, sites, (unsigned)n);
        GEOSGeometry *box = GEOSGeom_createRectangle_r(geos, 120, -10, 121, -9);
        GEOSGeometry *cells = GEOSVoronoiDiagram_r(geos, multi, box, 0, 0);
        int count = GEOSGetNumGeometries_r(geos, cells);
        GEOSGeometry **parts = malloc((size_t)count * sizeof *parts);
        for (int i = 0; i < count; i++) {
            GEOSGeometry *clipped = GEOSIntersection_r(geos, GEOSGetGeometryN_r(geos, cells, i), box);
            parts[i] = GEOSDensify_r(geos, clipped, 0.003);
            GEOSGeom_destroy_r(geos, clipped);
        }
        /* round 0..2: groups of cells near each other (by x); 3..5: every k-th cell */
        int groups = 1 + round % 3 * 3;
        for (int g = 0; g < groups; g++) {
            GEOSGeometry *members[512];
            size_t m = 0;
            rg_geo__coverage_reset(c);
            for (int i = 0; i < count; i++) {
                double x;
                GEOSGeom_getXMin_r(geos, parts[i], &x);
                int group = round < 3 ? (int)((x - 120) * groups) : i % groups;
                if (group != g)
                    continue;
                members[m++] = parts[i];
                add_geometry(c, parts[i], 0);
            }
            if (!m)
                continue;
            outcome o = unite(c);
            cr_assert(o.clean, "round %d group %d: not clean", round, g);
            cr_assert_eq(GEOSisValid_r(geos, o.result), 1, "round %d group %d: not valid", round, g);
            cr_assert_lt(difference_from_geos(members, m, o.result), 1e-12, "round %d group %d", round, g);
            GEOSGeom_destroy_r(geos, o.result);
        }
        for (int i = 0; i < count; i++)
            GEOSGeom_destroy_r(geos, parts[i]);
        free(parts);
        GEOSGeom_destroy_r(geos, cells);
        GEOSGeom_destroy_r(geos, box);
        GEOSGeom_destroy_r(geos, multi);
        free(sites);
    }
    rg_geo__coverage_free(c);
}
