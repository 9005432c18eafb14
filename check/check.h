/*
 * check.h: re-verifies, from what is on disk, every promise the steps make (every input
 * row loaded or rejected, a sound spatial index, the join's and classes' counts, every level
 * the sum of the one below) and that an exported GeoPackage matches the store.
 */
#ifndef RG_CHECK_H
#define RG_CHECK_H

#include <stdint.h>

#include "core/core.h"
#include "io/io.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Receives each check: its sentence (static storage) and how many violations it found. */
typedef void (*rg_check_fn)(const char *check, int64_t violations, void *userdata);

/**
 * Re-verifies the store's invariants (every input row loaded or rejected, no id twice, a
 * sound spatial index, join counts, class counts, kecamatan = sum of kelurahan) and, when
 * export_path names a GeoPackage from `export`, that it matches the store. Each check is
 * reported through report (may be NULL); *failed counts the checks that found violations.
 * @return RG_OK whether or not checks failed; RG_EDATA when nothing is classified yet,
 *   RG_EIO when the export cannot be opened, RG_ESQL.
 */
int rg_check_run(rg_store *store, const char *export_path, rg_check_fn report, void *userdata, int *failed);



#ifdef __cplusplus
}
#endif
#endif
