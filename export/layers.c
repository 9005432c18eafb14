/*
 * What each layer of the map holds: its fields, the query that reads them from the store
 * (the view households, the area tables and their summaries, cut to one area for --only),
 * its description and its QGIS style. Households are personal data: their layer carries an
 * allow-list of fields and the `extra` columns only when --fields names them.
 */
#include "export/internal.h"

#include <stdio.h>
#include <string.h>

extern const char rg_style_households[], rg_style_kelurahan[], rg_style_kecamatan[], rg_style_kabkota[],
    rg_style_provinsi[];

static const field_def household_fields[] = {
    {"household_id", OFTString},  {"kelurahan_code", OFTString}, {"kelurahan_name", OFTString},
    {"kecamatan_code", OFTString}, {"kecamatan_name", OFTString}, {"kabkota_code", OFTString},
    {"provinsi_code", OFTString},  {"sls_code", OFTString},       {"poverty_class", OFTString},
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
    " sls_code, poverty_class,"    \
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
const layer_def rg_export__layers[RG_LAYER_FILES_MAX] = {
    AREA_LAYER("provinsi", "provinsi", RG_LAYER_PROVINSI,
               "Provinsi: the sums of their kab/kota (households with and without a GPS point), and poverty_rate;"
               " drawn as the union of their kab/kota (a provinsi layer of the boundary file gives codes and names"
               " only)." AREA_COUNTS, &provinsi_style),
    AREA_LAYER("kabkota", "provinsi", RG_LAYER_KABKOTA,
               "Kabupaten/kota: the sums of their kecamatan (households with and without a GPS point), and"
               " poverty_rate; drawn as the union of their kecamatan (a kab/kota layer of the boundary file gives"
               " codes and names only)." AREA_COUNTS, &kabkota_style),
    AREA_LAYER("kecamatan", "kabkota", RG_LAYER_KECAMATAN,
               "Kecamatan: the sums of their kelurahan (households with and without a GPS point), and poverty_rate;"
               " drawn as the union of their kelurahan, the slivers between them filled, so the map nests (a"
               " kecamatan layer of the boundary file gives codes and names, and checks each point)." AREA_COUNTS, &kecamatan_style),
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
    /* Counted for the export by rg_classify_sls_counts() into temp.sls_summary. */
    AREA_LAYER("sls", "kelurahan", RG_LAYER_SLS,
               "SLS (satuan lingkungan setempat) of the SLS map: households per poverty class (after the"
               " consultation forum), and poverty_rate, over the households whose point lies in the SLS (those"
               " placed by their area code have none)." AREA_COUNTS, &kelurahan_style),
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
    " inside the kelurahan its area code names (the kecamatan, for a code that names no kelurahan of the"
    " boundaries), shared by all such households there: NOT their dwelling.",
    wkbPoint, household_fields, sizeof household_fields / sizeof *household_fields,
    HOUSEHOLD_SELECT("CASE WHEN geom IS NOT NULL THEN 'gps' WHEN p.x IS NOT NULL THEN 'area' END"),
    "CASE WHEN geom IS NOT NULL THEN lon ELSE p.x END, CASE WHEN geom IS NOT NULL THEN lat ELSE p.y END",
    "rg_gpkg_point(CASE WHEN geom IS NOT NULL THEN lon ELSE p.x END, CASE WHEN geom IS NOT NULL THEN lat ELSE p.y END)",
    " FROM households LEFT JOIN temp.export_area_points p ON p.code = coalesce(kelurahan_code, kecamatan_code)"
    " AND geom IS NULL ORDER BY hh",
    "SELECT min(x0) AS x0, min(y0) AS y0, max(x1) AS x1, max(y1) AS y1 FROM (" POINTS_EXTENT
    " UNION ALL SELECT min(x), min(y), max(x), max(y) FROM temp.export_area_points)",
    "hh", NULL, GEOM_POINT_LONLAT, &households_style};

/* Household columns of the store that --fields may name, with their types. */
static const field_def store_columns[] = {
    {"spending", OFTReal},      {"welfare", OFTReal},      {"lon", OFTReal},
    {"lat", OFTReal},           {"source_line", OFTInteger}, {"given_class", OFTString},
    {"kecamatan_polygon_code", OFTString},
};

/* The fields a layer has beyond its own: --fields for the households, the programmes for
 * the areas. */
size_t rg_export__extra_count_of(const exporter *E, const layer_def *def)
{
    return def->bit == RG_LAYER_HOUSEHOLDS ? E->extra_count : E->programme_count;
}

const field_def *rg_export__extra_field(const exporter *E, const layer_def *def, size_t i)
{
    return def->bit == RG_LAYER_HOUSEHOLDS ? &E->extra[i] : &E->programmes[i];
}

int rg_export_layers_parse(rg_ctx *ctx, const char *list, int *out)
{
    *out = 0;
    const char *p = list;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        int found = 0;
        for (size_t i = 0; i < RG_LAYER_FILES_MAX; i++)
            if (strlen(rg_export__layers[i].name) == n && strncmp(p, rg_export__layers[i].name, n) == 0) {
                *out |= rg_export__layers[i].bit;
                found = 1;
            }
        if (!found) {
            *out = 0;
            return rg_ctx_error(ctx, RG_EINVAL, "unknown layer '%.*s' (layers: provinsi, kabkota, kecamatan, kelurahan, households, sls)",
                                (int)n, p);
        }
        p = end ? end + 1 : p + n;
    }
    return *out ? RG_OK : rg_ctx_error(ctx, RG_EINVAL, "no layer named");
}

/* The i-th layer as this export writes it. */
const layer_def *rg_export__layer_at(const exporter *E, size_t i)
{
    return rg_export__layers[i].bit == RG_LAYER_HOUSEHOLDS && E->opts->unlocated_at_area ? &households_at_area : &rg_export__layers[i];
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
    /* A household placed in a kecamatan alone is in the cut of its kecamatan. */
    return def->bit == RG_LAYER_HOUSEHOLDS
               ? rg__buf_appendf(sql, " %s (kelurahan_code IN (SELECT code FROM temp.export_scope WHERE level ="
                                      " 'kelurahan') OR (kelurahan_code IS NULL AND kecamatan_code IN (SELECT code"
                                      " FROM temp.export_scope WHERE level = 'kecamatan')))", keyword)
               : rg__buf_appendf(sql, " %s a.code IN (SELECT code FROM temp.export_scope WHERE level = '%s')",
                                 keyword, def->name);
}

/* The layer's FROM ... ORDER BY, with a publication's join of the area's partition codes and
 * --only's condition before its ORDER BY. */
static int append_from(const exporter *E, const layer_def *def, rg_buf *sql)
{
    const char *order = strstr(def->from, " ORDER BY ");
    int partitioned = E->partition_join && def->bit != RG_LAYER_HOUSEHOLDS;
    if ((!E->scoped && !partitioned) || !order)
        return rg__buf_appendf(sql, "%s", def->from);
    int rc = rg__buf_append(sql, def->from, (size_t)(order - def->from));
    if (rc == RG_OK && partitioned)
        rc = rg__buf_appendf(sql, " JOIN temp.publish_parents pp ON pp.level = '%s' AND pp.code = a.code", def->name);
    if (rc == RG_OK && E->scoped)
        rc = append_scope(def, sql, "WHERE");
    /* A publication's areas come in the order of temp.publish_parents' key, the code's: an
     * ORDER BY would have SQLite sort every polygon before the first reaches the server. */
    if (partitioned)
        return rc;
    return rc == RG_OK ? rg__buf_appendf(sql, "%s", order) : rc;
}

/* The extent of what the layer writes (a cut export's, not the store's). */
int rg_export__extent_sql(const exporter *E, const layer_def *def, rg_buf *sql)
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
int rg_export__layer_sql(exporter *E, const layer_def *def, int gpkg, rg_buf *sql)
{
    int rc = gpkg ? rg__buf_appendf(sql, "SELECT %s, ", def->fid) : rg__buf_appendf(sql, "SELECT ");
    if (rc == RG_OK)
        rc = append_fields(E, def, sql);
    if (rc == RG_OK)
        rc = rg__buf_appendf(sql, ", %s", gpkg                                            ? def->geom_gpkg
                                          : E->partition_join && def->geom == GEOM_WKB ? "a.geom" /* pg_copy.c reads it */
                                                                                       : def->geom_ogr);
    if (rc == RG_OK && E->partition_join && def->bit != RG_LAYER_HOUSEHOLDS)
        rc = rg__buf_appendf(sql, ", pp.kabkota_code, pp.provinsi_code");
    return rc == RG_OK ? append_from(E, def, sql) : rc;
}

/* INSERT INTO ex."layer"(its columns) SELECT ...: the layer's rows for a GeoPackage GDAL made. */
int rg_export__layer_insert_sql(exporter *E, const layer_def *def, rg_buf *sql)
{
    int rc = rg__buf_appendf(sql, "INSERT INTO ex.\"%s\"(fid, ", def->name);
    for (size_t i = 0; i < def->field_count && rc == RG_OK; i++)
        rc = rg__buf_appendf(sql, "\"%s\", ", def->fields[i].name);
    for (size_t i = 0; i < rg_export__extra_count_of(E, def) && rc == RG_OK; i++)
        rc = rg__buf_appendf(sql, "\"%s\", ", rg_export__extra_field(E, def, i)->name);
    if (rc == RG_OK)
        rc = rg__buf_appendf(sql, "geom) ");
    return rc == RG_OK ? rg_export__layer_sql(E, def, 1, sql) : rc;
}


void rg_export__bind_json_paths(exporter *E, sqlite3_stmt *st)
{
    for (size_t i = 0; i < E->extra_count; i++) {
        if (!E->extra_from_json[i])
            continue;
        char path[300];
        snprintf(path, sizeof path, "$.\"%s\"", E->extra[i].name);
        sqlite3_bind_text(st, (int)i + 1, path, -1, SQLITE_TRANSIENT);
    }
}

/* Resolves --fields against the store's columns and the keys kept from the input. */
int rg_export__resolve_fields(exporter *E)
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
                           "SELECT j.key FROM household_extra x, json_each(x.extra) j"
                           " WHERE lower(j.key) = lower(?) LIMIT 1",
                           -1, &probe, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(E->store);
    char *save = NULL;
    for (char *name = strtok_r(E->extra_names, ",", &save); name && rc == RG_OK; name = strtok_r(NULL, ",", &save)) {
        if (E->extra_count == MAX_EXTRA_FIELDS) {
            rc = rg_ctx_error(E->ctx, RG_EINVAL, "--fields: more than %d fields", MAX_EXTRA_FIELDS);
            break;
        }
        /* Every layer's table has them (the GeoPackage's and PostGIS's key and geometry). */
        if (rg__strieq(name, "fid") || rg__strieq(name, "geom")) {
            rc = rg_ctx_error(E->ctx, RG_EINVAL, "--fields: '%s' names the layer's own %s column, not an input"
                              " column that can be added", name, rg__strieq(name, "fid") ? "feature id" : "geometry");
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
