/*
 * gen_households: seeded synthetic Regsosek households for a city's real boundaries.
 *
 * Households cluster in settlements inside kelurahan; a few stand a little into the
 * sea or in gaps between polygons, some exactly on polygon vertices, some report the
 * wrong area code or a Kemendagri code, and some rows are broken the way field files
 * break. Names, NIK, addresses and phone numbers are invented, so privacy tests have
 * something to protect. The same seed always gives the same file.
 *
 *   gen_households BOUNDARIES.gpkg COUNT SEED > households.csv
 */
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/rng.h"
#include "core/core.h"
#include "geo/geo.h"

static double gaussian(void)
{
    double u = uniform(), v = uniform();
    return sqrt(-2.0 * log(u > 1e-300 ? u : 1e-300)) * cos(2 * 3.14159265358979323846 * v);
}
static int below(int n) { return (int)(uniform() * n); }

typedef struct {
    char code[16], kemendagri[20];
    double minx, miny, maxx, maxy;
    double *vertices; /* x,y pairs of the exterior rings */
    int nvertices;
    double wealth;    /* a kelurahan-level factor on spending */
} kel;

static const char *const first_names[] = {"Yohanes", "Maria",  "Fransiskus", "Agustina", "Yosef",  "Margaretha",
                                          "Petrus",  "Yuliana", "Stefanus",  "Elisabeth", "Dominggus", "Naomi",
                                          "Marthen", "Ester",  "Ahmad",      "Siti",      "Imanuel",  "Debora"};
static const char *const family_names[] = {"Ndun",  "Tefa",  "Lay",   "Bire", "Nenobais", "Manafe", "Radja",
                                           "Bana",  "Benu",  "Tallo", "Seran", "Kase",    "Mella",  "Pello",
                                           "Dethan", "Rihi", "Fanggidae", "Lado"};
static const char *const streets[] = {"Jl. Timor Raya", "Jl. El Tari",  "Jl. Soeharto", "Jl. Frans Seda",
                                      "Jl. Adisucipto", "Jl. Moh. Hatta", "Jl. Sam Ratulangi", "Jl. Perintis"};

static int read_kelurahan(const char *path, kel **out, int *count)
{
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    if (!ds)
        return -1;
    OGRLayerH layer = GDALDatasetGetLayerByName(ds, "kelurahan");
    if (!layer) {
        GDALClose(ds);
        return -1;
    }
    int n = (int)OGR_L_GetFeatureCount(layer, 1);
    kel *ks = calloc((size_t)n, sizeof *ks);
    int i = 0;
    OGRFeatureH f;
    OGR_L_ResetReading(layer);
    while ((f = OGR_L_GetNextFeature(layer)) && i < n) {
        kel *k = &ks[i++];
        snprintf(k->code, sizeof k->code, "%s", OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "kode_kel")));
        snprintf(k->kemendagri, sizeof k->kemendagri, "%s",
                 OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "kode_kemendagri")));
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        OGREnvelope env;
        OGR_G_GetEnvelope(g, &env);
        k->minx = env.MinX, k->miny = env.MinY, k->maxx = env.MaxX, k->maxy = env.MaxY;
        int cap = 0;
        for (int p = 0; p < OGR_G_GetGeometryCount(g); p++) {
            OGRGeometryH poly = OGR_G_GetGeometryRef(g, p);
            OGRGeometryH ring = OGR_G_GetGeometryCount(poly) ? OGR_G_GetGeometryRef(poly, 0) : poly;
            int m = OGR_G_GetPointCount(ring);
            k->vertices = realloc(k->vertices, (size_t)(cap + m) * 2 * sizeof(double));
            for (int v = 0; v < m; v++) {
                k->vertices[2 * (cap + v)] = OGR_G_GetX(ring, v);
                k->vertices[2 * (cap + v) + 1] = OGR_G_GetY(ring, v);
            }
            cap += m;
        }
        k->nvertices = cap;
        k->wealth = exp(0.3 * gaussian());
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
    *out = ks;
    *count = i;
    return 0;
}

static int household_size(void)
{
    static const int cumulative[] = {8, 22, 42, 65, 81, 91, 96, 98, 99, 100};
    int r = below(100);
    for (int s = 0; s < 10; s++)
        if (r < cumulative[s])
            return s + 1;
    return 4;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: gen_households BOUNDARIES.gpkg COUNT SEED > households.csv\n");
        return 2;
    }
    long total = atol(argv[2]);
    rng_seed(strtoull(argv[3], NULL, 10));
    GDALAllRegister();
    rg_ctx *ctx = NULL;
    rg_areas *areas = NULL;
    rg_locator *loc = NULL;
    kel *ks = NULL;
    int nk = 0;
    if (rg_ctx_new(&ctx) != RG_OK || rg_geo_areas_read(&areas, ctx, argv[1], RG_AREA_KELURAHAN, NULL) != RG_OK ||
        rg_geo_locator_new(&loc, ctx, areas) != RG_OK || read_kelurahan(argv[1], &ks, &nk) != 0) {
        fprintf(stderr, "gen_households: %s: %s\n", argv[1], ctx ? rg_ctx_errmsg(ctx) : "out of memory");
        return 1;
    }

    printf("id_keluarga,nama_kepala_keluarga,nik,alamat,no_hp,lintang,bujur,jumlah_art,pengeluaran_bulanan,"
           "kode_wilayah\n");
    long written = 0, serial = 0;
    for (int k = 0; k < nk && written < total; k++) {
        long quota = k == nk - 1 ? total - written : (long)((double)total / nk * (0.4 + 1.2 * uniform()));
        int settlements = 2 + below(5);
        double cx[8], cy[8], sigma[8];
        for (int s = 0; s < settlements; s++) {
            rg_match m;
            do {
                cx[s] = ks[k].minx + uniform() * (ks[k].maxx - ks[k].minx);
                cy[s] = ks[k].miny + uniform() * (ks[k].maxy - ks[k].miny);
                rg_geo_locate(loc, cx[s], cy[s], 0, &m);
            } while (m.method != RG_JOIN_WITHIN || strcmp(rg_geo_areas_code(areas, (size_t)m.area), ks[k].code));
            sigma[s] = (80 + 220 * uniform()) / 111000.0;
        }
        for (long h = 0; h < quota && written < total; h++) {
            double x, y;
            rg_match m;
            int on_vertex = uniform() < 0.004;
            if (on_vertex) {
                int v = below(ks[k].nvertices);
                x = ks[k].vertices[2 * v];
                y = ks[k].vertices[2 * v + 1];
                rg_geo_locate(loc, x, y, 500, &m);
            } else {
                for (;;) {
                    int s = below(settlements);
                    x = cx[s] + sigma[s] * gaussian();
                    y = cy[s] + sigma[s] * gaussian();
                    rg_geo_locate(loc, x, y, 500, &m);
                    if (m.method == RG_JOIN_WITHIN || m.method == RG_JOIN_BOUNDARY)
                        break;
                    /* Keep a few fixes off the polygons: in the sea or a gap, as GPS does. */
                    if (m.method == RG_JOIN_NEAREST && m.distance_m < 150 && uniform() < 0.08)
                        break;
                }
            }
            serial++;
            char id[32];
            snprintf(id, sizeof id, "KPG-%06ld", serial);
            int size = household_size();
            double per_capita = 1100000.0 * ks[k].wealth * exp(0.55 * gaussian());
            double spending = round(per_capita * size / 1000.0) * 1000.0;
            const char *true_code = m.area >= 0 ? rg_geo_areas_code(areas, (size_t)m.area) : ks[k].code;
            const char *reported = true_code;
            double r = uniform();
            if (r < 0.07) {
                for (int j = 0; j < nk; j++)
                    if (!strcmp(ks[j].code, true_code))
                        reported = ks[j].kemendagri;
            } else if (r < 0.10) {
                reported = ks[below(nk)].code;
            } else if (r < 0.12) {
                reported = "";
            }
            char lat[40], lon[40];
            snprintf(lat, sizeof lat, on_vertex ? "%.17g" : "%.6f", y);
            snprintf(lon, sizeof lon, on_vertex ? "%.17g" : "%.6f", x);
            char pengeluaran[32];
            snprintf(pengeluaran, sizeof pengeluaran, "%.0f", spending);

            /* About one row in 150 is broken in one of the ways field files break. */
            int broken = uniform() < 0.0067 ? 1 + below(9) : 0;
            switch (broken) {
            case 1: lat[0] = '\0'; break;                                        /* missing coordinate */
            case 2: snprintf(lat, sizeof lat, "-10.1x%d", below(90)); break;    /* not a number */
            case 3: { char t[40]; memcpy(t, lat, 40); memcpy(lat, lon, 40); memcpy(lon, t, 40); break; }
            case 4: snprintf(lat, sizeof lat, "0"), snprintf(lon, sizeof lon, "0"); break;
            case 5: if (serial > 1) snprintf(id, sizeof id, "KPG-%06ld", serial - 1); break; /* duplicate id */
            case 6: printf("%s,,,\n", id); written++; continue;                 /* too few fields */
            case 7: printf("\n"); written++; continue;                          /* empty line */
            case 8: snprintf(lat, sizeof lat, "-100.5"); break;                 /* out of range */
            case 9: snprintf(lon, sizeof lon, "151.2"); break;                  /* far outside Indonesia */
            }
            const char *first = first_names[below(18)], *family = family_names[below(18)];
            printf("%s,%s %s,5371%02d%06d%04d,\"%s No. %d, RT %03d/RW %03d\",08%010llu,%s,%s,%d,%s,%s\n", id, first,
                   family, 1 + below(70), below(1000000), below(10000), streets[below(8)], 1 + below(200),
                   1 + below(30), 1 + below(10), (unsigned long long)(next_u64() % 10000000000ull), lat, lon, size,
                   pengeluaran, reported);
            written++;
        }
    }
    for (int k = 0; k < nk; k++)
        free(ks[k].vertices);
    free(ks);
    rg_geo_locator_free(loc);
    rg_geo_areas_free(areas);
    rg_ctx_free(ctx);
    GDALDestroyDriverManager();
    return 0;
}
