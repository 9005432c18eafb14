/*
 * Export: the poverty map layers, written under a temporary name beside the target
 * and renamed into place only when complete, so an interrupted export never leaves
 * a file that looks finished and never damages the previous one.
 *
 * Households are personal data: the households layer carries an allow-list of fields
 * (codes, names of areas, class, rank, join fields, household size) and never the
 * `extra` columns (names, NIK, addresses) that the store keeps.
 */
#include "export/internal.h"

#include "classify/classify.h"

#include <errno.h>
#include <gdal.h>
#include <ogr_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && rg__strieq(s + n - m, suffix);
}

int rg_export__gdal_fail(rg_ctx *ctx, const char *path, const char *what)
{
    return rg_ctx_error(ctx, RG_EGDAL, "%s: %s: %s", path, what,
                        CPLGetLastErrorMsg()[0] ? CPLGetLastErrorMsg() : "GDAL gave no reason");
}
static void bind_fill(sqlite3_stmt *st, void *userdata) { rg_export__bind_json_paths(userdata, st); }

/* The rows of every chosen layer, straight from the store into the GeoPackage GDAL made. */
static int fill_gpkg(exporter *E, const char *tmp_path, const char *target, int chosen)
{
    rg_export__gpkg_fill fills[RG_LAYER_FILES_MAX];
    rg_buf sql[RG_LAYER_FILES_MAX] = {{0}}, extent[RG_LAYER_FILES_MAX] = {{0}};
    size_t n = 0;
    int rc = RG_OK;
    for (size_t i = 0; i < RG_LAYER_FILES_MAX && rc == RG_OK; i++) {
        if (!(chosen & rg_export__layers[i].bit))
            continue;
        const layer_def *def = rg_export__layer_at(E, i);
        rc = rg_export__layer_insert_sql(E, def, &sql[n]);
        if (rc == RG_OK)
            rc = rg_export__extent_sql(E, def, &extent[n]);
        /* A cut export holds some of the store's rows: its R-trees are packed, not copied. */
        fills[n] = (rg_export__gpkg_fill){def->name, sql[n].data, extent[n].data, E->scoped ? NULL : def->store_rtree,
                                      def->bit == RG_LAYER_HOUSEHOLDS ? bind_fill : NULL, E};
        n++;
    }
    if (rc == RG_OK)
        rc = rg_export__gpkg_fill_layers(E->store, tmp_path, target, fills, n);
    for (size_t i = 0; i < n; i++) {
        rg__buf_free(&sql[i]);
        rg__buf_free(&extent[i]);
    }
    return rc;
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
    /* GDAL's GeoJSON writers do not check their writes: ours do (checked_file.c). */
    int text = E->fmt == FORMAT_GEOJSON || E->fmt == FORMAT_GEOJSONSEQ;
    char *checked = text ? rg_export__checked_path(tmp_path) : NULL;
    if (text && !checked)
        return rg_ctx_error(ctx, RG_ENOMEM, "%s: cannot set up the checked writer", target);
    rg_export__checked_reset();
    GDALDatasetH ds = GDALCreate(driver, text ? checked : tmp_path, 0, 0, 0, GDT_Unknown, NULL);
    rg_free(checked);
    if (!ds)
        return rg_export__gdal_fail(ctx, target, "cannot create");
    int rc = RG_OK;
    if (gpkg && GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE)
        rc = rg_export__gdal_fail(ctx, target, "cannot start a transaction");
    for (size_t i = 0; i < RG_LAYER_FILES_MAX && rc == RG_OK; i++)
        if (chosen & rg_export__layers[i].bit)
            rc = rg_export__write_layer(E, ds, target, rg_export__layer_at(E, i));
    if (gpkg && rc == RG_OK)
        rc = rg_export__write_styles(ctx, ds, target, chosen);
    if (gpkg && rc == RG_OK && GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
        rc = rg_export__gdal_fail(ctx, target, "cannot commit (disk full?)");
    if (gpkg && rc == RG_OK)
        rc = rg_export__write_provenance(E->store, ds, E->opts);
    CPLErrorReset();
    GDALClose(ds);
    /* GDAL reports a failed final flush only through the error state. */
    if (rc == RG_OK && CPLGetLastErrorType() >= CE_Failure)
        rc = rg_export__gdal_fail(ctx, target, "cannot finish writing (disk full?)");
    if (rc == RG_OK && rg_export__checked_error())
        rc = rg_ctx_error(ctx, RG_EIO, "%s: cannot write: %s", target, strerror(rg_export__checked_error()));
    if (rc == RG_OK && E->direct)
        rc = fill_gpkg(E, tmp_path, target, chosen);
    /* The project needs the layers it lays out: all of them, or a public export's two. */
    int areas = chosen & ~RG_LAYER_SLS; /* the project lays out the levels every map has */
    int whole = areas == RG_LAYER_ALL || (E->opts->public_only && areas == RG_LAYER_AREAS);
    if (rc == RG_OK && gpkg && whole)
        rc = rg_export__gpkg_project(E->store, tmp_path, target, E->opts->public_only, E->poverty_rate);
    return rc;
}


/* The files of one export are written under their temporary names first, and moved into
 * place only when every one is complete: a failure or a kill half-way leaves the previous
 * set whole, never new area files beside an old households file. */
static int write_set(exporter *E, const rg_export_plan *plan)
{
    char *tmp[RG_LAYER_FILES_MAX] = {0};
    int rc = RG_OK;
    for (size_t i = 0; i < plan->count && rc == RG_OK; i++) {
        if (!(tmp[i] = rg_io_partial_name(plan->paths[i], E->ext)))
            rc = RG_ENOMEM;
        if (rc == RG_OK)
            rc = rg_io_partial_probe(E->ctx, tmp[i], plan->paths[i]);
        if (rc == RG_OK)
            rc = write_dataset(E, tmp[i], plan->paths[i], plan->layers[i]);
    }
    /* Personal data is its owner's alone; a public export reads as the umask lets. */
    unsigned mode = E->opts->public_only ? rg_public_mode(0) : 0600;
    for (size_t i = 0; i < plan->count && rc == RG_OK; i++) {
        rc = rg_io_partial_publish(E->ctx, tmp[i], plan->paths[i], mode);
        rg_free(tmp[i]);
        tmp[i] = NULL;
    }
    for (size_t i = 0; i < plan->count; i++) {
        if (tmp[i])
            rg_io_partial_remove(tmp[i]);
        rg_free(tmp[i]);
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
                                   ? "SELECT count(*) FROM households WHERE geom IS NULL AND kecamatan_code IS NULL"
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

/* The SLS layer reads temp.sls_summary, made for this export; a store joined to boundaries
 * without SLS has none to write. */
static int count_sls(exporter *E, const char *output)
{
    int64_t sls = 0;
    int rc = rg_classify_sls_counts(E->store, &sls);
    if (rc == RG_OK && sls == 0)
        rc = rg_ctx_error(E->ctx, RG_EINVAL,
                          "%s: the layer sls needs boundaries that are an SLS map (BPS's wilkerstat SLS): the store"
                          " has no SLS",
                          output);
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

void rg_export_plan_free(rg_export_plan *plan)
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
    for (size_t i = 0; i < RG_LAYER_FILES_MAX; i++) {
        if (!(chosen & rg_export__layers[i].bit))
            continue;
        rg_buf b = {0};
        int rc = folder    ? rg__buf_appendf(&b, "%s%s%s", output, rg_export__layers[i].name, plan->ext)
                 : several ? rg__buf_appendf(&b, "%.*s-%s%s", (int)stem, output, rg_export__layers[i].name, plan->ext)
                           : rg__buf_appendf(&b, "%s", output);
        if (rc != RG_OK)
            return rc;
        plan->paths[plan->count] = b.data;
        plan->layers[plan->count++] = rg_export__layers[i].bit;
    }
    return RG_OK;
}

int rg_export_is_postgis(const char *output) { return rg_export__pg_is_target(output); }

/* A publication writes every layer (the public one every summary) to the server: no file. */
static int plan_postgis(rg_ctx *ctx, const char *output, const rg_export_opts *opts, rg_export_plan *plan)
{
    char where[300];
    int rc = rg_export__pg_conninfo_check(ctx, output, where, sizeof where);
    if (rc == RG_OK && opts->schema)
        rc = rg_export__pg_schema_name_check(ctx, opts->schema);
    if (rc != RG_OK)
        return rc;
    if (opts->format || opts->layers != RG_LAYER_ALL)
        return rg_ctx_error(ctx, RG_EINVAL, "a PostGIS publication writes every layer, as PostGIS tables: no -f or --layers");
    if (opts->public_only && opts->fields)
        return rg_ctx_error(ctx, RG_EINVAL, "--public and --fields do not go together");
    plan->ext = "";
    plan->format = FORMAT_POSTGIS;
    plan->paths[0] = rg_strdup(output);
    plan->layers[0] = RG_LAYER_ALL & ~(opts->public_only ? RG_LAYER_HOUSEHOLDS : 0);
    plan->count = 1;
    return plan->paths[0] ? RG_OK : RG_ENOMEM;
}

int rg_export_plan_make(rg_ctx *ctx, const char *output, const rg_export_opts *opts, rg_export_plan *plan)
{
    static const rg_export_opts defaults = RG_EXPORT_OPTS_INIT;
    if (!opts)
        opts = &defaults;
    memset(plan, 0, sizeof *plan);
    if (rg_export__pg_is_target(output))
        return plan_postgis(ctx, output, opts, plan);
    for (size_t i = 0; i < sizeof formats / sizeof *formats && !plan->ext; i++)
        if (opts->format ? rg__strieq(opts->format, formats[i].driver) : ends_with(output, formats[i].ext)) {
            plan->ext = formats[i].ext;
            plan->format = formats[i].fmt;
        }
    if (opts->format && !plan->ext)
        return rg_ctx_error(ctx, RG_EINVAL,
                            "-f %s: not a format export writes (GPKG, GeoJSON, GeoJSONSeq, FlatGeobuf; the web map:"
                            " `regsosek-geo export DIR -f web`)",
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
        rg_io_partial_remove_stale(plan->paths[i]);
    for (size_t i = 0; i < plan->count && rc == RG_OK; i++)
        if (!opts->overwrite && file_exists(plan->paths[i]))
            rc = rg_ctx_error(ctx, RG_EEXIST, "%s: already exists; use --overwrite to replace it", plan->paths[i]);
    if (rc != RG_OK)
        rg_export_plan_free(plan);
    return rc;
}

int rg_export_run(rg_store *store, const char *output, const rg_export_opts *opts)
{
    static const rg_export_opts defaults = RG_EXPORT_OPTS_INIT;
    if (!opts)
        opts = &defaults;
    rg_ctx *ctx = rg_io_store_ctx(store);
    exporter E = {.store = store, .ctx = ctx, .opts = opts};
    rg_export_plan plan;
    int rc = rg_export_plan_make(ctx, output, opts, &plan);
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
        rc = rg_export__resolve_fields(&E);
    if (rc == RG_OK)
        rc = read_poverty_rate(&E);
    if (rc == RG_OK)
        rc = read_programmes(&E);
    if (rc == RG_OK && (chosen & RG_LAYER_SLS))
        rc = count_sls(&E, output);
    if (rc == RG_OK)
        rc = rg_io_store_exec(store, "cutting the export", "DROP TABLE IF EXISTS temp.export_scope");
    if (rc == RG_OK && opts->only && E.fmt != FORMAT_POSTGIS && (rc = rg_export_scope(store, opts->only, NULL)) == RG_OK)
        E.scoped = 1;
    if (rc == RG_OK && opts->unlocated_at_area)
        rc = rg_io_store_exec(store, "placing households without a point",
                              "DROP TABLE IF EXISTS temp.export_area_points;"
                              "CREATE TEMP TABLE export_area_points(code TEXT PRIMARY KEY, x REAL, y REAL);"
                              "INSERT INTO temp.export_area_points SELECT code, ST_X(ST_PointOnSurface(geom)),"
                              " ST_Y(ST_PointOnSurface(geom)) FROM kelurahan;"
                              "INSERT OR IGNORE INTO temp.export_area_points SELECT code, ST_X(ST_PointOnSurface(geom)),"
                              " ST_Y(ST_PointOnSurface(geom)) FROM kecamatan WHERE code IN (SELECT kecamatan_code"
                              " FROM household_areas WHERE kelurahan_code IS NULL AND kecamatan_code IS NOT NULL)");
    if (rc == RG_OK && E.fmt == FORMAT_POSTGIS) {
        E.direct = 0;
        rc = rg_export__postgis_run(&E, output);
    }
    /* A set's folder: its owner's alone, or as the umask lets for a public export. */
    if (rc == RG_OK && plan.folder)
        rc = rg_io_folder_make(ctx, output, opts->public_only ? rg_public_mode(1) : 0700);
    if (rc == RG_OK && E.fmt != FORMAT_POSTGIS)
        rc = write_set(&E, &plan);
    rg_export_plan_free(&plan);
    rg_free(E.extra_names);
    rg_free(E.poverty_rate);
    return rc;
}
