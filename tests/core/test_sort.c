/*
 * The external sort against qsort of the same records: in memory, and spilled in runs
 * of every size down to 7 records (windows of one record), with ids in order (radix) and
 * scrambled (comparison). Nothing of the runs may stay on disk.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "core/internal.h"
#include "support.h"

typedef struct {
    rg__sort_head head;
    uint64_t check; /* a function of key and id, so a record torn apart shows */
} record;

static uint64_t check_of(uint64_t key, int64_t id) { return key * 2654435761u ^ (uint64_t)id * 40503u; }

static int by_key_then_id(const void *a, const void *b)
{
    const rg__sort_head *p = a, *q = b;
    if (p->key != q->key)
        return p->key < q->key ? -1 : 1;
    return (p->id > q->id) - (p->id < q->id);
}

/* n records, keys below key_range (so many ties), ids 0..n-1 in order or scrambled. */
static record *make(size_t n, uint64_t key_range, int scrambled, uint64_t seed)
{
    record *r = malloc(n * sizeof *r);
    for (size_t i = 0; i < n; i++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        int64_t id = scrambled ? (int64_t)((i * 7919) % n) : (int64_t)i;
        uint64_t key = (seed >> 33) % key_range;
        r[i] = (record){{key, id}, check_of(key, id)};
    }
    return r;
}

static void sort_and_compare(size_t n, uint64_t key_range, size_t cap, int scrambled)
{
    rg_ctx *ctx = test_ctx();
    const char *near = tmp_path("sorter.sqlite");
    record *in = make(n, key_range, scrambled, n + cap);
    rg__sorter *s = NULL;
    cr_assert_eq(rg__sorter_new(&s, ctx, near, "test", sizeof(record), cap), RG_OK);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(rg__sorter_add(s, &in[i]), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(rg__sorter_count(s), (int64_t)n);
    cr_assert_eq(rg__sorter_finish(s), RG_OK, "%s", rg_ctx_errmsg(ctx));
    qsort(in, n, sizeof *in, by_key_then_id); /* the oracle: (key, id) order */
    record got;
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(rg__sorter_next(s, &got), 1, "cap %zu: ended after %zu of %zu", cap, i, n);
        cr_assert(got.head.key == in[i].head.key && got.head.id == in[i].head.id && got.check == in[i].check,
                  "cap %zu%s: record %zu is (%llu, %lld), expected (%llu, %lld)", cap, scrambled ? ", scrambled" : "",
                  i, (unsigned long long)got.head.key, (long long)got.head.id, (unsigned long long)in[i].head.key,
                  (long long)in[i].head.id);
    }
    cr_assert_eq(rg__sorter_next(s, &got), 0);
    rg__sorter_free(s);
    cr_assert_eq(run("ls '%s'.points-* >/dev/null 2>&1", near) != 0, 1, "a run file was left beside %s", near);
    free(in);
    rg_ctx_free(ctx);
}

Test(core_sort, in_memory_and_spilled_runs_give_the_order_of_qsort)
{
    /* All in memory; 5 runs of 4,000 (windows of 62); 2,858 runs of 7 (windows of one);
     * keys of one byte and of five (radix passes are as many as the largest key's bytes). */
    const size_t caps[] = {0, 4000, 7};
    const uint64_t ranges[] = {50, (uint64_t)1 << 40};
    for (size_t c = 0; c < 3; c++)
        for (size_t k = 0; k < 2; k++)
            for (int scrambled = 0; scrambled < 2; scrambled++)
                sort_and_compare(20000, ranges[k], caps[c], scrambled);
}

Test(core_sort, nothing_added_gives_nothing)
{
    rg_ctx *ctx = test_ctx();
    rg__sorter *s = NULL;
    record got;
    cr_assert_eq(rg__sorter_new(&s, ctx, tmp_path("empty-sorter"), "test", sizeof(record), 7), RG_OK);
    cr_assert_eq(rg__sorter_finish(s), RG_OK);
    cr_assert_eq(rg__sorter_next(s, &got), 0);
    cr_assert_eq(rg__sorter_count(s), 0);
    rg__sorter_free(s);
    rg_ctx_free(ctx);
}

/* A run that cannot be written is an error naming the file and, for a full disk, saying so. */
Test(core_sort, a_run_that_cannot_be_written_names_the_file)
{
    rg_ctx *ctx = test_ctx();
    rg__sorter *s = NULL;
    record r = {{1, 1}, 0};
    cr_assert_eq(rg__sorter_new(&s, ctx, "/nonexistent-folder/work.sqlite", "test", sizeof(record), 7), RG_OK);
    int rc = RG_OK;
    for (int i = 0; i < 8 && rc == RG_OK; i++)
        rc = rg__sorter_add(s, &r);
    cr_assert_eq(rc, RG_EIO);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "/nonexistent-folder/work.sqlite.points-"), "%s", rg_ctx_errmsg(ctx));
    rg__sorter_free(s);

    /* A full disk: no file of this process may grow beyond 4 KiB (Criterion runs each
     * test in its own process); the signal is ignored so that the write fails. */
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = {4096, 4096};
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
    cr_assert_eq(rg__sorter_new(&s, ctx, tmp_path("full.sqlite"), "test", sizeof(record), 1000), RG_OK);
    rc = RG_OK;
    for (int i = 0; i < 1001 && rc == RG_OK; i++)
        rc = rg__sorter_add(s, &r);
    cr_assert_eq(rc, RG_EIO);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "full.sqlite.points-") && strstr(rg_ctx_errmsg(ctx), "is the disk full?"),
              "%s", rg_ctx_errmsg(ctx));
    rg__sorter_free(s);
    rg_ctx_free(ctx);
}
