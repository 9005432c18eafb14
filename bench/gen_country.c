/*
 * gen_country: seeded synthetic desa/kelurahan shaped like Indonesia's, for the national
 * benchmark: islands of every size, desa of very uneven size and vertex count, codes that
 * nest spatially, and the faults real boundary files have.
 *
 *   gen_country OUT.gpkg [DESA (84000)] [SEED (2022)]
 *
 * - Islands: a few large ones, tens of medium and hundreds of small ones over the country's
 *   box, each a star-shaped blob with a coastline of many vertices (one every ~70 m).
 *   Islands too small for a desa of their own are extra parts of the nearest desa.
 * - Desa: Voronoi cells of sites inside each island, denser in some islands than in others
 *   (as Java's 5 km2 desa against Papua's 60), clipped to the coast. Borders between desa
 *   are wiggly lines (as rivers and roads make them), digitised twice: each neighbour draws
 *   the same line with vertices of its own and strays 0.5 to 20 m from it, now on one side,
 *   now on the other, so that shared borders are two lines crossing each other with slivers
 *   and overlaps between, as in the real desa files (see wiggle()): most desa get tens of
 *   vertices, coastal ones thousands.
 * - Codes: BPS 10 digits that nest spatially (desa chunked along a Hilbert curve into
 *   kecamatan, kecamatan into kab/kota, kab/kota into the 38 provinsi), with the matching
 *   Kemendagri code and the names of every level above, as BIG's layers carry them. No
 *   kecamatan, kab/kota or provinsi layer: the tool dissolves them.
 * - Faults: a vertex of some desa moved a few metres into or away from its neighbour (small
 *   overlaps and gaps), and a few rings turned into bow-ties (invalid).
 */
#define GEOS_USE_ONLY_R_API
#include <gdal.h>
#include <geos_c.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/rng.h"
#include "core/internal.h"

#define PI 3.14159265358979323846
#define COAST_STEP 0.0006    /* degrees between coastline vertices */
#define BORDER_STEP 0.0012   /* degrees between vertices of a border between desa */
#define DIGITISED_TWICE 1    /* each desa draws its borders with vertices and strays of its own */
#define OVERLAP_SHARE 0.004  /* desa with a vertex moved into or away from a neighbour */
#define BOWTIES 25           /* desa whose ring is made invalid */

static GEOSContextHandle_t h;

static void die(const char *what)
{
    fprintf(stderr, "gen_country: %s\n", what);
    exit(1);
}

/* ---------------------------------------------------------------- islands */

typedef struct {
    double cx, cy, rx, ry, angle; /* centre, radii in degrees, rotation */
    double density;               /* desa per square degree */
    GEOSGeometry *shape;
    const GEOSPreparedGeometry *prepared;
    double area;
    int desa;                     /* desa of its own; 0: it joins the nearest desa */
} island;

/* A star-shaped blob: a radius that wanders with the angle, low harmonics for the shape and
 * high ones for a ragged coast. */
static GEOSGeometry *blob(island *is)
{
    double amp[40], phase[40];
    for (int k = 0; k < 40; k++) {
        amp[k] = (k < 6 ? 0.25 : 0.5) / (k + 2) * uniform();
        phase[k] = 2 * PI * uniform();
    }
    double perimeter = PI * (is->rx + is->ry) * 1.6;
    int n = (int)(perimeter / COAST_STEP);
    n = n < 24 ? 24 : n > 200000 ? 200000 : n;
    GEOSCoordSequence *seq = GEOSCoordSeq_create_r(h, (unsigned)n + 1, 2);
    double ca = cos(is->angle), sa = sin(is->angle);
    for (int i = 0; i <= n; i++) {
        double t = 2 * PI * (i % n) / n, r = 1;
        for (int k = 0; k < 40; k++)
            r += amp[k] * sin((k + 2) * t + phase[k]);
        r = r < 0.2 ? 0.2 : r;
        double x = is->rx * r * cos(t), y = is->ry * r * sin(t);
        GEOSCoordSeq_setXY_r(h, seq, (unsigned)i, is->cx + x * ca - y * sa, is->cy + x * sa + y * ca);
    }
    GEOSGeometry *shell = GEOSGeom_createLinearRing_r(h, seq);
    return GEOSGeom_createPolygon_r(h, shell, NULL, 0);
}

/* The big islands roughly where Indonesia has them, then medium and small ones in the gaps. */
static island *make_islands(int *count)
{
    static const double big[][6] = {
        /* cx, cy, rx, ry, angle, density */
        {101.5, -0.5, 7.0, 1.6, -0.75, 240}, /* Sumatra */
        {110.3, -7.3, 5.2, 0.6, -0.05, 1000}, /* Java */
        {113.8, 0.2, 4.0, 3.3, 0.3, 60},    /* Borneo */
        {121.0, -1.8, 2.6, 1.5, 0.9, 170},  /* Sulawesi */
        {137.5, -4.2, 5.0, 2.0, -0.25, 25}, /* Papua */
        {117.5, -8.7, 1.3, 0.35, 0.0, 450}, /* Nusa Tenggara */
        {121.5, -8.7, 1.6, 0.4, 0.1, 300},
        {125.8, -9.4, 1.2, 0.4, 0.5, 250},
        {129.0, -3.3, 1.4, 0.5, 0.0, 150},  /* Maluku */
        {127.8, 0.9, 0.9, 1.2, 0.2, 150},
    };
    int nbig = (int)(sizeof big / sizeof big[0]), cap = nbig + 700, n = 0;
    island *is = calloc((size_t)cap, sizeof *is);
    for (int i = 0; i < nbig; i++)
        is[n++] = (island){big[i][0], big[i][1], big[i][2], big[i][3], big[i][4], big[i][5], NULL, NULL, 0, 0};
    for (int tries = 0; n < cap && tries < 100000; tries++) {
        double size = exp(log(0.01) + (log(0.6) - log(0.01)) * pow(uniform(), 2.2)); /* mostly small */
        island c = {95.5 + 45 * uniform(), -10.5 + 16 * uniform(), size, size * (0.4 + 0.6 * uniform()),
                    PI * uniform(), 80 + 500 * uniform(), NULL, NULL, 0, 0};
        int clear = 1;
        for (int j = 0; j < n && clear; j++) {
            double dx = c.cx - is[j].cx, dy = c.cy - is[j].cy, reach = 1.5 * (fmax(c.rx, c.ry) + fmax(is[j].rx, is[j].ry));
            clear = dx * dx + dy * dy > reach * reach;
        }
        if (clear)
            is[n++] = c;
    }
    for (int i = 0; i < n; i++) {
        is[i].shape = blob(&is[i]);
        /* The big ones are placed by hand and may reach each other: the earlier keeps the land. */
        for (int j = 0; j < i && j < nbig; j++)
            if (GEOSIntersects_r(h, is[i].shape, is[j].shape) == 1) {
                GEOSGeometry *rest = GEOSDifference_r(h, is[i].shape, is[j].shape);
                GEOSGeom_destroy_r(h, is[i].shape);
                is[i].shape = rest;
            }
        GEOSArea_r(h, is[i].shape, &is[i].area);
        is[i].prepared = GEOSPrepare_r(h, is[i].shape);
    }
    *count = n;
    return is;
}

/* Shares `desa` among the islands by area and density; an island whose share is under one
 * desa gets none. */
static void share_desa(island *is, int n, int desa)
{
    double weight = 0;
    for (int i = 0; i < n; i++)
        weight += is[i].area * is[i].density;
    for (int i = 0; i < n; i++) {
        double share = desa * is[i].area * is[i].density / weight;
        is[i].desa = share < 1 ? 0 : (int)share;
    }
}

/* ---------------------------------------------------------------- desa */

typedef struct {
    double sx, sy;       /* its site */
    GEOSGeometry *shape; /* Polygon or MultiPolygon */
    uint64_t order;      /* along the country's Hilbert curve */
    char code[48], kemendagri[48], kec[48], kab[48], prov[32];
} desa;

static desa *all;
static int ndesa, cap_desa;

static uint64_t edge_hash(double ax, double ay, double bx, double by)
{
    uint64_t u[4];
    double d[4] = {ax, ay, bx, by};
    memcpy(u, d, sizeof u);
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 4; i++) {
        x ^= u[i] + 0x9e3779b97f4a7c15ULL + (x << 6) + (x >> 2);
        x *= 0xbf58476d1ce4e5b9ULL;
    }
    return x ^ (x >> 31);
}

/* The points a border gets between its ends, as a river or road would draw it, and as each
 * desa's surveyor digitised it: the line itself is computed from the lower end to the
 * higher, whichever way the ring runs, so both neighbours follow the same river; but each
 * draws it with vertices of its own (their count and places along it differ) and strays
 * from it by a smooth 0.5 to 20 m that changes side along the border (DIGITISED_TWICE), as
 * real desa files are: two lines metres apart, crossing each other, slivers and overlaps
 * all along. Appends to xy (x, y pairs), a to b, b excluded. */
static int wiggle(double ax, double ay, double bx, double by, double *xy, int at)
{
    int forward = ax < bx || (ax == bx && ay < by);
    double lx = forward ? ax : bx, ly = forward ? ay : by, hx = forward ? bx : ax, hy = forward ? by : ay;
    double dx = hx - lx, dy = hy - ly, len = sqrt(dx * dx + dy * dy);
    int k = (int)(len / BORDER_STEP) + 1;
    k = k > 400 ? 400 : k;
    uint64_t hash = edge_hash(lx, ly, hx, hy);
    double phase = (double)(hash & 0xffff) / 65536 * 2 * PI, waves = 1 + (double)((hash >> 16) % 3);
    double amplitude = 0.035 * len * ((double)((hash >> 20) & 0xff) / 255);
    /* This desa's own drawing: its vertex count, where they fall, and how far it strays. */
    int own = DIGITISED_TWICE ? k + (int)(uniform() * (k / 2.0 + 1)) - k / 4 : k;
    own = own < 1 ? 1 : own > 400 ? 400 : own;
    double u3 = uniform();
    u3 = u3 * u3 * u3 * u3 * u3; /* mostly a metre or two, now and then twenty */
    double stray = DIGITISED_TWICE ? (0.5 + 19.5 * u3) / 111320.0 : 0;
    double stray_waves = 0.5 + 2 * uniform(), stray_phase = 2 * PI * uniform();
    for (int i = 0; i < own; i++) {
        double u = (double)i / own;
        if (i > 0 && DIGITISED_TWICE)
            u += (uniform() - 0.5) * 0.6 / own; /* vertices of its own, in order */
        double t = forward ? u : 1 - u; /* along the line from its lower end */
        double off = amplitude * sin(PI * t) * sin(2 * PI * waves * t + phase);
        off += stray * sin(2 * PI * stray_waves * t + stray_phase);
        xy[2 * (at + i)] = lx + dx * t - dy / len * off;
        xy[2 * (at + i) + 1] = ly + dy * t + dx / len * off;
    }
    return at + own;
}

/* A Voronoi cell with wiggly borders. */
static GEOSGeometry *wiggly_cell(const GEOSGeometry *cell)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, cell));
    unsigned n = 0;
    GEOSCoordSeq_getSize_r(h, seq, &n);
    double *in = malloc(2 * sizeof(double) * n), *out = malloc(2 * sizeof(double) * 402 * n);
    for (unsigned i = 0; i < n; i++)
        GEOSCoordSeq_getXY_r(h, seq, i, &in[2 * i], &in[2 * i + 1]);
    int m = 0;
    for (unsigned i = 0; i + 1 < n; i++)
        m = wiggle(in[2 * i], in[2 * i + 1], in[2 * i + 2], in[2 * i + 3], out, m);
    out[2 * m] = out[0];
    out[2 * m + 1] = out[1];
    GEOSCoordSequence *ring = GEOSCoordSeq_create_r(h, (unsigned)m + 1, 2);
    for (int i = 0; i <= m; i++)
        GEOSCoordSeq_setXY_r(h, ring, (unsigned)i, out[2 * i], out[2 * i + 1]);
    free(in);
    free(out);
    return GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, ring), NULL, 0);
}

static void add_desa(double sx, double sy, GEOSGeometry *shape)
{
    if (ndesa == cap_desa) {
        cap_desa = cap_desa ? 2 * cap_desa : 1024;
        all = realloc(all, (size_t)cap_desa * sizeof *all);
    }
    memset(&all[ndesa], 0, sizeof *all);
    all[ndesa].sx = sx;
    all[ndesa].sy = sy;
    all[ndesa].shape = shape;
    ndesa++;
}

static int inside_island(const island *is, double x, double y)
{
    GEOSGeometry *p = GEOSGeom_createPointFromXY_r(h, x, y);
    char in = GEOSPreparedContains_r(h, is->prepared, p);
    GEOSGeom_destroy_r(h, p);
    return in == 1;
}

/* Sites inside the island: a third around a few towns, where desa are small. */
static GEOSGeometry *island_sites(const island *is)
{
    double x0, y0, x1, y1;
    GEOSGeom_getXMin_r(h, is->shape, &x0);
    GEOSGeom_getYMin_r(h, is->shape, &y0);
    GEOSGeom_getXMax_r(h, is->shape, &x1);
    GEOSGeom_getYMax_r(h, is->shape, &y1);
    GEOSGeometry **pts = malloc((size_t)is->desa * sizeof *pts);
    int towns = 1 + is->desa / 400, n = 0;
    double tx[64], ty[64];
    for (int t = 0; t < towns && t < 64; t++) {
        do {
            tx[t] = x0 + (x1 - x0) * uniform();
            ty[t] = y0 + (y1 - y0) * uniform();
        } while (!inside_island(is, tx[t], ty[t]));
    }
    while (n < is->desa) {
        double x, y;
        if (uniform() < 0.33) {
            int t = (int)(uniform() * (towns < 64 ? towns : 64));
            double spread = 0.15 * sqrt((x1 - x0) * (y1 - y0)) / sqrt((double)towns) * uniform();
            x = tx[t] + spread * (uniform() - 0.5);
            y = ty[t] + spread * (uniform() - 0.5);
        } else {
            x = x0 + (x1 - x0) * uniform();
            y = y0 + (y1 - y0) * uniform();
        }
        if (inside_island(is, x, y))
            pts[n++] = GEOSGeom_createPointFromXY_r(h, x, y);
    }
    GEOSGeometry *multi = GEOSGeom_createCollection_r(h, GEOS_MULTIPOINT, pts, (unsigned)n);
    free(pts);
    return multi;
}

/* The island's desa: Voronoi cells of its sites, wiggly, clipped to its coast. Returns how
 * many cells came out invalid (their wiggles crossed). */
static int island_desa(const island *is)
{
    GEOSGeometry *sites = island_sites(is);
    GEOSGeometry *cells = GEOSVoronoiDiagram_r(h, sites, NULL, 0, 0);
    if (!cells)
        die("Voronoi diagram failed");
    int invalid = 0;
    for (int i = 0; i < GEOSGetNumGeometries_r(h, cells); i++) {
        const GEOSGeometry *cell = GEOSGetGeometryN_r(h, cells, i);
        GEOSGeometry *shape = wiggly_cell(cell);
        if (GEOSisValid_r(h, shape) != 1) { /* its wiggles crossed: cut where they cross */
            GEOSGeometry *fixed = GEOSMakeValid_r(h, shape);
            GEOSGeom_destroy_r(h, shape);
            shape = fixed;
            invalid++;
        }
        if (shape && GEOSPreparedContains_r(h, is->prepared, shape) != 1) {
            GEOSGeometry *clipped = GEOSIntersection_r(h, shape, is->shape);
            GEOSGeom_destroy_r(h, shape);
            shape = clipped;
        }
        int type = shape ? GEOSGeomTypeId_r(h, shape) : -1;
        if (!shape || GEOSisEmpty_r(h, shape) || (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON)) {
            if (shape)
                GEOSGeom_destroy_r(h, shape);
            continue;
        }
        /* Where it is, for the Hilbert order: the centre of its cell. */
        double sx = 0, sy = 0;
        GEOSGeometry *centre = GEOSGetCentroid_r(h, cell);
        GEOSGeomGetX_r(h, centre, &sx);
        GEOSGeomGetY_r(h, centre, &sy);
        GEOSGeom_destroy_r(h, centre);
        add_desa(sx, sy, shape);
    }
    GEOSGeom_destroy_r(h, cells);
    GEOSGeom_destroy_r(h, sites);
    return invalid;
}

/* An island too small for a desa of its own becomes a part of the nearest desa. */
static void attach_islet(const island *is)
{
    int best = -1;
    double best_d = 0;
    for (int i = 0; i < ndesa; i++) {
        double dx = all[i].sx - is->cx, dy = all[i].sy - is->cy, d = dx * dx + dy * dy;
        if (best < 0 || d < best_d) {
            best = i;
            best_d = d;
        }
    }
    if (best < 0)
        return;
    /* The islet lies apart from every other island: its desa simply gains a part. */
    const GEOSGeometry *shape = all[best].shape;
    int n = GEOSGetNumGeometries_r(h, shape);
    GEOSGeometry **parts = malloc((size_t)(n + 1) * sizeof *parts);
    for (int k = 0; k < n; k++)
        parts[k] = GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, shape, k));
    parts[n] = GEOSGeom_clone_r(h, is->shape);
    GEOSGeometry *merged = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, (unsigned)n + 1);
    free(parts);
    GEOSGeom_destroy_r(h, all[best].shape);
    all[best].shape = merged;
}

/* ---------------------------------------------------------------- codes */

static const int provinsi_codes[38] = {11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53,
                                       61, 62, 63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96};

static int by_order(const void *a, const void *b)
{
    uint64_t x = ((const desa *)a)->order, y = ((const desa *)b)->order;
    return (x > y) - (x < y);
}

static int between(int lo, int hi) { return lo + (int)(uniform() * (hi - lo + 1)); }

/* Desa along the Hilbert curve, cut into kecamatan of 6..17 desa, kab/kota of 7..21
 * kecamatan (about one in six a kota, numbered from 71 as BPS does) and 38 provinsi, so that
 * each level is made of neighbours. */
static void assign_codes(void)
{
    for (int i = 0; i < ndesa; i++)
        all[i].order = rg__hilbert(all[i].sx, all[i].sy, 94, -12, 48, 48);
    qsort(all, (size_t)ndesa, sizeof *all, by_order);
    int kabkota_total = (int)(ndesa / 11.56 / 14.0 + 0.5), per_provinsi = (kabkota_total + 37) / 38;
    int prov = 0, kabupaten = 0, kota = 0, kab_code = 1, is_kota = 0, kabs = 1;
    int kec = 0, desa_no = 0, kec_left = between(7, 21), desa_left = between(6, 17);
    kabupaten = 1;
    for (int i = 0; i < ndesa; i++, desa_no++, desa_left--) {
        if (desa_left == 0) { /* a new kecamatan */
            desa_left = between(6, 17);
            desa_no = 0;
            kec++;
            if (--kec_left == 0) { /* a new kab/kota */
                kec_left = between(7, 21);
                kec = 0;
                if (kabs++ % per_provinsi == 0 && prov < 37) {
                    prov++;
                    kabupaten = kota = 0;
                }
                is_kota = uniform() < 0.18;
                kab_code = is_kota ? 71 + kota++ : 1 + kabupaten++;
            }
        }
        int p = provinsi_codes[prov];
        snprintf(all[i].code, sizeof all[i].code, "%02d%02d%03d%03d", p, kab_code, 10 * (kec + 1), desa_no + 1);
        snprintf(all[i].kemendagri, sizeof all[i].kemendagri, "%02d.%02d.%02d.%04d", p, kab_code, kec + 1,
                 (is_kota ? 1001 : 2001) + desa_no);
        snprintf(all[i].kec, sizeof all[i].kec, "Kecamatan %02d%02d%03d", p, kab_code, 10 * (kec + 1));
        snprintf(all[i].kab, sizeof all[i].kab, "%s %02d%02d", is_kota ? "Kota" : "Kabupaten", p, kab_code);
        snprintf(all[i].prov, sizeof all[i].prov, "Provinsi %02d", p);
    }
}

/* ---------------------------------------------------------------- faults */

/* A copy of polygon g (the first part of a multi) with its exterior ring changed by fn. */
static GEOSGeometry *edit_ring(const GEOSGeometry *g, int (*fn)(double *xy, unsigned n))
{
    const GEOSGeometry *poly = GEOSGeomTypeId_r(h, g) == GEOS_MULTIPOLYGON ? GEOSGetGeometryN_r(h, g, 0) : g;
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, poly));
    unsigned n = 0;
    GEOSCoordSeq_getSize_r(h, seq, &n);
    if (n < 8 || GEOSGetNumInteriorRings_r(h, poly) > 0 || GEOSGetNumGeometries_r(h, g) > 1)
        return NULL;
    double *xy = malloc(2 * sizeof(double) * n);
    for (unsigned i = 0; i < n; i++)
        GEOSCoordSeq_getXY_r(h, seq, i, &xy[2 * i], &xy[2 * i + 1]);
    GEOSGeometry *out = NULL;
    if (fn(xy, n)) {
        GEOSCoordSequence *ring = GEOSCoordSeq_create_r(h, n, 2);
        for (unsigned i = 0; i < n; i++)
            GEOSCoordSeq_setXY_r(h, ring, i, xy[2 * i], xy[2 * i + 1]);
        out = GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, ring), NULL, 0);
    }
    free(xy);
    return out;
}

/* One vertex moved 5 to 20 m: into a neighbour (an overlap) or away from it (a gap). */
static int nudge(double *xy, unsigned n)
{
    unsigned i = 1 + (unsigned)(uniform() * (n - 2));
    double d = (0.00005 + 0.00015 * uniform()), a = 2 * PI * uniform();
    xy[2 * i] += d * cos(a);
    xy[2 * i + 1] += d * sin(a);
    return 1;
}

/* Two neighbouring vertices swapped: the ring crosses itself, a bow-tie. */
static int bowtie(double *xy, unsigned n)
{
    unsigned i = 1 + (unsigned)(uniform() * (n - 4));
    for (int c = 0; c < 2; c++) {
        double t = xy[2 * i + c];
        xy[2 * i + c] = xy[2 * (i + 1) + c];
        xy[2 * (i + 1) + c] = t;
    }
    return 1;
}

static int add_faults(int *nudged)
{
    int bowties = 0;
    *nudged = 0;
    for (int i = 0; i < ndesa; i++) {
        if (uniform() >= OVERLAP_SHARE)
            continue;
        GEOSGeometry *g = edit_ring(all[i].shape, nudge);
        if (g && GEOSisValid_r(h, g) == 1) {
            GEOSGeom_destroy_r(h, all[i].shape);
            all[i].shape = g;
            ++*nudged;
        } else if (g) {
            GEOSGeom_destroy_r(h, g);
        }
    }
    for (int tries = 0; bowties < BOWTIES && tries < 10000; tries++) {
        int i = (int)(uniform() * ndesa);
        GEOSGeometry *g = edit_ring(all[i].shape, bowtie);
        if (g && GEOSisValid_r(h, g) == 0) {
            GEOSGeom_destroy_r(h, all[i].shape);
            all[i].shape = g;
            bowties++;
        } else if (g) {
            GEOSGeom_destroy_r(h, g);
        }
    }
    return bowties;
}

/* ---------------------------------------------------------------- writing */

static void write_layer(const char *path)
{
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GPKG"), path, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds)
        die("cannot create the GeoPackage");
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4326);
    OGRLayerH layer = GDALDatasetCreateLayer(ds, "kelurahan", srs, wkbMultiPolygon, NULL);
    static const char *const fields[] = {"kode_kel", "kode_kemendagri", "nama_kel", "nama_kec", "nama_kab",
                                         "nama_prov"};
    for (int f = 0; f < 6; f++) {
        OGRFieldDefnH d = OGR_Fld_Create(fields[f], OFTString);
        OGR_L_CreateField(layer, d, 1);
        OGR_Fld_Destroy(d);
    }
    GDALDatasetStartTransaction(ds, 0);
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(h);
    for (int i = 0; i < ndesa; i++) {
        size_t size = 0;
        unsigned char *wkb = GEOSWKBWriter_write_r(h, w, all[i].shape, &size);
        OGRGeometryH g = NULL;
        OGR_G_CreateFromWkb(wkb, NULL, &g, (int)size);
        GEOSFree_r(h, wkb);
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
        char name[32];
        snprintf(name, sizeof name, "Desa %d", i + 1);
        const char *values[] = {all[i].code, all[i].kemendagri, name, all[i].kec, all[i].kab, all[i].prov};
        for (int k = 0; k < 6; k++)
            OGR_F_SetFieldString(f, k, values[k]);
        OGR_F_SetGeometryDirectly(f, OGR_G_ForceToMultiPolygon(g));
        if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE)
            die("cannot write a desa");
        OGR_F_Destroy(f);
    }
    GEOSWKBWriter_destroy_r(h, w);
    GDALDatasetCommitTransaction(ds);
    GDALClose(ds);
    OSRDestroySpatialReference(srs);
}

static int by_count(const void *a, const void *b) { return (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b); }

static void report(int islands, int islets, int wiggle_invalid, int nudged, int bowties)
{
    int *counts = malloc((size_t)ndesa * sizeof *counts);
    long total = 0;
    int multi = 0;
    for (int i = 0; i < ndesa; i++) {
        counts[i] = GEOSGetNumCoordinates_r(h, all[i].shape);
        total += counts[i];
        multi += GEOSGetNumGeometries_r(h, all[i].shape) > 1;
    }
    qsort(counts, (size_t)ndesa, sizeof *counts, by_count);
    fprintf(stderr,
            "gen_country: %d desa on %d islands (%d islets joined to a desa, %d desa of several parts); vertices:"
            " %ld in all, median %d, 90th percentile %d, 99th %d, largest %d; faults: %d vertices moved into or"
            " away from a neighbour, %d bow-ties, %d cells whose wiggles crossed (cut where they cross)\n",
            ndesa, islands, islets, multi, total, counts[ndesa / 2], counts[ndesa * 9 / 10], counts[ndesa * 99 / 100],
            counts[ndesa - 1], nudged, bowties, wiggle_invalid);
    free(counts);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: gen_country OUT.gpkg [DESA (84000)] [SEED (2022)]\n");
        return 2;
    }
    int target = argc > 2 ? atoi(argv[2]) : 84000;
    rng_seed(argc > 3 ? strtoull(argv[3], NULL, 10) : 2022);
    h = GEOS_init_r();
    GDALAllRegister();
    int nislands = 0, islets = 0, wiggle_invalid = 0, nudged = 0;
    island *is = make_islands(&nislands);
    share_desa(is, nislands, target);
    for (int i = 0; i < nislands; i++)
        if (is[i].desa > 0)
            wiggle_invalid += island_desa(&is[i]);
    for (int i = 0; i < nislands; i++)
        if (is[i].desa == 0) {
            attach_islet(&is[i]);
            islets++;
        }
    assign_codes();
    int bowties = add_faults(&nudged);
    write_layer(argv[1]);
    report(nislands, islets, wiggle_invalid, nudged, bowties);
    for (int i = 0; i < ndesa; i++)
        GEOSGeom_destroy_r(h, all[i].shape);
    for (int i = 0; i < nislands; i++) {
        GEOSPreparedGeom_destroy_r(h, is[i].prepared);
        GEOSGeom_destroy_r(h, is[i].shape);
    }
    free(is);
    free(all);
    GEOS_finish_r(h);
    return 0;
}
