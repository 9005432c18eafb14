/*
 * Loading: every data row of the input ends in exactly one place, `household_records`
 * (perhaps flagged) or `rejects` (with line, raw text, reason), inside one
 * transaction, so a failed load leaves the store as it was.
 */
#include "io/internal.h"

#include <errno.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A box round every part of Indonesia's territory with a margin of about 2 degrees, so
 * that no household in (or near) a desa is refused for where it is: the country's extreme
 * points are Pulau Rondo (6.07 N), Pulau Ndana off Rote (11.01 S; its desa reach south of
 * 11 S), Pulau Benggala (94.97 E) and the border south of Merauke (141.02 E). A point beyond
 * it is not a household of Regsosek; one inside it but in no desa is the join's `unmatched`. */
#define INDONESIA_MIN_LON 92.0
#define INDONESIA_MAX_LON 143.0
#define INDONESIA_MIN_LAT -13.0
#define INDONESIA_MAX_LAT 8.0

static const char *const reason_names[RG_REJECT_COUNT] = {
    "empty_line",     "field_count",       "broken_quote",    "invalid_utf8",
    "too_long",       "missing_coordinate", "bad_coordinate", "out_of_range",
    "null_island",    "outside_indonesia", "missing_id",      "duplicate_id",
};

const char *rg_io_reject_reason_name(rg_reject_reason reason)
{
    return (unsigned)reason < RG_REJECT_COUNT ? reason_names[reason] : "unknown";
}

/* Column roles, each with the names field files use for it, best first. The parts of an
 * area code (Regsosek's Blok I: r101 provinsi .. r105 SLS) come before the full code, so a
 * file with kode_prov, kode_kab, kode_kec and a three-digit kode_desa reads them as parts. */
enum role {
    ROLE_ID, ROLE_LAT, ROLE_LON, ROLE_SIZE, ROLE_SPENDING,
    ROLE_PROV, ROLE_KAB, ROLE_KEC, ROLE_DESA, ROLE_SLS,
    ROLE_CODE, ROLE_CLASS, ROLE_COUNT
};
#define CODE_PARTS 5

static const char *const role_label[ROLE_COUNT] = {
    "household id", "latitude", "longitude", "household size", "spending",
    "provinsi code", "kab/kota code", "kecamatan code", "desa/kelurahan code", "SLS code",
    "reported area code", "poverty class",
};
static const char *const role_flag[ROLE_COUNT] = {"--id", "--lat", "--lon", "--size", "--spending",
                                                  "--code-parts", "--code-parts", "--code-parts", "--code-parts",
                                                  "--code-parts", "--code", "--class"};

static const char *const id_names[] = {"household_id", "id_keluarga", "id_rumah_tangga", "id_ruta", "idrt",
                                       "id_rt", "hh_id", "household", "id", NULL};
static const char *const lat_names[] = {"latitude", "lat", "lintang", "y_lat", "y", "northing", NULL};
static const char *const lon_names[] = {"longitude", "lon", "lng", "long", "bujur", "x_lon", "x", "easting", NULL};
static const char *const size_names[] = {"household_size", "jumlah_art", "jml_art", "jumlah_anggota_keluarga",
                                         "jumlah_anggota", "hh_size", "art", NULL};
static const char *const spending_names[] = {"pengeluaran", "pengeluaran_bulanan", "rata_rata_pengeluaran",
                                             "monthly_spending", "spending", "expenditure", "pengeluaran*", NULL};
static const char *const prov_names[] = {"r101", "kode_prov", "kd_prov", "kdprov", "kode_provinsi", "prov", NULL};
static const char *const kab_names[] = {"r102", "kode_kab", "kd_kab", "kdkab", "kode_kabkota", "kode_kabupaten",
                                        "kab", "kabkota", NULL};
static const char *const kec_names[] = {"r103", "kode_kec", "kd_kec", "kdkec", "kode_kecamatan", "kec", NULL};
static const char *const desa_names[] = {"r104", "kode_desa", "kd_desa", "kddesa", "kode_deskel", "kode_kel",
                                         "desa", NULL};
static const char *const sls_names[] = {"r105", "kode_sls", "kd_sls", "kdsls", "sls", NULL};
static const char *const code_names[] = {"reported_code", "kode_wilayah", "kode_kelurahan", "kode_kel",
                                         "kode_desa", "kode_deskel", "area_code", "kdepum", "idsls", NULL};
static const char *const class_names[] = {"poverty_class", "kelas_kesejahteraan", "status_kesejahteraan",
                                          "kategori_kemiskinan", "kelas", NULL};
static const char *const *const role_names[ROLE_COUNT] = {
    id_names,  lat_names, lon_names, size_names, spending_names, prov_names,
    kab_names, kec_names, desa_names, sls_names, code_names,     class_names};

typedef enum { COLUMN_TEXT, COLUMN_INTEGER, COLUMN_REAL } column_type;

/* One entry of --columns: the input column, its name in `extra`, its type. */
typedef struct {
    const char *source, *target;
    column_type type;
    int index;
} column_spec;

/* Households written by one statement (see store_households). */
#define ROWS_PER_INSERT 64

typedef struct {
    rg_store *store;
    rg_ctx *ctx;
    const char *path;
    const rg_load_opts *opts;
    rg_load_stats stats;
    sqlite3_stmt *insert;
    sqlite3_stmt *insert_many; /* ROWS_PER_INSERT households at once; NULL: one at a time */
    unsigned char many_points[ROWS_PER_INSERT][RG_SPATIALITE_POINT_SIZE];
    sqlite3_stmt *reject;
    sqlite3_stmt *find_first;
    int column[ROLE_COUNT]; /* -1 when absent */
    const char *const *header;
    size_t header_count;
    int decimal_comma;
    void *to_wgs84; /* --crs: the columns' CRS to EPSG:4326 (an OGRCoordinateTransformationH) */
    column_spec *specs;     /* --columns, parsed; NULL keeps every column as text */
    size_t spec_count;
    char *spec_text;        /* owns the names the specs point into */
    char *parts_text;       /* owns the names --code-parts gives */
    rg_buf message;         /* the writing side's own, for duplicate ids */
    rg_io__points *points;  /* every point written, for the spatial index; NULL when appending */
    /* The input's checksum, computed on a thread of its own while the rows load. */
    struct {
        char digest[RG__SHA256_HEX];
        int ok, running;
        pthread_t thread;
    } hash;
} loader;

/* What text a checked row does not have. */
#define NO_TEXT SIZE_MAX

/*
 * A row once checked: where it goes and what it carries. Checking touches no database,
 * so for a CSV it runs on a thread of its own, a batch or two ahead of the one that
 * writes (each took about half of a load).
 */
typedef struct {
    long line;
    int reason; /* an rg_reject_reason, or -1 for a household */
    int has_point, has_coordinates, swapped, has_size, has_spending;
    double lon, lat, spending;
    long size;
    /* offsets into the batch's text */
    size_t raw, raw_len, id, code, given, flags, extra, message;
} checked_row;

/* Rows are handed over by the batch: one lock per batch, not per row. */
#define BATCH_ROWS 4096
#define BATCH_TEXT (4 << 20)

typedef struct {
    checked_row *rows;
    size_t count, cap;
    rg_buf text;                 /* every string of the rows, each NUL-terminated */
    rg_buf json, flags, message; /* the checking side's scratch */
} row_batch;

/* "Kode Wilayah " and "kode-wilayah" are the same column to a person. */
static void normalise_name(const char *in, char *out, size_t cap)
{
    size_t j = 0;
    while (*in == ' ')
        in++;
    for (; *in && j + 1 < cap; in++) {
        unsigned char c = (unsigned char)*in;
        if (c == ' ' || c == '-' || c == '.')
            c = '_';
        else if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        out[j++] = (char)c;
    }
    while (j && out[j - 1] == '_')
        j--;
    out[j] = '\0';
}

static int name_matches(const char *normalised, const char *candidate)
{
    size_t n = strlen(candidate);
    if (n && candidate[n - 1] == '*')
        return strncmp(normalised, candidate, n - 1) == 0;
    return strcmp(normalised, candidate) == 0;
}

static int list_columns(loader *L, rg_buf *out)
{
    for (size_t i = 0; i < L->header_count; i++)
        if (rg__buf_appendf(out, "%s%s", i ? ", " : "", L->header[i]) != RG_OK)
            return RG_ENOMEM;
    return RG_OK;
}

/* --code-parts PROV,KAB,KEC,DESA[,SLS]: the columns named, in the overrides of their roles. */
static int split_code_parts(loader *L, const char *overrides[ROLE_COUNT])
{
    if (!L->opts->code_parts)
        return RG_OK;
    if (!(L->parts_text = rg_strdup(L->opts->code_parts)))
        return RG_ENOMEM;
    int n = 0;
    char *save = NULL;
    for (char *name = strtok_r(L->parts_text, ",", &save); name; name = strtok_r(NULL, ",", &save), n++)
        if (n < CODE_PARTS)
            overrides[ROLE_PROV + n] = name;
    if (n < CODE_PARTS - 1 || n > CODE_PARTS)
        return rg_ctx_error(L->ctx, RG_EINVAL,
                            "--code-parts: '%s': name 4 or 5 columns, PROV,KAB,KEC,DESA[,SLS]", L->opts->code_parts);
    return RG_OK;
}

/* The column named exactly (any case) by a --flag, or an error listing the columns. */
static int find_named(loader *L, int role, const char *name)
{
    for (size_t i = 0; i < L->header_count; i++) {
        if (rg__strieq(L->header[i], name)) {
            L->column[role] = (int)i;
            return RG_OK;
        }
    }
    rg_buf found = {0};
    list_columns(L, &found);
    int rc = rg_ctx_error(L->ctx, RG_EDATA, "%s: no column named '%s' (%s %s); columns found: %s", L->path, name,
                          role_flag[role], role_label[role], found.data ? found.data : "none");
    rg__buf_free(&found);
    return rc;
}

/* The first column, by the role's names best first, that no earlier role took: "lat"
 * wins over a later "y_lat" whatever the column order. */
static void find_by_names(loader *L, int role)
{
    for (const char *const *cand = role_names[role]; *cand && L->column[role] < 0; cand++) {
        for (size_t i = 0; i < L->header_count; i++) {
            char norm[128];
            normalise_name(L->header[i], norm, sizeof norm);
            int taken = 0;
            for (int other = 0; other < role; other++)
                taken |= L->column[other] == (int)i;
            if (!taken && name_matches(norm, *cand)) {
                L->column[role] = (int)i;
                break;
            }
        }
    }
}

static int missing_required(loader *L, int role)
{
    rg_buf msg = {0};
    rg__buf_appendf(&msg, "%s: no %s column (looked for", L->path, role_label[role]);
    for (const char *const *cand = role_names[role]; *cand; cand++)
        rg__buf_appendf(&msg, " %s", *cand);
    rg__buf_appendf(&msg, "); columns found: ");
    list_columns(L, &msg);
    rg__buf_appendf(&msg, "; name it with %s", role_flag[role]);
    int rc = rg_ctx_error(L->ctx, RG_EDATA, "%s", msg.data ? msg.data : "out of memory");
    rg__buf_free(&msg);
    return rc;
}

/* The parts of a code count only all together (an "r103" alone assembles nothing), and
 * only where no full code column is named. */
static int code_parts_found(const loader *L)
{
    for (int role = ROLE_PROV; role <= ROLE_DESA; role++)
        if (L->column[role] < 0)
            return 0;
    return 1;
}

/* need_coordinates: a source without point geometry must have lat/lon columns. */
static int map_columns(loader *L, int need_coordinates)
{
    const char *overrides[ROLE_COUNT] = {
        [ROLE_ID] = L->opts->id_column,       [ROLE_LAT] = L->opts->lat_column, [ROLE_LON] = L->opts->lon_column,
        [ROLE_SIZE] = L->opts->size_column,   [ROLE_SPENDING] = L->opts->spending_column,
        [ROLE_CODE] = L->opts->code_column,   [ROLE_CLASS] = L->opts->class_column};
    int rc = split_code_parts(L, overrides);
    if (rc != RG_OK)
        return rc;
    for (int role = 0; role < ROLE_COUNT; role++) {
        L->column[role] = -1;
        int parts_role = role >= ROLE_PROV && role <= ROLE_SLS;
        if (overrides[role]) {
            if ((rc = find_named(L, role, overrides[role])) != RG_OK)
                return rc;
        } else if (!(parts_role && (L->opts->code_column || L->opts->code_parts)) &&
                   !(role == ROLE_CODE && L->opts->code_parts)) {
            find_by_names(L, role);
        }
        if (role == ROLE_SLS && !code_parts_found(L))
            for (int part = ROLE_PROV; part <= ROLE_SLS; part++)
                L->column[part] = -1;
        int required = role == ROLE_ID || (need_coordinates && (role == ROLE_LAT || role == ROLE_LON));
        if (L->column[role] < 0 && required)
            return missing_required(L, role);
    }
    for (int role = 0; role < ROLE_COUNT; role++)
        if (L->column[role] >= 0)
            rg_ctx_notice(L->ctx, RG_NOTICE_INFO, "%s: %s from column '%s'", L->path, role_label[role],
                          L->header[L->column[role]]);
    return RG_OK;
}

static int reject_row(loader *L, long line, const char *raw, size_t raw_len, rg_reject_reason reason,
                      const char *message)
{
    sqlite3_stmt *st = L->reject;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, L->stats.run_id);
    sqlite3_bind_int64(st, 2, line);
    sqlite3_bind_text(st, 3, reason_names[reason], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, message, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, raw, (int)raw_len, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return rg_io_store_sql_error(L->store);
    L->stats.rejected++;
    L->stats.by_reason[reason]++;
    return RG_OK;
}

static int keep_text(row_batch *b, const char *s, size_t n, size_t *at)
{
    *at = b->text.len;
    if (rg__buf_reserve(&b->text, b->text.len + n + 1) != RG_OK)
        return RG_ENOMEM;
    memcpy(b->text.data + b->text.len, s, n);
    b->text.data[b->text.len + n] = '\0';
    b->text.len += n + 1;
    return RG_OK;
}

static const char *text_at(const row_batch *b, size_t at) { return at == NO_TEXT ? NULL : b->text.data + at; }

/* A new row at the end of the batch, a household until checking says otherwise. */
static checked_row *new_row(row_batch *b, long line, const char *raw, size_t raw_len)
{
    if (b->count == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 256;
        checked_row *rows = rg_realloc(b->rows, cap * sizeof *rows);
        if (!rows)
            return NULL;
        b->rows = rows;
        b->cap = cap;
    }
    checked_row *r = &b->rows[b->count];
    *r = (checked_row){.line = line, .reason = -1, .id = NO_TEXT, .code = NO_TEXT, .given = NO_TEXT,
                       .flags = NO_TEXT, .extra = NO_TEXT, .message = NO_TEXT, .raw_len = raw_len};
    if (keep_text(b, raw, raw_len, &r->raw) != RG_OK)
        return NULL;
    b->count++;
    return r;
}

/* Writes "PATH: line N: detail" into out, from its own buffer so that either side's
 * message (the checking thread's, the writing thread's) is formatted the same way. */
static int format_reject(rg_buf *out, const char *path, long line, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
static int format_reject(rg_buf *out, const char *path, long line, const char *fmt, va_list ap)
{
    char detail[512];
    vsnprintf(detail, sizeof detail, fmt, ap);
    out->len = 0;
    return rg__buf_appendf(out, "%s: line %ld: %s", path, line, detail);
}

/* Sends the row to rejects with a message naming file, line and column. */
static int refuse(const loader *L, row_batch *b, checked_row *r, rg_reject_reason reason, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int refuse(const loader *L, row_batch *b, checked_row *r, rg_reject_reason reason, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = format_reject(&b->message, L->path, r->line, fmt, ap);
    va_end(ap);
    if (rc != RG_OK)
        return RG_ENOMEM;
    r->reason = (int)reason;
    return keep_text(b, b->message.data, b->message.len, &r->message);
}

/* Builds the message naming file, line and column, then rejects: for what only
 * the writing side can see (a duplicate id). */
static int reject_with(loader *L, long line, const char *raw, size_t raw_len, rg_reject_reason reason,
                       const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int reject_with(loader *L, long line, const char *raw, size_t raw_len, rg_reject_reason reason,
                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = format_reject(&L->message, L->path, line, fmt, ap);
    va_end(ap);
    if (rc != RG_OK)
        return RG_ENOMEM;
    return reject_row(L, line, raw, raw_len, reason, L->message.data);
}

static const char *field(const char *const *fields, size_t count, int column)
{
    if (column < 0 || (size_t)column >= count)
        return NULL;
    const char *f = fields[column];
    while (*f == ' ' || *f == '\t')
        f++;
    return *f ? f : NULL;
}

/* A coordinate as the file writes it; in a comma-separated file, also a quoted decimal
 * comma ("-10,284122", what Excel in an Indonesian locale writes when asked for CSV): one
 * comma and no dot cannot be a thousands separator in a coordinate. */
static int parse_coordinate(const loader *L, const char *text, double *out)
{
    if (rg_io_parse_number(text, L->decimal_comma, out))
        return 1;
    const char *comma = strchr(text, ',');
    return !L->decimal_comma && comma && !strchr(comma + 1, ',') && !strchr(text, '.') &&
           rg_io_parse_number(text, 1, out);
}

static int outside_indonesia(double lon, double lat)
{
    return lon < INDONESIA_MIN_LON || lon > INDONESIA_MAX_LON || lat < INDONESIA_MIN_LAT || lat > INDONESIA_MAX_LAT;
}

static int add_flag(row_batch *b, const char *flag)
{
    return rg__buf_appendf(&b->flags, "%s%s", b->flags.len ? "," : "", flag);
}

static int append_member(row_batch *b, int *first, const char *name)
{
    int rc = *first ? RG_OK : rg__buf_append(&b->json, ",", 1);
    *first = 0;
    if (rc == RG_OK)
        rc = rg__buf_append_json_string(&b->json, name);
    if (rc == RG_OK)
        rc = rg__buf_append(&b->json, ":", 1);
    return rc;
}

/* The columns without a role go to `extra` as JSON: all of them as text, or the ones
 * --columns names, renamed and typed (a value that does not fit its type is kept as text
 * and flagged). */
static int build_extra(const loader *L, row_batch *b, const char *const *fields, size_t count)
{
    b->json.len = 0;
    int rc = rg__buf_append(&b->json, "{", 1);
    int first = 1;
    if (L->specs) {
        for (size_t s = 0; s < L->spec_count && rc == RG_OK; s++) {
            const column_spec *c = &L->specs[s];
            const char *v = (size_t)c->index < count ? fields[c->index] : "";
            if (!*v)
                continue;
            double number;
            int typed = c->type != COLUMN_TEXT && rg_io_parse_number(v, L->decimal_comma, &number) &&
                        (c->type == COLUMN_REAL || number == (double)(long long)number);
            rc = append_member(b, &first, c->target);
            if (rc == RG_OK && typed)
                rc = c->type == COLUMN_INTEGER ? rg__buf_appendf(&b->json, "%lld", (long long)number)
                                               : rg__buf_appendf(&b->json, "%.17g", number);
            else if (rc == RG_OK)
                rc = rg__buf_append_json_string(&b->json, v);
            if (rc == RG_OK && c->type != COLUMN_TEXT && !typed) {
                char flag[160];
                snprintf(flag, sizeof flag, "bad_%s", c->target);
                rc = add_flag(b, flag);
            }
        }
    } else {
        for (size_t i = 0; i < count && i < L->header_count && rc == RG_OK; i++) {
            int has_role = 0;
            for (int role = 0; role < ROLE_COUNT; role++)
                has_role |= L->column[role] == (int)i;
            if (has_role || !fields[i][0])
                continue;
            rc = append_member(b, &first, L->header[i]);
            if (rc == RG_OK)
                rc = rg__buf_append_json_string(&b->json, fields[i]);
        }
    }
    if (rc == RG_OK)
        rc = rg__buf_append(&b->json, "}", 1);
    return rc;
}

/* Parses --columns against the header. */
static int map_specs(loader *L)
{
    if (!L->opts->columns)
        return RG_OK;
    L->spec_text = rg_strdup(L->opts->columns);
    size_t cap = 1;
    for (const char *p = L->opts->columns; *p; p++)
        cap += *p == ',';
    L->specs = rg_calloc(cap, sizeof *L->specs);
    if (!L->spec_text || !L->specs)
        return RG_ENOMEM;
    char *save = NULL;
    for (char *entry = strtok_r(L->spec_text, ",", &save); entry; entry = strtok_r(NULL, ",", &save)) {
        column_spec *c = &L->specs[L->spec_count];
        c->type = COLUMN_TEXT;
        char *colon = strrchr(entry, ':');
        if (colon) {
            *colon = '\0';
            if (rg__strieq(colon + 1, "integer"))
                c->type = COLUMN_INTEGER;
            else if (rg__strieq(colon + 1, "real"))
                c->type = COLUMN_REAL;
            else if (!rg__strieq(colon + 1, "text"))
                return rg_ctx_error(L->ctx, RG_EINVAL, "--columns: '%s': the type must be text, integer or real",
                                    colon + 1);
        }
        char *eq = strchr(entry, '=');
        if (eq)
            *eq = '\0';
        c->source = entry;
        c->target = eq && eq[1] ? eq + 1 : entry;
        c->index = -1;
        for (size_t i = 0; i < L->header_count && c->index < 0; i++)
            if (rg__strieq(L->header[i], c->source))
                c->index = (int)i;
        if (c->index < 0) {
            rg_buf found = {0};
            list_columns(L, &found);
            int rc = rg_ctx_error(L->ctx, RG_EDATA, "%s: --columns names '%s', which is not a column; columns found: %s",
                                  L->path, c->source, found.data ? found.data : "none");
            rg__buf_free(&found);
            return rc;
        }
        L->spec_count++;
    }
    return RG_OK;
}

/* --crs: a transformation from the columns' CRS to EPSG:4326, lon/lat order. */
static int prepare_crs(loader *L)
{
    return L->opts->crs ? rg_io_crs_from_text(&L->to_wgs84, L->ctx, L->opts->crs, L->path) : RG_OK;
}

static rg_reject_reason reason_of_problem(rg_csv_problem problem)
{
    switch (problem) {
    case RG_CSV_BROKEN_QUOTE: return RG_REJECT_BROKEN_QUOTE;
    case RG_CSV_INVALID_UTF8: return RG_REJECT_INVALID_UTF8;
    default: return RG_REJECT_TOO_LONG;
    }
}

/* The area a row reports, from the full code column or else assembled from its parts:
 * what is stored as reported_code, and whether it names a desa (or an SLS in one), so that
 * a household without a point can be placed by it. */
typedef struct {
    const char *text;             /* NULL: none */
    char assembled[CODE_PARTS * 33]; /* the code, or up to five parts of 32 joined by '/' */
    int usable;
    char why[400];                /* when not usable */
} reported_area;

static void read_full_code(const loader *L, const char *const *fields, size_t count, reported_area *a)
{
    const char *column = L->header[L->column[ROLE_CODE]];
    rg_area_code code;
    a->text = field(fields, count, L->column[ROLE_CODE]);
    if (!a->text)
        snprintf(a->why, sizeof a->why, "column '%s' is empty", column);
    else if (rg_code_parse(a->text, &code) != RG_OK)
        snprintf(a->why, sizeof a->why, "column '%s': '%.20s' is no area code", column, a->text);
    else if (code.level < RG_LEVEL_DESA)
        snprintf(a->why, sizeof a->why, "column '%s': '%.20s' names no desa/kelurahan", column, a->text);
    else
        a->usable = 1;
}

/* Unusable parts are kept as they are, joined by '/', so nothing the file said is lost. */
static void read_code_parts(const loader *L, const char *const *fields, size_t count, reported_area *a)
{
    const char *parts[CODE_PARTS] = {0};
    int any = 0;
    for (int p = 0; p < CODE_PARTS; p++)
        any |= (parts[p] = field(fields, count, L->column[ROLE_PROV + p])) != NULL;
    rg_area_code code;
    if (!any) {
        snprintf(a->why, sizeof a->why, "columns '%s'..'%s' are empty", L->header[L->column[ROLE_PROV]],
                 L->header[L->column[ROLE_DESA]]);
        return;
    }
    if (rg_code_from_parts(parts, &code) == RG_OK) {
        rg_code_format(&code, a->assembled, sizeof a->assembled);
        a->text = a->assembled;
        a->usable = 1;
        return;
    }
    snprintf(a->assembled, sizeof a->assembled, "%.32s/%.32s/%.32s/%.32s/%.32s", parts[0] ? parts[0] : "",
             parts[1] ? parts[1] : "", parts[2] ? parts[2] : "", parts[3] ? parts[3] : "", parts[4] ? parts[4] : "");
    a->text = a->assembled;
    snprintf(a->why, sizeof a->why, "columns '%s'..'%s': '%s' make no desa/kelurahan code",
             L->header[L->column[ROLE_PROV]], L->header[L->column[ROLE_DESA]], a->assembled);
}

static void read_area(const loader *L, const char *const *fields, size_t count, reported_area *a)
{
    a->text = NULL;
    a->usable = 0;
    a->why[0] = '\0';
    if (L->column[ROLE_CODE] >= 0)
        read_full_code(L, fields, count, a);
    if (!a->usable && L->column[ROLE_PROV] >= 0 && (!a->text || L->column[ROLE_CODE] < 0))
        read_code_parts(L, fields, count, a);
    if (L->column[ROLE_CODE] < 0 && L->column[ROLE_PROV] < 0)
        snprintf(a->why, sizeof a->why, "no area code column (--code, --code-parts)");
}

/* Writes why a row has no point (or is no household) and returns the reason. */
static int because(char *why, size_t cap, int reason, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int because(char *why, size_t cap, int reason, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
    return reason;
}

/* The row's point: -1 with *lon, *lat set, or the reason it has none with why written.
 * *has_values: the coordinates were numbers, worth keeping even when no point. */
static int read_point(const loader *L, const char *const *fields, size_t count, const double *geom_xy,
                      double *lon, double *lat, int *has_values, char *why, size_t cap)
{
    *has_values = 0;
    if (geom_xy) {
        *lon = geom_xy[0];
        *lat = geom_xy[1];
    } else if (L->column[ROLE_LAT] < 0 || L->column[ROLE_LON] < 0) {
        return because(why, cap, RG_REJECT_MISSING_COORDINATE, "no point geometry");
    } else {
        const char *lat_text = field(fields, count, L->column[ROLE_LAT]);
        const char *lon_text = field(fields, count, L->column[ROLE_LON]);
        const char *lat_col = L->header[L->column[ROLE_LAT]], *lon_col = L->header[L->column[ROLE_LON]];
        if (!lat_text || !lon_text)
            return because(why, cap, RG_REJECT_MISSING_COORDINATE, "column '%s': empty coordinate", lat_text ? lon_col : lat_col);
        if (!parse_coordinate(L, lat_text, lat))
            return because(why, cap, RG_REJECT_BAD_COORDINATE, "column '%s': '%.40s' is not a number", lat_col, lat_text);
        if (!parse_coordinate(L, lon_text, lon))
            return because(why, cap, RG_REJECT_BAD_COORDINATE, "column '%s': '%.40s' is not a number", lon_col, lon_text);
        double z = 0;
        if (L->to_wgs84 && !OCTTransform(L->to_wgs84, 1, lon, lat, &z))
            return because(why, cap, RG_REJECT_BAD_COORDINATE, "columns '%s', '%s': (%.40s, %.40s) cannot be transformed from %s", lon_col,
                            lat_col, lon_text, lat_text, L->opts->crs);
    }
    *has_values = 1;
    if (*lat == 0 && *lon == 0)
        return because(why, cap, RG_REJECT_NULL_ISLAND, "coordinates (0, 0): a placeholder, not a GPS fix");
    /* A clearly swapped pair is the caller's to flag or fix. */
    if (outside_indonesia(*lon, *lat) && !outside_indonesia(*lat, *lon))
        return -1;
    if (*lat < -90 || *lat > 90 || *lon < -180 || *lon > 180)
        return because(why, cap, RG_REJECT_OUT_OF_RANGE, "latitude %g / longitude %g out of range", *lat, *lon);
    if (outside_indonesia(*lon, *lat))
        return because(why, cap, RG_REJECT_OUTSIDE_INDONESIA, "point (%g, %g) lies far outside Indonesia", *lon, *lat);
    return -1;
}

/* A pair that lies in Indonesia only when swapped is flagged, and swapped back with
 * --fix-swapped; left as it is, it has a latitude beyond 90: no point to store. */
static int settle_swapped(const loader *L, row_batch *b, checked_row *r)
{
    if (!outside_indonesia(r->lon, r->lat) || outside_indonesia(r->lat, r->lon))
        return RG_OK;
    if (!L->opts->fix_swapped) {
        r->has_point = 0;
        r->swapped = 1;
        return add_flag(b, "swapped_latlon");
    }
    double t = r->lon;
    r->lon = r->lat;
    r->lat = t;
    return add_flag(b, "swapped_latlon_fixed");
}

/* The size and spending columns: a value that is no number is flagged, not refused. */
static int read_size_and_spending(const loader *L, row_batch *b, checked_row *r, const char *const *fields,
                                  size_t count)
{
    const char *size_text = field(fields, count, L->column[ROLE_SIZE]);
    double size = 0;
    if (size_text) {
        if (rg_io_parse_number(size_text, L->decimal_comma, &size) && size >= 0 && size < 1000 && size == (long)size) {
            r->has_size = 1;
            r->size = (long)size;
        } else if (add_flag(b, "bad_household_size") != RG_OK) {
            return RG_ENOMEM;
        }
    }
    const char *spending_text = field(fields, count, L->column[ROLE_SPENDING]);
    if (spending_text) {
        if (rg_io_parse_number(spending_text, L->decimal_comma, &r->spending) && r->spending >= 0)
            r->has_spending = 1;
        else if (add_flag(b, "bad_spending") != RG_OK)
            return RG_ENOMEM;
    }
    return RG_OK;
}

/* Field count and id: what makes a row a household at all. -1 when fine. */
static int check_shape(const loader *L, size_t count, const char *const *fields, int has_geometry, char *why,
                       size_t cap)
{
    int all_empty = 1;
    for (size_t i = 0; i < count && all_empty; i++)
        all_empty = field(fields, count, (int)i) == NULL;
    if (all_empty && !has_geometry)
        return because(why, cap, RG_REJECT_EMPTY_LINE, "empty line");
    int extra_fields = 0;
    for (size_t i = L->header_count; i < count; i++)
        extra_fields |= field(fields, count, (int)i) != NULL;
    if (count < L->header_count || extra_fields)
        return because(why, cap, RG_REJECT_FIELD_COUNT, "%zu fields where the header has %zu", count, L->header_count);
    if (!field(fields, count, L->column[ROLE_ID]))
        return because(why, cap, RG_REJECT_MISSING_ID, "column '%s': empty household id", L->header[L->column[ROLE_ID]]);
    return -1;
}

/*
 * Checks one row and appends what it decided to the batch; touches no database and
 * nothing in L but what is read-only once the columns are mapped (and L->to_wgs84,
 * which only the checking side uses). geom_xy, when not NULL, is the lon/lat of the
 * row's geometry (OGR sources) and takes the place of the columns. A row without a
 * usable point is still a household when its area code names a desa: the join places it
 * there (Regsosek 2022 recorded points for part of the households and codes for all).
 */
static int check_row(const loader *L, row_batch *b, long line, const char *raw, size_t raw_len,
                     const char *const *fields, size_t count, const double *geom_xy)
{
    checked_row *r = new_row(b, line, raw, raw_len);
    if (!r)
        return RG_ENOMEM;
    char why[300];
    int reason = check_shape(L, count, fields, geom_xy != NULL, why, sizeof why);
    if (reason >= 0)
        return refuse(L, b, r, (rg_reject_reason)reason, "%s", why);

    reported_area area;
    read_area(L, fields, count, &area);
    b->flags.len = 0;
    if (b->flags.data)
        b->flags.data[0] = '\0';
    reason = read_point(L, fields, count, geom_xy, &r->lon, &r->lat, &r->has_coordinates, why, sizeof why);
    r->has_point = reason < 0;
    if (reason >= 0 && !area.usable)
        return refuse(L, b, r, (rg_reject_reason)reason, "%s, and no area code to place it by: %s", why, area.why);
    /* Placed by its code; a coordinate that was given and is wrong is the officer's to see. */
    if (reason > RG_REJECT_MISSING_COORDINATE && add_flag(b, rg_io_reject_reason_name((rg_reject_reason)reason)) != RG_OK)
        return RG_ENOMEM;
    int rc = r->has_point ? settle_swapped(L, b, r) : RG_OK;
    if (rc == RG_OK)
        rc = read_size_and_spending(L, b, r, fields, count);
    const char *given = field(fields, count, L->column[ROLE_CLASS]);
    const char *id = field(fields, count, L->column[ROLE_ID]);
    /* extra may add flags, so it is built before the flags are kept. */
    if (rc == RG_OK)
        rc = build_extra(L, b, fields, count);
    if (rc == RG_OK)
        rc = keep_text(b, id, strlen(id), &r->id);
    if (rc == RG_OK && area.text)
        rc = keep_text(b, area.text, strlen(area.text), &r->code);
    if (rc == RG_OK && given)
        rc = keep_text(b, given, strlen(given), &r->given);
    if (rc == RG_OK && b->flags.len)
        rc = keep_text(b, b->flags.data, b->flags.len, &r->flags);
    if (rc == RG_OK && b->json.len > 2)
        rc = keep_text(b, b->json.data, b->json.len, &r->extra);
    return rc;
}

/* A record the CSV reader could not split into fields. */
static int check_unreadable(const loader *L, row_batch *b, const rg_csv_row *row)
{
    static const char *const what[] = {"", "a quote is opened and never closed", "bytes that are not UTF-8",
                                       "a record too long to hold"};
    checked_row *r = new_row(b, row->line, row->raw, row->raw_len);
    if (!r)
        return RG_ENOMEM;
    return refuse(L, b, r, reason_of_problem(row->problem), "%s", what[row->problem]);
}

/* Binds a household's values to parameters base+1 .. base+12 of st. point must live until
 * the statement has run. Every parameter is bound, NULL when absent: cheaper than
 * clearing them all first. */
static void bind_household(const loader *L, sqlite3_stmt *st, int base, const row_batch *b, const checked_row *r,
                           unsigned char *point)
{
    sqlite3_bind_text(st, base + 1, text_at(b, r->id), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, base + 2, L->stats.run_id);
    sqlite3_bind_int64(st, base + 3, r->line);
    if (r->has_coordinates) {
        sqlite3_bind_double(st, base + 4, r->lon);
        sqlite3_bind_double(st, base + 5, r->lat);
    } else {
        sqlite3_bind_null(st, base + 4);
        sqlite3_bind_null(st, base + 5);
    }
    if (r->has_size)
        sqlite3_bind_int64(st, base + 6, r->size);
    else
        sqlite3_bind_null(st, base + 6);
    if (r->has_spending)
        sqlite3_bind_double(st, base + 7, r->spending);
    else
        sqlite3_bind_null(st, base + 7);
    const size_t texts[] = {r->code, r->given, r->flags, r->extra};
    for (int i = 0; i < 4; i++)
        if (texts[i] != NO_TEXT)
            sqlite3_bind_text(st, base + 8 + i, text_at(b, texts[i]), -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, base + 8 + i);
    if (r->has_point) {
        rg_io_spatialite_point(point, r->lon, r->lat);
        sqlite3_bind_blob(st, base + 12, point, RG_SPATIALITE_POINT_SIZE, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(st, base + 12);
    }
}

/* Counts a row read, with a progress notice now and then. */
static void count_read(loader *L)
{
    L->stats.rows_read++;
    if (L->stats.rows_read % 100000 == 0)
        rg_ctx_notice(L->ctx, RG_NOTICE_PROGRESS, "%s: %lld rows read", L->path, (long long)L->stats.rows_read);
}

/* Counts a household written, and gathers its point for the spatial index. */
static int count_loaded(loader *L, const checked_row *r, int64_t rowid)
{
    L->stats.loaded++;
    if (r->flags != NO_TEXT)
        L->stats.flagged++;
    L->stats.without_point += !r->has_point;
    L->stats.swapped += r->swapped;
    return r->has_point && L->points ? rg_io__points_add(L->points, rowid, r->lon, r->lat) : RG_OK;
}

/* Writes one checked row to households or rejects. */
static int store_row(loader *L, const row_batch *b, const checked_row *r)
{
    count_read(L);
    const char *raw = text_at(b, r->raw);
    if (r->reason >= 0)
        return reject_row(L, r->line, raw, r->raw_len, (rg_reject_reason)r->reason, text_at(b, r->message));

    const char *id = text_at(b, r->id);
    sqlite3_stmt *st = L->insert;
    unsigned char point[RG_SPATIALITE_POINT_SIZE];
    sqlite3_reset(st);
    bind_household(L, st, 0, b, r, point);
    int step = sqlite3_step(st);
    if (step == SQLITE_CONSTRAINT) {
        long first_line = 0;
        sqlite3_reset(L->find_first);
        sqlite3_bind_text(L->find_first, 1, id, -1, SQLITE_STATIC);
        if (sqlite3_step(L->find_first) == SQLITE_ROW)
            first_line = (long)sqlite3_column_int64(L->find_first, 0);
        sqlite3_reset(L->find_first);
        return reject_with(L, r->line, raw, r->raw_len, RG_REJECT_DUPLICATE_ID,
                           "column '%s': household id '%.60s' already loaded from line %ld; the first is kept",
                           L->header[L->column[ROLE_ID]], id, first_line);
    }
    if (step != SQLITE_DONE)
        return rg_io_store_sql_error(L->store);
    return count_loaded(L, r, sqlite3_last_insert_rowid(rg_io_store_db(L->store)));
}

/*
 * Writes ROWS_PER_INSERT households with one statement: a statement a row was a third
 * of the writing side's time. A duplicate id anywhere in them fails the statement, which
 * SQLite undoes whole; they are then written one by one, so the first is kept and the
 * others rejected exactly as alone. @return RG_OK, 1 for "write them one by one", or an error.
 */
static int store_households(loader *L, const row_batch *b, const checked_row *rows)
{
    sqlite3_stmt *st = L->insert_many;
    sqlite3_reset(st);
    for (int k = 0; k < ROWS_PER_INSERT; k++)
        bind_household(L, st, 12 * k, b, &rows[k], L->many_points[k]);
    int step = sqlite3_step(st);
    if (step == SQLITE_CONSTRAINT) {
        sqlite3_reset(st);
        return 1;
    }
    if (step != SQLITE_DONE)
        return rg_io_store_sql_error(L->store);
    /* One statement's new rows take consecutive ids, the last of them last. */
    int64_t first = sqlite3_last_insert_rowid(rg_io_store_db(L->store)) - (ROWS_PER_INSERT - 1);
    int rc = RG_OK;
    for (int k = 0; k < ROWS_PER_INSERT && rc == RG_OK; k++) {
        count_read(L);
        rc = count_loaded(L, &rows[k], first + k);
    }
    return rc;
}

static int batch_full(const row_batch *b) { return b->count >= BATCH_ROWS || b->text.len >= BATCH_TEXT; }

/* Writes the batch's rows in order and empties it. */
static int store_batch(loader *L, row_batch *b)
{
    int rc = RG_OK;
    for (size_t i = 0; i < b->count && rc == RG_OK;) {
        size_t run = 0;
        while (L->insert_many && run < ROWS_PER_INSERT && i + run < b->count && b->rows[i + run].reason < 0)
            run++;
        if (run < ROWS_PER_INSERT) {
            rc = store_row(L, b, &b->rows[i++]);
            continue;
        }
        rc = store_households(L, b, &b->rows[i]);
        if (rc == 1) {
            rc = RG_OK;
            for (size_t k = 0; k < run && rc == RG_OK; k++)
                rc = store_row(L, b, &b->rows[i + k]);
        }
        i += run;
    }
    b->count = 0;
    b->text.len = 0;
    return rc;
}

static void batch_free(row_batch *b)
{
    rg_free(b->rows);
    rg__buf_free(&b->text);
    rg__buf_free(&b->json);
    rg__buf_free(&b->flags);
    rg__buf_free(&b->message);
}

/*
 * The CSV pipeline: the reading thread parses and checks rows into a ring of batches,
 * the calling thread (which owns the SQLite connection) writes them in order. Memory is
 * the ring, whatever the file's length. The reader has a context of its own; its failure
 * is raised on the loader's after the join.
 */
#define PIPELINE_BATCHES 3

typedef struct {
    const loader *L;
    rg_csv *csv;
    rg_ctx *reader_ctx;
    row_batch batches[PIPELINE_BATCHES];
    int filled[PIPELINE_BATCHES]; /* checked, waiting to be written */
    int reader_done;              /* end of input, or the reader failed */
    int reader_rc;
    int writer_failed;            /* the reader stops early */
    pthread_mutex_t lock;
    pthread_cond_t changed;
} pipeline;

/* Hands batch i to the writer and waits until batch next is free (or the writer failed). */
static int hand_over(pipeline *P, int i, int next)
{
    pthread_mutex_lock(&P->lock);
    P->filled[i] = 1;
    pthread_cond_broadcast(&P->changed);
    while (P->filled[next] && !P->writer_failed)
        pthread_cond_wait(&P->changed, &P->lock);
    int go_on = !P->writer_failed;
    pthread_mutex_unlock(&P->lock);
    return go_on;
}

static void *read_and_check(void *arg)
{
    pipeline *P = arg;
    int i = 0, rc, stopped = 0;
    rg_csv_row row;
    while (!stopped && (rc = rg_io_csv_next(P->csv, &row)) == 1) {
        row_batch *b = &P->batches[i];
        rc = row.problem != RG_CSV_FINE ? check_unreadable(P->L, b, &row)
                                        : check_row(P->L, b, row.line, row.raw, row.raw_len, row.fields, row.count,
                                                    NULL);
        if (rc != RG_OK)
            break;
        if (batch_full(b)) {
            int next = (i + 1) % PIPELINE_BATCHES;
            stopped = !hand_over(P, i, next);
            i = next;
        }
    }
    if (stopped)
        rc = RG_OK;
    else if (rc == RG_ENOMEM)
        rg_ctx_error(P->reader_ctx, RG_ENOMEM, "%s: out of memory while reading", P->L->path);
    pthread_mutex_lock(&P->lock);
    if (rc == 0 && !stopped && P->batches[i].count)
        P->filled[i] = 1; /* the last, partly filled batch */
    P->reader_rc = rc;
    P->reader_done = 1;
    pthread_cond_broadcast(&P->changed);
    pthread_mutex_unlock(&P->lock);
    return NULL;
}

static int write_checked_rows(loader *L, pipeline *P)
{
    pthread_t reader;
    if (pthread_create(&reader, NULL, read_and_check, P) != 0)
        return rg_ctx_error(L->ctx, RG_ENOMEM, "%s: cannot start the reading thread", L->path);
    int rc = RG_OK;
    for (int i = 0;; i = (i + 1) % PIPELINE_BATCHES) {
        pthread_mutex_lock(&P->lock);
        while (!P->filled[i] && !P->reader_done)
            pthread_cond_wait(&P->changed, &P->lock);
        int have = P->filled[i];
        pthread_mutex_unlock(&P->lock);
        if (!have) /* the reader fills the ring in order: nothing after an empty slot */
            break;
        rc = store_batch(L, &P->batches[i]);
        pthread_mutex_lock(&P->lock);
        P->filled[i] = 0;
        P->writer_failed = rc != RG_OK;
        pthread_cond_broadcast(&P->changed);
        pthread_mutex_unlock(&P->lock);
        if (rc != RG_OK)
            break;
    }
    pthread_join(reader, NULL);
    if (rc == RG_OK && P->reader_rc != RG_OK)
        rc = rg_ctx_error(L->ctx, P->reader_rc, "%s", rg_ctx_errmsg(P->reader_ctx));
    return rc;
}

static int load_csv(loader *L)
{
    pipeline P = {.L = L};
    char **header = NULL;
    size_t header_count = 0;
    rg_csv_row row;
    int rc = rg_ctx_new(&P.reader_ctx);
    if (rc != RG_OK)
        return rc;
    pthread_mutex_init(&P.lock, NULL);
    pthread_cond_init(&P.changed, NULL);
    if ((rc = rg_io_csv_open(&P.csv, P.reader_ctx, L->path)) != RG_OK) {
        rc = rg_ctx_error(L->ctx, rc, "%s", rg_ctx_errmsg(P.reader_ctx));
        goto done;
    }
    L->decimal_comma = rg_io_csv_delimiter(P.csv) != ',';

    rc = rg_io_csv_next(P.csv, &row);
    if (rc == 0) {
        rc = rg_ctx_error(L->ctx, RG_EDATA, "%s: empty file: no header, no households", L->path);
        goto done;
    }
    if (rc < 0) {
        rc = rg_ctx_error(L->ctx, rc, "%s", rg_ctx_errmsg(P.reader_ctx));
        goto done;
    }
    if (row.problem != RG_CSV_FINE) {
        rc = rg_ctx_error(L->ctx, RG_EDATA, "%s: line %ld: the header cannot be read (%s)", L->path, row.line,
                          rg_io_reject_reason_name(reason_of_problem(row.problem)));
        goto done;
    }
    header_count = row.count;
    header = rg_calloc(header_count, sizeof *header);
    if (!header) {
        rc = RG_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < header_count; i++)
        if (!(header[i] = rg_strdup(row.fields[i]))) {
            rc = RG_ENOMEM;
            goto done;
        }
    L->header = (const char *const *)header;
    L->header_count = header_count;
    if ((rc = map_columns(L, 1)) != RG_OK || (rc = map_specs(L)) != RG_OK || (rc = prepare_crs(L)) != RG_OK ||
        (rc = write_checked_rows(L, &P)) != RG_OK)
        goto done;
    if (L->stats.rows_read == 0)
        rc = rg_ctx_error(L->ctx, RG_EDATA, "%s: a header and no household rows", L->path);

done:
    for (size_t i = 0; header && i < header_count; i++)
        rg_free(header[i]);
    rg_free(header);
    L->header = NULL;
    for (int i = 0; i < PIPELINE_BATCHES; i++)
        batch_free(&P.batches[i]);
    rg_io_csv_free(P.csv);
    pthread_cond_destroy(&P.changed);
    pthread_mutex_destroy(&P.lock);
    rg_ctx_free(P.reader_ctx);
    return rc;
}

/* Any OGR source: fields become columns, the point geometry (in any CRS) the coordinates. */
static int load_ogr(loader *L)
{
    int rc = RG_OK;
    GDALDatasetH ds = NULL;
    void *to_wgs84 = NULL; /* the layer's CRS to EPSG:4326 */
    char **header = NULL, **values = NULL;
    size_t n = 0;
    rg_buf raw = {0};
    OGRFeatureH feature = NULL;
    row_batch batch = {0};

    ds = GDALOpenEx(L->path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds) {
        char why[256];
        rc = rg_ctx_error(L->ctx, RG_EGDAL, "%s: not a CSV and not a vector source GDAL can open: %s", L->path,
                          rg__open_failure(L->path, CPLGetLastErrorMsg(), why, sizeof why));
        goto done;
    }
    OGRLayerH layer = L->opts->layer ? GDALDatasetGetLayerByName(ds, L->opts->layer)
                                     : (GDALDatasetGetLayerCount(ds) ? GDALDatasetGetLayer(ds, 0) : NULL);
    if (!layer) {
        rc = rg_ctx_error(L->ctx, RG_ENOTFOUND, "%s: no layer %s%s", L->path, L->opts->layer ? "named " : "",
                          L->opts->layer ? L->opts->layer : "at all");
        goto done;
    }
    /* A source of several layers is read from one: which, said, so a wrong pick shows. */
    if (GDALDatasetGetLayerCount(ds) > 1)
        rg_ctx_notice(L->ctx, RG_NOTICE_INFO, "%s: households from layer '%s' (of %d; --layer names another)", L->path,
                      OGR_L_GetName(layer), GDALDatasetGetLayerCount(ds));
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    n = (size_t)OGR_FD_GetFieldCount(defn);
    header = rg_calloc(n + 1, sizeof *header);
    values = rg_calloc(n + 1, sizeof *values);
    if (!header || !values) {
        rc = RG_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        if (!(header[i] = rg_strdup(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, (int)i))))) {
            rc = RG_ENOMEM;
            goto done;
        }
    L->header = (const char *const *)header;
    L->header_count = n;

    OGRSpatialReferenceH layer_srs = OGR_L_GetSpatialRef(layer);
    int has_geometry = OGR_FD_GetGeomType(defn) != wkbNone;
    if (has_geometry) {
        /* The geometry gives the coordinates; lat/lon columns become optional. */
        if ((rc = map_columns(L, 0)) != RG_OK || (rc = map_specs(L)) != RG_OK)
            goto done;
        if (!layer_srs && (rc = prepare_crs(L)) != RG_OK)
            goto done;
        if (layer_srs && (rc = rg_io_crs_from_srs(&to_wgs84, L->ctx, layer_srs, L->path)) != RG_OK)
            goto done;
    } else if ((rc = map_columns(L, 1)) != RG_OK || (rc = map_specs(L)) != RG_OK || (rc = prepare_crs(L)) != RG_OK) {
        goto done;
    }
    L->decimal_comma = 0;

    long index = 0;
    OGR_L_ResetReading(layer);
    while ((feature = OGR_L_GetNextFeature(layer)) != NULL) {
        index++;
        raw.len = 0;
        rc = rg__buf_appendf(&raw, "fid=%lld", (long long)OGR_F_GetFID(feature));
        for (size_t i = 0; i < n && rc == RG_OK; i++) {
            const char *v = OGR_F_IsFieldSetAndNotNull(feature, (int)i) ? OGR_F_GetFieldAsString(feature, (int)i) : "";
            rg_free(values[i]);
            if (!(values[i] = rg_strdup(v)))
                rc = RG_ENOMEM;
            else if (*v)
                rc = rg__buf_appendf(&raw, "|%s=%s", header[i], v);
        }
        if (rc != RG_OK)
            goto done;
        double xy[2];
        const double *geom_xy = NULL;
        OGRGeometryH g = OGR_F_GetGeometryRef(feature);
        if (has_geometry && g && !OGR_G_IsEmpty(g) && wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPoint) {
            double x = OGR_G_GetX(g, 0), y = OGR_G_GetY(g, 0), z = 0;
            OGRCoordinateTransformationH ct = to_wgs84 ? to_wgs84 : L->to_wgs84;
            if (!ct || OCTTransform(ct, 1, &x, &y, &z)) {
                xy[0] = x;
                xy[1] = y;
                geom_xy = xy;
            }
        }
        rc = check_row(L, &batch, index, raw.data, raw.len, (const char *const *)values, n, geom_xy);
        OGR_F_Destroy(feature);
        feature = NULL;
        if (rc == RG_OK && batch_full(&batch))
            rc = store_batch(L, &batch);
        if (rc != RG_OK)
            goto done;
    }
    if ((rc = store_batch(L, &batch)) != RG_OK)
        goto done;
    if (L->stats.rows_read == 0)
        rc = rg_ctx_error(L->ctx, RG_EDATA, "%s: no household features", L->path);

done:
    if (feature)
        OGR_F_Destroy(feature);
    for (size_t i = 0; header && i < n; i++)
        rg_free(header[i]);
    for (size_t i = 0; values && i < n; i++)
        rg_free(values[i]);
    rg_free(header);
    rg_free(values);
    L->header = NULL;
    rg__buf_free(&raw);
    batch_free(&batch);
    rg_io_crs_free(to_wgs84);
    if (ds)
        GDALClose(ds);
    return rc;
}

static int is_delimited_text(const char *path)
{
    static const char *const endings[] = {".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz", NULL};
    size_t n = strlen(path);
    for (const char *const *e = endings; *e; e++) {
        size_t m = strlen(*e);
        if (n >= m && rg__strieq(path + n - m, *e))
            return 1;
    }
    return 0;
}

static void *hash_input(void *arg)
{
    loader *L = arg;
    L->hash.ok = rg__sha256_file(L->path, L->hash.digest);
    return NULL;
}

/* The checksum, or NULL when the input is not a regular file or could not be read twice. */
static const char *input_sha256(loader *L)
{
    if (L->hash.running) {
        pthread_join(L->hash.thread, NULL);
        L->hash.running = 0;
    }
    return L->hash.ok ? L->hash.digest : NULL;
}

static int begin_run(loader *L, const char *mode)
{
    struct stat sb;
    if (stat(L->path, &sb) != 0)
        return rg_ctx_error(L->ctx, RG_EIO, "%s: cannot open: %s", L->path, strerror(errno));
    if (S_ISREG(sb.st_mode)) {
        L->hash.running = pthread_create(&L->hash.thread, NULL, hash_input, L) == 0;
        if (!L->hash.running)
            hash_input(L);
    }
    sqlite3 *db = rg_io_store_db(L->store);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO load_runs(input_path, input_size, sha256, mode, started) "
                           "VALUES(?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(L->store);
    sqlite3_bind_text(st, 1, L->path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)sb.st_size);
    sqlite3_bind_text(st, 4, mode, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? RG_OK : rg_io_store_sql_error(L->store);
    sqlite3_finalize(st);
    L->stats.run_id = sqlite3_last_insert_rowid(db);
    return rc;
}

static int finish_run(loader *L)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(L->store),
                           "UPDATE load_runs SET finished = strftime('%Y-%m-%dT%H:%M:%fZ','now'), rows_read = ?,"
                           " loaded = ?, flagged = ?, rejected = ?, sha256 = ? WHERE id = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(L->store);
    sqlite3_bind_int64(st, 1, L->stats.rows_read);
    sqlite3_bind_int64(st, 2, L->stats.loaded);
    sqlite3_bind_int64(st, 3, L->stats.flagged);
    sqlite3_bind_int64(st, 4, L->stats.rejected);
    const char *sha = input_sha256(L);
    if (sha)
        sqlite3_bind_text(st, 5, sha, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, L->stats.run_id);
    int rc = sqlite3_step(st) == SQLITE_DONE ? RG_OK : rg_io_store_sql_error(L->store);
    sqlite3_finalize(st);
    return rc;
}

/* Appending a file whose households are in the store already would refuse every row as a
 * duplicate, and so load nothing: that is said up front, before a row is read. */
static int refuse_same_file(loader *L)
{
    char digest[RG__SHA256_HEX];
    if (!rg__sha256_file(L->path, digest))
        return RG_OK; /* not one plain file: the load itself says what is wrong */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(L->store),
                           "SELECT finished FROM load_runs WHERE sha256 = ? AND " RG_IO__LIVE_RUN " ORDER BY id LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(L->store);
    sqlite3_bind_text(st, 1, digest, -1, SQLITE_STATIC);
    int rc = RG_OK;
    if (sqlite3_step(st) == SQLITE_ROW)
        rc = rg_ctx_error(L->ctx, RG_EEXIST,
                          "%s: this file was loaded already (the same SHA-256, %.12s..., loaded %s): appending it"
                          " again would refuse every row as a duplicate. Use --replace to load it afresh",
                          L->path, digest, (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return rc;
}

/* The reason most rows were rejected for, by name. */
static const char *main_reason(const rg_load_stats *s)
{
    int most = 0;
    for (int i = 1; i < RG_REJECT_COUNT; i++)
        if (s->by_reason[i] > s->by_reason[most])
            most = i;
    return rg_io_reject_reason_name((rg_reject_reason)most);
}

/* The first reject of this load's, quoted in a failure (the rejects go with its transaction). */
static void first_reject(loader *L, char *out, size_t cap)
{
    sqlite3_stmt *st = NULL;
    out[0] = '\0';
    if (sqlite3_prepare_v2(rg_io_store_db(L->store), "SELECT message FROM rejects WHERE load_run = ? ORDER BY id LIMIT 1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, L->stats.run_id);
        if (sqlite3_step(st) == SQLITE_ROW)
            snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
}

/* A load whose households all have their latitude and longitude swapped, or that rejects
 * every row, has read the wrong file, the wrong columns or swapped ones: it fails, loading
 * nothing, and says which and what to do. Households without a point are no such sign:
 * a Regsosek file has codes for all and points for some. */
static int check_usable(loader *L)
{
    const rg_load_stats *s = &L->stats;
    if (s->rows_read == 0)
        return RG_OK;
    if (s->loaded > 0 && s->swapped == s->loaded)
        return rg_ctx_error(L->ctx, RG_EDATA,
                            "%s: none of the %lld households has a usable point: in all of them latitude and"
                            " longitude are swapped (flag swapped_latlon); nothing was loaded. Run again with"
                            " --fix-swapped to swap them back, or name the columns with --lat and --lon",
                            L->path, (long long)s->loaded);
    if (s->loaded > 0) {
        /* Usable, but most likely not what was meant: said, not refused. */
        if (2 * s->swapped > s->loaded)
            rg_ctx_notice(L->ctx, RG_NOTICE_WARNING,
                          "%s: %lld of the %lld households have latitude and longitude swapped (flag"
                          " swapped_latlon) and no point: load again with --replace --fix-swapped to swap them back",
                          L->path, (long long)s->swapped, (long long)s->loaded);
        if (2 * s->rejected > s->rows_read)
            rg_ctx_notice(L->ctx, RG_NOTICE_WARNING,
                          "%s: %lld of %lld rows rejected, most as %s: are the columns the right ones? (--id, --lat,"
                          " --lon, --code name them)",
                          L->path, (long long)s->rejected, (long long)s->rows_read, main_reason(s));
        return RG_OK;
    }
    char first[300];
    first_reject(L, first, sizeof first);
    return rg_ctx_error(L->ctx, RG_EDATA,
                        "%s: all %lld rows were rejected, most as %s (the first: %s); nothing was loaded. Check"
                        " the columns chosen, or name them with --id, --lat, --lon and --code",
                        L->path, (long long)s->rows_read, main_reason(s), first[0] ? first : "?");
}

int rg_io_load(rg_store *store, const char *path, const rg_load_opts *opts, rg_load_stats *stats)
{
    static const rg_load_opts defaults = RG_LOAD_OPTS_INIT;
    loader L = {.store = store, .ctx = rg_io_store_ctx(store), .path = path, .opts = opts ? opts : &defaults};
    GDALAllRegister(); /* idempotent: the library's callers need not remember it */
    sqlite3 *db = rg_io_store_db(store);
    int rc;
    int64_t existing = 0;

    /* A load only appends, to the table and to its id index: a small page cache does as
     * well as a large one (measured), and leaves the memory to the points gathered for
     * the spatial index. The store's flock keeps other runs out between this count and
     * the step's transaction. */
    if ((rc = rg_io_store_count(store, "SELECT EXISTS (SELECT 1 FROM household_records)", &existing)) != RG_OK)
        goto done;
    if (existing && L.opts->mode == RG_LOAD_REFUSE) {
        if ((rc = rg_io_store_count(store, "SELECT count(*) FROM household_records", &existing)) == RG_OK)
            rc = rg_ctx_error(L.ctx, RG_EEXIST,
                              "%s: already holds %lld households; use --replace to start over or --append to add",
                              rg_io_store_path(store), (long long)existing);
        goto done;
    }
    if (existing && L.opts->mode == RG_LOAD_APPEND && (rc = refuse_same_file(&L)) != RG_OK)
        goto done;
    /* Joins, classes and summaries describe the old households: the step drops them. */
    int replacing = L.opts->mode == RG_LOAD_REPLACE; /* rejects alone, with no household, go too */
    if ((rc = rg_io_store_step_begin(store, RG_STEP_LOAD, replacing ? RG_STEP_AFRESH : RG_STEP_ADD, 16384)) != RG_OK)
        goto done;
    /* With no households left from before, the points written are all the index holds. */
    static const double indonesia[4] = {INDONESIA_MIN_LON, INDONESIA_MIN_LAT, INDONESIA_MAX_LON, INDONESIA_MAX_LAT};
    if ((!existing || replacing) &&
        (rc = rg_io__points_new(&L.points, L.ctx, rg_io_store_path(store), indonesia, 0)) != RG_OK)
        goto done;
    static const char *const mode_names[] = {"new", "replace", "append"};
    if ((rc = begin_run(&L, existing ? mode_names[L.opts->mode] : "new")) != RG_OK)
        goto done;
    static const char insert_head[] = "INSERT INTO household_records(household_id, load_run, source_line, lon, lat,"
                                      " household_size, spending, reported_code, given_class, load_flags, extra, geom)"
                                      " VALUES";
    static const char one_row[] = ",(?,?,?,?,?,?,?,?,?,?,?,?)";
    /* One text for both inserts: its first row's worth is the one-household statement. */
    rg_buf many = {0};
    rc = rg__buf_append(&many, insert_head, strlen(insert_head));
    for (int k = 0; k < ROWS_PER_INSERT && rc == RG_OK; k++)
        rc = rg__buf_append(&many, one_row + (k == 0), strlen(one_row) - (k == 0));
    int one_household = (int)(strlen(insert_head) + strlen(one_row) - 1);
    if (rc == RG_OK && sqlite3_prepare_v2(db, many.data, one_household, &L.insert, NULL) != SQLITE_OK)
        rc = rg_io_store_sql_error(L.store);
    /* Without it (an SQLite allowing fewer parameters) households go one at a time. */
    if (rc == RG_OK && sqlite3_prepare_v2(db, many.data, (int)many.len, &L.insert_many, NULL) != SQLITE_OK)
        L.insert_many = NULL;
    rg__buf_free(&many);
    if (rc != RG_OK)
        goto done;
    if (sqlite3_prepare_v2(db, "INSERT INTO rejects(load_run, line, reason, message, raw) VALUES(?,?,?,?,?)", -1,
                           &L.reject, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT source_line FROM household_records WHERE household_id = ?", -1, &L.find_first,
                           NULL) != SQLITE_OK) {
        rc = rg_io_store_sql_error(L.store);
        goto done;
    }

    rc = is_delimited_text(path) ? load_csv(&L) : load_ogr(&L);
    if (rc != RG_OK)
        goto done;
    if (L.stats.rows_read != L.stats.loaded + L.stats.rejected) {
        rc = rg_ctx_error(L.ctx, RG_EDATA, "%s: internal accounting error: %lld read, %lld loaded, %lld rejected",
                          path, (long long)L.stats.rows_read, (long long)L.stats.loaded,
                          (long long)L.stats.rejected);
        goto done;
    }
    if ((rc = check_usable(&L)) != RG_OK)
        goto done;
    if (L.opts->max_reject_rate >= 0 && L.stats.rows_read > 0 &&
        (double)L.stats.rejected / (double)L.stats.rows_read > L.opts->max_reject_rate) {
        rc = rg_ctx_error(L.ctx, RG_EINVAL, "%s: %lld of %lld rows rejected (%.1f%%), above --max-reject-rate %.1f%%;"
                          " nothing was loaded",
                          path, (long long)L.stats.rejected, (long long)L.stats.rows_read,
                          100.0 * (double)L.stats.rejected / (double)L.stats.rows_read,
                          100.0 * L.opts->max_reject_rate);
        goto done;
    }
    if ((rc = finish_run(&L)) != RG_OK)
        goto done;
    if ((rc = L.points ? rg_io__rtree_pack_gathered(store, "household_records", L.points)
                       : rg_io__rtree_pack_points(store, "household_records", "hh", "lon", "lat")) != RG_OK)
        goto done;
    rc = rg_io_store_step_commit(store, path);

done:
    sqlite3_finalize(L.insert);
    sqlite3_finalize(L.insert_many);
    sqlite3_finalize(L.reject);
    sqlite3_finalize(L.find_first);
    rg_io_store_step_end(store);
    rg_io_crs_free(L.to_wgs84);
    rg_free(L.specs);
    rg_free(L.spec_text);
    rg_free(L.parts_text);
    rg__buf_free(&L.message);
    rg_io__points_free(L.points);
    input_sha256(&L);
    if (stats)
        *stats = L.stats;
    return rc;
}
