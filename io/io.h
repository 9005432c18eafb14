/*
 * io.h: the formats and the store every step stands on.
 *
 *   rg_io_csv_*     a streaming CSV/TSV reader (delimiter, quotes, BOM, CRLF, gzip)
 *   rg_io_crs_*     any CRS into EPSG:4326, longitude first, once for every step
 *   rg_io_store_*   the working SpatiaLite database: its schema, one transaction a step,
 *                   the view `households`, geometry blobs, packed spatial indexes
 *   rg_io_atomic_*  files written under a hidden name and moved into place when complete
 *
 * The steps over it, in the order data flows: load/, geo/, classify/, export/, forum/, check/.
 */
#ifndef RG_IO_H
#define RG_IO_H

#include <sqlite3.h>
#include <stdint.h>

#include "core/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- CSV reader */

typedef struct rg_csv rg_csv;

/** What is wrong with a record the reader could still delimit. */
typedef enum {
    RG_CSV_FINE = 0,
    RG_CSV_BROKEN_QUOTE,  /**< a quote opened and never closed within the record limit */
    RG_CSV_INVALID_UTF8,  /**< a byte sequence that is not UTF-8 */
    RG_CSV_TOO_LONG       /**< the record is longer than RG_CSV_MAX_RECORD bytes */
} rg_csv_problem;

/** A record longer than this is cut off and reported rather than held in memory. */
#define RG_CSV_MAX_RECORD (16 * 1024 * 1024)
/** A quoted field may span at most this many lines before the quote is judged broken. */
#define RG_CSV_MAX_QUOTED_LINES 64

/** One record. All pointers are borrowed; valid until the next rg_io_csv_next() or rg_io_csv_free(). */
typedef struct {
    const char *const *fields; /**< field texts, unquoted, NUL-terminated */
    size_t count;              /**< number of fields */
    long line;                 /**< 1-based physical line where the record starts */
    const char *raw;           /**< the record's bytes as read, without the line end */
    size_t raw_len;
    rg_csv_problem problem;
} rg_csv_row;

/**
 * Opens a delimited text file; `.gz` (or any gzip content) is decompressed on the fly.
 * The delimiter (, ; tab |) is detected from the first line; a UTF-8 BOM is skipped.
 * @return RG_OK, RG_EIO when the file cannot be opened (message names it), RG_EDATA when it is
 *   UTF-16 (the message says how to convert it), RG_ENOMEM.
 * Caller owns *out; free with rg_io_csv_free().
 */
int rg_io_csv_open(rg_csv **out, rg_ctx *ctx, const char *path);

/**
 * Same as rg_io_csv_open() over bytes in memory (tests, fuzzing).
 * data is borrowed and must outlive the reader. Caller owns *out.
 */
int rg_io_csv_open_memory(rg_csv **out, rg_ctx *ctx, const char *data, size_t len);

/**
 * Reads the next record.
 * @return 1 when *row holds a record (check row->problem), 0 at the end, or RG_EIO/RG_ENOMEM.
 */
int rg_io_csv_next(rg_csv *csv, rg_csv_row *row);

/** The delimiter in use. */
char rg_io_csv_delimiter(const rg_csv *csv);

/** Frees the reader. rg_io_csv_free(NULL) is a no-op. */
void rg_io_csv_free(rg_csv *csv);

/**
 * Parses a number the way field files write it: "-10.1667", "-10,1667" when
 * decimal_comma is set, "1.250.000" (Indonesian thousands) as 1250000. Leading and
 * trailing spaces are ignored.
 * @return 1 with *out set, 0 when text is not a number (or is NaN/inf).
 */
int rg_io_parse_number(const char *text, int decimal_comma, double *out);

/* ---------------------------------------------------------------- CRS */

/*
 * Households and boundaries come in any CRS; every step works in EPSG:4326, longitude then
 * latitude. GDAL's handles are pointers to opaque types, passed here as void *.
 */

/** EPSG:4326 in longitude, latitude order, as an OGRSpatialReferenceH, or NULL when PROJ
 * cannot make it. Caller owns; free with OSRDestroySpatialReference(). */
void *rg_io_crs_wgs84(void);

/**
 * The transformation into EPSG:4326 (longitude, latitude) from a CRS as a user writes it
 * (EPSG:32751, WKT, a PROJ string). `what` names the input in messages and in the notice
 * that says which CRS is transformed.
 * @param out set to an OGRCoordinateTransformationH, or NULL when the CRS is EPSG:4326 already.
 *   Caller owns; free with rg_io_crs_free().
 * @return RG_OK, RG_EPROJ (not a CRS, or no transformation: the message says which), RG_ENOMEM.
 */
int rg_io_crs_from_text(void **out, rg_ctx *ctx, const char *text, const char *what);

/** The same from an OGRSpatialReferenceH (a layer's; borrowed, left as it is). */
int rg_io_crs_from_srs(void **out, rg_ctx *ctx, const void *srs, const char *what);

/** Frees a transformation from rg_io_crs_from_*(); NULL is a no-op. */
void rg_io_crs_free(void *transformation);

/* ---------------------------------------------------------------- store */

typedef struct rg_store rg_store;

/**
 * Opens (creating when absent) the working SpatiaLite database at path and makes
 * sure its tables exist. The store holds the database for its whole life: another
 * store on the same file, in this process or another, waits up to 10 s and then fails,
 * so the steps of one run are never interleaved with another's.
 * @param ctx borrowed; must outlive the store.
 * @return RG_OK, RG_ESQL (message names path; "another run holds it" after the wait). Caller owns *out; free with rg_io_store_free().
 */
int rg_io_store_open(rg_store **out, rg_ctx *ctx, const char *path);

/**
 * Opens an existing working database for a step that only reads it (check, export, rank):
 * never creates the file or any table in it.
 * @return RG_OK, RG_ENOTFOUND (no file at path; the message says what to run), RG_EDATA
 *   (a file that is no working database of this layout), RG_ESQL. Caller owns *out; free
 *   with rg_io_store_free().
 */
int rg_io_store_open_existing(rg_store **out, rg_ctx *ctx, const char *path);

/** Closes the store. rg_io_store_free(NULL) is a no-op. */
void rg_io_store_free(rg_store *store);

/** The SQLite connection, with SpatiaLite loaded. Borrowed; valid while the store lives. */
sqlite3 *rg_io_store_db(rg_store *store);

/** The context the store was opened with. Borrowed. */
rg_ctx *rg_io_store_ctx(rg_store *store);

/** The database path. Borrowed. */
const char *rg_io_store_path(const rg_store *store);

/**
 * Runs sql (one or more statements, no parameters). On failure the message names
 * `what` and SQLite's reason. @return RG_OK or RG_ESQL.
 */
int rg_io_store_exec(rg_store *store, const char *what, const char *sql);

/**
 * Leaves "PATH: SQLite's last error" on the store's context.
 * @return RG_ESQL, so a failure reads `return rg_io_store_sql_error(store);`.
 */
int rg_io_store_sql_error(rg_store *store);

/**
 * Drops the triggers of schema ("main", or a file attached to the store's connection) that
 * match condition (SQL on sqlite_master's columns; trusted), for a bulk write that would fire
 * them row by row. *restore is set to the SQL that re-makes each in its own schema ("" when
 * none matched): run it with rg_io_store_exec() after the write. Caller owns *restore; free
 * with rg_free(). @return RG_OK, RG_ESQL, RG_ENOMEM.
 */
int rg_io_store_suspend_triggers(rg_store *store, const char *schema, const char *condition, char **restore);
/** The same on any connection (a GeoPackage attached to a scratch database); path names the
 * file in messages. Run *restore with sqlite3_exec() on db after the write. */
int rg_io_suspend_triggers_on(sqlite3 *db, rg_ctx *ctx, const char *path, const char *schema, const char *condition,
                              char **restore);

/* ---------------------------------------------------------------- steps */

/*
 * Each step writes only its own tables (see io/schema.c): load household_records and
 * rejects; boundaries kelurahan and kecamatan; join household_areas; classify
 * household_classes, classify_issues and the summaries. Starting a step drops the results
 * of the steps made from it, so none can outlive what it was made of.
 */
typedef enum { RG_STEP_LOAD, RG_STEP_BOUNDARIES, RG_STEP_JOIN, RG_STEP_CLASSIFY, RG_STEP_FORUM, RG_STEP_COUNT } rg_step;

/** "load", "boundaries", "join", "classify", "forum". Static storage. The forum's decisions
 * (amend) are made of nothing the store computes: they name households by id, survive every
 * other step and are dropped only on purpose. */
const char *rg_io_step_name(rg_step step);

/** Whether a step starts from empty tables of its own or adds to them (a load's --append). */
typedef enum { RG_STEP_AFRESH, RG_STEP_ADD } rg_step_start;

/**
 * Starts a step in one transaction (BEGIN IMMEDIATE): empties its own tables unless
 * start is RG_STEP_ADD, makes the tables of every step made from it afresh and marks
 * them not current. cache_kib > 0 sets SQLite's page cache for the step (a streaming step
 * needs little; the store's 64 MB would be the largest thing in the process). The load
 * and the boundaries have SpatiaLite's row triggers on their geometry tables suspended
 * (they write each BLOB themselves and pack the spatial index with
 * rg_io_store_index_table()), restored at commit.
 * Always end with rg_io_store_step_end(), after rg_io_store_step_commit() or not.
 * @return RG_OK, RG_ESQL, RG_EINVAL (a step is already running).
 */
int rg_io_store_step_begin(rg_store *store, rg_step step, rg_step_start start, int cache_kib);

/** Records the step as current (detail, borrowed, may be NULL, is kept in store_steps) and
 * commits. @return RG_OK or RG_ESQL (the step is then rolled back by rg_io_store_step_end). */
int rg_io_store_step_commit(rg_store *store, const char *detail);

/** Rolls back a step not committed and puts the page cache back. A no-op with no step. */
void rg_io_store_step_end(rg_store *store);

/** Whether step's results are current: made since everything they are made of. */
int rg_io_store_step_current(rg_store *store, rg_step step, int *current);

/**
 * RG_OK when step's results, and those it is made of, are current; otherwise RG_EDATA
 * with a message, prefixed by `what` (the caller's purpose), naming the step to run.
 */
int rg_io_store_step_require(rg_store *store, rg_step step, const char *what);

/**
 * Counts the rows the query returns in its first column as an integer.
 * @return RG_OK with *out set, or RG_ESQL.
 */
int rg_io_store_count(rg_store *store, const char *sql, int64_t *out);

/**
 * Sets SQLite's page cache to kib KiB for a step that streams through its tables (a load,
 * a join), where the store's 64 MB would be the largest thing in the process. Call it
 * before BEGIN: SQLite ignores the setting inside a transaction. *previous receives the
 * setting replaced, for rg_io_store_restore_cache(). @return RG_OK or RG_ESQL.
 */
int rg_io_store_shrink_cache(rg_store *store, int kib, int64_t *previous);
/** Puts back a setting from rg_io_store_shrink_cache(); 0 (nothing saved) is a no-op. */
void rg_io_store_restore_cache(rg_store *store, int64_t previous);

/**
 * Packs the spatial index of a geometry table of the store (idx_TABLE_geom) from its rows'
 * bounding boxes, in Hilbert order: what a step that suspended the row triggers calls
 * after writing its rows. table is a trusted identifier. @return RG_OK, RG_ESQL, RG_ENOMEM.
 */
int rg_io_store_index_table(rg_store *store, const char *table);

/**
 * The SpatiaLite geometry BLOB (SRID 4326, XY) of a MULTIPOLYGON, from the little-endian
 * WKB of a Polygon (made a one-part MultiPolygon) or MultiPolygon and its bounds (minx,
 * miny, maxx, maxy): what SpatiaLite's CastToMultiPolygon(GeomFromWKB(...)) gives, without
 * parsing it twice. Caller owns *out; free with rg_free().
 * @return RG_OK, RG_EINVAL (not such WKB; *out NULL), RG_ENOMEM.
 */
int rg_io_spatialite_multipolygon(unsigned char **out, size_t *out_size, const unsigned char *wkb, size_t size,
                                  const double bounds[4]);

/**
 * The inverse: the WKB (little-endian, as stored: MultiPolygon or Polygon) of a SpatiaLite
 * polygon or multipolygon blob, its MBR (minx, miny, maxx, maxy) as SpatiaLite keeps it, and
 * its vertex count (vertices may be NULL). Caller owns *wkb; free with rg_free().
 * @return RG_OK, RG_EINVAL (not such a blob: little-endian, uncompressed, XY; *wkb NULL).
 */
int rg_io_spatialite_wkb(const unsigned char *blob, size_t n, unsigned char **wkb, size_t *size, double bounds[4],
                         long *vertices);

/**
 * Encodes a point as a SpatiaLite geometry BLOB (SRID 4326) into buf, which must
 * hold RG_SPATIALITE_POINT_SIZE bytes.
 */
#define RG_SPATIALITE_POINT_SIZE 60
void rg_io_spatialite_point(unsigned char *buf, double lon, double lat);

/* ---------------------------------------------------------------- spatial indexes */

/*
 * Rebuilds the SpatiaLite spatial index of a point table (an SQLite R*Tree named
 * idx_TABLE_geom) as a packed Hilbert R-tree, writing its shadow tables directly: orders
 * of magnitude faster than inserting the points one by one, and a better tree. Runs in
 * the caller's transaction; memory is bounded by the number of leaves, not points
 * (SQLite sorts the points). table and the id, x, y columns are trusted identifiers.
 * @return RG_OK, RG_ESQL, RG_ENOMEM.
 */
int rg_io_rtree_pack_points(rg_store *store, const char *table, const char *id, const char *x, const char *y);

/*
 * The same tree into the R*Tree schema.rtree (its shadow tables rtree_node, ...) over the
 * n boxes boxes_sql returns as (id, minx, maxx, miny, maxy), which it must give in Hilbert
 * order. @return RG_OK, RG_ESQL, RG_ENOMEM.
 */
int rg_io_rtree_pack_boxes(rg_store *store, const char *schema, const char *rtree, const char *boxes_sql,
                            int64_t n);
/* The same on any connection (a GeoPackage attached to a scratch database as schema), with
 * rg_hilbert(x, y, minx, miny, maxx, maxy) registered on db for boxes_sql to order by; path
 * names the file in messages. @return RG_OK, RG_ESQL, RG_ENOMEM. */
int rg_io_rtree_pack_boxes_on(sqlite3 *db, rg_ctx *ctx, const char *path, const char *schema, const char *rtree,
                               const char *boxes_sql, int64_t n);

/*
 * The same tree from points gathered while they were inserted, so a load need not read
 * its table back and have SQLite sort it (that was half of packing). Points are keyed on
 * the Hilbert curve over a fixed extent (minx, miny, maxx, maxy; outside points take the
 * nearest edge's key). Memory is `cap` points (0: 2^20, 32 MB); beyond that sorted runs
 * go to a temporary file beside near_path (the database), unlinked as soon as it is
 * made, and are merged back. Caller owns *out; free with rg_io_points_free().
 * @return RG_OK or RG_ENOMEM.
 */
typedef struct rg_io_points rg_io_points;
int rg_io_points_new(rg_io_points **out, rg_ctx *ctx, const char *near_path, const double extent[4], size_t cap);
/** @return RG_OK, RG_EIO (spilling failed; the message names the disk), RG_ENOMEM. */
int rg_io_points_add(rg_io_points *points, int64_t rowid, double x, double y);
/** Packs idx_TABLE_geom from the gathered points, which must be every point of table.
 * Consumes what was gathered. @return RG_OK, RG_ESQL, RG_EIO, RG_ENOMEM. */
int rg_io_rtree_pack_gathered(rg_store *store, const char *table, rg_io_points *points);
/** Leaves out of the index a point gathered under rowid (its row since deleted): forget
 * only rowids added, each once. RG_OK or RG_ENOMEM. */
int rg_io_points_forget(rg_io_points *points, int64_t rowid);
/** rg_io_points_free(NULL) is a no-op. */
void rg_io_points_free(rg_io_points *points);


/* The load runs whose households are in the store: from the last fresh or replacing load
 * on (a condition on load_runs). */
#define RG_IO_LIVE_RUN \
    "finished IS NOT NULL AND id >= (SELECT coalesce(max(id), 0) FROM load_runs WHERE finished IS NOT NULL" \
    " AND mode IN ('new', 'replace'))"

/* basename(path) in SQL: what is left after the last '/'. */
#define RG_IO_SQL_BASENAME(col) "replace(" col ", rtrim(" col ", replace(" col ", '/', '')), '')"

/* The method classify used, as the map and the sheets name it: with the file that gave the
 * desil under method given_desil (an SQL expression over classify_meta). */
#define RG_IO_METHOD_TEXT                                                                                      \
    "(SELECT value || coalesce(' (desil: ' || (SELECT value FROM classify_meta WHERE key = 'desil_given_by')"   \
    " || ')', '') FROM classify_meta WHERE key = 'method')"

/* The working database's layout (SQLite's user_version): io/schema.c says what each added. */
#define RG_IO_SCHEMA_VERSION 8

/* The edition the store holds: that of its last fresh or replacing load (NULL in a store
 * loaded before editions were named). */
#define RG_IO_LIVE_EDITION                                                                                     \
    "(SELECT edition FROM load_runs WHERE id = (SELECT max(id) FROM load_runs WHERE finished IS NOT NULL"      \
    " AND mode IN ('new', 'replace')))"

/* The class a forum decided for a household, in force: its latest decision made in the
 * kelurahan the household is in now. A decision of another kelurahan (a reload moved the
 * household since) stays in forum_decisions and does not apply: the forum that made it
 * spoke of a family in its own area. r: household_records, a: household_areas; NULL when
 * none is in force. The one statement of the rule: the view and classify both use it. */
#define RG_IO_FORUM_CLASS_IN_FORCE                                                                              \
    "(SELECT d.class_after FROM forum_decisions d WHERE d.household_id = r.household_id"                       \
    " AND d.kelurahan_code IS a.kelurahan_code AND d.edition IS " RG_IO_LIVE_EDITION " ORDER BY d.id DESC LIMIT 1)"

/* ---------------------------------------------------------------- summaries */

/** The counts every area summary (kelurahan_summary, ..., provinsi_summary) holds after its
 * code, in order; classify adds one column per programme after them. */
#define RG_IO_SUMMARY_COLUMNS                                                                                  \
    "households, sangat_miskin, miskin, rentan_miskin, tidak_miskin, unclassified, with_point, without_point,"  \
    " code_mismatches, desil_1, desil_2, desil_3, desil_4, desil_5, desil_6, desil_7, desil_8, desil_9, desil_10"
#define RG_IO_SUMMARY_COUNT 19

/* ---------------------------------------------------------------- provenance */

/**
 * What the store's results were made from, for a person reading a map or a sheet: "rumah
 * tangga: households.csv (29937 rumah tangga, SHA-256 abc49b67a972, 2026-12-03); batas
 * wilayah: boundaries.gpkg (SHA-256 b7d90c926fe1)" (file names without their folders).
 * Into out ("" on failure). @return RG_OK or RG_ESQL.
 */
int rg_io_sources_describe(rg_store *store, char *out, size_t cap);

/* ---------------------------------------------------------------- atomic outputs */

/** A file being written under a hidden name beside its target, moved into place only when
 * complete: a crash, a kill or a full disk never leaves a file that looks finished. */
typedef struct {
    char *tmp;    /**< where to write; owned */
    char *target; /**< owned copy */
} rg_io_atomic;

/**
 * Starts an atomic write of target. ext is the ending the writer needs on its temporary
 * file (".xlsx"; "" for none). Removes temporary files that dead writers of the same
 * target left. @return RG_OK, RG_EEXIST (target exists and !overwrite: the message says
 * so), RG_ENOMEM. On RG_OK the caller ends it with rg_io_atomic_commit() or
 * rg_io_atomic_abandon().
 */
int rg_io_atomic_begin(rg_ctx *ctx, const char *target, const char *ext, int overwrite, rg_io_atomic *out);
/** Makes the finished file its owner's alone (what is written this way holds personal
 * data), moves it into place and frees a. @return RG_OK or RG_EIO (the temporary file is
 * removed). */
int rg_io_atomic_commit(rg_ctx *ctx, rg_io_atomic *a);
/** Removes the temporary file and frees a; a no-op on a zeroed or ended one. */
void rg_io_atomic_abandon(rg_io_atomic *a);

/** The folder at path, made with exactly mode when missing (whatever the umask), refused when
 * something else is there; an existing folder keeps its mode. @return RG_OK, RG_EIO (the
 * message names path and why). */
int rg_io_folder_make(rg_ctx *ctx, const char *path, unsigned mode);

/** Refuses a target that is a folder (or is named as one, ending in '/'), before a file is
 * written under a name beside it. @return RG_OK or RG_EINVAL. */
int rg_io_file_target_check(rg_ctx *ctx, const char *target);

/* The machinery under them, for writers that need the temporary name themselves (the
 * GeoPackage export, whose temporary file GDAL creates). */
/* The temporary name of target: ".NAME.partial-PID" + ext beside it, on the same file
 * system, so the final rename is atomic. Caller owns; free with rg_free(). NULL: no memory. */
char *rg_io_partial_name(const char *target, const char *ext);
/* Removes a temporary file and the journal SQLite may have left beside it. */
void rg_io_partial_remove(const char *tmp);
/* Creates and removes tmp, so that a folder refusing it is reported as a failure to
 * write target, the file the user asked for, not a temporary name a library chose to
 * complain about. @return RG_OK or RG_EIO. */
int rg_io_partial_probe(rg_ctx *ctx, const char *tmp, const char *target);
/* Removes target's temporary files whose writing process no longer exists. */
void rg_io_partial_remove_stale(const char *target);
/* Calls fn with the path of each of target's temporary files or folders whose writing process
 * no longer exists (a folder's writer removes it its own way). */
void rg_io_partial_each_stale(const char *target, void (*fn)(const char *path));
/* Gives the finished tmp its mode (0600 for personal data), then renames it onto target; on
 * failure removes tmp. @return RG_OK or RG_EIO. */
int rg_io_partial_publish(rg_ctx *ctx, const char *tmp, const char *target, unsigned mode);


#ifdef __cplusplus
}
#endif
#endif
