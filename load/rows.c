/*
 * Checking one row, touching no database: its point (or the area code that places a household
 * without one), size, spending and the columns it keeps, or the reason it is rejected. Checked
 * rows collect in batches that the writer takes whole.
 */
#include "load/internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ogr_srs_api.h>


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

const char *rg_load__text_at(const row_batch *b, size_t at) { return at == NO_TEXT ? NULL : b->text.data + at; }

/* A new row at the end of the batch, a household until checking says otherwise. */
static checked_row *new_row(row_batch *b, long line, const char *raw, size_t raw_len)
{
    if (rg__grow(&b->rows, &b->cap, b->count + 1, sizeof *b->rows) != RG_OK)
        return NULL;
    checked_row *r = &b->rows[b->count];
    *r = (checked_row){.line = line, .reason = -1, .id = NO_TEXT, .code = NO_TEXT, .given = NO_TEXT,
                       .desil = NO_TEXT, .rank = NO_TEXT,
                       .flags = NO_TEXT, .extra = NO_TEXT, .message = NO_TEXT, .raw_len = raw_len};
    if (keep_text(b, raw, raw_len, &r->raw) != RG_OK)
        return NULL;
    b->count++;
    return r;
}

/* Writes "PATH: line N: detail" into out, from its own buffer so that either side's
 * message (the checking thread's, the writing thread's) is formatted the same way. */
int rg_load__format_reject(rg_buf *out, const char *path, long line, const char *fmt, va_list ap)
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
    int rc = rg_load__format_reject(&b->message, L->path, r->line, fmt, ap);
    va_end(ap);
    if (rc != RG_OK)
        return RG_ENOMEM;
    r->reason = (int)reason;
    return keep_text(b, b->message.data, b->message.len, &r->message);
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

rg_reject_reason rg_load__reason_of_problem(rg_csv_problem problem)
{
    switch (problem) {
    case RG_CSV_BROKEN_QUOTE: return RG_REJECT_BROKEN_QUOTE;
    case RG_CSV_INVALID_UTF8: return RG_REJECT_INVALID_UTF8;
    default: return RG_REJECT_TOO_LONG;
    }
}

/* The area a row reports, from the full code column or else assembled from its parts:
 * what is stored as reported_code, and whether it names a desa (or an SLS in one) or at
 * least a kecamatan, so that a household without a point can be placed by it. */
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
    else if (code.level < RG_LEVEL_KECAMATAN)
        snprintf(a->why, sizeof a->why, "column '%s': '%.20s' names no kecamatan or desa/kelurahan", column, a->text);
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
int rg_load__check_row(const loader *L, row_batch *b, long line, const char *raw, size_t raw_len,
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
    if (reason > RG_REJECT_MISSING_COORDINATE && add_flag(b, rg_load_reject_reason_name((rg_reject_reason)reason)) != RG_OK)
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
    r->suspect = rg_load__duplicates_mark(L, id);
    if (rc == RG_OK && area.text)
        rc = keep_text(b, area.text, strlen(area.text), &r->code);
    if (rc == RG_OK && given)
        rc = keep_text(b, given, strlen(given), &r->given);
    const char *desil = field(fields, count, L->column[ROLE_DESIL]), *rank = field(fields, count, L->column[ROLE_RANK]);
    if (rc == RG_OK && desil)
        rc = keep_text(b, desil, strlen(desil), &r->desil);
    if (rc == RG_OK && rank)
        rc = keep_text(b, rank, strlen(rank), &r->rank);
    if (rc == RG_OK && b->flags.len)
        rc = keep_text(b, b->flags.data, b->flags.len, &r->flags);
    if (rc == RG_OK && b->json.len > 2)
        rc = keep_text(b, b->json.data, b->json.len, &r->extra);
    return rc;
}

/* A record the CSV reader could not split into fields. */
int rg_load__check_unreadable(const loader *L, row_batch *b, const rg_csv_row *row)
{
    static const char *const what[] = {"", "a quote is opened and never closed", "bytes that are not UTF-8",
                                       "a record too long to hold"};
    checked_row *r = new_row(b, row->line, row->raw, row->raw_len);
    if (!r)
        return RG_ENOMEM;
    return refuse(L, b, r, rg_load__reason_of_problem(row->problem), "%s", what[row->problem]);
}
