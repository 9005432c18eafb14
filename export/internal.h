/* Shared inside export/ only. */
#ifndef RG_EXPORT_INTERNAL_H
#define RG_EXPORT_INTERNAL_H

#include "core/internal.h"
#include "export/export.h"
#include "io/io.h"

#include <gdal.h>
#include <libpq-fe.h>
#include <ogr_api.h>

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

/* Where --fields are spliced into the households query, and the programmes into the areas'. */
#define EXTRA_FIELDS_HERE "\x01"

typedef enum { FORMAT_GPKG, FORMAT_GEOJSON, FORMAT_GEOJSONSEQ, FORMAT_FLATGEOBUF, FORMAT_POSTGIS } format;

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
    int partition_join;    /* a publication: each area row with its kab/kota and provinsi codes, from
                              temp.publish_parents (pp.kabkota_code, pp.provinsi_code), and its
                              polygon as the store's blob */
    size_t programme_count; /* the rules' programmes: a column of each area layer */
    field_def programmes[MAX_PROGRAMMES];
    char programme_names[MAX_PROGRAMMES][64];
} exporter;

/* Field indexes of the area layers' counts: households .. unclassified, then poverty_rate,
 * then the split by point and the mismatches, the desil, and the programmes. */
enum {
    AREA_FIRST_COUNT = 4, AREA_LAST_COUNT = 9, AREA_RATE = 10, AREA_WITH_POINT = 11, AREA_WITHOUT_POINT = 12,
    AREA_CODE_MISMATCHES = 13, AREA_DESIL_1 = 14, AREA_PROGRAMMES = 24
};

/* An error naming path and what failed, with GDAL's last message. @return RG_EGDAL. */
int rg_export__gdal_fail(rg_ctx *ctx, const char *path, const char *what);

/* checked_file.c: path as GDAL opens it to have every write, sync and close checked; caller
 * owns, frees with rg_free(); NULL: no memory, or GDAL refused the handler. Failures are
 * kept per thread from rg_export__checked_reset() on; rg_export__checked_error() gives the
 * errno of the first, 0 when none. */
char *rg_export__checked_path(const char *path);
void rg_export__checked_reset(void);
int rg_export__checked_error(void);
/* The fields a layer has beyond its own: --fields for the households, the programmes for
 * the areas. */
size_t rg_export__extra_count_of(const exporter *E, const layer_def *def);
const field_def *rg_export__extra_field(const exporter *E, const layer_def *def, size_t i);
/* The i-th layer as this export writes it. */
const layer_def *rg_export__layer_at(const exporter *E, size_t i);
/* The extent of what the layer writes (a cut export's, not the store's). */
int rg_export__extent_sql(const exporter *E, const layer_def *def, rg_buf *sql);
/* The layer's query: its fields, then its geometry for OGR (gpkg 0) or as a GeoPackage blob. */
int rg_export__layer_sql(exporter *E, const layer_def *def, int gpkg, rg_buf *sql);
/* INSERT INTO ex."layer"(its columns) SELECT ...: the layer's rows for a GeoPackage GDAL made. */
int rg_export__layer_insert_sql(exporter *E, const layer_def *def, rg_buf *sql);
/* Binds the JSON paths the households' query reads --fields from in `extra`. */
void rg_export__bind_json_paths(exporter *E, sqlite3_stmt *st);
/* QGIS reads a layer's default style from this table when it opens the layer. */
int rg_export__write_styles(rg_ctx *ctx, GDALDatasetH ds, const char *path, int chosen);
/* The live inputs, each "path (N bytes, sha256 X, N rows read, N loaded, N rejected)", joined
 * by "; ", appended to out: what a GeoPackage's INPUTS and a publication's inputs say. */
int rg_export__inputs_text(rg_store *store, rg_buf *out);
/* The boundaries the store was joined to, as one SQL expression over boundary_sets' latest row. */
#define RG_EXPORT__BOUNDARIES_TEXT                                                                             \
    "path || ' (' || coalesce(size, '?') || ' bytes, sha256 ' || sha256 || ', prepared ' || prepared || ')'"    \
    " FROM boundary_sets WHERE id = (SELECT max(id) FROM boundary_sets)"
/* gpkg_metadata: the tool, the command, the inputs with their SHA-256, the boundaries, the
 * method, the rules and what poverty_rate means. */
int rg_export__write_provenance(rg_store *store, GDALDatasetH ds, const rg_export_opts *opts);
/* Sets f's fields from the store's row st (the layer's fields first, in order). */
void rg_export__feature_set_fields(const exporter *E, const layer_def *def, sqlite3_stmt *st, OGRFeatureH f);
/* One layer through OGR, a feature at a time (GeoJSON, FlatGeobuf, a --public GeoPackage), or
 * only its table, fields and description for the GeoPackage gpkg.c fills. */
int rg_export__write_layer(exporter *E, GDALDatasetH ds, const char *path, const layer_def *def);
/*
 * Statistical disclosure control for --public: counts from 1 to min_count - 1 become
 * NULL, with the cells they could be recovered from (suppress.c). The rate is hidden when
 * its denominator or numerator is small.
 */
void rg_export__suppress_small_cells(const exporter *E, OGRFeatureH f, int min_count);

/* One GeoPackage layer filled straight from the store by rg_export__gpkg_fill_layers(). */
typedef struct {
    const char *table;      /* the layer GDAL created (no spatial index yet) */
    const char *insert_sql; /* INSERT INTO ex."table"(...) SELECT ... from the store */
    const char *extent_sql; /* SELECT minx, miny, maxx, maxy of the layer, from the store */
    const char *store_rtree; /* the store's R*Tree over the same rows, keyed by the layer's fids;
                                NULL: the layer's R-tree is packed from its rows */
    void (*bind)(sqlite3_stmt *st, void *userdata); /* binds insert_sql's parameters; may be NULL */
    void *userdata;
} rg_export__gpkg_fill;

/* Attaches the GeoPackage at path (written by GDAL, its layers empty) as "ex", runs each
 * fill in one transaction, sets the feature counts and extents, then has GDAL build each
 * layer's spatial index. Messages name target, the file the user asked for.
 * @return RG_OK, RG_ESQL, RG_EIO, RG_EGDAL. */
int rg_export__gpkg_fill_layers(rg_store *store, const char *path, const char *target, const rg_export__gpkg_fill *fills,
                                size_t count);

/* project.c: stores the QGIS project (overview sheet and atlas over the layers) in the
 * GeoPackage being written at tmp_path; target is the name it will have, which the project's
 * layers name. poverty_rate: classify's definition, shown in the sheet. */
#define RG_EXPORT_PROJECT_NAME "peta_kemiskinan"
int rg_export__gpkg_project(rg_store *store, const char *tmp_path, const char *target, int public_only,
                            const char *poverty_rate);


/* The map's layers, coarse to fine: provinsi, kabkota, kecamatan, kelurahan, households. */
extern const layer_def rg_export__layers[RG_LAYER_FILES_MAX];
/* --fields against the store's columns and the input's kept ones: each field's name, type and
 * source, into E (extra, extra_count, extra_from_json); a personal field is warned of once.
 * @return RG_OK, RG_EINVAL (no such field: the message lists those there are), RG_ESQL. */
int rg_export__resolve_fields(exporter *E);

/* ---------------------------------------------------------------- PostgreSQL (pg.c) */

/* A connection to the server a publication goes to. */
typedef struct {
    PGconn *conn;
    rg_ctx *ctx;
    char where[300]; /* "PostgreSQL on HOST, database D, user U": what every message names */
} rg_pg;

/* Whether output is GDAL's "PG:..." form of a PostgreSQL connection string. */
int rg_export__pg_is_target(const char *output);
/* Reads the connection string in output ("PG:..."), refuses one holding a password and
 * describes the server into where. @return RG_OK or RG_EINVAL. */
int rg_export__pg_conninfo_check(rg_ctx *ctx, const char *output, char *where, size_t cap);
/* Connects; close with rg_export__pg_close() whatever it returns. @return RG_OK, RG_EINVAL,
 * RG_EPG (the message names the server and libpq's reason), RG_ENOMEM. */
int rg_export__pg_connect(rg_ctx *ctx, const char *output, rg_pg *pg);
void rg_export__pg_close(rg_pg *pg);
/* An error naming the server, the table (may be NULL) and the server's reason, with what
 * it means for the published rows. @return RG_EPG. */
int rg_export__pg_fail(rg_pg *pg, const PGresult *res, const char *table);
/* Runs SQL that returns nothing the caller needs. @return RG_OK or RG_EPG. */
int rg_export__pg_exec(rg_pg *pg, const char *table, const char *sql);
int rg_export__pg_execf(rg_pg *pg, const char *table, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Runs a query with text parameters: the result (PQclear it) or NULL after reporting. */
PGresult *rg_export__pg_query(rg_pg *pg, const char *table, const char *sql, int nparams, const char *const *params);
/* A schema name that needs no quoting: lower-case letters, digits and _, at most 63. */
int rg_export__pg_identifier_ok(const char *name);
/* A --schema name as the client can judge it: an identifier, and no schema PostgreSQL keeps
 * for itself. @return RG_OK or RG_EINVAL, the message naming the rule. */
int rg_export__pg_schema_name_check(rg_ctx *ctx, const char *schema);
/* And not a word the server reserves (full, user, ...), which it would not take unquoted.
 * @return RG_OK, RG_EINVAL (the message says so), RG_EPG. */
int rg_export__pg_schema_ok(rg_pg *pg, const char *schema);

/* Sends the layer's rows (as rg_export__layer_sql() reads them) by COPY into schema.layer;
 * *rows gets their number. @return RG_OK, RG_EPG, RG_ESQL, RG_EDATA, RG_ENOMEM. */
int rg_export__pg_copy_layer(exporter *E, rg_pg *pg, const char *schema, const layer_def *def, int64_t *rows);
/* Replaces the provinsi's row by the sums of its kab/kota in schema.kabkota (a cell hidden in
 * one of them is NULL in the sum), with its own polygon from the store when whole, else none
 * (the caller unites its kab/kota's). @return RG_OK, RG_EPG, RG_ESQL, RG_ENOMEM. */
int rg_export__pg_put_provinsi(exporter *E, rg_pg *pg, const char *schema, const char *code, int whole);
/* QGIS's default styles and their SLD in public.layer_styles, inside the caller's transaction
 * (pg_styles.c); a role that may not make that table is warned and goes on unstyled. */
int rg_export__pg_styles(rg_pg *pg, const char *schema, int chosen);
/* Publishing the map into PostGIS (postgis.c): the layers of the published areas replace
 * their previous rows in one transaction. */
int rg_export__postgis_run(exporter *E, const char *output);

#endif
