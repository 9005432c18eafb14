/*
 * Export: the poverty map layers, written under a temporary name beside the target
 * and renamed into place only when complete, so an interrupted export never leaves
 * a file that looks finished and never damages the previous one.
 *
 * Households are personal data: the households layer carries an allow-list of fields
 * (codes, names of areas, class, rank, join fields, household size) and never the
 * `extra` columns (names, NIK, addresses) that the store keeps.
 */
#include "io/internal.h"

#include <errno.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

extern const char rg_style_households[], rg_style_kelurahan[], rg_style_kecamatan[], rg_style_kabkota[],
    rg_style_provinsi[];

typedef struct {
    const char *name;
    OGRFieldType type;
} field_def;

typedef enum { GEOM_POINT_LONLAT, GEOM_WKB } geom_source;

typedef struct {
    const char *name;
    int bit;
    const char *description;
    OGRwkbGeometryType type;
    const field_def *fields;
    size_t field_count;
    /* The layer's query in parts: its fields in order, the geometry as OGR takes it (lon,
     * lat or a WKB blob) or as a GeoPackage blob, and the rest. */
    const char *select_fields;
    const char *geom_ogr, *geom_gpkg;
    const char *from;
    const char *extent; /* minx, miny, maxx, maxy of the layer's geometries */
    const char *fid;    /* the store's row id, written as the GeoPackage fid */
    const char *store_rtree; /* the store's spatial index over those row ids */
    geom_source geom;
    const char *const *style;
} layer_def;

static const field_def household_fields[] = {
    {"household_id", OFTString},  {"kelurahan_code", OFTString}, {"kelurahan_name", OFTString},
    {"kecamatan_code", OFTString}, {"kecamatan_name", OFTString}, {"kabkota_code", OFTString},
    {"provinsi_code", OFTString},  {"poverty_class", OFTString},
    {"poverty_class_final", OFTString},
    {"desil", OFTInteger},         {"welfare_rank", OFTInteger},  {"household_size", OFTInteger},
    {"join_method", OFTString},    {"join_distance_m", OFTReal},  {"join_flags", OFTString},
    {"code_mismatch", OFTInteger}, {"reported_code", OFTString},  {"load_flags", OFTString},
    {"point_source", OFTString},
};

static const field_def area_fields[] = {
    {"code", OFTString},         {"name", OFTString},         {"parent_code", OFTString},
    {"parent_name", OFTString},  {"households", OFTInteger},  {"sangat_miskin", OFTInteger},
    {"miskin", OFTInteger},      {"rentan_miskin", OFTInteger}, {"tidak_miskin", OFTInteger},
    {"unclassified", OFTInteger}, {"poverty_rate", OFTReal},   {"with_point", OFTInteger},
    {"without_point", OFTInteger}, {"code_mismatches", OFTInteger},
    {"desil_1", OFTInteger},     {"desil_2", OFTInteger},     {"desil_3", OFTInteger},
    {"desil_4", OFTInteger},     {"desil_5", OFTInteger},     {"desil_6", OFTInteger},
    {"desil_7", OFTInteger},     {"desil_8", OFTInteger},     {"desil_9", OFTInteger},
    {"desil_10", OFTInteger},
};

/* Where --fields are spliced into the households query, and the programmes into the areas'. */
#define EXTRA_FIELDS_HERE "\x01"

#define AREA_FIELDS                                                                                            \
    "a.code, a.name, a.parent_code, p.name, s.households, s.sangat_miskin, s.miskin, s.rentan_miskin,"        \
    " s.tidak_miskin, s.unclassified,"                                                                          \
    " CASE WHEN s.households - s.unclassified > 0 THEN"                                                         \
    "  round(CAST(s.sangat_miskin + s.miskin AS REAL) / (s.households - s.unclassified), 4) END,"             \
    " s.with_point, s.without_point, s.code_mismatches, s.desil_1, s.desil_2, s.desil_3, s.desil_4, s.desil_5,"  \
    " s.desil_6, s.desil_7, s.desil_8, s.desil_9, s.desil_10" EXTRA_FIELDS_HERE
#define AREA_FROM(table, parent_table)                                                                         \
    " FROM " table " a JOIN " table "_summary s ON s.code = a.code"                                             \
    " LEFT JOIN " parent_table " p ON p.code = a.parent_code ORDER BY a.code"
#define AREA_EXTENT(table)                                                                                     \
    "SELECT min(MbrMinX(geom)) AS x0, min(MbrMinY(geom)) AS y0, max(MbrMaxX(geom)) AS x1,"                     \
    " max(MbrMaxY(geom)) AS y1 FROM " table


/* The households' fields, point_source given as an expression (the two ways of drawing
 * households without a point differ in it), then --fields. */
#define HOUSEHOLD_SELECT(point_source)                                                                         \
    "household_id, kelurahan_code, kelurahan_name, kecamatan_code, kecamatan_name, kabkota_code, provinsi_code,"   \
    " poverty_class,"              \
    " poverty_class_final, desil, welfare_rank, household_size, join_method, join_distance_m, join_flags,"      \
    " code_mismatch, reported_code, load_flags, " point_source EXTRA_FIELDS_HERE
/* The extent of the households' GPS points. */
#define POINTS_EXTENT                                                                                          \
    "SELECT min(lon) AS x0, min(lat) AS y0, max(lon) AS x1, max(lat) AS y1 FROM household_records"             \
    " WHERE geom IS NOT NULL"

static const char *const households_style = rg_style_households;
static const char *const kelurahan_style = rg_style_kelurahan;
static const char *const kecamatan_style = rg_style_kecamatan;
static const char *const kabkota_style = rg_style_kabkota;
static const char *const provinsi_style = rg_style_provinsi;

#define AREA_LAYER(table, parent, bit, description, style)                                                     \
    {table, bit, description, wkbMultiPolygon, area_fields, sizeof area_fields / sizeof *area_fields,          \
     AREA_FIELDS, "AsBinary(a.geom)", "rg_gpkg_geom(a.geom)", AREA_FROM(table, parent), AREA_EXTENT(table),     \
     "a.rowid", "idx_" table "_geom", GEOM_WKB, style}

/* What each summary layer counts, after its own first sentence. */
#define AREA_COUNTS                                                                                            \
    " desil_1 .. desil_10: households by desil of the ranking (1 = poorest tenth); then one column per"          \
    " social-assistance programme of the rules, its households in the programme's desil."

/* Coarse to fine, the order a GeoPackage lists them in. */
static const layer_def layers[] = {
    AREA_LAYER("provinsi", "provinsi", RG_LAYER_PROVINSI,
               "Provinsi: the sums of their kab/kota (households with and without a GPS point), and poverty_rate."
               AREA_COUNTS, &provinsi_style),
    AREA_LAYER("kabkota", "provinsi", RG_LAYER_KABKOTA,
               "Kabupaten/kota: the sums of their kecamatan (households with and without a GPS point), and"
               " poverty_rate." AREA_COUNTS, &kabkota_style),
    AREA_LAYER("kecamatan", "kabkota", RG_LAYER_KECAMATAN,
               "Kecamatan: the sums of their kelurahan (households with and without a GPS point), and poverty_rate."
               AREA_COUNTS, &kecamatan_style),
    AREA_LAYER("kelurahan", "kecamatan", RG_LAYER_KELURAHAN,
               "Kelurahan/desa: households per poverty class (after the consultation forum), and poverty_rate, over"
               " all households of the kelurahan, with a GPS point (with_point) or placed by their area code"
               " (without_point); code_mismatches: located households whose reported code names another kelurahan."
               AREA_COUNTS, &kelurahan_style),
    {"households", RG_LAYER_HOUSEHOLDS,
     "Regsosek households: kelurahan and kecamatan from the spatial join, poverty class, desil and rank"
     " (1 = poorest in the kelurahan); poverty_class_final: the class after the consultation forum (its"
     " decision where it made one, else poverty_class). Only households with a GPS point (point_source = gps) are drawn;"
     " those placed by their area code (join_method = code) are rows without geometry, in the attribute table.",
     wkbPoint, household_fields, sizeof household_fields / sizeof *household_fields,
     HOUSEHOLD_SELECT("point_source"),
     "CASE WHEN geom IS NOT NULL THEN lon END, lat", "rg_gpkg_point(CASE WHEN geom IS NOT NULL THEN lon END, lat)",
     " FROM households ORDER BY hh", POINTS_EXTENT,
     "hh", "idx_household_records_geom", GEOM_POINT_LONLAT, &households_style},
};

/* The households with --unlocated-at area: one placed by its code stands at a point inside
 * its kelurahan (the same for all of them there, from temp.export_area_points), marked
 * point_source = 'area' so that no one takes it for a dwelling. Their points are not in the
 * store's index: the layer's R-tree is packed. */
static const layer_def households_at_area = {
    "households", RG_LAYER_HOUSEHOLDS,
    "Regsosek households: kelurahan and kecamatan from the spatial join, poverty class, desil and rank"
    " (1 = poorest in the kelurahan); poverty_class_final: the class after the consultation forum."
    " point_source = gps: the household's GPS point; point_source = area: no GPS point, drawn at one point"
    " inside the kelurahan its area code names, shared by all such households there: NOT their dwelling.",
    wkbPoint, household_fields, sizeof household_fields / sizeof *household_fields,
    HOUSEHOLD_SELECT("CASE WHEN geom IS NOT NULL THEN 'gps' WHEN p.x IS NOT NULL THEN 'area' END"),
    "CASE WHEN geom IS NOT NULL THEN lon ELSE p.x END, CASE WHEN geom IS NOT NULL THEN lat ELSE p.y END",
    "rg_gpkg_point(CASE WHEN geom IS NOT NULL THEN lon ELSE p.x END, CASE WHEN geom IS NOT NULL THEN lat ELSE p.y END)",
    " FROM households LEFT JOIN temp.export_area_points p ON p.code = kelurahan_code AND geom IS NULL ORDER BY hh",
    "SELECT min(x0) AS x0, min(y0) AS y0, max(x1) AS x1, max(y1) AS y1 FROM (" POINTS_EXTENT
    " UNION ALL SELECT min(x), min(y), max(x), max(y) FROM temp.export_area_points)",
    "hh", NULL, GEOM_POINT_LONLAT, &households_style};

typedef enum { FORMAT_GPKG, FORMAT_GEOJSON, FORMAT_GEOJSONSEQ, FORMAT_FLATGEOBUF } format;

/* Each format by its file ending and by GDAL's name for its driver (what ogr2ogr -f takes,
 * and what writes it): FlatGeobuf, like GeoJSON, holds one layer a file. */
static const struct {
    const char *ext, *driver;
    format fmt;
} formats[] = {{".gpkg", "GPKG", FORMAT_GPKG},
               {".geojson", "GeoJSON", FORMAT_GEOJSON},
               {".geojsonl", "GeoJSONSeq", FORMAT_GEOJSONSEQ},
               {".geojsons", "GeoJSONSeq", FORMAT_GEOJSONSEQ},
               {".fgb", "FlatGeobuf", FORMAT_FLATGEOBUF}};

static const char *driver_of(format fmt)
{
    for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
        if (formats[i].fmt == fmt)
            return formats[i].driver;
    return "?";
}

/* Household columns of the store that --fields may name, with their types. */
static const field_def store_columns[] = {
    {"spending", OFTReal},      {"welfare", OFTReal},      {"lon", OFTReal},
    {"lat", OFTReal},           {"source_line", OFTInteger}, {"given_class", OFTString},
    {"kecamatan_polygon_code", OFTString},
};

#define MAX_EXTRA_FIELDS 64
#define MAX_PROGRAMMES 16

/* One export: what is written, and how. */
typedef struct {
    rg_store *store;
    rg_ctx *ctx;
    const rg_export_opts *opts;
    format fmt;
    const char *ext;
    size_t extra_count;
    field_def extra[MAX_EXTRA_FIELDS];
    int extra_from_json[MAX_EXTRA_FIELDS];
    char *extra_names;     /* owns the strings extra[].name points into */
    int direct;            /* a GeoPackage whose rows go in through SQLite, not OGR */
    char *poverty_rate;    /* how classify defined it, for the area layers' descriptions */
    int scoped;            /* --only: the rows of temp.export_scope's areas only */
    size_t programme_count; /* the rules' programmes: a column of each area layer */
    field_def programmes[MAX_PROGRAMMES];
    char programme_names[MAX_PROGRAMMES][64];
} exporter;

/* The fields a layer has beyond its own: --fields for the households, the programmes for
 * the areas. */
static size_t extra_count_of(const exporter *E, const layer_def *def)
{
    return def->bit == RG_LAYER_HOUSEHOLDS ? E->extra_count : E->programme_count;
}

static const field_def *extra_field(const exporter *E, const layer_def *def, size_t i)
{
    return def->bit == RG_LAYER_HOUSEHOLDS ? &E->extra[i] : &E->programmes[i];
}

int rg_io_layers_parse(rg_ctx *ctx, const char *list, int *out)
{
    *out = 0;
    const char *p = list;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        int found = 0;
        for (size_t i = 0; i < sizeof layers / sizeof *layers; i++)
            if (strlen(layers[i].name) == n && strncmp(p, layers[i].name, n) == 0) {
                *out |= layers[i].bit;
                found = 1;
            }
        if (!found) {
            *out = 0;
            return rg_ctx_error(ctx, RG_EINVAL, "unknown layer '%.*s' (layers: provinsi, kabkota, kecamatan, kelurahan, households)",
                                (int)n, p);
        }
        p = end ? end + 1 : p + n;
    }
    return *out ? RG_OK : rg_ctx_error(ctx, RG_EINVAL, "no layer named");
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && rg__strieq(s + n - m, suffix);
}

static int gdal_fail(rg_ctx *ctx, const char *path, const char *what)
{
    return rg_ctx_error(ctx, RG_EGDAL, "%s: %s: %s", path, what,
                        CPLGetLastErrorMsg()[0] ? CPLGetLastErrorMsg() : "GDAL gave no reason");
}

/* The i-th layer as this export writes it. */
static const layer_def *layer_at(const exporter *E, size_t i)
{
    return layers[i].bit == RG_LAYER_HOUSEHOLDS && E->opts->unlocated_at_area ? &households_at_area : &layers[i];
}

/* The layer's fields, with --fields spliced in for the households. */
static int append_fields(exporter *E, const layer_def *def, rg_buf *sql)
{
    const char *splice = strstr(def->select_fields, EXTRA_FIELDS_HERE);
    if (!splice)
        return rg__buf_append(sql, def->select_fields, strlen(def->select_fields));
    int rc = rg__buf_append(sql, def->select_fields, (size_t)(splice - def->select_fields));
    if (def->bit != RG_LAYER_HOUSEHOLDS) {
        for (size_t i = 0; i < E->programme_count && rc == RG_OK; i++)
            rc = rg__buf_appendf(sql, ", s.\"%s\"", E->programmes[i].name);
        return rc;
    }
    for (size_t i = 0; i < E->extra_count && rc == RG_OK; i++)
        rc = E->extra_from_json[i] ? rg__buf_appendf(sql, ", json_extract(extra, ?%zu)", i + 1)
                                   : rg__buf_appendf(sql, ", \"%s\"", E->extra[i].name);
    return rc;
}

/* --only: which of the layer's rows are in temp.export_scope. */
static int append_scope(const layer_def *def, rg_buf *sql, const char *keyword)
{
    return def->bit == RG_LAYER_HOUSEHOLDS
               ? rg__buf_appendf(sql, " %s kelurahan_code IN (SELECT code FROM temp.export_scope WHERE level ="
                                      " 'kelurahan')", keyword)
               : rg__buf_appendf(sql, " %s a.code IN (SELECT code FROM temp.export_scope WHERE level = '%s')",
                                 keyword, def->name);
}

/* The layer's FROM ... ORDER BY, with --only's condition before its ORDER BY. */
static int append_from(const exporter *E, const layer_def *def, rg_buf *sql)
{
    const char *order = strstr(def->from, " ORDER BY ");
    if (!E->scoped || !order)
        return rg__buf_appendf(sql, "%s", def->from);
    int rc = rg__buf_append(sql, def->from, (size_t)(order - def->from));
    if (rc == RG_OK)
        rc = append_scope(def, sql, "WHERE");
    return rc == RG_OK ? rg__buf_appendf(sql, "%s", order) : rc;
}

/* The extent of what the layer writes (a cut export's, not the store's). */
static int extent_sql(const exporter *E, const layer_def *def, rg_buf *sql)
{
    int rc = rg__buf_appendf(sql, "%s", def->extent);
    if (!E->scoped || rc != RG_OK || def == &households_at_area)
        return rc; /* the households drawn at their areas keep the whole extent: a box, not a cut */
    if (def->bit != RG_LAYER_HOUSEHOLDS)
        return rg__buf_appendf(sql, " WHERE code IN (SELECT code FROM temp.export_scope WHERE level = '%s')",
                               def->name);
    return rg__buf_appendf(sql, " AND hh IN (SELECT hh FROM household_areas WHERE kelurahan_code IN"
                                " (SELECT code FROM temp.export_scope WHERE level = 'kelurahan'))");
}

/* The layer's query: its fields, then its geometry for OGR (gpkg 0) or as a GeoPackage blob. */
static int layer_sql(exporter *E, const layer_def *def, int gpkg, rg_buf *sql)
{
    int rc = gpkg ? rg__buf_appendf(sql, "SELECT %s, ", def->fid) : rg__buf_appendf(sql, "SELECT ");
    if (rc == RG_OK)
        rc = append_fields(E, def, sql);
    if (rc == RG_OK)
        rc = rg__buf_appendf(sql, ", %s", gpkg ? def->geom_gpkg : def->geom_ogr);
    return rc == RG_OK ? append_from(E, def, sql) : rc;
}

/* INSERT INTO ex."layer"(its columns) SELECT ...: the layer's rows for a GeoPackage GDAL made. */
static int layer_insert_sql(exporter *E, const layer_def *def, rg_buf *sql)
{
    int rc = rg__buf_appendf(sql, "INSERT INTO ex.\"%s\"(fid, ", def->name);
    for (size_t i = 0; i < def->field_count && rc == RG_OK; i++)
        rc = rg__buf_appendf(sql, "\"%s\", ", def->fields[i].name);
    for (size_t i = 0; i < extra_count_of(E, def) && rc == RG_OK; i++)
        rc = rg__buf_appendf(sql, "\"%s\", ", extra_field(E, def, i)->name);
    if (rc == RG_OK)
        rc = rg__buf_appendf(sql, "geom) ");
    return rc == RG_OK ? layer_sql(E, def, 1, sql) : rc;
}

static void bind_json_paths(exporter *E, sqlite3_stmt *st);
static void bind_fill(sqlite3_stmt *st, void *userdata) { bind_json_paths(userdata, st); }

/* The rows of every chosen layer, straight from the store into the GeoPackage GDAL made. */
static int fill_gpkg(exporter *E, const char *tmp_path, const char *target, int chosen)
{
    rg_io__gpkg_fill fills[sizeof layers / sizeof *layers];
    rg_buf sql[sizeof layers / sizeof *layers] = {{0}}, extent[sizeof layers / sizeof *layers] = {{0}};
    size_t n = 0;
    int rc = RG_OK;
    for (size_t i = 0; i < sizeof layers / sizeof *layers && rc == RG_OK; i++) {
        if (!(chosen & layers[i].bit))
            continue;
        const layer_def *def = layer_at(E, i);
        rc = layer_insert_sql(E, def, &sql[n]);
        if (rc == RG_OK)
            rc = extent_sql(E, def, &extent[n]);
        /* A cut export holds some of the store's rows: its R-trees are packed, not copied. */
        fills[n] = (rg_io__gpkg_fill){def->name, sql[n].data, extent[n].data, E->scoped ? NULL : def->store_rtree,
                                      def->bit == RG_LAYER_HOUSEHOLDS ? bind_fill : NULL, E};
        n++;
    }
    if (rc == RG_OK)
        rc = rg_io__gpkg_fill_layers(E->store, tmp_path, target, fills, n);
    for (size_t i = 0; i < n; i++) {
        rg__buf_free(&sql[i]);
        rg__buf_free(&extent[i]);
    }
    return rc;
}

static void bind_json_paths(exporter *E, sqlite3_stmt *st)
{
    for (size_t i = 0; i < E->extra_count; i++) {
        if (!E->extra_from_json[i])
            continue;
        char path[300];
        snprintf(path, sizeof path, "$.\"%s\"", E->extra[i].name);
        sqlite3_bind_text(st, (int)i + 1, path, -1, SQLITE_TRANSIENT);
    }
}

/* Field indexes of the area layers' counts: households .. unclassified, then poverty_rate,
 * then the split by point and the mismatches, the desil, and the programmes. */
enum {
    AREA_FIRST_COUNT = 4, AREA_LAST_COUNT = 9, AREA_RATE = 10, AREA_WITH_POINT = 11, AREA_WITHOUT_POINT = 12,
    AREA_CODE_MISMATCHES = 13, AREA_DESIL_1 = 14, AREA_PROGRAMMES = 24
};

/* Hides a small count; returns whether it did. */
static int hide_if_small(OGRFeatureH f, int field, int min_count)
{
    int v = OGR_F_GetFieldAsInteger(f, field);
    if (v <= 0 || v >= min_count)
        return 0;
    OGR_F_SetFieldNull(f, field);
    return 1;
}

/* with_point + without_point = households: one hidden alone could be recovered. */
static int suppress_point_split(OGRFeatureH f, int min_count)
{
    int with = hide_if_small(f, AREA_WITH_POINT, min_count);
    int without = hide_if_small(f, AREA_WITHOUT_POINT, min_count);
    if (with != without) {
        OGR_F_SetFieldNull(f, with ? AREA_WITHOUT_POINT : AREA_WITH_POINT);
        without = with = 1;
    }
    return with + without + hide_if_small(f, AREA_CODE_MISMATCHES, min_count);
}

/* The four classes and unclassified: a small cell hidden, and where a single class cell is
 * hidden it could be recovered from the total, so the next smallest non-zero class cell is
 * hidden with it. Returns how many cells it hid. */
static int suppress_classes(OGRFeatureH f, const int v[], int min_count)
{
    int hidden = 0, hidden_classes = 0, smallest = -1;
    for (int i = AREA_FIRST_COUNT; i <= AREA_LAST_COUNT; i++) {
        if (v[i] > 0 && v[i] < min_count) {
            OGR_F_SetFieldNull(f, i);
            hidden++;
            hidden_classes += i > AREA_FIRST_COUNT;
        } else if (i > AREA_FIRST_COUNT && v[i] > 0 && (smallest < 0 || v[i] < v[smallest])) {
            smallest = i;
        }
    }
    if (hidden_classes == 1 && smallest >= 0) {
        OGR_F_SetFieldNull(f, smallest);
        hidden++;
    }
    return hidden;
}

/* The desil and the programmes are linked to each other (a programme is the sum of its
 * desil, two programmes differ by a desil) and to the classes (under the desil method a
 * class is the sum of its desil): short of solving that system, they go together. Any small
 * desil or programme, or any hidden class, hides every desil and programme of the area. */
static int suppress_desil(OGRFeatureH f, int programmes, int classes_hidden, int min_count)
{
    int small = classes_hidden > 0;
    for (int i = AREA_DESIL_1; i < AREA_PROGRAMMES + programmes && !small; i++) {
        int v = OGR_F_GetFieldAsInteger(f, i);
        small = v > 0 && v < min_count;
    }
    if (!small)
        return 0;
    for (int i = AREA_DESIL_1; i < AREA_PROGRAMMES + programmes; i++)
        OGR_F_SetFieldNull(f, i);
    return 1;
}

/*
 * Statistical disclosure control for --public: counts from 1 to min_count - 1 become
 * NULL, with the cells they could be recovered from (see above). The rate is hidden when
 * its denominator or numerator is small.
 */
static void suppress_small_cells(const exporter *E, OGRFeatureH f, int min_count)
{
    int v[AREA_LAST_COUNT + 1] = {0};
    for (int i = AREA_FIRST_COUNT; i <= AREA_LAST_COUNT; i++)
        v[i] = OGR_F_GetFieldAsInteger(f, i);
    int hidden = suppress_classes(f, v, min_count);
    int poor = v[AREA_FIRST_COUNT + 1] + v[AREA_FIRST_COUNT + 2];
    int classified = v[AREA_FIRST_COUNT] - v[AREA_LAST_COUNT];
    int rate_hidden = !OGR_F_IsFieldNull(f, AREA_RATE) &&
                      (hidden || (poor > 0 && poor < min_count) || classified < min_count);
    if (rate_hidden)
        OGR_F_SetFieldNull(f, AREA_RATE);
    int desil_hidden = suppress_desil(f, (int)E->programme_count, hidden, min_count);
    /* The split by point says nothing of the classes: hiding it leaves the rate alone. */
    int split_hidden = suppress_point_split(f, min_count);
    OGR_F_SetFieldInteger(f, AREA_PROGRAMMES + (int)E->programme_count,
                          hidden > 0 || rate_hidden || split_hidden > 0 || desil_hidden);
}

/* The programmes classify counted, each a column of the area layers. */
static int read_programmes(exporter *E)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(E->store),
                           "SELECT name FROM classify_programmes ORDER BY position", -1, &st,
                           NULL) != SQLITE_OK)
        return rg_io_store_sql_error(E->store);
    while (sqlite3_step(st) == SQLITE_ROW && E->programme_count < MAX_PROGRAMMES) {
        size_t i = E->programme_count++;
        snprintf(E->programme_names[i], sizeof E->programme_names[i], "%s", (const char *)sqlite3_column_text(st, 0));
        E->programmes[i] = (field_def){E->programme_names[i], OFTInteger};
    }
    sqlite3_finalize(st);
    return RG_OK;
}

static int create_field(OGRLayerH layer, const char *name, OGRFieldType type)
{
    OGRFieldDefnH fd = OGR_Fld_Create(name, type);
    OGRErr err = OGR_L_CreateField(layer, fd, TRUE);
    OGR_Fld_Destroy(fd);
    return err == OGRERR_NONE;
}

static int write_layer(exporter *E, GDALDatasetH ds, const char *path, const layer_def *def)
{
    rg_ctx *ctx = E->ctx;
    int rc = RG_OK;
    int households = def->bit == RG_LAYER_HOUSEHOLDS;
    int public_area = E->opts->public_only && !households;
    OGRSpatialReferenceH srs = rg_io_crs_wgs84();
    OGRFeatureH f = NULL;
    OGRGeometryH point = NULL;
    sqlite3_stmt *st = NULL;
    rg_buf sql = {0};

    char description[1400];
    snprintf(description, sizeof description, "DESCRIPTION=%s%s%s%s", def->description,
             households || !E->poverty_rate ? "" : " ", households || !E->poverty_rate ? "" : E->poverty_rate,
             public_area ? " Counts below the minimum are suppressed (NULL, suppressed = 1)." : "");
    const char *gpkg_options[] = {description, "SPATIAL_INDEX=YES", NULL};
    const char *geojson_options[] = {"RFC7946=YES", "COORDINATE_PRECISION=7", "WRITE_NAME=YES", description, NULL};
    const char *seq_options[] = {"COORDINATE_PRECISION=7", strcmp(E->ext, ".geojsons") == 0 ? "RS=YES" : NULL, NULL};
    const char *fgb_options[] = {"SPATIAL_INDEX=YES", NULL};
    const char **options = E->fmt == FORMAT_GPKG        ? gpkg_options
                           : E->fmt == FORMAT_GEOJSON    ? geojson_options
                           : E->fmt == FORMAT_FLATGEOBUF ? fgb_options
                                                         : seq_options;
    OGRLayerH layer = GDALDatasetCreateLayer(ds, def->name, srs, def->type, (char **)options);
    if (!layer) {
        rc = gdal_fail(ctx, path, "cannot create layer");
        goto done;
    }
    for (size_t i = 0; i < def->field_count; i++)
        if (!create_field(layer, def->fields[i].name, def->fields[i].type)) {
            rc = gdal_fail(ctx, path, "cannot create field");
            goto done;
        }
    size_t extra = extra_count_of(E, def);
    for (size_t i = 0; i < extra; i++)
        if (!create_field(layer, extra_field(E, def, i)->name, extra_field(E, def, i)->type)) {
            rc = gdal_fail(ctx, path, "cannot create field");
            goto done;
        }
    if (public_area && !create_field(layer, "suppressed", OFTInteger)) {
        rc = gdal_fail(ctx, path, "cannot create field");
        goto done;
    }
    if (E->direct) {
        /* Its rows go in by rg_io__gpkg_fill_layers(). Made now, its table takes its place
         * in gpkg_contents, whose order is the order QGIS and ogrinfo list the layers in:
         * GDAL would otherwise make it when it sees fit. */
        if (OGR_L_SyncToDisk(layer) != OGRERR_NONE)
            rc = gdal_fail(ctx, path, "cannot create layer");
        goto done;
    }
    if ((rc = layer_sql(E, def, 0, &sql)) != RG_OK)
        goto done;
    if (sqlite3_prepare_v2(rg_io_store_db(E->store), sql.data, -1, &st, NULL) != SQLITE_OK) {
        rc = rg_io_store_sql_error(E->store);
        goto done;
    }
    if (households)
        bind_json_paths(E, st);
    f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
    point = OGR_G_CreateGeometry(wkbPoint);
    int step;
    int n = (int)(def->field_count + extra);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        OGR_F_SetFID(f, OGRNullFID);
        for (int i = 0; i < n; i++) {
            OGRFieldType type = (size_t)i < def->field_count ? def->fields[i].type
                                                             : extra_field(E, def, (size_t)i - def->field_count)->type;
            if (sqlite3_column_type(st, i) == SQLITE_NULL) {
                OGR_F_SetFieldNull(f, i);
                continue;
            }
            switch (type) {
            case OFTInteger: OGR_F_SetFieldInteger(f, i, sqlite3_column_int(st, i)); break;
            case OFTReal: OGR_F_SetFieldDouble(f, i, sqlite3_column_double(st, i)); break;
            default: OGR_F_SetFieldString(f, i, (const char *)sqlite3_column_text(st, i)); break;
            }
        }
        if (public_area)
            suppress_small_cells(E, f, E->opts->min_count);
        if (def->geom == GEOM_POINT_LONLAT && sqlite3_column_type(st, n) == SQLITE_NULL) {
            OGR_F_SetGeometry(f, NULL);
        } else if (def->geom == GEOM_POINT_LONLAT) {
            OGR_G_SetPoint_2D(point, 0, sqlite3_column_double(st, n), sqlite3_column_double(st, n + 1));
            OGR_F_SetGeometry(f, point);
        } else {
            OGRGeometryH g = NULL;
            const void *wkb = sqlite3_column_blob(st, n);
            int size = sqlite3_column_bytes(st, n);
            if (wkb && OGR_G_CreateFromWkb(wkb, NULL, &g, size) == OGRERR_NONE)
                OGR_F_SetGeometryDirectly(f, OGR_G_ForceToMultiPolygon(g));
            else
                OGR_F_SetGeometry(f, NULL);
        }
        if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE) {
            rc = gdal_fail(ctx, path, "cannot write a feature (disk full?)");
            goto done;
        }
    }
    if (step != SQLITE_DONE)
        rc = rg_io_store_sql_error(E->store);

done:
    sqlite3_finalize(st);
    rg__buf_free(&sql);
    if (f)
        OGR_F_Destroy(f);
    if (point)
        OGR_G_DestroyGeometry(point);
    OSRDestroySpatialReference(srs);
    return rc;
}

/* QGIS reads a layer's default style from this table when it opens the layer. */
static int write_styles(rg_ctx *ctx, GDALDatasetH ds, const char *path, int chosen)
{
    static const field_def style_fields[] = {
        {"f_table_catalog", OFTString}, {"f_table_schema", OFTString}, {"f_table_name", OFTString},
        {"f_geometry_column", OFTString}, {"styleName", OFTString},  {"styleQML", OFTString},
        {"styleSLD", OFTString},        {"useAsDefault", OFTInteger}, {"description", OFTString},
        {"owner", OFTString},           {"ui", OFTString},            {"update_time", OFTDateTime},
    };
    const char *options[] = {"DESCRIPTION=QGIS layer styles (default styles of the poverty map layers)", NULL};
    OGRLayerH layer = GDALDatasetCreateLayer(ds, "layer_styles", NULL, wkbNone, (char **)options);
    if (!layer)
        return gdal_fail(ctx, path, "cannot create layer_styles");
    for (size_t i = 0; i < sizeof style_fields / sizeof *style_fields; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(style_fields[i].name, style_fields[i].type);
        if (strcmp(style_fields[i].name, "useAsDefault") == 0)
            OGR_Fld_SetSubType(fd, OFSTBoolean);
        OGRErr err = OGR_L_CreateField(layer, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (err != OGRERR_NONE)
            return gdal_fail(ctx, path, "cannot create layer_styles");
    }
    int rc = RG_OK;
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
    time_t now = time(NULL);
    struct tm utc;
    gmtime_r(&now, &utc);
    for (size_t i = 0; i < sizeof layers / sizeof *layers && rc == RG_OK; i++) {
        if (!(chosen & layers[i].bit))
            continue;
        OGR_F_SetFID(f, OGRNullFID);
        OGR_F_SetFieldString(f, 0, "");
        OGR_F_SetFieldString(f, 1, "");
        OGR_F_SetFieldString(f, 2, layers[i].name);
        OGR_F_SetFieldString(f, 3, "geom");
        OGR_F_SetFieldString(f, 4, layers[i].name);
        OGR_F_SetFieldString(f, 5, *layers[i].style);
        OGR_F_SetFieldString(f, 6, "");
        OGR_F_SetFieldInteger(f, 7, 1);
        OGR_F_SetFieldString(f, 8, "regsosek-geo default style");
        OGR_F_SetFieldString(f, 9, "");
        OGR_F_SetFieldNull(f, 10);
        OGR_F_SetFieldDateTime(f, 11, utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                               utc.tm_sec, 100);
        if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE)
            rc = gdal_fail(ctx, path, "cannot write layer_styles");
    }
    OGR_F_Destroy(f);
    return rc;
}

/* The boundaries, the method, the rules in force and what poverty_rate means, as the
 * steps that used them recorded them. */
static int write_classify_provenance(rg_store *store, GDALDatasetH ds)
{
    sqlite3_stmt *st = NULL;
    static const char sql[] =
        "SELECT 'BOUNDARIES', path || ' (' || coalesce(size, '?') || ' bytes, sha256 ' || sha256 || ', prepared '"
        " || prepared || ')' FROM boundary_sets WHERE id = (SELECT max(id) FROM boundary_sets)"
        " UNION ALL SELECT upper(key), value FROM classify_meta";
    if (sqlite3_prepare_v2(rg_io_store_db(store), sql, -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        GDALSetMetadataItem(ds, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
                            NULL);
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? RG_OK : rg_io_store_sql_error(store);
}

static int write_provenance(rg_store *store, GDALDatasetH ds, const rg_export_opts *opts)
{
    rg_buf inputs = {0};
    sqlite3_stmt *st = NULL;
    int rc = RG_OK;
    if (sqlite3_prepare_v2(rg_io_store_db(store),
                           "SELECT input_path, input_size, sha256, rows_read, loaded, rejected FROM load_runs"
                           " WHERE " RG_IO_LIVE_RUN " ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    while (sqlite3_step(st) == SQLITE_ROW && rc == RG_OK)
        rc = rg__buf_appendf(&inputs, "%s%s (%lld bytes, sha256 %s, %lld rows read, %lld loaded, %lld rejected)",
                             inputs.len ? "; " : "", sqlite3_column_text(st, 0),
                             (long long)sqlite3_column_int64(st, 1),
                             sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "unknown",
                             (long long)sqlite3_column_int64(st, 3), (long long)sqlite3_column_int64(st, 4),
                             (long long)sqlite3_column_int64(st, 5));
    sqlite3_finalize(st);
    if (rc != RG_OK) {
        rg__buf_free(&inputs);
        return rc;
    }
    char when[32];
    time_t now = time(NULL);
    struct tm utc;
    gmtime_r(&now, &utc);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &utc);
    GDALSetMetadataItem(ds, "REGSOSEK_GEO_VERSION", rg_version(), NULL);
    GDALSetMetadataItem(ds, "CREATED", when, NULL);
    if (opts->command_line)
        GDALSetMetadataItem(ds, "COMMAND_LINE", opts->command_line, NULL);
    if (opts->only)
        GDALSetMetadataItem(ds, "ONLY", opts->only, NULL);
    if (opts->public_only) {
        char min[32];
        snprintf(min, sizeof min, "%d", opts->min_count);
        GDALSetMetadataItem(ds, "PUBLIC", "YES: area summaries only, small counts suppressed", NULL);
        GDALSetMetadataItem(ds, "MIN_COUNT", min, NULL);
    }
    if (inputs.data)
        GDALSetMetadataItem(ds, "INPUTS", inputs.data, NULL);
    rc = write_classify_provenance(store, ds);
    int64_t n = 0;
    char text[32];
    static const struct {
        const char *key, *sql;
    } counts[] = {
        /* From each step's own table: the view would join them all for a count. */
        {"HOUSEHOLDS", "SELECT count(*) FROM household_records"},
        {"HOUSEHOLDS_UNMATCHED", "SELECT count(*) FROM household_areas WHERE join_method = 'unmatched'"},
        {"HOUSEHOLDS_CLASSIFIED", "SELECT count(*) FROM household_classes WHERE poverty_class IS NOT NULL"},
        {"ROWS_REJECTED", "SELECT count(*) FROM rejects"},
    };
    for (size_t i = 0; i < sizeof counts / sizeof *counts && rc == RG_OK; i++) {
        rc = rg_io_store_count(store, counts[i].sql, &n);
        snprintf(text, sizeof text, "%lld", (long long)n);
        GDALSetMetadataItem(ds, counts[i].key, text, NULL);
    }
    rg__buf_free(&inputs);
    return rc;
}

/* Writes one dataset at tmp_path; the caller renames it into place. Messages name target,
 * the file the user asked for, not the hidden name it is written under. */
static int write_dataset(exporter *E, const char *tmp_path, const char *target, int chosen)
{
    rg_ctx *ctx = E->ctx;
    int gpkg = E->fmt == FORMAT_GPKG;
    /* A public export is small, and its cells are suppressed feature by feature. */
    E->direct = gpkg && !E->opts->public_only;
    GDALDriverH driver = GDALGetDriverByName(driver_of(E->fmt));
    if (!driver)
        return rg_ctx_error(ctx, RG_EGDAL, "GDAL has no %s driver", driver_of(E->fmt));
    CPLErrorReset();
    GDALDatasetH ds = GDALCreate(driver, tmp_path, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds)
        return gdal_fail(ctx, target, "cannot create");
    int rc = RG_OK;
    if (gpkg && GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE)
        rc = gdal_fail(ctx, target, "cannot start a transaction");
    for (size_t i = 0; i < sizeof layers / sizeof *layers && rc == RG_OK; i++)
        if (chosen & layers[i].bit)
            rc = write_layer(E, ds, target, layer_at(E, i));
    if (gpkg && rc == RG_OK)
        rc = write_styles(ctx, ds, target, chosen);
    if (gpkg && rc == RG_OK && GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
        rc = gdal_fail(ctx, target, "cannot commit (disk full?)");
    if (gpkg && rc == RG_OK)
        rc = write_provenance(E->store, ds, E->opts);
    CPLErrorReset();
    GDALClose(ds);
    /* GDAL reports a failed final flush only through the error state. */
    if (rc == RG_OK && CPLGetLastErrorType() >= CE_Failure)
        rc = gdal_fail(ctx, target, "cannot finish writing (disk full?)");
    if (rc == RG_OK && E->direct)
        rc = fill_gpkg(E, tmp_path, target, chosen);
    /* The project needs the layers it lays out: all of them, or a public export's two. */
    int whole = chosen == RG_LAYER_ALL || (E->opts->public_only && chosen == RG_LAYER_AREAS);
    if (rc == RG_OK && gpkg && whole)
        rc = rg_io__gpkg_project(E->store, tmp_path, target, E->opts->public_only, E->poverty_rate);
    return rc;
}

/* Resolves --fields against the store's columns and the keys kept from the input. */
static int resolve_fields(exporter *E)
{
    const char *list = E->opts->fields;
    if (!list || !*list)
        return RG_OK;
    E->extra_names = rg_strdup(list);
    if (!E->extra_names)
        return RG_ENOMEM;
    sqlite3_stmt *probe = NULL;
    int rc = RG_OK;
    /* Input columns are found whatever their case, as the load finds its columns: the
     * name exported is the column's own. */
    if (sqlite3_prepare_v2(rg_io_store_db(E->store),
                           "SELECT j.key FROM household_records r, json_each(r.extra) j"
                           " WHERE lower(j.key) = lower(?) LIMIT 1",
                           -1, &probe, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(E->store);
    char *save = NULL;
    for (char *name = strtok_r(E->extra_names, ",", &save); name && rc == RG_OK; name = strtok_r(NULL, ",", &save)) {
        if (E->extra_count == MAX_EXTRA_FIELDS) {
            rc = rg_ctx_error(E->ctx, RG_EINVAL, "--fields: more than %d fields", MAX_EXTRA_FIELDS);
            break;
        }
        field_def *fd = &E->extra[E->extra_count];
        int known = 0;
        for (size_t i = 0; i < sizeof store_columns / sizeof *store_columns; i++)
            if (rg__strieq(name, store_columns[i].name)) {
                *fd = store_columns[i];
                known = 1;
            }
        for (size_t i = 0; i < sizeof household_fields / sizeof *household_fields; i++)
            if (rg__strieq(name, household_fields[i].name))
                rc = rg_ctx_error(E->ctx, RG_EINVAL, "--fields: '%s' is exported already", name);
        if (rc != RG_OK)
            break;
        if (!known) {
            if (strchr(name, '"') || strlen(name) > 200) {
                rc = rg_ctx_error(E->ctx, RG_EINVAL, "--fields: '%s' is not a field name", name);
                break;
            }
            sqlite3_reset(probe);
            sqlite3_bind_text(probe, 1, name, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(probe) != SQLITE_ROW) {
                rc = rg_ctx_error(E->ctx, RG_EINVAL,
                                  "--fields: no household has a field '%s' (the input columns kept are in"
                                  " households.extra)",
                                  name);
                break;
            }
            const char *key = (const char *)sqlite3_column_text(probe, 0);
            if (strlen(key) == strlen(name))
                memcpy(name, key, strlen(name)); /* the column's own spelling */
            fd->name = name;
            fd->type = OFTString;
            E->extra_from_json[E->extra_count] = 1;
        }
        E->extra_count++;
    }
    sqlite3_finalize(probe);
    if (rc == RG_OK && E->extra_count) {
        rg_buf names = {0};
        for (size_t i = 0; i < E->extra_count && rc == RG_OK; i++)
            rc = rg__buf_appendf(&names, "%s%s", i ? ", " : "", E->extra[i].name);
        if (rc == RG_OK)
            rg_ctx_notice(E->ctx, RG_NOTICE_WARNING,
                          "--fields: the households layer carries %s beyond the allow-list: personal data; keep the"
                          " export as carefully as the field data",
                          names.data);
        rg__buf_free(&names);
    }
    return rc;
}

static int file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* GDAL 3.6's FlatGeobuf writer skips a feature without a geometry, saying nothing: a
 * household kept without a point (placed by its area code, or with swapped coordinates)
 * would be lost from the layer. */
static int check_every_household_has_a_point(exporter *E, const char *output)
{
    int64_t without = 0;
    int rc = rg_io_store_count(E->store,
                               E->opts->unlocated_at_area
                                   ? "SELECT count(*) FROM households WHERE geom IS NULL AND kelurahan_code IS NULL"
                                   : "SELECT count(*) FROM household_records WHERE geom IS NULL",
                               &without);
    if (rc == RG_OK && without > 0)
        rc = rg_ctx_error(E->ctx, RG_EDATA,
                          "%s: FlatGeobuf cannot hold a household without a point, and %lld %s none"
                          " (placed by their area code, with a code for no kelurahan, or flagged swapped_latlon): export them as GeoPackage or"
                          " GeoJSON, which keep them as rows without geometry, or only the areas"
                          " (--layers provinsi,kabkota,kecamatan,kelurahan)",
                          output, (long long)without, without == 1 ? "household has" : "households have");
    return rc;
}

static int read_poverty_rate(exporter *E)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(E->store), "SELECT value FROM classify_meta WHERE key = 'poverty_rate'", -1,
                           &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(E->store);
    int rc = RG_OK;
    if (sqlite3_step(st) == SQLITE_ROW) {
        rg_buf b = {0};
        rc = rg__buf_appendf(&b, "%s.", (const char *)sqlite3_column_text(st, 0));
        E->poverty_rate = b.data;
    }
    sqlite3_finalize(st);
    return rc;
}

void rg_io_export_plan_free(rg_export_plan *plan)
{
    for (size_t i = 0; i < plan->count; i++)
        rg_free(plan->paths[i]);
    memset(plan, 0, sizeof *plan);
}

/* The files of a GeoJSON form: one per layer; with several, STEM-LAYER.EXT beside output,
 * or LAYER.geojson inside an output folder. */
static int plan_geojson_paths(rg_export_plan *plan, const char *output, int folder, int chosen)
{
    int several = (chosen & (chosen - 1)) != 0;
    size_t stem = strlen(output) - (ends_with(output, plan->ext) ? strlen(plan->ext) : 0);
    for (size_t i = 0; i < sizeof layers / sizeof *layers; i++) {
        if (!(chosen & layers[i].bit))
            continue;
        rg_buf b = {0};
        int rc = folder    ? rg__buf_appendf(&b, "%s%s%s", output, layers[i].name, plan->ext)
                 : several ? rg__buf_appendf(&b, "%.*s-%s%s", (int)stem, output, layers[i].name, plan->ext)
                           : rg__buf_appendf(&b, "%s", output);
        if (rc != RG_OK)
            return rc;
        plan->paths[plan->count] = b.data;
        plan->layers[plan->count++] = layers[i].bit;
    }
    return RG_OK;
}

int rg_io_export_plan(rg_ctx *ctx, const char *output, const rg_export_opts *opts, rg_export_plan *plan)
{
    static const rg_export_opts defaults = RG_EXPORT_OPTS_INIT;
    if (!opts)
        opts = &defaults;
    memset(plan, 0, sizeof *plan);
    for (size_t i = 0; i < sizeof formats / sizeof *formats && !plan->ext; i++)
        if (opts->format ? rg__strieq(opts->format, formats[i].driver) : ends_with(output, formats[i].ext)) {
            plan->ext = formats[i].ext;
            plan->format = formats[i].fmt;
        }
    if (opts->format && !plan->ext)
        return rg_ctx_error(ctx, RG_EINVAL, "-f %s: not a format export writes (GPKG, GeoJSON, GeoJSONSeq, FlatGeobuf)",
                            opts->format);
    /* A folder ("map/") receives one GeoJSON file per layer: map/households.geojson, ... */
    size_t out_len = strlen(output);
    plan->folder = out_len > 1 && output[out_len - 1] == '/';
    if (plan->folder && plan->ext && plan->format == FORMAT_GPKG)
        return rg_ctx_error(ctx, RG_EINVAL, "%s: a GeoPackage is one file, not a folder", output);
    if (plan->folder && !plan->ext) {
        plan->ext = ".geojson";
        plan->format = FORMAT_GEOJSON;
    }
    if (!plan->ext)
        return rg_ctx_error(ctx, RG_EINVAL,
                            "%s: the output must end in .gpkg, .geojson, .geojsonl, .geojsons or .fgb, or be a folder"
                            " ending in /, or -f must name its format",
                            output);
    int chosen = opts->layers ? opts->layers : RG_LAYER_ALL;
    if (opts->public_only) {
        if ((chosen & RG_LAYER_HOUSEHOLDS) && chosen != RG_LAYER_ALL)
            return rg_ctx_error(ctx, RG_EINVAL, "--public writes area summaries only, never households");
        if (opts->fields)
            return rg_ctx_error(ctx, RG_EINVAL, "--public and --fields do not go together");
        if (opts->min_count < 1)
            return rg_ctx_error(ctx, RG_EINVAL, "--min-count must be at least 1");
        chosen &= ~RG_LAYER_HOUSEHOLDS;
    }
    int rc = RG_OK;
    if (plan->format == FORMAT_GPKG) {
        plan->paths[0] = rg_strdup(output);
        plan->layers[0] = chosen;
        plan->count = 1;
        rc = plan->paths[0] ? RG_OK : RG_ENOMEM;
    } else {
        rc = plan_geojson_paths(plan, output, plan->folder, chosen);
    }
    /* What an export killed outright left goes first, whatever else is asked: only files
     * whose writing process is gone. */
    for (size_t i = 0; i < plan->count && rc == RG_OK; i++)
        rg_io__remove_stale_partials(plan->paths[i]);
    for (size_t i = 0; i < plan->count && rc == RG_OK; i++)
        if (!opts->overwrite && file_exists(plan->paths[i]))
            rc = rg_ctx_error(ctx, RG_EEXIST, "%s: already exists; use --overwrite to replace it", plan->paths[i]);
    if (rc != RG_OK)
        rg_io_export_plan_free(plan);
    return rc;
}

int rg_io_export(rg_store *store, const char *output, const rg_export_opts *opts)
{
    static const rg_export_opts defaults = RG_EXPORT_OPTS_INIT;
    if (!opts)
        opts = &defaults;
    rg_ctx *ctx = rg_io_store_ctx(store);
    exporter E = {.store = store, .ctx = ctx, .opts = opts};
    rg_export_plan plan;
    int rc = rg_io_export_plan(ctx, output, opts, &plan);
    if (rc != RG_OK)
        return rc;
    E.ext = plan.ext;
    E.fmt = (format)plan.format;
    GDALAllRegister(); /* idempotent: the library's callers need not remember it */
    rc = rg_io_store_step_require(store, RG_STEP_CLASSIFY, "nothing to export yet");
    int chosen = 0;
    for (size_t i = 0; i < plan.count; i++)
        chosen |= plan.layers[i];
    if (rc == RG_OK && E.fmt == FORMAT_FLATGEOBUF && (chosen & RG_LAYER_HOUSEHOLDS))
        rc = check_every_household_has_a_point(&E, output);
    if (rc == RG_OK)
        rc = resolve_fields(&E);
    if (rc == RG_OK)
        rc = read_poverty_rate(&E);
    if (rc == RG_OK)
        rc = read_programmes(&E);
    if (rc == RG_OK)
        rc = rg_io_store_exec(store, "cutting the export", "DROP TABLE IF EXISTS temp.export_scope");
    if (rc == RG_OK && opts->only && (rc = rg_io__export_scope(store, opts->only, NULL)) == RG_OK)
        E.scoped = 1;
    if (rc == RG_OK && opts->unlocated_at_area)
        rc = rg_io_store_exec(store, "placing households without a point",
                              "DROP TABLE IF EXISTS temp.export_area_points;"
                              "CREATE TEMP TABLE export_area_points(code TEXT PRIMARY KEY, x REAL, y REAL);"
                              "INSERT INTO temp.export_area_points SELECT code, ST_X(ST_PointOnSurface(geom)),"
                              " ST_Y(ST_PointOnSurface(geom)) FROM kelurahan");
    if (rc == RG_OK && plan.folder && mkdir(output, 0777) != 0 && errno != EEXIST)
        rc = rg_ctx_error(ctx, RG_EIO, "%s: cannot create the folder: %s", output, strerror(errno));
    for (size_t i = 0; i < plan.count && rc == RG_OK; i++) {
        char *tmp = rg_io__partial_name(plan.paths[i], E.ext);
        if (!tmp) {
            rc = RG_ENOMEM;
            break;
        }
        rc = rg_io__probe_partial(ctx, tmp, plan.paths[i]);
        if (rc == RG_OK)
            rc = write_dataset(&E, tmp, plan.paths[i], plan.layers[i]);
        if (rc == RG_OK)
            rc = rg_io__publish(ctx, tmp, plan.paths[i]);
        else
            rg_io__remove_partial(tmp);
        rg_free(tmp);
    }
    rg_io_export_plan_free(&plan);
    rg_free(E.extra_names);
    rg_free(E.poverty_rate);
    return rc;
}
