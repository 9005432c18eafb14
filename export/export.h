/*
 * export.h: what leaves the store. The poverty map as a GeoPackage (its tables filled
 * through SQLite, QGIS styles and a QGIS project inside), GeoJSON or FlatGeobuf (through
 * OGR); a cut to one area (--only); the ranked lists a consultation forum works from.
 */
#ifndef RG_EXPORT_H
#define RG_EXPORT_H

#include <gdal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "core/core.h"
#include "io/io.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    RG_LAYER_HOUSEHOLDS = 1,
    RG_LAYER_KELURAHAN = 2,
    RG_LAYER_KECAMATAN = 4,
    RG_LAYER_KABKOTA = 8,
    RG_LAYER_PROVINSI = 16,
    RG_LAYER_AREAS = 30, /**< every summary layer of every boundary file */
    RG_LAYER_ALL = 31,
    RG_LAYER_SLS = 32 /**< the SLS of an SLS map, written only when asked for (--layers sls, the web map) */
};
#define RG_LAYER_FILES_MAX 6


typedef struct {
    int layers;            /**< RG_LAYER_* bits; 0 = all */
    int overwrite;         /**< replace an existing output */
    const char *command_line; /**< recorded in the provenance metadata; may be NULL */
    const char *fields;    /**< comma-separated household fields beyond the allow-list (e.g.
                                "spending,nik"): a deliberate widening; NULL = none */
    int public_only;       /**< area summaries only, small counts suppressed */
    int min_count;         /**< with public_only: counts below this are suppressed */
    const char *format;    /**< GDAL's driver name (GPKG, GeoJSON, GeoJSONSeq, FlatGeobuf), any case;
                                NULL: from the output's ending */
    int unlocated_at_area; /**< households placed by code are drawn at a point inside their kelurahan,
                                point_source = 'area'; 0: rows without geometry */
    const char *only;      /**< an area's code (provinsi, kab/kota, kecamatan or kelurahan, either
                                scheme): only it, the areas and households in it, and its parents;
                                NULL = everything. Publishing into PostGIS: the kab/kota or provinsi whose
                                rows are replaced; NULL = the kab/kota the households are in, or each
                                provinsi when they are in several */
    const char *schema;    /**< PostGIS: the schema of the national tables; NULL = "regsosek", or
                                "regsosek_public" with public_only */
} rg_export_opts;

#define RG_EXPORT_DEFAULT_MIN_COUNT 5
#define RG_EXPORT_OPTS_INIT {RG_LAYER_ALL, 0, NULL, NULL, 0, RG_EXPORT_DEFAULT_MIN_COUNT, NULL, 0, NULL, NULL}

/**
 * Writes QGIS default styles into a GeoPackage being written (ds, at path, named in
 * messages): table layer_styles, one row per layer, layers[i] styled by qml[i] (both
 * borrowed). QGIS applies them when it opens the layers. @return RG_OK or RG_EGDAL.
 */
int rg_export_layer_styles(rg_ctx *ctx, GDALDatasetH ds, const char *path, const char *const *layers,
                           const char *const *qml, size_t count);

/**
 * Registers on db the SQL functions that encode GeoPackage geometries, for rows written into a
 * GeoPackage attached to db: rg_gpkg_point(lon, lat) (NULL when either is NULL),
 * rg_gpkg_geom(spatialite_blob), rg_gpkg_box(...). @return RG_OK or RG_ESQL.
 */
int rg_export_gpkg_register(sqlite3 *db);

/**
 * Stores a QGIS project (the text of a .qgs, len bytes, borrowed) in the GeoPackage at
 * gpkg_path, under name, where QGIS keeps projects (table qgis_projects; Project > Open From
 * > GeoPackage); target names the file in messages. Its layers' sources should be relative
 * ("./FILE.gpkg|layername=..."), so the file can move. @return RG_OK, RG_EIO, RG_ENOMEM.
 */
int rg_export_qgis_project_store(rg_ctx *ctx, const char *gpkg_path, const char *target, const char *name,
                                 const char *qgs, size_t len);

/** The files an export will write, named before anything is done. */
typedef struct {
    size_t count;
    char *paths[RG_LAYER_FILES_MAX]; /**< owned: free the plan with rg_export_plan_free() */
    int layers[RG_LAYER_FILES_MAX];  /**< the RG_LAYER_* bits each file receives */
    int format;      /**< the writer's, internal */
    const char *ext; /**< ".gpkg", ".geojson", ...; static storage */
    int folder;      /**< output names a folder ("map/") */
} rg_export_plan;

/**
 * Checks an export's output and options and names the files it will write, creating
 * nothing (it removes only what an export killed outright left: partial files of processes
 * that are gone): what `run` checks before it loads anything, and what the CLI reports as
 * written.
 * @return RG_OK with *plan filled (free with rg_export_plan_free()); RG_EINVAL (an output
 *   or option combination no export writes: a usage error); RG_EEXIST (a file exists and
 *   overwrite is off; *plan is then empty); RG_ENOMEM.
 */
int rg_export_plan_make(rg_ctx *ctx, const char *output, const rg_export_opts *opts, rg_export_plan *plan);
/** Frees the plan's paths; the plan is empty after. */
void rg_export_plan_free(rg_export_plan *plan);

/**
 * Writes the poverty map layers to output: `.gpkg` (one GeoPackage with QGIS styles
 * stored as layer defaults, its rows written through SQLite), `.geojson` (RFC 7946),
 * `.geojsonl`/`.geojsons` (GeoJSON Text Sequences, for very large point layers) or `.fgb`
 * (FlatGeobuf); opts->format names the format instead. GeoJSON and FlatGeobuf write one
 * file per layer, named STEM-LAYER.EXT beside output when there are several; an output
 * ending in '/' is a folder that receives LAYER.EXT for each layer. Each file is written
 * under a hidden temporary name and renamed into place only when complete.
 *
 * Households carry an allow-list of fields (codes, names of areas, class, desil, rank,
 * join fields, household size); opts->fields adds others on purpose. With
 * opts->public_only only kelurahan and kecamatan are written, and every count
 * between 1 and min_count - 1 becomes NULL (with a second cell where one alone could
 * be recovered from the total), flagged in `suppressed`.
 * The files are those rg_export_plan_make() names.
 * @return RG_OK, RG_EEXIST (output exists, overwrite off), RG_EINVAL (unknown
 *   extension, unknown field, households asked in public mode), RG_EDATA (nothing
 *   classified yet or not since the last join; FlatGeobuf asked for households some of which
 *   have no point), RG_EGDAL, RG_EIO, RG_ESQL.
 */
int rg_export_run(rg_store *store, const char *output, const rg_export_opts *opts);

/*
 * PostGIS. An output "PG:dbname=... host=... user=..." (GDAL's form of a libpq connection
 * string; the password comes from PGPASSWORD or ~/.pgpass, and a string holding one is
 * refused) publishes the map into the national tables of opts->schema: the layers of the
 * published areas (opts->only, a kab/kota or provinsi, or those the households cover) replace
 * exactly their previous rows in one transaction, the provinsi summaries are summed afresh
 * from their kab/kota, public.layer_styles gets the QGIS styles and their SLD, and
 * SCHEMA.publications records the run. Other areas' rows are never touched; two offices
 * publish side by side. rg_export_run() does it for such an output, with these returns beyond
 * its own: RG_EPG (the server refused or went away: the message names it and the table,
 * never a password; nothing is committed).
 */

/** Whether output names a PostgreSQL database ("PG:..."). */
int rg_export_is_postgis(const char *output);

/**
 * Re-verifies a PostGIS publication on its own, for `check PG:...`: each published area holds
 * the households its last publication counted, each level sums the one below, every row
 * belongs to a published area. Reports each check as rg_check_run() does, and each area's
 * latest publication as an INFO notice; *failed counts the checks that failed.
 * @return RG_OK whether or not checks failed; RG_EINVAL, RG_EPG (no such schema or server).
 */
int rg_export_postgis_check(rg_ctx *ctx, const char *output, const char *schema,
                            void (*report)(const char *check, int64_t violations, void *userdata), void *userdata,
                            int *failed);

/**
 * Checks a PG: target before anything is read or written: its connection string can be read
 * and holds no password; a schema (NULL: the default) is a plain lower-case identifier,
 * none of PostgreSQL's own (pg_*, information_schema), and no word it reserves (asked of
 * the server: the one check that connects, made only when schema is given).
 * @return RG_OK; RG_EINVAL, a usage error the message names; RG_EPG, the server cannot be
 * reached or refused (the message says which).
 */
int rg_export_pg_target_check(rg_ctx *ctx, const char *output, const char *schema);

/**
 * Parses a comma-separated list of layer names ("households,kelurahan").
 * @return RG_OK with *out set to RG_LAYER_* bits, or RG_EINVAL naming the bad name.
 */
int rg_export_layers_parse(rg_ctx *ctx, const char *list, int *out);

/**
 * Fills temp.export_scope(level, code) with the area `code` names (either scheme), every
 * area in it and its parents, for queries that cut the store to it (export --only, and
 * check of such an export); *level_name (may be NULL) gets its level, static storage.
 * @return RG_OK, RG_EINVAL (no area has the code: the message says so), RG_ESQL.
 */
int rg_export_scope(rg_store *store, const char *code, const char **level_name);

/* ---------------------------------------------------------------- ranked lists */

/** "FOLDER/5371030009-Oebobo.csv": a kelurahan's file in folder (a trailing '/' or not), the
 * name's letters and digits kept so a person finds it, ext its ending. Into out. */
void rg_export_area_file_name(const char *folder, const char *code, const char *name, const char *ext, char *out,
                              size_t cap);

/**
 * Writes each row of st as a CSV line to f, every column: numbers as a person reads them
 * (179000, not 179000.0), texts quoted where they must be and kept from being taken for
 * formulas. *written counts the rows. @return 0; -1 when writing failed (errno says why);
 * 1 when st failed (its connection's message says why).
 */
int rg_export_csv_rows(FILE *f, sqlite3_stmt *st, int64_t *written);

/** Whether a text opening a spreadsheet cell would be taken for a formula (=, +, -, @, tab,
 * carriage return). Every CSV and workbook the tool writes keeps such texts inert. */
int rg_export_looks_like_formula(const char *text);

/**
 * Writes the ranked list of one kelurahan (its code in either scheme) as CSV: households
 * from the poorest (welfare_rank 1) up, then those that could not be ranked, with class,
 * desil, welfare, spending, household size and the load and join flags. Written under a
 * temporary name and renamed into place when complete.
 * @param households set to the number of rows written (may be NULL).
 * @return RG_OK, RG_ENOTFOUND (no such kelurahan), RG_EEXIST, RG_EIO, RG_EDATA (no join yet).
 */
int rg_export_ranklist_write(rg_store *store, const char *kelurahan_code, const char *path, int overwrite,
                             int64_t *households);

/**
 * Writes one ranked list per kelurahan into folder (created when absent), named
 * CODE-Name.csv. @param files set to the number of files written (may be NULL).
 * @return as rg_export_ranklist_write().
 */
int rg_export_ranklist_write_all(rg_store *store, const char *folder, int overwrite, int64_t *files);


#ifdef __cplusplus
}
#endif
#endif
