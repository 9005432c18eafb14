/*
 * An external sort of fixed-size records, for the tens of millions of points a national
 * load or join handles in bounded memory: records are sorted in memory up to a cap, each
 * full buffer goes to a temporary file as one sorted run, and the runs are merged back
 * through a heap, each read through a small window.
 *
 * The temporary file sits beside a path the caller names (the database, on the disk the
 * user chose for it) and is unlinked as soon as it is made: household coordinates are
 * personal data and must not outlive the process, even if it is killed.
 */
#include "core/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Each spilled run is read back through a window of a 64th of the in-memory cap, at most
 * this many records: a small cap means many runs, and their windows add up. */
#define RUN_WINDOW 4096

typedef struct {
    off_t next, end; /* file offsets of the run's unread part */
    unsigned char *window;
    size_t window_cap, at, len; /* in records */
} run_reader;

struct rg__sorter {
    rg_ctx *ctx;
    char *spill_path; /* for messages */
    const char *what;
    size_t size;      /* bytes a record */
    unsigned char *buf;
    size_t count, cap;
    int spill_fd;     /* -1 until the buffer first overflows */
    off_t spilled;
    off_t *run_starts;
    size_t runs, run_cap;
    int64_t total;
    rg__sort_head last;
    int ids_ascending; /* since the last spill */
    int in_order;      /* every record since the last spill came after the one before */
    uint64_t max_key;
    int finished;
    /* merging */
    run_reader *readers;
    size_t *heap, heap_len;
    size_t emitted;
};

static const rg__sort_head *head_at(const unsigned char *records, size_t i, size_t size)
{
    return (const rg__sort_head *)(const void *)(records + i * size);
}

static int before(const rg__sort_head *a, const rg__sort_head *b)
{
    return a->key != b->key ? a->key < b->key : a->id < b->id;
}

static int by_key_then_id(const void *a, const void *b)
{
    const rg__sort_head *p = a, *q = b;
    return before(p, q) ? -1 : before(q, p);
}

/*
 * Sorts by (key, id). When ids arrive in order, a stable radix sort on the key, a byte a
 * pass and only as many bytes as the largest key has, gives that order in linear time
 * (qsort was a fifth of packing a million points). Falls back to qsort when there is no
 * room for the second buffer or the ids come in any order.
 */
static void sort_records(unsigned char *records, size_t n, size_t size, int in_order, int ids_ascending,
                         uint64_t max_key)
{
    if (in_order)
        return; /* what is written in hh order, to be read back in it */
    int passes = 0;
    for (uint64_t k = max_key; k; k >>= 8)
        passes++;
    unsigned char *other = ids_ascending && n > 1 ? rg_malloc(n * size) : NULL;
    if (!other) {
        if (n > 1)
            qsort(records, n, size, by_key_then_id);
        return;
    }
    unsigned char *from = records, *to = other;
    for (int shift = 0; shift < 8 * passes; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((head_at(from, i, size)->key >> shift) & 0xff) + 1]++;
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++)
            memcpy(to + size * count[(head_at(from, i, size)->key >> shift) & 0xff]++, from + i * size, size);
        unsigned char *t = from;
        from = to;
        to = t;
    }
    if (from != records)
        memcpy(records, from, n * size);
    rg_free(other);
}

int rg__sorter_new(rg__sorter **out, rg_ctx *ctx, const char *near_path, const char *what, size_t record_size,
                   size_t cap)
{
    *out = NULL;
    rg__sorter *s = rg_calloc(1, sizeof *s);
    if (!s)
        return RG_ENOMEM;
    s->ctx = ctx;
    s->what = what;
    s->size = record_size;
    s->spill_fd = -1;
    s->ids_ascending = s->in_order = 1;
    s->last = (rg__sort_head){0, INT64_MIN};
    s->cap = cap ? cap : (size_t)1 << 20;
    s->spill_path = rg_malloc(strlen(near_path) + 16);
    s->buf = rg_malloc(s->cap * s->size);
    if (!s->spill_path || !s->buf) {
        rg__sorter_free(s);
        return RG_ENOMEM;
    }
    sprintf(s->spill_path, "%s.points-XXXXXX", near_path);
    *out = s;
    return RG_OK;
}

void rg__sorter_free(rg__sorter *s)
{
    if (!s)
        return;
    if (s->spill_fd >= 0)
        close(s->spill_fd);
    for (size_t i = 0; s->readers && i < s->runs; i++)
        rg_free(s->readers[i].window);
    rg_free(s->readers);
    rg_free(s->heap);
    rg_free(s->run_starts);
    rg_free(s->buf);
    rg_free(s->spill_path);
    rg_free(s);
}

int64_t rg__sorter_count(const rg__sorter *s) { return s->total; }

static int spill_error(rg__sorter *s)
{
    return rg_ctx_error(s->ctx, RG_EIO, "%s: %s: cannot write temporary points: %s%s", s->spill_path, s->what,
                        strerror(errno), errno == ENOSPC || errno == EFBIG ? " (is the disk full?)" : "");
}

/* Sorts the buffer and appends it to the spill file as one run. */
static int spill(rg__sorter *s)
{
    if (s->spill_fd < 0) {
        s->spill_fd = mkstemp(s->spill_path);
        if (s->spill_fd < 0)
            return spill_error(s);
        unlink(s->spill_path);
    }
    if (s->runs == s->run_cap) {
        size_t cap = s->run_cap ? 2 * s->run_cap : 16;
        off_t *starts = rg_realloc(s->run_starts, (cap + 1) * sizeof *starts);
        if (!starts)
            return RG_ENOMEM;
        s->run_starts = starts;
        s->run_cap = cap;
    }
    sort_records(s->buf, s->count, s->size, s->in_order, s->ids_ascending, s->max_key);
    s->ids_ascending = s->in_order = 1;
    s->max_key = 0;
    s->run_starts[s->runs++] = s->spilled;
    size_t bytes = s->count * s->size;
    for (size_t done = 0; done < bytes;) {
        ssize_t n = pwrite(s->spill_fd, s->buf + done, bytes - done, s->spilled + (off_t)done);
        if (n <= 0)
            return spill_error(s);
        done += (size_t)n;
    }
    s->spilled += (off_t)bytes;
    s->run_starts[s->runs] = s->spilled;
    s->count = 0;
    return RG_OK;
}

int rg__sorter_add(rg__sorter *s, const void *record)
{
    if (s->count == s->cap) {
        int rc = spill(s);
        if (rc != RG_OK)
            return rc;
    }
    const rg__sort_head *h = record;
    s->ids_ascending &= h->id >= s->last.id;
    s->in_order &= s->count == 0 || !before(h, &s->last);
    s->last = *h;
    s->max_key = h->key > s->max_key ? h->key : s->max_key;
    memcpy(s->buf + s->count * s->size, record, s->size);
    s->count++;
    s->total++;
    return RG_OK;
}

static int refill(rg__sorter *s, run_reader *r)
{
    size_t want = r->window_cap * s->size;
    if ((off_t)want > r->end - r->next)
        want = (size_t)(r->end - r->next);
    ssize_t n = pread(s->spill_fd, r->window, want, r->next);
    if (n != (ssize_t)want || want % s->size)
        return rg_ctx_error(s->ctx, RG_EIO, "%s: %s: cannot read temporary points back: %s", s->spill_path, s->what,
                            n < 0 ? strerror(errno) : "short read");
    r->next += n;
    r->at = 0;
    r->len = want / s->size;
    return RG_OK;
}

static const rg__sort_head *run_head(const rg__sorter *s, size_t run)
{
    const run_reader *r = &s->readers[run];
    return head_at(r->window, r->at, s->size);
}

static void sift_down(rg__sorter *s, size_t i)
{
    for (;;) {
        size_t least = i, l = 2 * i + 1, r = l + 1;
        if (l < s->heap_len && before(run_head(s, s->heap[l]), run_head(s, s->heap[least])))
            least = l;
        if (r < s->heap_len && before(run_head(s, s->heap[r]), run_head(s, s->heap[least])))
            least = r;
        if (least == i)
            return;
        size_t t = s->heap[i];
        s->heap[i] = s->heap[least];
        s->heap[least] = t;
        i = least;
    }
}

int rg__sorter_finish(rg__sorter *s)
{
    s->finished = 1;
    if (s->spill_fd < 0) {
        sort_records(s->buf, s->count, s->size, s->in_order, s->ids_ascending, s->max_key);
        return RG_OK;
    }
    int rc = s->count ? spill(s) : RG_OK;
    if (rc != RG_OK)
        return rc;
    rg_free(s->buf); /* the windows take its place */
    s->buf = NULL;
    s->readers = rg_calloc(s->runs, sizeof *s->readers);
    s->heap = rg_calloc(s->runs, sizeof *s->heap);
    if (!s->readers || !s->heap)
        return RG_ENOMEM;
    for (size_t i = 0; i < s->runs; i++) {
        run_reader *r = &s->readers[i];
        r->next = s->run_starts[i];
        r->end = s->run_starts[i + 1];
        size_t window = s->cap / 64 < RUN_WINDOW ? s->cap / 64 : RUN_WINDOW;
        r->window_cap = (size_t)(r->end - r->next) / s->size;
        if (r->window_cap > window)
            r->window_cap = window ? window : 1;
        if (!(r->window = rg_malloc(r->window_cap * s->size)))
            return RG_ENOMEM;
        if ((rc = refill(s, r)) != RG_OK)
            return rc;
        s->heap[s->heap_len++] = i;
    }
    for (size_t i = s->heap_len / 2; i-- > 0;)
        sift_down(s, i);
    return RG_OK;
}

/* In memory: the sorted buffer. Spilled: the least head among the runs, by a heap. */
int rg__sorter_next(rg__sorter *s, void *record)
{
    if (!s->readers) {
        if (s->emitted == s->count)
            return 0;
        memcpy(record, s->buf + s->emitted++ * s->size, s->size);
        return 1;
    }
    if (s->heap_len == 0)
        return 0;
    run_reader *r = &s->readers[s->heap[0]];
    memcpy(record, r->window + r->at * s->size, s->size); /* copied: a refill overwrites the window */
    if (++r->at == r->len) {
        int rc = r->next < r->end ? refill(s, r) : RG_OK;
        if (rc != RG_OK)
            return rc;
        if (r->at == r->len) /* the run is spent */
            s->heap[0] = s->heap[--s->heap_len];
    }
    sift_down(s, 0);
    return 1;
}
