/*
 * gen_households: seeded synthetic Regsosek households for a city's real boundaries.
 *
 * Households cluster in settlements inside kelurahan; a few stand a little into the
 * sea or in gaps between polygons, some exactly on polygon vertices, some report the
 * wrong area code or a Kemendagri code, and some rows are broken the way field files
 * break. Names, NIK, addresses and phone numbers are invented, so privacy tests have
 * something to protect. The same seed always gives the same file.
 *
 *   gen_households BOUNDARIES.gpkg COUNT SEED [--without-point SHARE] > households.csv
 *
 * With --without-point, the file has the shape Regsosek 2022 left: officers marked the
 * dwellings of the less prosperous families only, so about SHARE of the households (more
 * of the better-off) have no coordinates, and every household carries the codes of where
 * it lives in the questionnaire's separate columns r101..r105 (provinsi, kab/kota,
 * kecamatan, desa, SLS), most as numbers that lost their leading zeros; about 1% name a
 * desa that does not exist, and a few located points lie far outside the city.
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

/* The id of the serial-th household (1..total): a permutation of 1..total, so the file, in
 * the order its settlements are drawn, lists its ids in no order, as registration ids come
 * (a sorted file loaded faster than a shuffled one, which hid the cost). An affine map with
 * a multiplier prime to total is one-to-one. */
static long gcd(long a, long b) { return b ? gcd(b, a % b) : a; }

static long shuffled_id(long serial, long total)
{
    long a = (long)((double)total * 0.6180339887) | 1; /* the golden ratio's stride scatters most */
    while (gcd(a, total) != 1)
        a += 2;
    return (long)((((unsigned long long)(serial - 1) * (unsigned long long)a) + 7919ULL) % (unsigned long long)total) + 1;
}

typedef struct {
    char code[16], kemendagri[20];
    double minx, miny, maxx, maxy; /* of its first part: where its settlements are */
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
        /* A desa with islets far off its coast has a box mostly of sea: settle its first part. */
        OGR_G_GetEnvelope(OGR_G_GetGeometryCount(g) && wkbFlatten(OGR_G_GetGeometryType(g)) == wkbMultiPolygon
                              ? OGR_G_GetGeometryRef(g, 0)
                              : g,
                          &env);
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

static int compare_codes(const void *a, const void *b) { return strcmp(((const kel *)a)->code, ((const kel *)b)->code); }

/* The Kemendagri code of the kelurahan with this BPS code; by_code sorted by code. */
static const char *kemendagri_of(const kel *by_code, int n, const char *code)
{
    kel key;
    snprintf(key.code, sizeof key.code, "%s", code);
    const kel *found = bsearch(&key, by_code, (size_t)n, sizeof *by_code, compare_codes);
    return found ? found->kemendagri : code;
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

/* Whether a household of this welfare (z: its log spending per person, standardised)
 * has no point: the better-off more often, as BPS had the poorer families' dwellings marked. */
static int without_point(double share, double z)
{
    double p = share + 0.35 * tanh(z);
    return uniform() < (p < 0.02 ? 0.02 : p > 0.98 ? 0.98 : p);
}

/* The code's parts as a questionnaire export writes them: numbers mostly (zeros lost). */
static void print_code_parts(const char *code, int sls, int unknown_desa)
{
    int kec = atoi((char[4]){code[4], code[5], code[6], 0});
    int desa = unknown_desa ? 99 : atoi((char[4]){code[7], code[8], code[9], 0});
    if (uniform() < 0.8)
        printf(",%.2s,%.2s,%d,%d,%d\n", code, code + 2, kec, desa, sls);
    else
        printf(",%.2s,%.2s,%03d,%03d,%04d\n", code, code + 2, kec, desa, sls);
}

int main(int argc, char **argv)
{
    double share = -1;
    if (argc == 6 && strcmp(argv[4], "--without-point") == 0)
        share = atof(argv[5]);
    if (argc != 4 && share < 0) {
        fprintf(stderr, "usage: gen_households BOUNDARIES.gpkg COUNT SEED [--without-point SHARE] > households.csv\n");
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

    kel *by_code = malloc((size_t)nk * sizeof *by_code);
    memcpy(by_code, ks, (size_t)nk * sizeof *by_code);
    qsort(by_code, (size_t)nk, sizeof *by_code, compare_codes);
    printf("id_keluarga,nama_kepala_keluarga,nik,alamat,no_hp,lintang,bujur,jumlah_art,pengeluaran_bulanan,%s\n",
           share < 0 ? "kode_wilayah" : "r101,r102,r103,r104,r105");
    long written = 0, serial = 0;
    for (int k = 0; k < nk && written < total; k++) {
        long quota = k == nk - 1 ? total - written : (long)((double)total / nk * (0.4 + 1.2 * uniform()));
        int settlements = 2 + below(5);
        double cx[8], cy[8], sigma[8];
        for (int s = 0; s < settlements; s++) {
            rg_match m;
            long tries = 0;
            do {
                cx[s] = ks[k].minx + uniform() * (ks[k].maxx - ks[k].minx);
                cy[s] = ks[k].miny + uniform() * (ks[k].maxy - ks[k].miny);
                rg_geo_locate(loc, cx[s], cy[s], 0, &m);
            } while ((m.method != RG_JOIN_WITHIN || strcmp(rg_geo_areas_code(areas, (size_t)m.area), ks[k].code)) &&
                     ++tries < 100000); /* a kelurahan covered by others (overlapping files) has no own ground */
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
            snprintf(id, sizeof id, "KPG-%06ld", shuffled_id(serial, total));
            int size = household_size();
            double z = gaussian();
            double per_capita = 1100000.0 * ks[k].wealth * exp(0.55 * z);
            double spending = round(per_capita * size / 1000.0) * 1000.0;
            const char *true_code = m.area >= 0 ? rg_geo_areas_code(areas, (size_t)m.area) : ks[k].code;
            const char *reported = true_code;
            double r = uniform();
            if (r < 0.07) {
                reported = kemendagri_of(by_code, nk, true_code);
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

            int no_point = share >= 0 && without_point(share, z);
            if (no_point)
                lat[0] = lon[0] = '\0';
            else if (share >= 0 && uniform() < 0.001)
                snprintf(lat, sizeof lat, "%.6f", y - 0.1); /* 11 km south: outside the city */
            /* About one row in 150 is broken in one of the ways field files break. */
            int broken = !no_point && uniform() < 0.0067 ? 1 + below(9) : 0;
            switch (broken) {
            case 1: lat[0] = '\0'; break;                                        /* missing coordinate */
            case 2: snprintf(lat, sizeof lat, "-10.1x%d", below(90)); break;    /* not a number */
            case 3: { char t[40]; memcpy(t, lat, 40); memcpy(lat, lon, 40); memcpy(lon, t, 40); break; }
            case 4: snprintf(lat, sizeof lat, "0"), snprintf(lon, sizeof lon, "0"); break;
            case 5: if (serial > 1) snprintf(id, sizeof id, "KPG-%06ld", shuffled_id(serial - 1, total)); break; /* duplicate id */
            case 6: printf("%s,,,\n", id); written++; continue;                 /* too few fields */
            case 7: printf("\n"); written++; continue;                          /* empty line */
            case 8: snprintf(lat, sizeof lat, "-100.5"); break;                 /* out of range */
            case 9: snprintf(lon, sizeof lon, "151.2"); break;                  /* far outside Indonesia */
            }
            const char *first = first_names[below(18)], *family = family_names[below(18)];
            if (share < 0) {
                printf("%s,%s %s,5371%02d%06d%04d,\"%s No. %d, RT %03d/RW %03d\",08%010llu,%s,%s,%d,%s,%s\n", id,
                       first, family, 1 + below(70), below(1000000), below(10000), streets[below(8)], 1 + below(200),
                       1 + below(30), 1 + below(10), (unsigned long long)(next_u64() % 10000000000ull), lat, lon, size,
                       pengeluaran, reported);
                written++;
                continue;
            }
            int nik_kec = 1 + below(70), nik_date = below(1000000), nik_serial = below(10000);
            const char *street = streets[below(8)];
            int number = 1 + below(200), rt = 1 + below(30), rw = 1 + below(10);
            unsigned long long phone = next_u64() % 10000000000ull;
            printf("%s,%s %s,5371%02d%06d%04d,\"%s No. %d, RT %03d/RW %03d\",08%010llu,%s,%s,%d,%s", id, first, family,
                   nik_kec, nik_date, nik_serial, street, number, rt, rw, phone, lat, lon, size, pengeluaran);
            /* The officer's codes: his own desa's, wrong now and then, a few for no desa at
             * all, and for a few households without a point none (rejected, both reasons). */
            const char *code = r >= 0.07 && r < 0.10 ? reported : true_code;
            if (no_point && uniform() < 0.003)
                printf(",,,,,\n");
            else
                print_code_parts(code, 1 + (rw - 1) * 3 + below(3), uniform() < 0.01);
            written++;
        }
    }
    for (int k = 0; k < nk; k++)
        free(ks[k].vertices);
    free(by_code);
    free(ks);
    rg_geo_locator_free(loc);
    rg_geo_areas_free(areas);
    rg_ctx_free(ctx);
    GDALDestroyDriverManager();
    return 0;
}
