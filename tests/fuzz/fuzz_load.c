/* libFuzzer harness: a whole CSV load, so hostile column names and values travel the
 * path to SQL. Every row must end loaded or rejected, and the store must stay sound. */
#include "fuzz.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "io/io.h"
#include "load/load.h"


static long long one_int(rg_store *store, const char *sql)
{
    int64_t n = -1;
    int rc = rg_io_store_count(store, sql, &n);
    check(rc == RG_OK);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    static rg_ctx *ctx;
    static rg_store *store;
    if (!store) {
        snprintf(path, sizeof path, "/tmp/rg-fuzz-load-%ld.csv", (long)getpid());
        if (rg_ctx_new(&ctx) != RG_OK || rg_io_store_open(&store, ctx, ":memory:") != RG_OK)
            abort();
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    rg_load_opts opts = RG_LOAD_OPTS_INIT;
    opts.mode = RG_LOAD_REPLACE;
    rg_load_stats stats;
    if (rg_load_run(store, path, &opts, &stats) == RG_OK) {
        check(stats.rows_read == stats.loaded + stats.rejected);
        /* Replace mode: what is there now is this load's, all of it. */
        check(one_int(store, "SELECT count(*) FROM households") == stats.loaded);
        check(one_int(store, "SELECT count(*) FROM rejects") == stats.rejected);
        check(one_int(store, "SELECT count(DISTINCT load_run) FROM rejects") <= 1);
        check(one_int(store, "SELECT count(*) FROM households WHERE extra IS NOT NULL AND NOT json_valid(extra)") == 0);
    }
    check(one_int(store, "SELECT count(*) FROM sqlite_master WHERE name = 'households'") == 1);
    return 0;
}
