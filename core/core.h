/*
 * core.h: what every regsosek-geo module shares: the context that carries error
 * messages, notices and the GEOS/PROJ handles, the error codes, and the allocator.
 *
 * Library code never prints and never exits. A failing call returns a negative RG_E*
 * code and leaves a sentence on the context, read with rg_ctx_errmsg(); notices
 * (what was picked, what was repaired) go to the callback set with rg_ctx_set_notice().
 */
#ifndef RG_CORE_H
#define RG_CORE_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Error codes. Every function that can fail returns RG_OK or one of these. */
enum {
    RG_OK = 0,
    RG_EINVAL = -1,   /**< bad argument or bad input data */
    RG_ENOMEM = -2,   /**< an allocation failed */
    RG_EIO = -3,      /**< reading or writing a file failed */
    RG_EGEOS = -4,    /**< GEOS reported an error */
    RG_EPROJ = -5,    /**< PROJ could not build or run a transformation */
    RG_EGDAL = -6,    /**< GDAL/OGR reported an error */
    RG_ESQL = -7,     /**< SQLite or SpatiaLite reported an error */
    RG_EDATA = -8,    /**< the data breaks a rule (missing column, invariant broken) */
    RG_EEXIST = -9,   /**< the target exists and no flag allows replacing it */
    RG_ENOTFOUND = -10, /**< a layer, field or record that was asked for is absent */
    RG_EPG = -11        /**< a PostgreSQL server refused, failed or went away */
};

/** The library's version, e.g. "0.1.0". Static storage. */
const char *rg_version(void);

/** Names an error code ("out of memory"). Static storage; unknown codes give "unknown error". */
const char *rg_strerror(int code);

typedef struct rg_ctx rg_ctx;

/**
 * Creates a context: one per thread that calls the library.
 * @param out set to the new context; NULL on failure.
 * @return RG_OK or RG_ENOMEM/RG_EGEOS/RG_EPROJ.
 * Caller owns; free with rg_ctx_free().
 */
int rg_ctx_new(rg_ctx **out);

/** Frees a context and its GEOS and PROJ handles. rg_ctx_free(NULL) is a no-op. */
void rg_ctx_free(rg_ctx *ctx);

/** The message of the last error on this context, "" when none. Borrowed; valid until the next call on ctx. */
const char *rg_ctx_errmsg(const rg_ctx *ctx);

/**
 * Sets the error message (printf-style) and returns code, so a failure reads
 * `return rg_ctx_error(ctx, RG_EINVAL, "%s: line %ld: ...", ...)`.
 */
int rg_ctx_error(rg_ctx *ctx, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Kinds of notice, from the least to the most urgent: a long step's progress (a terminal
 * shows it); detail such as each phase's timing (for -v); what a step did; what a person
 * should look at. */
typedef enum { RG_NOTICE_PROGRESS, RG_NOTICE_DETAIL, RG_NOTICE_INFO, RG_NOTICE_WARNING } rg_notice_level;

/** Receives notices; `message` is borrowed for the duration of the call. */
typedef void (*rg_notice_fn)(rg_notice_level level, const char *message, void *userdata);

/** Routes notices to fn (NULL drops them). userdata is borrowed; keep it alive while ctx lives. */
void rg_ctx_set_notice(rg_ctx *ctx, rg_notice_fn fn, void *userdata);

/** Sends a notice through the callback, printf-style. */
void rg_ctx_notice(rg_ctx *ctx, rg_notice_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * The project's own allocations go through these, so tests can count them and make
 * the n-th one fail. GEOS, GDAL and SQLite keep their own allocators.
 */
void *rg_malloc(size_t size);
void *rg_calloc(size_t count, size_t size);
void *rg_realloc(void *ptr, size_t size);
void rg_free(void *ptr);
/** Copies s. Caller owns; free with rg_free(). NULL when s is NULL or memory runs out. */
char *rg_strdup(const char *s);

/**
 * Test hook: the `fail_after`-th allocation from now on (1 = the next one) fails and
 * all later ones succeed again; 0 disarms. Safe from any thread (the one whose allocation
 * takes the count to zero fails); for tests only.
 */
void rg_alloc_fail_after(long fail_after);
/** Test hook: allocations still to go before the armed one fails; 0 once it has (or none is
 * armed). */
long rg_alloc_fail_pending(void);

/* ---------------------------------------------------------------- area codes */

/*
 * BPS writes 10 digits split 2+2+3+3 (5371010001: province 53, kota 71, kecamatan
 * 010, desa 001), and an SLS (the wilkerstat frame's RT/RW-level unit) 4 more
 * (53710100010007); Kemendagri writes 2+2+2+4 with dots (53.71.01.1001) and has no SLS.
 * A dotted code is Kemendagri; an undotted one is BPS, whose kecamatan has 7 digits and
 * so cannot be taken for Kemendagri's 6. Every module speaks of areas by these codes.
 */
typedef enum { RG_CODE_BPS = 1, RG_CODE_KEMENDAGRI = 2 } rg_code_scheme;
typedef enum { RG_LEVEL_PROVINSI = 1, RG_LEVEL_KABKOTA, RG_LEVEL_KECAMATAN, RG_LEVEL_DESA, RG_LEVEL_SLS } rg_area_level;

/** A parsed area code: digits only, without dots. */
typedef struct {
    rg_code_scheme scheme;
    rg_area_level level;
    char digits[15];
} rg_area_code;

/** The longest code rg_code_format() writes, with its NUL: "53.71.01.1001" or 14 BPS digits. */
#define RG_CODE_TEXT_MAX 16

/**
 * Parses "53710100010007", "5371010001", "5371010", "53.71.01.1001", "53.71.01", "53.71",
 * "53" (spaces around are ignored). @return RG_OK, or RG_EINVAL when text is no area code.
 */
int rg_code_parse(const char *text, rg_area_code *out);

/**
 * Assembles a code from the separate columns a questionnaire file has (Regsosek's Blok I:
 * r101 provinsi, r102 kab/kota, r103 kecamatan, r104 desa, r105 SLS). parts[0..3] are
 * required, parts[4] (the SLS) may be NULL or empty. Numbers that lost their leading zeros
 * ("53", "71", "10", "1") are padded to their level's width. The desa part decides the
 * scheme: Kemendagri's desa numbers have four digits (1001.., 2001..), BPS's three, so
 * "10","1" is BPS 010/001 and "01","1001" Kemendagri. A Kemendagri desa with an SLS part
 * is refused: that scheme has no SLS.
 * @return RG_OK, or RG_EINVAL when a part is missing, not digits, or too wide.
 */
int rg_code_from_parts(const char *const parts[5], rg_area_code *out);

/**
 * The code one level up (SLS -> desa -> kecamatan -> kab/kota -> provinsi), same scheme.
 * @return RG_OK, or RG_EINVAL for a provinsi, which has no parent.
 */
int rg_code_parent(const rg_area_code *code, rg_area_code *out);

/** Writes the code as its scheme writes it (BPS plain digits, Kemendagri dotted) into buf. */
void rg_code_format(const rg_area_code *code, char *buf, size_t cap);

/**
 * Whether a and b name the same area. Codes of different schemes are never
 * compared: *comparable is set to 0 and the result is 0.
 */
int rg_code_same(const rg_area_code *a, const rg_area_code *b, int *comparable);

/** The longest area identifier a boundary file may give, in bytes, without its NUL: BPS's
 * longest is a sub-SLS's 16 digits, Kemendagri's "53.71.01.1001" 13. */
#define RG_AREA_ID_MAX 31

/**
 * Whether text may stand as an area's identifier: 1 to RG_AREA_ID_MAX bytes, not starting
 * with '.', and without '/', '\\' or a control character. Identifiers name files (a
 * forum's pack, a rank list): one that could name a path elsewhere is refused where it is
 * read. @return NULL when it may, else why not (static storage).
 */
const char *rg_area_id_fault(const char *text);

/* ---------------------------------------------------------------- file permissions */

/*
 * Files that hold personal data (the store, the forums' packs, the rank lists, an export
 * with households) are created readable by their owner alone, as ssh and gpg keep secrets;
 * public outputs (--public) follow the umask the process started with.
 */

/** Makes every file and folder the process creates from now on its owner's alone (adds 077
 * to the umask), remembering the umask it found for rg_public_mode(). Call once, early,
 * before any thread starts. */
void rg_files_private(void);

/** The mode a public file (folder: 1) gets: 0666 (0777) less the umask the process started
 * with. */
unsigned rg_public_mode(int folder);

#ifdef __cplusplus
}
#endif
#endif
