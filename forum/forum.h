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
} rg_forum_pack_opts;

#define RG_FORUM_PACK_OPTS_INIT {NULL, 0}

typedef struct {
    int64_t kelurahan;  /**< packs written */
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

#ifdef __cplusplus
}
#endif
#endif
