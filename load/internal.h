/* Shared inside load/ only. */
#ifndef RG_LOAD_INTERNAL_H
#define RG_LOAD_INTERNAL_H

#include "core/internal.h"
#include "io/io.h"
#include "load/load.h"

#include <pthread.h>
#include <stdint.h>

/* A box round every part of Indonesia's territory with a margin of about 2 degrees, so
 * that no household in (or near) a desa is refused for where it is: the country's extreme
 * points are Pulau Rondo (6.07 N), Pulau Ndana off Rote (11.01 S; its desa reach south of
 * 11 S), Pulau Benggala (94.97 E) and the border south of Merauke (141.02 E). A point beyond
 * it is not a household of Regsosek; one inside it but in no desa is the join's `unmatched`. */
#define INDONESIA_MIN_LON 92.0
#define INDONESIA_MAX_LON 143.0
#define INDONESIA_MIN_LAT -13.0
#define INDONESIA_MAX_LAT 8.0

/* Column roles, each with the names field files use for it, best first. The parts of an
 * area code (Regsosek's Blok I: r101 provinsi .. r105 SLS) come before the full code, so a
 * file with kode_prov, kode_kab, kode_kec and a three-digit kode_desa reads them as parts. */
enum role {
    ROLE_ID, ROLE_LAT, ROLE_LON, ROLE_SIZE, ROLE_SPENDING,
    ROLE_PROV, ROLE_KAB, ROLE_KEC, ROLE_DESA, ROLE_SLS,
    ROLE_CODE, ROLE_CLASS, ROLE_DESIL, ROLE_RANK, ROLE_COUNT
};
#define CODE_PARTS 5

typedef enum { COLUMN_TEXT, COLUMN_INTEGER, COLUMN_REAL } column_type;

/* One entry of --columns: the input column, its name in `extra`, its type. */
typedef struct {
    const char *source, *target;
    column_type type;
    int index;
} column_spec;

/* Households written by one statement (see store_households). */
#define ROWS_PER_INSERT 64
/* Parameters of one household's row in household_records' insert (write.c binds them). */
#define HOUSEHOLD_PARAMETERS 13

typedef struct {
    rg_store *store;
    rg_ctx *ctx;
    const char *path;
    const rg_load_opts *opts;
    rg_load_stats stats;
    sqlite3_stmt *insert;
    sqlite3_stmt *insert_many; /* ROWS_PER_INSERT households at once; NULL: one at a time */
    unsigned char many_points[ROWS_PER_INSERT][RG_SPATIALITE_POINT_SIZE];
    sqlite3_stmt *extra_one, *extra_many; /* household_extra, a row or ROWS_PER_INSERT at once */
    struct {
        int64_t hh;
        const char *text; /* borrowed from the batch being written */
    } extras[ROWS_PER_INSERT];
    int extra_count;
    sqlite3_stmt *reject;
    sqlite3_stmt *find_first;
    int column[ROLE_COUNT]; /* -1 when absent */
    const char *const *header;
    size_t header_count;
    int decimal_comma;
    void *to_wgs84; /* --crs: the columns' CRS to EPSG:4326 (an OGRCoordinateTransformationH) */
    column_spec *specs;     /* --columns, parsed; NULL keeps every column as text */
    size_t spec_count;
    char *spec_text;        /* owns the names the specs point into */
    char *parts_text;       /* owns the names --code-parts gives */
    rg_buf message;         /* the writing side's own, for duplicate ids */
    /* The edition this load writes (edition.c): --edition, else the one it replaces or adds to;
     * NULL: the input's date. previous: the edition in the store before, "" for none. */
    const char *edition;
    char previous[72];
    int keep_unnamed; /* the store's households were loaded before editions were named: so are these */
    char id_column[128];    /* the id column's name, for messages after the header is gone */
    /* Duplicate ids settled at the end (duplicates.c); NULL in a store of layout 6 or
     * earlier, whose UNIQUE constraint checks each insert. Only the checking side writes
     * the filter. */
    uint64_t *seen;
    uint64_t seen_mask;
    sqlite3_stmt *keep_suspect;
    int index_live; /* the id index is kept while ids come in order */
    rg_buf last_id; /* the last id written while it is, and its line */
    long last_line;
    rg_io_points *points;  /* every point written, for the spatial index; NULL when appending */
    /* The input's checksum, computed on a thread of its own while the rows load. */
    struct {
        char digest[RG__SHA256_HEX];
        int ok, running;
        pthread_t thread;
    } hash;
} loader;

/* What text a checked row does not have. */
#define NO_TEXT SIZE_MAX

/*
 * A row once checked: where it goes and what it carries. Checking touches no database,
 * so for a CSV it runs on a thread of its own, a batch or two ahead of the one that
 * writes (each took about half of a load).
 */
typedef struct {
    long line;
    int reason; /* an rg_reject_reason, or -1 for a household */
    int has_point, has_coordinates, swapped, has_size, has_spending;
    int suspect; /* its id may repeat an earlier one: its raw text is kept until that is settled */
    double lon, lat, spending;
    long size;
    /* offsets into the batch's text */
    size_t raw, raw_len, id, code, given, desil, rank, flags, extra, message;
} checked_row;

/* Rows are handed over by the batch: one lock per batch, not per row. */
#define BATCH_ROWS 4096
#define BATCH_TEXT (4 << 20)

typedef struct {
    checked_row *rows;
    size_t count, cap;
    rg_buf text;                 /* every string of the rows, each NUL-terminated */
    rg_buf json, flags, message; /* the checking side's scratch */
} row_batch;

/* The edition before, and the one this load writes (existing: households are in the store). */
int rg_load__edition_begin(loader *L, int existing);
/* After the run is recorded: the forum's decisions of the edition replaced carried into this
 * one (--carry-decisions), or a warning that they no longer apply. */
int rg_load__edition_finish(loader *L);

/* need_coordinates: a source without point geometry must have lat/lon columns. */
int rg_load__map_columns(loader *L, int need_coordinates);
/* Parses --columns against the header. */
int rg_load__map_specs(loader *L);
/* A CSV/TSV file: the header mapped, then every row checked and written (csv_input.c). */
int rg_load__from_csv(loader *L);
/* --crs: a transformation from the columns' CRS to EPSG:4326, lon/lat order. */
int rg_load__prepare_crs(loader *L);
/* Any OGR source: fields become columns, the point geometry (in any CRS) the coordinates. */
int rg_load__from_ogr(loader *L);
/* Writes "PATH: line N: detail" into out, from its own buffer so that either side's
 * message (the checking thread's, the writing thread's) is formatted the same way. */
int rg_load__format_reject(rg_buf *out, const char *path, long line, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
/* The reject reason of a record the CSV reader could not split. */
rg_reject_reason rg_load__reason_of_problem(rg_csv_problem problem);
/*
 * Checks one row and appends what it decided to the batch; touches no database and
 * nothing in L but what is read-only once the columns are mapped (and L->to_wgs84,
 * which only the checking side uses). geom_xy, when not NULL, is the lon/lat of the
 * row's geometry (OGR sources) and takes the place of the columns. A row without a
 * usable point is still a household when its area code names a desa: the join places it
 * there (Regsosek 2022 recorded points for part of the households and codes for all).
 */
int rg_load__check_row(const loader *L, row_batch *b, long line, const char *raw, size_t raw_len,
                       const char *const *fields, size_t count, const double *geom_xy);
/* A record the CSV reader could not split into fields. */
int rg_load__check_unreadable(const loader *L, row_batch *b, const rg_csv_row *row);
/* Writes the batch's rows in order and empties it. */
int rg_load__store_batch(loader *L, row_batch *b);
/* Prepares the statements that append household_extra. @return RG_OK or RG_ESQL. */
int rg_load__prepare_extras(loader *L);
/* Frees the batch's rows and texts; the batch itself is the caller's. */
void rg_load__batch_free(row_batch *b);
/* The text at offset `at` of the batch, or NULL for NO_TEXT. Borrowed; valid while the batch is. */
const char *rg_load__text_at(const row_batch *b, size_t at);
/* Whether the batch holds as many rows, or as much text, as one hand-over takes. */
int rg_load__batch_full(const row_batch *b);

/* duplicates.c. Sets the id index aside and starts the filter, unless the store's table
 * checks ids itself (layout 6 or earlier). RG_OK, RG_ESQL, RG_ENOMEM. */
int rg_load__duplicates_begin(loader *L);
/* Marks id as seen; 1 when it may have been seen before (always, when it was). */
int rg_load__duplicates_mark(const loader *L, const char *id);
/* Called with each household's id and line before it is written, in the file's order (again
 * for a line is a no-op): sets the id
 * index aside at the first id below the one before. RG_OK, RG_ESQL, RG_ENOMEM. */
int rg_load__duplicates_order(loader *L, const char *id, long line);
/* Keeps a suspect's raw text under its new rowid. RG_OK or RG_ESQL. */
int rg_load__duplicates_keep(loader *L, int64_t hh, const char *raw, size_t raw_len);
/* Rejects every household whose id an earlier one has, deletes it, and builds the id index.
 * RG_OK, RG_ESQL, RG_ENOMEM, RG_EDATA (a repeat that was not a suspect: a bug). */
int rg_load__duplicates_settle(loader *L);
/* Frees what begin made; the temporary table goes with the connection. */
void rg_load__duplicates_free(loader *L);
/* write.c: rejects a household repeating the id of line first_line's. */
int rg_load__reject_duplicate(loader *L, long line, const char *raw, size_t raw_len, const char *id,
                              long first_line);

#endif
