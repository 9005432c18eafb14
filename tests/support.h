/* Helpers shared by the unit tests. */
#ifndef RG_TEST_SUPPORT_H
#define RG_TEST_SUPPORT_H

#include "core/core.h"
#include "io/io.h"
#include "load/load.h"

/* A fresh path under the test tmp folder, unique per call; removed files first. Static storage. */
const char *tmp_path(const char *name);
/* Writes text to a fresh tmp file and returns its path. */
const char *write_tmp(const char *name, const char *text);
/* Runs a shell command; returns its exit status. */
int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A context and a store in a fresh database. */
rg_ctx *test_ctx(void);
rg_store *test_store(rg_ctx *ctx, const char *name);
/* A fresh store with households_csv loaded, joined to the sample boundaries and
 * classified by the built-in rules: the state export, rank and check start from. */
rg_store *classified_store_from(rg_ctx *ctx, const char *name, const char *households_csv);
/* One integer from SQL on the store. */
long long sql_int(rg_store *store, const char *sql);
/* One text from SQL on the store, copied into a static buffer ("" for NULL). */
const char *sql_text(rg_store *store, const char *sql);

#endif
