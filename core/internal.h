/*
 * internal.h: shared by the library's modules, never installed. It is the one place
 * that includes geos_c.h, so the whole library is held to the reentrant API.
 */
#ifndef RG_CORE_INTERNAL_H
#define RG_CORE_INTERNAL_H

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#include <proj.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "core/core.h"

/** A macro's value as a string literal, for messages and SQL built at compile time. */
#define RG__STRINGIFY_(x) #x
#define RG__STRINGIFY(x) RG__STRINGIFY_(x)

/** The GEOS handle of ctx, its error handler writing into ctx. Borrowed. */
GEOSContextHandle_t rg__ctx_geos(rg_ctx *ctx);
/* Forgets ctx's message: for an error its caller has met another way (a layer the file lacks,
 * dissolved instead), so that a later failure with no message of its own is not shown it. */
void rg__ctx_error_clear(rg_ctx *ctx);
/** The PROJ context of ctx. Borrowed. */
PJ_CONTEXT *rg__ctx_proj(rg_ctx *ctx);
/** The last message GEOS sent to ctx, "" when none. Borrowed. */
const char *rg__ctx_geos_message(const rg_ctx *ctx);

/** A growable byte buffer, reused across rows so hot loops do not allocate. */
typedef struct {
    char *data;
    size_t len, cap;
} rg_buf;

int rg__buf_reserve(rg_buf *buf, size_t need);
int rg__buf_append(rg_buf *buf, const char *bytes, size_t n);

/* Room for `need` items of `size` bytes in the array *items (a pointer to the array's
 * pointer), of *cap items now: doubled from 256 until it fits. @return RG_OK or RG_ENOMEM
 * (the array as it was). */
int rg__grow(void *items, size_t *cap, size_t need, size_t size);
int rg__buf_appendf(rg_buf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Appends text with &, <, > and " escaped, for an XML attribute or element. @return RG_OK or RG_ENOMEM. */
int rg__buf_append_xml(rg_buf *buf, const char *text);

/** A mark of a template and what replaces it: XML-escaped, or as it is (raw). */
typedef struct {
    const char *mark;
    const char *value;
    int raw;
} rg__substitution;
/** Appends template with every mark replaced (the first of subs that matches where a mark
 * starts). @return RG_OK or RG_ENOMEM. */
int rg__buf_append_template(rg_buf *out, const char *template, const rg__substitution *subs, size_t n);
/** Appends s as a JSON string literal (quotes and escapes included). */
int rg__buf_append_json_string(rg_buf *buf, const char *s);
void rg__buf_free(rg_buf *buf);

/** Little-endian integers and doubles in byte buffers (SpatiaLite and GeoPackage blobs). */
static inline void rg__put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static inline uint32_t rg__get_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline void rg__put_le_double(unsigned char *p, double v)
{
    uint64_t u;
    __builtin_memcpy(&u, &v, sizeof u);
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(u >> (8 * i));
}

/** Case-insensitive ASCII comparison. */
int rg__strieq(const char *a, const char *b);

/**
 * Position of (x, y) along a Hilbert curve of order 16 laid over the box of corner
 * (x0, y0), width w and height h: points close on the curve are close on the ground, which
 * is what both the packed R-tree and the join's visiting order want.
 */
uint64_t rg__hilbert(double x, double y, double x0, double y0, double w, double h);

/** One thread per online core, at least 1 and at most RG__MAX_THREADS. */
#define RG__MAX_THREADS 64
int rg__default_threads(void);

/**
 * Runs worker(arg) on `threads` threads (capped at RG__MAX_THREADS) and waits for them all.
 * When no thread can start, runs it once on the calling thread, so work shared through
 * arg (an atomic counter of blocks) is still done.
 */
void rg__parallel(int threads, void *(*worker)(void *), void *arg);

/**
 * The first failure among threads sharing work through rg__parallel(): each worker checks
 * `failed` between blocks and stops; the caller re-raises the failure on its own context.
 */
typedef struct {
    atomic_int failed;
    pthread_mutex_t lock;
    int rc;
    char message[1024]; /* as long as a context's message */
} rg__first_failure;

void rg__first_failure_init(rg__first_failure *f);
/** Records rc with the message on ctx (NULL: a context could not be made: out of memory),
 * unless a failure is already recorded. Safe from any thread. */
void rg__first_failure_set(rg__first_failure *f, int rc, const rg_ctx *ctx);
/** After the threads have finished: RG_OK, or the recorded failure raised on ctx. Frees the lock. */
int rg__first_failure_finish(rg__first_failure *f, rg_ctx *ctx);

/**
 * Why path could not be opened, for a message: the library's reason when it gave one,
 * else what the file system says (no such file, a folder, not readable). Returns
 * library_message or buf (cap bytes), which the caller keeps.
 */
const char *rg__open_failure(const char *path, const char *library_message, char *buf, size_t cap);

/** Seconds on a monotonic clock, for the timings a step reports. */
double rg__seconds_now(void);

/** Room for a SHA-256 as lowercase hex, with its NUL. */
#define RG__SHA256_HEX 65
/** SHA-256 of the file at path as it is on disk, as lowercase hex into out.
 * @return 1, or 0 when the file cannot be read (errno tells why). */
int rg__sha256_file(const char *path, char out[RG__SHA256_HEX]);

/**
 * Codes to dense indexes 0, 1, 2, ... in the order they were first added. Zero-initialise;
 * free with rg__intern_free().
 */
typedef struct {
    rg_buf text;
    size_t *slots; /* offset + 1 into text; 0 = empty */
    int32_t *index;
    size_t cap, count;
} rg__interned;
/** The index of code, added when new (add 1), or -1 when absent (add 0). @return RG_OK or RG_ENOMEM. */
int rg__intern(rg__interned *t, const char *code, int add, int32_t *out);
void rg__intern_free(rg__interned *t);

/** Geodesic distance in metres on the WGS84 ellipsoid. */
double rg__geodesic_m(double lon1, double lat1, double lon2, double lat2);

/**
 * An external sort of fixed-size records that start with an rg__sort_head: by key, then
 * by id. Holds `cap` records in memory (0: 2^20); beyond that sorted runs go to a
 * temporary file beside near_path, unlinked as soon as it is made, and are merged back.
 * `what` names the work in messages (static storage).
 * Caller owns *out; free with rg__sorter_free() (NULL is a no-op).
 * @return RG_OK or RG_ENOMEM.
 */
typedef struct {
    uint64_t key;
    int64_t id;
} rg__sort_head;
typedef struct rg__sorter rg__sorter;
int rg__sorter_new(rg__sorter **out, rg_ctx *ctx, const char *near_path, const char *what, size_t record_size,
                   size_t cap);
/** Copies the record in. @return RG_OK, RG_EIO (spilling failed; the message names the disk), RG_ENOMEM. */
int rg__sorter_add(rg__sorter *sorter, const void *record);
/** After the last add, before the first next. @return RG_OK, RG_EIO, RG_ENOMEM. */
int rg__sorter_finish(rg__sorter *sorter);
/** Copies the next record in order into record. @return 1, 0 after the last, or RG_EIO. */
int rg__sorter_next(rg__sorter *sorter, void *record);
/** Records added so far. */
int64_t rg__sorter_count(const rg__sorter *sorter);
void rg__sorter_free(rg__sorter *sorter);

#endif
