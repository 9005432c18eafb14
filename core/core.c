#include "core/internal.h"

#include <ctype.h>
#include <geodesic.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct rg_ctx {
    char errmsg[1024];
    char geos_message[512];
    GEOSContextHandle_t geos;
    PJ_CONTEXT *proj;
    rg_notice_fn notice;
    void *notice_data;
};

const char *rg_version(void) { return RG_VERSION; }

void rg__ctx_error_clear(rg_ctx *ctx) { ctx->errmsg[0] = '\0'; }

const char *rg_strerror(int code)
{
    switch (code) {
    case RG_OK: return "ok";
    case RG_EINVAL: return "invalid input";
    case RG_ENOMEM: return "out of memory";
    case RG_EIO: return "input/output error";
    case RG_EGEOS: return "geometry error (GEOS)";
    case RG_EPROJ: return "coordinate transformation error (PROJ)";
    case RG_EGDAL: return "GDAL/OGR error";
    case RG_ESQL: return "database error (SQLite)";
    case RG_EDATA: return "data error";
    case RG_EEXIST: return "already exists";
    case RG_ENOTFOUND: return "not found";
    case RG_EPG: return "PostgreSQL error";
    default: return "unknown error";
    }
}

static void geos_message_handler(const char *message, void *userdata)
{
    rg_ctx *ctx = userdata;
    snprintf(ctx->geos_message, sizeof ctx->geos_message, "%s", message);
}

int rg_ctx_new(rg_ctx **out)
{
    *out = NULL;
    rg_ctx *ctx = rg_calloc(1, sizeof *ctx);
    if (!ctx)
        return RG_ENOMEM;
    ctx->geos = GEOS_init_r();
    if (!ctx->geos) {
        rg_free(ctx);
        return RG_EGEOS;
    }
    GEOSContext_setErrorMessageHandler_r(ctx->geos, geos_message_handler, ctx);
    GEOSContext_setNoticeMessageHandler_r(ctx->geos, NULL, NULL);
    ctx->proj = proj_context_create();
    if (!ctx->proj) {
        GEOS_finish_r(ctx->geos);
        rg_free(ctx);
        return RG_EPROJ;
    }
    *out = ctx;
    return RG_OK;
}

void rg_ctx_free(rg_ctx *ctx)
{
    if (!ctx)
        return;
    GEOS_finish_r(ctx->geos);
    proj_context_destroy(ctx->proj);
    rg_free(ctx);
}

const char *rg_ctx_errmsg(const rg_ctx *ctx) { return ctx ? ctx->errmsg : ""; }
GEOSContextHandle_t rg__ctx_geos(rg_ctx *ctx) { return ctx->geos; }
PJ_CONTEXT *rg__ctx_proj(rg_ctx *ctx) { return ctx->proj; }
const char *rg__ctx_geos_message(const rg_ctx *ctx) { return ctx->geos_message; }

int rg_ctx_error(rg_ctx *ctx, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
    va_end(ap);
    return code;
}

void rg_ctx_set_notice(rg_ctx *ctx, rg_notice_fn fn, void *userdata)
{
    ctx->notice = fn;
    ctx->notice_data = userdata;
}

void rg_ctx_notice(rg_ctx *ctx, rg_notice_level level, const char *fmt, ...)
{
    if (!ctx->notice)
        return;
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    ctx->notice(level, message, ctx->notice_data);
}

/* Allocation failure injection for tests (tg's chaos tests). Atomic: the steps allocate on
 * several threads, and the one that takes the count to zero fails. */
static atomic_long alloc_countdown;

static int alloc_should_fail(void)
{
    if (atomic_load_explicit(&alloc_countdown, memory_order_relaxed) <= 0)
        return 0;
    long before = atomic_fetch_sub(&alloc_countdown, 1);
    if (before <= 0) {
        atomic_fetch_add(&alloc_countdown, 1);
        return 0;
    }
    return before == 1;
}

void rg_alloc_fail_after(long fail_after) { atomic_store(&alloc_countdown, fail_after < 0 ? 0 : fail_after); }

long rg_alloc_fail_pending(void) { return atomic_load(&alloc_countdown); }

void *rg_malloc(size_t size) { return alloc_should_fail() ? NULL : malloc(size); }
void *rg_calloc(size_t count, size_t size) { return alloc_should_fail() ? NULL : calloc(count, size); }
void *rg_realloc(void *ptr, size_t size) { return alloc_should_fail() ? NULL : realloc(ptr, size); }
void rg_free(void *ptr) { free(ptr); }

char *rg_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *copy = rg_malloc(n);
    if (copy)
        memcpy(copy, s, n);
    return copy;
}

int rg__buf_reserve(rg_buf *buf, size_t need)
{
    if (need <= buf->cap)
        return RG_OK;
    size_t cap = buf->cap ? buf->cap : 256;
    while (cap < need)
        cap *= 2;
    char *grown = rg_realloc(buf->data, cap);
    if (!grown)
        return RG_ENOMEM;
    buf->data = grown;
    buf->cap = cap;
    return RG_OK;
}

int rg__grow(void *items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return RG_OK;
    size_t n = *cap ? *cap : 256;
    while (n < need)
        n *= 2;
    void *grown = rg_realloc(*(void **)items, n * size);
    if (!grown)
        return RG_ENOMEM;
    *(void **)items = grown;
    *cap = n;
    return RG_OK;
}

int rg__buf_append(rg_buf *buf, const char *bytes, size_t n)
{
    if (rg__buf_reserve(buf, buf->len + n + 1) != RG_OK)
        return RG_ENOMEM;
    memcpy(buf->data + buf->len, bytes, n);
    buf->len += n;
    buf->data[buf->len] = '\0';
    return RG_OK;
}

int rg__buf_appendf(rg_buf *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || rg__buf_reserve(buf, buf->len + (size_t)n + 1) != RG_OK)
        return RG_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf->len += (size_t)n;
    return RG_OK;
}

int rg__buf_append_json_string(rg_buf *buf, const char *s)
{
    /* Field values are mostly plain text: runs without anything to escape are copied
     * whole, into room reserved once for the worst case (every byte as \u00XX). */
    size_t len = strlen(s);
    if (rg__buf_reserve(buf, buf->len + 6 * len + 3) != RG_OK)
        return RG_ENOMEM;
    char *out = buf->data + buf->len;
    *out++ = '"';
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        const unsigned char *run = p;
        while (p < end && *p >= 0x20 && *p != '"' && *p != '\\')
            p++;
        memcpy(out, run, (size_t)(p - run));
        out += p - run;
        if (p == end)
            break;
        *out++ = '\\';
        switch (*p) {
        case '"': *out++ = '"'; break;
        case '\\': *out++ = '\\'; break;
        case '\n': *out++ = 'n'; break;
        case '\r': *out++ = 'r'; break;
        case '\t': *out++ = 't'; break;
        default:
            out += sprintf(out, "u%04x", *p);
        }
        p++;
    }
    *out++ = '"';
    *out = '\0';
    buf->len = (size_t)(out - buf->data);
    return RG_OK;
}

void rg__buf_free(rg_buf *buf)
{
    rg_free(buf->data);
    buf->data = NULL;
    buf->len = buf->cap = 0;
}

int rg__strieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

double rg__geodesic_m(double lon1, double lat1, double lon2, double lat2)
{
    /* Only the nearest-polygon fallback asks for distances, so setting up the
     * ellipsoid per call costs little and keeps this free of shared state. */
    struct geod_geodesic wgs84;
    geod_init(&wgs84, 6378137.0, 1 / 298.257223563);
    double s12 = 0;
    geod_inverse(&wgs84, lat1, lon1, lat2, lon2, &s12, NULL, NULL);
    return s12;
}

uint64_t rg__hilbert(double x, double y, double x0, double y0, double w, double h)
{
    uint32_t n = 1u << 16;
    /* Clamped both ways: a point outside the box gets the key of the nearest edge. */
    uint32_t xi = w > 0 ? (uint32_t)fmax(0, fmin((x - x0) / w * (n - 1), n - 1)) : 0;
    uint32_t yi = h > 0 ? (uint32_t)fmax(0, fmin((y - y0) / h * (n - 1), n - 1)) : 0;
    uint64_t d = 0;
    for (uint32_t s = n / 2; s > 0; s /= 2) {
        uint32_t rx = (xi & s) > 0, ry = (yi & s) > 0;
        d += (uint64_t)s * s * ((3 * rx) ^ ry);
        if (ry == 0) {
            if (rx == 1) {
                xi = n - 1 - xi;
                yi = n - 1 - yi;
            }
            uint32_t t = xi;
            xi = yi;
            yi = t;
        }
    }
    return d;
}

int rg__default_threads(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores < 1 ? 1 : cores > RG__MAX_THREADS ? RG__MAX_THREADS : (int)cores;
}

void rg__parallel(int threads, void *(*worker)(void *), void *arg)
{
    pthread_t tids[RG__MAX_THREADS];
    int started = 0;
    for (int t = 0; t < threads && t < RG__MAX_THREADS; t++, started++)
        if (pthread_create(&tids[t], NULL, worker, arg) != 0)
            break;
    if (started == 0)
        worker(arg);
    for (int t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
}

void rg__first_failure_init(rg__first_failure *f)
{
    atomic_init(&f->failed, 0);
    pthread_mutex_init(&f->lock, NULL);
    f->rc = RG_OK;
    f->message[0] = '\0';
}

void rg__first_failure_set(rg__first_failure *f, int rc, const rg_ctx *ctx)
{
    pthread_mutex_lock(&f->lock);
    if (!atomic_load(&f->failed)) {
        f->rc = ctx ? rc : RG_ENOMEM;
        snprintf(f->message, sizeof f->message, "%s", ctx ? rg_ctx_errmsg(ctx) : "out of memory");
        atomic_store(&f->failed, 1);
    }
    pthread_mutex_unlock(&f->lock);
}

int rg__first_failure_finish(rg__first_failure *f, rg_ctx *ctx)
{
    pthread_mutex_destroy(&f->lock);
    return atomic_load(&f->failed) ? rg_ctx_error(ctx, f->rc, "%s", f->message) : RG_OK;
}

double rg__seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int rg__buf_append_xml(rg_buf *out, const char *text)
{
    int rc = RG_OK;
    for (const char *p = text; *p && rc == RG_OK; p++) {
        switch (*p) {
        case '&': rc = rg__buf_appendf(out, "&amp;"); break;
        case '<': rc = rg__buf_appendf(out, "&lt;"); break;
        case '>': rc = rg__buf_appendf(out, "&gt;"); break;
        case '"': rc = rg__buf_appendf(out, "&quot;"); break;
        default: rc = rg__buf_append(out, p, 1);
        }
    }
    return rc;
}

int rg__buf_append_template(rg_buf *out, const char *template, const rg__substitution *subs, size_t n)
{
    int rc = RG_OK;
    const char *p = template;
    while (*p && rc == RG_OK) {
        size_t s = 0;
        while (s < n && strncmp(p, subs[s].mark, strlen(subs[s].mark)) != 0)
            s++;
        if (s < n) {
            rc = subs[s].raw ? rg__buf_append(out, subs[s].value, strlen(subs[s].value))
                             : rg__buf_append_xml(out, subs[s].value);
            p += strlen(subs[s].mark);
        } else {
            rc = rg__buf_append(out, p++, 1);
        }
    }
    return rc;
}
