/* Shared inside io/ only. */
#ifndef RG_IO_INTERNAL_H
#define RG_IO_INTERNAL_H

#include "core/internal.h"
#include "io/io.h"

/*
 * Rebuilds the SpatiaLite spatial index of a point table (an SQLite R*Tree named
 * idx_TABLE_geom) as a packed Hilbert R-tree, writing its shadow tables directly: orders
 * of magnitude faster than inserting the points one by one, and a better tree. Runs in
 * the caller's transaction; memory is bounded by the number of leaves, not points
 * (SQLite sorts the points). table and the id, x, y columns are trusted identifiers.
 * @return RG_OK, RG_ESQL, RG_ENOMEM.
 */
int rg_io__rtree_pack_points(rg_store *store, const char *table, const char *id, const char *x, const char *y);

/*
 * The same tree into the R*Tree schema.rtree (its shadow tables rtree_node, ...) over the
 * n boxes boxes_sql returns as (id, minx, maxx, miny, maxy), which it must give in Hilbert
 * order. @return RG_OK, RG_ESQL, RG_ENOMEM.
 */
int rg_io__rtree_pack_boxes(rg_store *store, const char *schema, const char *rtree, const char *boxes_sql,
                            int64_t n);

/*
 * The same tree from points gathered while they were inserted, so a load need not read
 * its table back and have SQLite sort it (that was half of packing). Points are keyed on
 * the Hilbert curve over a fixed extent (minx, miny, maxx, maxy; outside points take the
 * nearest edge's key). Memory is `cap` points (0: 2^20, 32 MB); beyond that sorted runs
 * go to a temporary file beside near_path (the database), unlinked as soon as it is
 * made, and are merged back. Caller owns *out; free with rg_io__points_free().
 * @return RG_OK or RG_ENOMEM.
 */
typedef struct rg_io__points rg_io__points;
int rg_io__points_new(rg_io__points **out, rg_ctx *ctx, const char *near_path, const double extent[4], size_t cap);
/** @return RG_OK, RG_EIO (spilling failed; the message names the disk), RG_ENOMEM. */
int rg_io__points_add(rg_io__points *points, int64_t rowid, double x, double y);
/** Packs idx_TABLE_geom from the gathered points, which must be every point of table.
 * Consumes what was gathered. @return RG_OK, RG_ESQL, RG_EIO, RG_ENOMEM. */
int rg_io__rtree_pack_gathered(rg_store *store, const char *table, rg_io__points *points);
/** rg_io__points_free(NULL) is a no-op. */
void rg_io__points_free(rg_io__points *points);

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

/* The load runs whose households are in the store: from the last fresh or replacing load
 * on (a condition on load_runs). */
#define RG_IO__LIVE_RUN \
    "finished IS NOT NULL AND id >= (SELECT coalesce(max(id), 0) FROM load_runs WHERE finished IS NOT NULL" \
    " AND mode IN ('new', 'replace'))"

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
