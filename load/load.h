/*
 * load.h: households into the store. A CSV/TSV file (optionally gzipped) or any OGR point
 * source is read, each row checked, and written to household_records, or to rejects with
 * its line, raw text and reason, in one transaction (load/load.c, the step; columns.c,
 * which column holds what; rows.c, the checks; csv_input.c and ogr_input.c, the readers;
 * write.c, the rows into SQLite).
 */
#ifndef RG_LOAD_H
#define RG_LOAD_H

#include <stdint.h>

#include "core/core.h"
#include "io/io.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What to do when the store already holds households. */
typedef enum { RG_LOAD_REFUSE, RG_LOAD_REPLACE, RG_LOAD_APPEND } rg_load_mode;

typedef struct {
    const char *id_column;    /**< NULL: detect (household_id, id_keluarga, ...) */
    const char *lat_column;   /**< NULL: detect (latitude, lat, lintang) */
    const char *lon_column;   /**< NULL: detect (longitude, lon, lng, bujur) */
    const char *size_column;  /**< NULL: detect (jumlah_art, household_size, ...) */
    const char *spending_column; /**< NULL: detect (pengeluaran..., spending, ...) */
    const char *code_column;  /**< NULL: detect the reported area code (kode_wilayah, ...) */
    const char *code_parts;   /**< "PROV,KAB,KEC,DESA[,SLS]": the code's parts in separate columns;
                                   NULL: detect (r101..r105, kode_prov..kode_sls, ...) */
    const char *class_column; /**< NULL: detect a given poverty class */
    const char *desil_column; /**< NULL: detect a given national desil (desil, desil_nasional, ...) */
    const char *rank_column;  /**< NULL: detect a given national rank (peringkat, ...) */
    const char *layer;        /**< OGR sources: the layer; NULL = the first */
    rg_load_mode mode;
    int fix_swapped;          /**< swap lat/lon back when the pair is clearly swapped */
    double max_reject_rate;   /**< fail when rejected/read exceeds this (0..1); <0 = never */
    const char *crs;          /**< CRS of CSV coordinates (or of an OGR layer without one), as
                                   "EPSG:32751", WKT or PROJ; NULL = WGS84 lon/lat */
    const char *columns;      /**< which other columns to keep, renamed and typed:
                                   "SOURCE[=TARGET][:text|integer|real],..."; NULL = all, as text */
    const char *edition;      /**< what this load is called (a DTSEN quarter, "2025-Q3"), recorded in
                                   load_runs and every export; NULL: the edition it replaces or adds to
                                   (a corrected file of the same edition), or the input's date for a
                                   store without households. The forum's decisions apply only to the
                                   edition they were made on. */
    int carry_decisions;      /**< a new edition replacing another takes its forum decisions (each
                                   still only where its household is in the same kelurahan) */
} rg_load_opts;

#define RG_LOAD_OPTS_INIT                                                                                     \
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, RG_LOAD_REFUSE, 0, -1.0, NULL, NULL, NULL, 0}

/** An edition's name goes into every export's metadata and a comparison's columns: one line of
 * 1 to 64 characters. @return RG_OK, or RG_EINVAL with a message naming the flag. */
int rg_load_edition_check(rg_ctx *ctx, const char *edition);

/** Why a row was rejected. The names (rg_load_reject_reason_name) are the `reason` column. */
typedef enum {
    RG_REJECT_EMPTY_LINE,
    RG_REJECT_FIELD_COUNT,
    RG_REJECT_BROKEN_QUOTE,
    RG_REJECT_INVALID_UTF8,
    RG_REJECT_TOO_LONG,
    RG_REJECT_MISSING_COORDINATE,
    RG_REJECT_BAD_COORDINATE,
    RG_REJECT_OUT_OF_RANGE,
    RG_REJECT_NULL_ISLAND,
    RG_REJECT_OUTSIDE_INDONESIA,
    RG_REJECT_MISSING_ID,
    RG_REJECT_DUPLICATE_ID,
    RG_REJECT_COUNT
} rg_reject_reason;

/** The reason's name, e.g. "duplicate_id". Static storage. */
const char *rg_load_reject_reason_name(rg_reject_reason reason);

typedef struct {
    int64_t run_id;        /**< the load_runs row of this load */
    int64_t rows_read;     /**< data rows (header excluded) */
    int64_t loaded;        /**< rows now in households, flagged ones included */
    int64_t flagged;       /**< loaded with a flag (e.g. swapped_latlon) */
    int64_t without_point; /**< loaded with no usable point: the join places them by their area code */
    int64_t swapped;       /**< of those, with latitude and longitude swapped (flag swapped_latlon) */
    int64_t rejected;      /**< rows written to rejects */
    int64_t decisions_carried; /**< forum decisions of the edition replaced, carried into this one */
    int64_t decisions_left;    /**< forum decisions of the edition replaced that no longer apply */
    int64_t by_reason[RG_REJECT_COUNT];
} rg_load_stats;

/**
 * Loads households from path (CSV/TSV, optionally gzipped, or any OGR point source)
 * into the store. Every data row ends up loaded (maybe flagged) or in `rejects`
 * with its line, raw text and reason; the run is recorded in `load_runs`.
 * The load is one transaction: on failure the store is as it was.
 * @return RG_OK with *stats filled (stats may be NULL); RG_EIO, RG_EDATA (missing
 *   column: the message lists the columns found; or no household with a usable point:
 *   nothing is loaded, and the message says why and what to do), RG_EEXIST (households
 *   already loaded and mode is RG_LOAD_REFUSE; or appending a file loaded already, which
 *   could only be refused row by row), RG_EINVAL (reject rate exceeded), RG_ESQL,
 *   RG_EGDAL.
 */
int rg_load_run(rg_store *store, const char *path, const rg_load_opts *opts, rg_load_stats *stats);

#ifdef __cplusplus
}
#endif
#endif
