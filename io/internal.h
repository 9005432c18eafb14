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

/* Registers rg_hilbert(x, y, minx, miny, maxx, maxy), which the packing sorts by, on db. */
int rg_io__rtree_register(sqlite3 *db);

#endif
