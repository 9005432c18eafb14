/*
 * A streaming reader for the delimited text that field offices produce: RFC 4180
 * quoting plus what spreadsheets and data-entry exports do to it (BOM, CRLF, `;`
 * and decimal commas, gzip). Memory is bounded by the longest record, which is
 * itself bounded, so a file of any length streams.
 */
#include "core/internal.h"
#include "io/io.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define CHUNK (64 * 1024)
/* What a rejected over-long record keeps of itself, for a person to recognise it. */
#define TOO_LONG_KEEP 4096

struct rg_csv {
    rg_ctx *ctx;
    char *path;
    gzFile gz;                 /* NULL for a memory source */
    const unsigned char *mem;
    size_t mem_len, mem_pos;
    unsigned char *chunk;
    size_t chunk_len, chunk_pos;
    rg_buf pending;            /* bytes given back after a broken quote, read first */
    size_t pending_pos;
    int at_eof;
    int io_error;
    char delimiter;
    long line;                 /* physical line of the next byte, 1-based */
    rg_buf raw;
    rg_buf text;               /* field texts, each NUL-terminated */
    size_t *offsets;           /* start of each field in text */
    const char **fields;
    size_t field_cap;
};

static int fill_chunk(rg_csv *csv)
{
    if (csv->gz) {
        int n = gzread(csv->gz, csv->chunk, CHUNK);
        if (n < 0) {
            csv->io_error = 1;
            return 0;
        }
        csv->chunk_len = (size_t)n;
    } else {
        size_t n = csv->mem_len - csv->mem_pos;
        if (n > CHUNK)
            n = CHUNK;
        memcpy(csv->chunk, csv->mem + csv->mem_pos, n);
        csv->mem_pos += n;
        csv->chunk_len = n;
    }
    csv->chunk_pos = 0;
    return csv->chunk_len > 0;
}

/* The next byte, or -1 at the end of input (or on a read error, see io_error). */
static inline int next_byte(rg_csv *csv)
{
    if (csv->pending_pos < csv->pending.len)
        return (unsigned char)csv->pending.data[csv->pending_pos++];
    if (csv->chunk_pos == csv->chunk_len) {
        if (csv->at_eof || !fill_chunk(csv)) {
            csv->at_eof = 1;
            return -1;
        }
    }
    return csv->chunk[csv->chunk_pos++];
}

/* Skips past the next newline without looking at each byte: a too-long record may go on
 * for gigabytes. Returns '\n', or -1 at the end of the input. */
static int skip_line(rg_csv *csv)
{
    while (csv->pending_pos < csv->pending.len)
        if (csv->pending.data[csv->pending_pos++] == '\n') {
            csv->line++;
            return '\n';
        }
    for (;;) {
        if (csv->chunk_pos == csv->chunk_len && (csv->at_eof || !fill_chunk(csv))) {
            csv->at_eof = 1;
            return -1;
        }
        const unsigned char *nl = memchr(csv->chunk + csv->chunk_pos, '\n', csv->chunk_len - csv->chunk_pos);
        if (nl) {
            csv->chunk_pos = (size_t)(nl - csv->chunk) + 1;
            csv->line++;
            return '\n';
        }
        csv->chunk_pos = csv->chunk_len;
    }
}

static char detect_delimiter(const unsigned char *p, size_t n)
{
    static const char candidates[] = {',', ';', '\t', '|'};
    size_t counts[4] = {0};
    int quoted = 0;
    for (size_t i = 0; i < n && (quoted || p[i] != '\n'); i++) {
        if (p[i] == '"')
            quoted = !quoted;
        else if (!quoted)
            for (int c = 0; c < 4; c++)
                counts[c] += p[i] == (unsigned char)candidates[c];
    }
    int best = 0;
    for (int c = 1; c < 4; c++)
        if (counts[c] > counts[best])
            best = c;
    return candidates[best];
}

static int open_common(rg_csv **out, rg_csv *csv)
{
    csv->chunk = rg_malloc(CHUNK);
    if (!csv->chunk) {
        rg_io_csv_free(csv);
        return RG_ENOMEM;
    }
    csv->line = 1;
    fill_chunk(csv);
    if (csv->io_error) {
        int rc = rg_ctx_error(csv->ctx, RG_EIO, "%s: cannot read (corrupt gzip?)", csv->path);
        rg_io_csv_free(csv);
        return rc;
    }
    if (csv->chunk_len >= 3 && memcmp(csv->chunk, "\xEF\xBB\xBF", 3) == 0)
        csv->chunk_pos = 3;
    /* Excel's "Unicode Text": UTF-16 with its byte-order mark. Read as bytes, every row
     * would be invalid UTF-8; what to do instead is said once, here. */
    if (csv->chunk_len >= 2 && (memcmp(csv->chunk, "\xFF\xFE", 2) == 0 || memcmp(csv->chunk, "\xFE\xFF", 2) == 0)) {
        int rc = rg_ctx_error(csv->ctx, RG_EDATA,
                              "%s: the file is UTF-16 (%s; what Excel saves as \"Unicode Text\"), and households are"
                              " read from UTF-8: save it as \"CSV UTF-8\" instead, or convert it with"
                              " `iconv -f UTF-16 -t UTF-8 %s > converted.csv`",
                              csv->path, csv->chunk[0] == 0xFF ? "little-endian" : "big-endian", csv->path);
        rg_io_csv_free(csv);
        return rc;
    }
    csv->delimiter = detect_delimiter(csv->chunk + csv->chunk_pos, csv->chunk_len - csv->chunk_pos);
    *out = csv;
    return RG_OK;
}

int rg_io_csv_open(rg_csv **out, rg_ctx *ctx, const char *path)
{
    *out = NULL;
    rg_csv *csv = rg_calloc(1, sizeof *csv);
    if (!csv)
        return RG_ENOMEM;
    csv->ctx = ctx;
    csv->path = rg_strdup(path);
    if (!csv->path) {
        rg_free(csv);
        return RG_ENOMEM;
    }
    csv->gz = gzopen(path, "rb");
    if (!csv->gz) {
        int rc = rg_ctx_error(ctx, RG_EIO, "%s: cannot open: %s", path, strerror(errno));
        rg_io_csv_free(csv);
        return rc;
    }
    gzbuffer(csv->gz, 256 * 1024);
    return open_common(out, csv);
}

int rg_io_csv_open_memory(rg_csv **out, rg_ctx *ctx, const char *data, size_t len)
{
    *out = NULL;
    rg_csv *csv = rg_calloc(1, sizeof *csv);
    if (!csv)
        return RG_ENOMEM;
    csv->ctx = ctx;
    csv->path = rg_strdup("<memory>");
    if (!csv->path) {
        rg_free(csv);
        return RG_ENOMEM;
    }
    csv->mem = (const unsigned char *)data;
    csv->mem_len = len;
    return open_common(out, csv);
}

void rg_io_csv_free(rg_csv *csv)
{
    if (!csv)
        return;
    if (csv->gz)
        gzclose(csv->gz);
    rg_free(csv->path);
    rg_free(csv->chunk);
    rg__buf_free(&csv->pending);
    rg__buf_free(&csv->raw);
    rg__buf_free(&csv->text);
    rg_free(csv->offsets);
    rg_free(csv->fields);
    rg_free(csv);
}

char rg_io_csv_delimiter(const rg_csv *csv) { return csv->delimiter; }

static int end_field(rg_csv *csv, size_t *count, size_t start)
{
    if (*count == csv->field_cap) {
        size_t cap = csv->field_cap ? csv->field_cap * 2 : 32;
        size_t *offsets = rg_realloc(csv->offsets, cap * sizeof *offsets);
        if (!offsets)
            return RG_ENOMEM;
        csv->offsets = offsets;
        const char **fields = rg_realloc(csv->fields, cap * sizeof *fields);
        if (!fields)
            return RG_ENOMEM;
        csv->fields = fields;
        csv->field_cap = cap;
    }
    csv->offsets[(*count)++] = start;
    return rg__buf_append(&csv->text, "", 1);
}

static int valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t extra;
        unsigned min;
        unsigned cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            extra = 1, min = 0x80, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2, min = 0x800, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3, min = 0x10000, cp = c & 0x07;
        } else {
            return 0;
        }
        for (size_t k = 1; k <= extra; k++) {
            if (i + k >= n || (s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += extra + 1;
    }
    return 1;
}

/* A quote was never closed: keep the record's first line as the broken row and give
 * the bytes after it back to the parser, so one stray quote costs one row, not the file. */
static int give_back_after_first_line(rg_csv *csv, long start_line)
{
    const char *nl = memchr(csv->raw.data, '\n', csv->raw.len);
    if (!nl)
        return RG_OK;
    size_t keep = (size_t)(nl - csv->raw.data);
    rg_buf rest = {0};
    if (rg__buf_append(&rest, nl + 1, csv->raw.len - keep - 1) != RG_OK ||
        rg__buf_append(&rest, csv->pending.data ? csv->pending.data + csv->pending_pos : "",
                       csv->pending.len - csv->pending_pos) != RG_OK) {
        rg__buf_free(&rest);
        return RG_ENOMEM;
    }
    rg__buf_free(&csv->pending);
    csv->pending = rest;
    csv->pending_pos = 0;
    csv->raw.len = keep;
    csv->raw.data[keep] = '\0';
    csv->line = start_line + 1;
    if (keep && csv->raw.data[keep - 1] == '\r')
        csv->raw.data[--csv->raw.len] = '\0';
    return RG_OK;
}

enum state { FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED };

/* One byte onto a buffer: the per-byte path of the parser, so the common case is inline.
 * It leaves room for, but does not write, the terminating NUL. */
static inline int push_byte(rg_buf *b, char c)
{
    if (b->len + 1 < b->cap) {
        b->data[b->len++] = c;
        return RG_OK;
    }
    return rg__buf_append(b, &c, 1);
}

/*
 * Inside a field most bytes are just text. After the byte that put the parser in such a
 * state, the rest of the run up to the next byte that can change it (stop, or a line
 * end) is copied whole to the raw line and the field text, instead of a byte at a time:
 * loading spent a quarter of its parsing time here. The run stays within the record
 * limit so that the per-byte path still sees the limit reached.
 */
static int copy_plain_run(rg_csv *csv, char stop)
{
    if (csv->pending_pos < csv->pending.len || csv->raw.len >= RG_CSV_MAX_RECORD)
        return RG_OK;
    const unsigned char *start = csv->chunk + csv->chunk_pos, *p = start;
    size_t avail = csv->chunk_len - csv->chunk_pos, room = RG_CSV_MAX_RECORD - csv->raw.len;
    const unsigned char *end = start + (avail < room ? avail : room);
    while (p < end && *p != (unsigned char)stop && *p != '\n')
        p++;
    size_t n = (size_t)(p - start);
    if (n == 0)
        return RG_OK;
    if (rg__buf_append(&csv->raw, (const char *)start, n) != RG_OK ||
        rg__buf_append(&csv->text, (const char *)start, n) != RG_OK)
        return RG_ENOMEM;
    csv->chunk_pos += n;
    return RG_OK;
}

int rg_io_csv_next(rg_csv *csv, rg_csv_row *row)
{
    memset(row, 0, sizeof *row);
    csv->raw.len = 0;
    csv->text.len = 0;
    if (rg__buf_reserve(&csv->raw, 1) != RG_OK || rg__buf_reserve(&csv->text, 1) != RG_OK)
        return RG_ENOMEM;
    csv->raw.data[0] = '\0';

    const char delim = csv->delimiter;
    long start_line = csv->line;
    size_t count = 0, field_start = 0;
    int quoted_lines = 0;
    rg_csv_problem problem = RG_CSV_FINE;
    enum state st = FIELD_START;
    int c;
    int rc;

    for (;;) {
        c = next_byte(csv);
        if (c < 0) {
            if (csv->io_error)
                return rg_ctx_error(csv->ctx, RG_EIO, "%s: line %ld: read error (truncated or corrupt file?)",
                                    csv->path, csv->line);
            if (csv->raw.len == 0 && st == FIELD_START && count == 0)
                return 0;
            if (st == QUOTED) {
                problem = RG_CSV_BROKEN_QUOTE;
                if ((rc = give_back_after_first_line(csv, start_line)) != RG_OK)
                    return rc;
            }
            break;
        }
        if (c == '\n')
            csv->line++;
        if (csv->raw.len >= RG_CSV_MAX_RECORD) {
            /* Skip the rest of this physical line without holding it. */
            problem = RG_CSV_TOO_LONG;
            if (c != '\n')
                c = skip_line(csv);
            csv->raw.len = TOO_LONG_KEEP;
            csv->raw.data[TOO_LONG_KEEP] = '\0';
            break;
        }
        if ((c != '\n' || st == QUOTED) && (rc = push_byte(&csv->raw, (char)c)) != RG_OK)
            return rc;
        char ch = (char)c;
        switch (st) {
        case FIELD_START:
            if (c == '"') {
                st = QUOTED;
                break;
            }
            /* fall through */
        case UNQUOTED:
            if (ch == delim || c == '\n') {
                if (c == '\n' && csv->text.len > field_start && csv->text.data[csv->text.len - 1] == '\r')
                    csv->text.len--;
                if ((rc = end_field(csv, &count, field_start)) != RG_OK)
                    return rc;
                field_start = csv->text.len;
                st = FIELD_START;
            } else {
                if ((rc = push_byte(&csv->text, ch)) != RG_OK)
                    return rc;
                st = UNQUOTED;
            }
            break;
        case QUOTED:
            if (c == '"') {
                st = QUOTE_IN_QUOTED;
            } else {
                if (c == '\n' && ++quoted_lines > RG_CSV_MAX_QUOTED_LINES) {
                    problem = RG_CSV_BROKEN_QUOTE;
                    if ((rc = give_back_after_first_line(csv, start_line)) != RG_OK)
                        return rc;
                    goto record_done;
                }
                if ((rc = push_byte(&csv->text, ch)) != RG_OK)
                    return rc;
            }
            break;
        case QUOTE_IN_QUOTED:
            if (c == '"') {
                if ((rc = rg__buf_append(&csv->text, "\"", 1)) != RG_OK)
                    return rc;
                st = QUOTED;
            } else if (ch == delim || c == '\n') {
                if ((rc = end_field(csv, &count, field_start)) != RG_OK)
                    return rc;
                field_start = csv->text.len;
                st = FIELD_START;
            } else {
                /* Text after a closing quote ("ab"c): keep it, as spreadsheets do. */
                if (c != '\r' && (rc = rg__buf_append(&csv->text, &ch, 1)) != RG_OK)
                    return rc;
                st = UNQUOTED;
            }
            break;
        }
        if (c == '\n' && st == FIELD_START)
            goto record_done;
        if ((st == UNQUOTED || st == QUOTED) && (rc = copy_plain_run(csv, st == UNQUOTED ? delim : '"')) != RG_OK)
            return rc;
    }
    /* End of input without a final line end: close the last field, dropping a CR
     * there as the raw text drops it. */
    if (problem == RG_CSV_FINE) {
        if (st == UNQUOTED && csv->text.len > field_start && csv->text.data[csv->text.len - 1] == '\r')
            csv->text.len--;
        if ((rc = end_field(csv, &count, field_start)) != RG_OK)
            return rc;
    }

record_done:
    csv->raw.data[csv->raw.len] = '\0';
    if (csv->raw.len && csv->raw.data[csv->raw.len - 1] == '\r' && problem == RG_CSV_FINE)
        csv->raw.data[--csv->raw.len] = '\0';
    if (problem == RG_CSV_FINE && !valid_utf8((const unsigned char *)csv->raw.data, csv->raw.len))
        problem = RG_CSV_INVALID_UTF8;
    if (problem != RG_CSV_FINE)
        count = 0;
    for (size_t i = 0; i < count; i++)
        csv->fields[i] = csv->text.data + csv->offsets[i];
    row->fields = csv->fields;
    row->count = count;
    row->line = start_line;
    row->raw = csv->raw.data;
    row->raw_len = csv->raw.len;
    row->problem = problem;
    return 1;
}

int rg_io_parse_number(const char *text, int decimal_comma, double *out)
{
    char buf[64];
    while (*text == ' ' || *text == '\t')
        text++;
    size_t n = strlen(text);
    while (n && (text[n - 1] == ' ' || text[n - 1] == '\t'))
        n--;
    if (n == 0 || n >= sizeof buf)
        return 0;

    /* "1.250.000": dots every three digits are Indonesian thousands separators. */
    size_t dots = 0, digits_after_last_dot = 0;
    int grouped = n > 4;
    for (size_t i = 0, run = 0; i < n; i++) {
        if (text[i] == '.') {
            if ((dots == 0 && (run == 0 || run > 3)) || (dots > 0 && run != 3))
                grouped = 0;
            dots++;
            run = 0;
        } else if (text[i] >= '0' && text[i] <= '9' ) {
            run++;
        } else if (!(i == 0 && text[i] == '-')) {
            grouped = 0;
        }
        digits_after_last_dot = run;
    }
    grouped = grouped && dots >= 2 && digits_after_last_dot == 3;

    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = text[i];
        if (grouped && ch == '.')
            continue;
        if (decimal_comma && ch == ',')
            ch = '.';
        buf[j++] = ch;
    }
    buf[j] = '\0';
    char *end = NULL;
    errno = 0;
    double v = strtod(buf, &end);
    if (end == buf || *end != '\0' || !isfinite(v))
        return 0;
    /* strtod takes hex and "infinity"; field data never means those. */
    for (size_t i = 0; i < j; i++)
        if (!strchr("0123456789+-.eE", buf[i]))
            return 0;
    *out = v;
    return 1;
}
