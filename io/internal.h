/* Shared inside io/ only. */
#ifndef RG_IO_INTERNAL_H
#define RG_IO_INTERNAL_H

#include "core/internal.h"
#include "io/io.h"

/* The step a store is running (see schema.c): at most one at a time. */
typedef struct {
    int active, committed;
    int nested; /* inside a transaction its caller opened: a savepoint, not a transaction */
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
/* Checks, creating nothing, that the database is a working database of this layout, or of an
 * earlier one that can be upgraded when `upgrading` (a step that writes: rg_io__schema_create
 * upgrades it). */
int rg_io__schema_check(rg_store *store, int upgrading);

/* Appends the WKB of a SpatiaLite polygon or multipolygon blob to out (see
 * rg_io_spatialite_wkb); *vertices (may be NULL) gets its vertex count.
 * @return RG_OK, RG_EINVAL (not such a blob), RG_ENOMEM (as RG_EINVAL: out is undefined). */
int rg_io__spatialite_to_wkb(const unsigned char *blob, size_t n, rg_buf *out, long *vertices);

/* Registers rg_hilbert(x, y, minx, miny, maxx, maxy), which the packing sorts by, on db. */
int rg_io__rtree_register(sqlite3 *db);

#endif
