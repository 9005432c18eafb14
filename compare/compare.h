/*
 * compare.h: what changed between two editions of the same households. DTSEN re-ranks every
 * family each quarter, so an office's question is who entered or left each programme's
 * desil, where, and whether it matches what its desa proposed. compare reads two of this
 * tool's GeoPackage exports or working databases (an earlier and a later edition), matches
 * households by id and
 * writes, as one GeoPackage: each area's counts of change at every level (new, gone, moved
 * in and out, desil up and down, class changed, each programme entered, left and its net),
 * styled as a change map; each changed household; per desa the list for the musyawarah; and
 * what could not be compared, with why.
 */
#ifndef RG_COMPARE_H
#define RG_COMPARE_H

#include <stdint.h>

#include "core/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *programme;    /**< the programme the change map is drawn for; NULL: the first both
                                   editions define */
    int public_only;          /**< area counts only, small counts suppressed: no household, no list */
    int min_count;            /**< with public_only: counts from 1 to min_count-1 are suppressed */
    int overwrite;            /**< replace an existing output */
    const char *command_line; /**< recorded in the output's metadata; may be NULL */
    const char *lists;        /**< a folder receiving each desa's musyawarah list as CSV (personal data;
                                   not with public_only); NULL: none */
} rg_compare_opts;

#define RG_COMPARE_OPTS_INIT {NULL, 0, 5, 0, NULL, NULL}

/** Longest edition name kept, with its NUL. */
#define RG_COMPARE_EDITION_MAX 72

typedef struct {
    char old_edition[RG_COMPARE_EDITION_MAX], new_edition[RG_COMPARE_EDITION_MAX];
    int64_t old_households, new_households; /**< rows of each edition's households layer */
    int64_t stayed;         /**< in both, in the same kelurahan */
    int64_t added, gone;    /**< in the later edition only; in the earlier only */
    int64_t moved;          /**< in both, in another kelurahan, the move judged real */
    int64_t not_comparable; /**< in both, in another kelurahan, but the move cannot be told from a change of
                                 boundaries (the point did not move, or a kelurahan is in one edition only) */
    int64_t desil_up, desil_down, class_changed; /**< of the households in both */
    int64_t duplicate_ids;  /**< rows whose id repeats inside an edition: listed, not matched */
    int64_t programmes;     /**< programmes both editions define, compared */
} rg_compare_report;

/**
 * Compares two editions, each a GeoPackage written by `regsosek-geo export` (not --public:
 * households are matched by id) or a working database classified since its last join, and
 * writes the change to output (a .gpkg), atomically; the inputs are only read. Each edition's
 * programmes are its own rules' (recorded in its metadata, or its classify_meta).
 * @return RG_OK with *report filled (may be NULL); RG_EIO (an input cannot be read, the
 *   output cannot be written), RG_EDATA (an input is no export or database of this tool, a public
 *   export, or a database not classified since its last join: the message says which and what
 *   to do), RG_EINVAL (a programme the editions do not both
 *   define), RG_EEXIST (output exists and overwrite is off), RG_ESQL, RG_EGDAL, RG_ENOMEM.
 */
int rg_compare_run(rg_ctx *ctx, const char *old_path, const char *new_path, const char *output,
                   const rg_compare_opts *opts, rg_compare_report *report);

#ifdef __cplusplus
}
#endif
#endif
