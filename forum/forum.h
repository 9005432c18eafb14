/*
 * forum.h: what a kelurahan's public consultation forum (forum konsultasi publik) works
 * from, and what it decides. After the ranking the lurah, the SLS heads and community
 * leaders go through the families of their kelurahan and confirm or correct each family's
 * class; `pack` writes them a workbook (and a printable sheet) per kelurahan, and the
 * filled-in workbook comes back through `amend`.
 *
 * The packs hold personal data: household ids always, names and addresses only when the
 * caller names those columns (fields).
 */
#ifndef RG_FORUM_H
#define RG_FORUM_H

#include <stdint.h>

#include "core/core.h"
#include "io/io.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *fields; /**< comma-separated input columns (kept in the store's `extra`) to add
                             to the family list, e.g. "nama_kepala_keluarga,alamat"; NULL: none */
    int overwrite;      /**< replace existing files */
    int by_forum;       /**< a pack per forum of SLS (the grouping `forums` kept) rather than per
                             kelurahan: the forum's families SLS by SLS, an SLS column, its counts */
} rg_forum_pack_opts;

#define RG_FORUM_PACK_OPTS_INIT {NULL, 0, 0}

typedef struct {
    int64_t kelurahan;  /**< packs written (of kelurahan, or of forums with by_forum) */
    int64_t households; /**< families listed in them */
    int64_t files;      /**< files written */
} rg_forum_pack_report;

/**
 * Writes the forum pack of one kelurahan (its BPS or Kemendagri code), or of every
 * kelurahan when kelurahan_code is NULL, into folder (made when missing): for each,
 * CODE-Name.xlsx with the sheets "Rekap" (identity, data version, method, counts per class
 * and per desil) and "Daftar keluarga" (the families in rank order, with the data notes a
 * supervisor checks and two empty columns for the forum: the agreed class, a drop-down of
 * the four classes, and a note). Cells are typed (numbers as numbers, codes and ids as
 * text); every file is written atomically. report may be NULL.
 * @return RG_OK; RG_EDATA (not classified yet, or a bad --fields name), RG_ENOTFOUND (no
 *   such kelurahan), RG_EEXIST (a file exists and !overwrite), RG_EIO, RG_ENOMEM, RG_ESQL.
 */
int rg_forum_pack(rg_store *store, const char *kelurahan_code, const char *folder, const rg_forum_pack_opts *opts,
                  rg_forum_pack_report *report);

/** The most SLS one forum (FKP) covered in Regsosek 2022. */
#define RG_FORUM_MAX_SLS 12

typedef struct {
    int64_t desa, sls;            /**< desa grouped, SLS in them */
    int64_t forums;               /**< forums made: ceil(SLS / 12) per desa */
    int64_t scattered;            /**< forums whose SLS are not all connected by their borders */
    int64_t families_without_sls; /**< families of those desa given no SLS by the join: no forum */
} rg_forum_groups_report;

/**
 * Groups each desa's SLS (from the SLS map the store's boundaries came from) into forums of at
 * most RG_FORUM_MAX_SLS neighbouring SLS, balanced by families, the same from the same store
 * every time; or, given the path of an office's own grouping (a CSV with idsls and forum, as
 * this writes it), takes that, checked: every SLS of the map once, at most 12 to a forum,
 * one desa to a forum. Keeps the grouping in the store (table forum_groups) and writes it to
 * path as CSV, atomically: idsls, forum (DESA-N when computed), kode_desa, nmsls, keluarga
 * (families), one line an SLS, a desa's forums in turn. report may be NULL.
 * @return RG_OK; RG_EDATA (not joined yet, no SLS map, or a grouping given that fails a check:
 *   the message names its file and line), RG_EEXIST (path exists and !overwrite), RG_EIO,
 *   RG_EGEOS, RG_ENOMEM, RG_ESQL. On failure the store keeps the grouping it had.
 */
int rg_forum_groups_write(rg_store *store, const char *path, const char *given, int overwrite,
                          rg_forum_groups_report *report);

/** Why a row of a forum's file was not applied. The names are forum_rejects.reason. */
typedef enum {
    RG_AMEND_UNKNOWN_HOUSEHOLD, /**< no household with that id */
    RG_AMEND_OTHER_KELURAHAN,   /**< a household of another kelurahan than the file's */
    RG_AMEND_UNREADABLE_CLASS,  /**< the agreed class is none of the four */
    RG_AMEND_DUPLICATE_ROW,     /**< the household's second row in the file */
    RG_AMEND_MISSING_ID,        /**< an agreed class or note without a household id */
    RG_AMEND_REASON_COUNT
} rg_amend_reason;

/** "unknown_household", ... Static storage. */
const char *rg_forum_amend_reason_name(rg_amend_reason reason);

typedef struct {
    int64_t run_id;      /**< the forum_runs row */
    int64_t rows_read;   /**< data rows of the family list */
    int64_t applied;     /**< decisions recorded: a class other than the household's current one */
    int64_t unchanged;   /**< no agreed class, or the one the household has already */
    int64_t rejected;    /**< in forum_rejects with their reason */
    int64_t by_reason[RG_AMEND_REASON_COUNT];
    char kelurahan_code[32]; /**< the file's kelurahan, from its recap; "" when it has none */
} rg_amend_report;

/**
 * Reads a filled-in forum list back: the workbook `pack` wrote (its sheet "Daftar keluarga",
 * and its recap for the kelurahan) or a CSV with the same columns (ID keluarga, Kelas
 * disepakati, Catatan forum; English names household_id, agreed_class, note also do). For
 * each household whose agreed class differs from its current class (the latest decision, or
 * the ranking's), records the decision in forum_decisions (class before and after, note,
 * file, row, time); every row ends applied, unchanged, or in forum_rejects with its reason.
 * A second amend of the same file changes nothing; a later file overrides an earlier one
 * and the history stays. The kelurahan and kecamatan summaries are counted again with the
 * classes after the forum. One transaction: on failure the store is as it was.
 * @return RG_OK with *report filled (may be NULL); RG_EDATA (not classified, or no id and
 *   agreed-class columns: the message lists the columns found), RG_EGDAL (not a file GDAL
 *   reads), RG_EIO, RG_ESQL.
 */
int rg_forum_amend(rg_store *store, const char *path, rg_amend_report *report);

/** Forgets every decision of the forums (their history too), on purpose; the summaries are
 * counted again with the ranking's classes. @return RG_OK, RG_EDATA (not classified), RG_ESQL. */
int rg_forum_drop_decisions(rg_store *store, int64_t *dropped);

#ifdef __cplusplus
}
#endif
#endif
