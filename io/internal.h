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
/* Makes every table and view of a new working database, or checks an existing one's. */
int rg_io__schema_create(rg_store *store);

/* Registers rg_hilbert(x, y, minx, miny, maxx, maxy), which the packing sorts by, on db. */
int rg_io__rtree_register(sqlite3 *db);

#endif
