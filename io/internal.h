/* Shared inside io/ only. */
#ifndef RG_IO_INTERNAL_H
#define RG_IO_INTERNAL_H

#include "core/internal.h"
#include "io/io.h"

/* The temporary name of target: ".NAME.partial-PID" + ext beside it, on the same file
 * system, so the final rename is atomic. Caller owns; free with rg_free(). NULL: no memory. */
char *rg_io__partial_name(const char *target, const char *ext);
/* Removes a temporary file and the journal SQLite may have left beside it. */
void rg_io__remove_partial(const char *tmp);
/* Creates and removes tmp, so that a folder refusing it is reported as a failure to
 * write target, the file the user asked for, not a temporary name a library chose to
 * complain about. @return RG_OK or RG_EIO. */
int rg_io__probe_partial(rg_ctx *ctx, const char *tmp, const char *target);
/* Removes target's temporary files whose writing process no longer exists. */
void rg_io__remove_stale_partials(const char *target);
/* Renames the finished tmp onto target; on failure removes tmp. @return RG_OK or RG_EIO. */
int rg_io__publish(rg_ctx *ctx, const char *tmp, const char *target);

/* The step a store is running (see schema.c): at most one at a time. */
typedef struct {
    int active, committed;
    rg_step step;
    int64_t cache_pages; /* the page cache to put back, 0 when unchanged */
    rg_buf triggers;     /* SQL that restores the row triggers a load suspended */
} rg_io__step;

/* Borrowed; lives as long as the store. */
rg_io__step *rg_io__store_step(rg_store *store);
/* Drops the triggers of schema ("main", or an attached file) that match condition (SQL on
 * sqlite_master's columns, trusted), appending to restore the SQL that re-makes each in its
 * own schema: for bulk writes that would fire them row by row. @return RG_OK or RG_ESQL. */
int rg_io__suspend_triggers(rg_store *store, const char *schema, const char *condition, rg_buf *restore);
/* Makes every table and view of a new working database, or checks an existing one's. */
int rg_io__schema_create(rg_store *store);
/* Checks, creating nothing, that the database is a working database of this layout. */
int rg_io__schema_check(rg_store *store);

/* One GeoPackage layer filled straight from the store by rg_io__gpkg_fill_layers(). */
typedef struct {
    const char *table;      /* the layer GDAL created (no spatial index yet) */
    const char *insert_sql; /* INSERT INTO ex."table"(...) SELECT ... from the store */
    const char *extent_sql; /* SELECT minx, miny, maxx, maxy of the layer, from the store */
    const char *store_rtree; /* the store's R*Tree over the same rows, keyed by the layer's fids;
                                NULL: the layer's R-tree is packed from its rows */
    void (*bind)(sqlite3_stmt *st, void *userdata); /* binds insert_sql's parameters; may be NULL */
    void *userdata;
} rg_io__gpkg_fill;

/* Attaches the GeoPackage at path (written by GDAL, its layers empty) as "ex", runs each
 * fill in one transaction, sets the feature counts and extents, then has GDAL build each
 * layer's spatial index. Messages name target, the file the user asked for.
 * @return RG_OK, RG_ESQL, RG_EIO, RG_EGDAL. */
int rg_io__gpkg_fill_layers(rg_store *store, const char *path, const char *target, const rg_io__gpkg_fill *fills,
                            size_t count);
/* Registers rg_gpkg_point(lon, lat) and rg_gpkg_geom(spatialite_blob), the GeoPackage
 * geometry encoders, on db. @return RG_OK or RG_ESQL. */
int rg_io__gpkg_register(sqlite3 *db);

/* Appends the WKB of a SpatiaLite polygon or multipolygon blob to out (see
 * rg_io_spatialite_wkb); *vertices (may be NULL) gets its vertex count.
 * @return RG_OK, RG_EINVAL (not such a blob), RG_ENOMEM (as RG_EINVAL: out is undefined). */
int rg_io__spatialite_to_wkb(const unsigned char *blob, size_t n, rg_buf *out, long *vertices);

/* Registers rg_hilbert(x, y, minx, miny, maxx, maxy), which the packing sorts by, on db. */
int rg_io__rtree_register(sqlite3 *db);

/* scope.c: fills temp.export_scope(level, code) with the area `code` names (either scheme),
 * everything in it and its parents; *level_name (may be NULL) gets its level, static storage.
 * @return RG_OK, RG_EINVAL (no area has the code: the message says so), RG_ESQL. */
int rg_io__export_scope(rg_store *store, const char *code, const char **level_name);

/* project.c: stores the QGIS project (overview sheet and atlas over the layers) in the
 * GeoPackage being written at tmp_path; target is the name it will have, which the project's
 * layers name. poverty_rate: classify's definition, shown in the sheet. */
#define RG_IO_PROJECT_NAME "peta_kemiskinan"
int rg_io__gpkg_project(rg_store *store, const char *tmp_path, const char *target, int public_only,
                        const char *poverty_rate);

#endif
