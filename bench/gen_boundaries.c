/*
 * gen_boundaries: seeded synthetic desa/kelurahan polygons and household points for join
 * tests and benchmarks at any scale.
 *
 * Polygons are the Voronoi cells of random sites in a box in NTT, clipped to the box and
 * densified to a realistic vertex count; neighbours share their borders. They get BPS-style
 * codes (53 + kab + kec + desa) and no kecamatan layer, so the join dissolves one. Points
 * fall at random in the box, exactly on polygon vertices, and a little outside the box.
 *
 *   gen_boundaries OUT.gpkg POINTS.csv POLYGONS POINTS SEED [DENSIFY_DEGREES [SIDE_DEGREES]]
 *
 * At national scale (84,000 polygons) a 12-degree square gives desa of about Indonesia's
 * average size (~22 km2), and densifying to 0.0005 degrees gives them hundreds of vertices.
 */
#define GEOS_USE_ONLY_R_API
#include <gdal.h>
#include <geos_c.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/rng.h"


#define MINX 123.0
#define MINY -10.6

static double side_degrees = 1.0; /* the square the polygons tile */

static void die(const char *what)
{
    fprintf(stderr, "gen_boundaries: %s\n", what);
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: gen_boundaries OUT.gpkg POINTS.csv POLYGONS POINTS SEED [DENSIFY_DEGREES [SIDE_DEGREES]]\n");
        return 2;
    }
    int npoly = atoi(argv[3]);
    long npoints = atol(argv[4]);
    rng_seed(strtoull(argv[5], NULL, 10));
    double densify = argc > 6 ? atof(argv[6]) : 0;
    if (argc > 7)
        side_degrees = atof(argv[7]);
    GEOSContextHandle_t h = GEOS_init_r();
    GDALAllRegister();

    GEOSGeometry **sites = malloc((size_t)npoly * sizeof *sites);
    for (int i = 0; i < npoly; i++)
        sites[i] = GEOSGeom_createPointFromXY_r(h, MINX + side_degrees * uniform(), MINY + side_degrees * uniform());
    GEOSGeometry *multi = GEOSGeom_createCollection_r(h, GEOS_MULTIPOINT, sites, (unsigned)npoly);
    GEOSGeometry *box = GEOSGeom_createRectangle_r(h, MINX, MINY, MINX + side_degrees, MINY + side_degrees);
    GEOSGeometry *cells = GEOSVoronoiDiagram_r(h, multi, box, 0, 0);
    if (!cells)
        die("Voronoi diagram failed");

    GDALDriverH driver = GDALGetDriverByName("GPKG");
    GDALDatasetH ds = GDALCreate(driver, argv[1], 0, 0, 0, GDT_Unknown, NULL);
    if (!ds)
        die("cannot create the GeoPackage");
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4326);
    OGRLayerH layer = GDALDatasetCreateLayer(ds, "kelurahan", srs, wkbPolygon, NULL);
    OGRFieldDefnH code = OGR_Fld_Create("kode_kel", OFTString), name = OGR_Fld_Create("nama_kel", OFTString);
    OGR_L_CreateField(layer, code, 1);
    OGR_L_CreateField(layer, name, 1);
    OGR_Fld_Destroy(code);
    OGR_Fld_Destroy(name);
    GDALDatasetStartTransaction(ds, 0);

    int n = GEOSGetNumGeometries_r(h, cells);
    const GEOSGeometry **kept = malloc((size_t)n * sizeof *kept);
    GEOSGeometry **owned = malloc((size_t)n * sizeof *owned);
    int nkept = 0;
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(h);
    for (int i = 0; i < n; i++) {
        GEOSGeometry *clipped = GEOSIntersection_r(h, GEOSGetGeometryN_r(h, cells, i), box);
        if (!clipped || GEOSGeomTypeId_r(h, clipped) != GEOS_POLYGON || GEOSisEmpty_r(h, clipped)) {
            if (clipped)
                GEOSGeom_destroy_r(h, clipped);
            continue;
        }
        if (densify > 0) {
            GEOSGeometry *dense = GEOSDensify_r(h, clipped, densify);
            GEOSGeom_destroy_r(h, clipped);
            clipped = dense;
        }
        /* BPS-style codes: 20 desa (001..020) per kecamatan (010..300), 30 kecamatan per
         * kabupaten, 40 kabupaten per provinsi from 53 on, so any count stays 10 digits. */
        char kode[32], nama[32];
        int kab = nkept / 600;
        snprintf(kode, sizeof kode, "%02d%02d%03d%03d", 53 + kab / 40, 1 + kab % 40, 10 * (1 + (nkept / 20) % 30),
                 1 + nkept % 20);
        snprintf(nama, sizeof nama, "Desa %d", nkept + 1);
        size_t size = 0;
        unsigned char *wkb = GEOSWKBWriter_write_r(h, w, clipped, &size);
        OGRGeometryH g = NULL;
        OGR_G_CreateFromWkb(wkb, NULL, &g, (int)size);
        GEOSFree_r(h, wkb);
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
        OGR_F_SetFieldString(f, 0, kode);
        OGR_F_SetFieldString(f, 1, nama);
        OGR_F_SetGeometryDirectly(f, g);
        if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE)
            die("cannot write a polygon");
        OGR_F_Destroy(f);
        owned[nkept] = clipped;
        kept[nkept++] = clipped;
    }
    GDALDatasetCommitTransaction(ds);
    GDALClose(ds);

    FILE *csv = fopen(argv[2], "w");
    if (!csv)
        die("cannot write the points");
    fprintf(csv, "id,lat,lon\n");
    for (long i = 0; i < npoints; i++) {
        double x, y;
        double r = uniform();
        if (r < 0.15 && nkept > 0) {
            /* Exactly on a vertex: the boundary rule decides. */
            const GEOSGeometry *ring = GEOSGetExteriorRing_r(h, kept[(int)(uniform() * nkept)]);
            const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
            unsigned len = 0;
            GEOSCoordSeq_getSize_r(h, seq, &len);
            GEOSCoordSeq_getXY_r(h, seq, (unsigned)(uniform() * (len - 1)), &x, &y);
        } else if (r < 0.18) {
            /* Just outside the box: nearest or unmatched. */
            x = MINX - 0.01 * uniform();
            y = MINY + side_degrees * uniform();
        } else {
            x = MINX + side_degrees * uniform();
            y = MINY + side_degrees * uniform();
        }
        fprintf(csv, "P%07ld,%.17g,%.17g\n", i + 1, y, x);
    }
    fclose(csv);

    for (int i = 0; i < nkept; i++)
        GEOSGeom_destroy_r(h, owned[i]);
    free(kept);
    free(owned);
    free(sites);
    GEOSWKBWriter_destroy_r(h, w);
    GEOSGeom_destroy_r(h, cells);
    GEOSGeom_destroy_r(h, multi);
    GEOSGeom_destroy_r(h, box);
    OSRDestroySpatialReference(srs);
    GEOS_finish_r(h);
    GDALDestroyDriverManager();
    fprintf(stderr, "gen_boundaries: %d polygons, %ld points\n", nkept, npoints);
    return 0;
}
