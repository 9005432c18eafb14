/*
 * The figures behind the map, read back from the public GeoPackage so that the site can show
 * nothing that file does not (its counts are already suppressed). Each area's record goes
 * into the file of its parent (data/kelurahan/5371010.json holds the kelurahan of kecamatan
 * 5371010): a click fetches a few kilobytes, never the whole country. search.json names every
 * area with its parent, the names of a desa repeating across Indonesia; unduh/ holds the
 * summaries as CSV for a spreadsheet.
 */
#include "web/internal.h"

#include "export/export.h"

#include <cpl_string.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An area as the index knows it: enough to name its parents. */
typedef struct {
    char *code, *name, *parent;
} area;

typedef struct {
    rg_ctx *ctx;
    const char *tmp;
    sqlite3 *db;
    area *areas; /* the areas that can be a parent: every level but the last */
    size_t count, cap;
    size_t sorted; /* the levels read before this one, in code order: the parents looked up */
    rg_buf search;
    rg_web_facts *facts;
} reader;

/* A record waiting for its parent's file. */
typedef struct {
    char *parent;
    char *json;
} record;

static int by_code(const void *a, const void *b) { return strcmp(((const area *)a)->code, ((const area *)b)->code); }
static int by_parent(const void *a, const void *b)
{
    return strcmp(((const record *)a)->parent, ((const record *)b)->parent);
}

static const area *find_area(const reader *R, const char *code)
{
    area key = {.code = (char *)code};
    return code ? bsearch(&key, R->areas, R->sorted, sizeof *R->areas, by_code) : NULL;
}

static int sql_fail(reader *R, const char *gpkg_what)
{
    return rg_ctx_error(R->ctx, RG_EGDAL, "%s/" RG_WEB_GPKG ": %s: %s", R->tmp, gpkg_what, sqlite3_errmsg(R->db));
}

/* "parents":[["53","Nusa Tenggara Timur"],...], the provinsi first. */
static int append_parents(rg_buf *b, const reader *R, const char *parent)
{
    const area *chain[RG_WEB_LEVELS];
    int n = 0;
    for (const area *a = find_area(R, parent); a && n < RG_WEB_LEVELS; a = find_area(R, a->parent))
        chain[n++] = a;
    int rc = rg__buf_appendf(b, "\"parents\":[");
    for (int i = n - 1; i >= 0 && rc == RG_OK; i--) {
        rc = rg__buf_appendf(b, "%s[", i == n - 1 ? "" : ",");
        if (rc == RG_OK)
            rc = rg__buf_append_json_string(b, chain[i]->code);
        if (rc == RG_OK)
            rc = rg__buf_append(b, ",", 1);
        if (rc == RG_OK)
            rc = rg__buf_append_json_string(b, chain[i]->name ? chain[i]->name : chain[i]->code);
        if (rc == RG_OK)
            rc = rg__buf_append(b, "]", 1);
    }
    return rc == RG_OK ? rg__buf_append(b, "]", 1) : rc;
}

/* Every column of the row but the geometry, as it is: a suppressed count is null. */
static int append_columns(rg_buf *b, sqlite3_stmt *st, int columns)
{
    int rc = RG_OK;
    for (int i = 0; i < columns && rc == RG_OK; i++) {
        rc = rg__buf_append_json_string(b, sqlite3_column_name(st, i));
        if (rc == RG_OK)
            rc = rg__buf_append(b, ":", 1);
        switch (sqlite3_column_type(st, i)) {
        case SQLITE_NULL: rc = rc == RG_OK ? rg__buf_append(b, "null", 4) : rc; break;
        case SQLITE_INTEGER: rc = rc == RG_OK ? rg__buf_appendf(b, "%lld", sqlite3_column_int64(st, i)) : rc; break;
        case SQLITE_FLOAT: rc = rc == RG_OK ? rg__buf_appendf(b, "%.6g", sqlite3_column_double(st, i)) : rc; break;
        default:
            rc = rc == RG_OK ? rg__buf_append_json_string(b, (const char *)sqlite3_column_text(st, i)) : rc;
        }
        rc = rc == RG_OK ? rg__buf_append(b, ",", 1) : rc;
    }
    return rc;
}

/* An area the next level's records will name as their parent: appended past R->sorted, and
 * sorted in by read_level() once its level is read. */
static int remember_parent(reader *R, const char *code, const char *name, const char *parent)
{
    if (rg__grow(&R->areas, &R->cap, R->count + 1, sizeof *R->areas) != RG_OK)
        return RG_ENOMEM;
    area *a = &R->areas[R->count];
    *a = (area){rg_strdup(code), rg_strdup(name), rg_strdup(parent)};
    if (!a->code || (name && !a->name) || (parent && !a->parent)) {
        rg_free(a->code), rg_free(a->name), rg_free(a->parent);
        return RG_ENOMEM;
    }
    R->count++;
    return RG_OK;
}

/* The area's entry in search.json: [level, code, name, parent]. */
static int index_area(reader *R, int level, const char *code, const char *name, const char *parent)
{
    rg_buf *s = &R->search;
    /* After the first entry the buffer ends in one's ']'; before it, in the list's "[\n". */
    int rc = rg__buf_appendf(s, "%s[%d,", s->data[s->len - 1] == ']' ? ",\n" : "", level);
    rc = rc == RG_OK ? rg__buf_append_json_string(s, code) : rc;
    rc = rc == RG_OK ? rg__buf_append(s, ",", 1) : rc;
    rc = rc == RG_OK ? rg__buf_append_json_string(s, name ? name : code) : rc;
    rc = rc == RG_OK ? rg__buf_append(s, ",", 1) : rc;
    rc = rc == RG_OK ? (parent ? rg__buf_append_json_string(s, parent) : rg__buf_append(s, "null", 4)) : rc;
    return rc == RG_OK ? rg__buf_append(s, "]", 1) : rc;
}

/* One area's record: its columns, parents and box. */
static int area_json(reader *R, sqlite3_stmt *st, int columns, const char *parent, rg_buf *b)
{
    int rc = rg__buf_append(b, "{", 1);
    rc = rc == RG_OK ? append_columns(b, st, columns) : rc;
    rc = rc == RG_OK ? append_parents(b, R, parent) : rc;
    if (rc == RG_OK)
        rc = rg__buf_appendf(b, ",\"bbox\":[%.5f,%.5f,%.5f,%.5f]}", sqlite3_column_double(st, columns),
                             sqlite3_column_double(st, columns + 1), sqlite3_column_double(st, columns + 2),
                             sqlite3_column_double(st, columns + 3));
    return rc;
}

/* A code names a file: it must be one rg_area_id_fault() lets through, as every code the
 * join stored is; checked again here since the file is what a hostile code would aim at. */
static int check_file_code(reader *R, const char *layer, const char *code)
{
    const char *fault = code ? rg_area_id_fault(code) : "it is empty";
    return fault ? rg_ctx_error(R->ctx, RG_EDATA, "%s: an area code of layer %s cannot name a file (%s)", R->tmp,
                                layer, fault)
                 : RG_OK;
}

static void free_records(record *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rg_free(r[i].parent), rg_free(r[i].json);
    rg_free(r);
}

/* data/LEVEL/PARENT.json for each parent, or data/LEVEL.json for the top level. */
static int write_groups(reader *R, const char *layer, record *r, size_t n, int top)
{
    if (n)
        qsort(r, n, sizeof *r, by_parent);
    int rc = RG_OK;
    for (size_t i = 0; i < n && rc == RG_OK;) {
        rg_buf b = {0}, rel = {0};
        size_t j = i;
        rc = rg__buf_append(&b, "{", 1);
        for (; j < n && (top || strcmp(r[j].parent, r[i].parent) == 0) && rc == RG_OK; j++)
            rc = rg__buf_appendf(&b, "%s%s", j > i ? ",\n" : "", r[j].json);
        rc = rc == RG_OK ? rg__buf_append(&b, "}\n", 2) : rc;
        rc = rc == RG_OK ? (top ? rg__buf_appendf(&rel, "data/%s.json", layer)
                                : rg__buf_appendf(&rel, "data/%s/%s.json", layer, r[i].parent))
                         : rc;
        rc = rc == RG_OK ? rg_web__file(R->ctx, R->tmp, rel.data, b.data, b.len) : rc;
        rg__buf_free(&b);
        rg__buf_free(&rel);
        i = j;
    }
    return rc;
}

/* The layer's columns but fid and geom, quoted, comma-separated. */
static int column_list(reader *R, const char *layer, rg_buf *cols, int *count)
{
    sqlite3_stmt *st = NULL;
    char sql[128];
    snprintf(sql, sizeof sql, "PRAGMA table_info(\"%s\")", layer);
    if (sqlite3_prepare_v2(R->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sql_fail(R, layer);
    int rc = RG_OK;
    *count = 0;
    while (rc == RG_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 1);
        if (strcmp(name, "fid") == 0 || strcmp(name, "geom") == 0)
            continue;
        rc = rg__buf_appendf(cols, "%st.\"%s\"", *count ? ", " : "", name);
        ++*count;
    }
    sqlite3_finalize(st);
    return rc == RG_OK && *count == 0 ? rg_ctx_error(R->ctx, RG_EGDAL, "%s: the public GeoPackage has no layer %s",
                                                        R->tmp, layer)
                                      : rc;
}

/* Programme columns sit between desil_10 and suppressed, as the export writes them. */
static int note_programmes(reader *R, sqlite3_stmt *st, int columns)
{
    int after = 0;
    for (int i = 0; i < columns; i++) {
        const char *name = sqlite3_column_name(st, i);
        if (strcmp(name, "suppressed") == 0)
            break;
        if (after && !(R->facts->programmes = CSLAddString(R->facts->programmes, name)))
            return RG_ENOMEM;
        after |= strcmp(name, "desil_10") == 0;
    }
    return RG_OK;
}

static int read_rows(reader *R, int level, sqlite3_stmt *st, int columns, record **out, size_t *n)
{
    const char *layer = rg_web__levels[level].layer;
    size_t cap = 0;
    int parents = level < R->facts->levels - 1; /* the last level is no one's parent */
    int rc = RG_OK, step;
    while (rc == RG_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(st, 0);
        const char *parent = level ? (const char *)sqlite3_column_text(st, 2) : NULL;
        if ((rc = check_file_code(R, layer, code)) != RG_OK || (parent && (rc = check_file_code(R, layer, parent))))
            break;
        if ((rc = rg__grow(out, &cap, *n + 1, sizeof **out)) != RG_OK)
            break;
        rg_buf b = {0};
        rc = rg__buf_append_json_string(&b, code);
        rc = rc == RG_OK ? rg__buf_append(&b, ":", 1) : rc;
        rc = rc == RG_OK ? area_json(R, st, columns, parent, &b) : rc;
        (*out)[*n] = (record){rg_strdup(parent ? parent : ""), b.data};
        if (rc == RG_OK && !(*out)[*n].parent)
            rc = RG_ENOMEM;
        ++*n;
        const char *name = (const char *)sqlite3_column_text(st, 1);
        rc = rc == RG_OK ? index_area(R, level, code, name, parent) : rc;
        if (rc == RG_OK && parents)
            rc = remember_parent(R, code, name, parent);
    }
    if (rc == RG_OK && step != SQLITE_DONE)
        rc = sql_fail(R, layer);
    return rc;
}

/* unduh/ringkasan-LEVEL.csv: the layer's columns (cols, column_list()'s) without its geometry,
 * for a spreadsheet. */
static int write_csv(reader *R, const char *layer, const char *cols, int columns)
{
    rg_buf sql = {0}, path = {0};
    int rc = rg__buf_appendf(&sql, "SELECT %s FROM \"%s\" t ORDER BY t.code", cols, layer);
    rc = rc == RG_OK ? rg__buf_appendf(&path, "%s/unduh/ringkasan-%s.csv", R->tmp, layer) : rc;
    sqlite3_stmt *st = NULL;
    if (rc == RG_OK && sqlite3_prepare_v2(R->db, sql.data, -1, &st, NULL) != SQLITE_OK)
        rc = sql_fail(R, layer);
    FILE *f = rc == RG_OK ? fopen(path.data, "w") : NULL;
    if (rc == RG_OK && !f)
        rc = rg_ctx_error(R->ctx, RG_EIO, "%s: %s", path.data, strerror(errno));
    int64_t written = 0;
    for (int i = 0; f && i < columns; i++)
        fprintf(f, "%s%s", i ? "," : "\xEF\xBB\xBF", sqlite3_column_name(st, i)); /* the BOM: Excel reads UTF-8 */
    if (f)
        fputc('\n', f);
    int csv = f ? rg_export_csv_rows(f, st, &written) : 0;
    if (f && (fclose(f) != 0 || csv < 0) && rc == RG_OK)
        rc = rg_ctx_error(R->ctx, RG_EIO, "%s: %s", path.data, strerror(errno));
    if (csv > 0 && rc == RG_OK)
        rc = sql_fail(R, layer);
    sqlite3_finalize(st);
    rg__buf_free(&sql);
    rg__buf_free(&path);
    return rc;
}

static int read_level(reader *R, int level)
{
    const char *layer = rg_web__levels[level].layer;
    rg_buf cols = {0}, sql = {0};
    int columns = 0;
    int rc = column_list(R, layer, &cols, &columns);
    if (rc == RG_OK)
        rc = rg__buf_appendf(&sql,
                             "SELECT %s, r.minx, r.miny, r.maxx, r.maxy FROM \"%s\" t"
                             " LEFT JOIN \"rtree_%s_geom\" r ON r.id = t.fid ORDER BY t.code",
                             cols.data, layer, layer);
    sqlite3_stmt *st = NULL;
    if (rc == RG_OK && sqlite3_prepare_v2(R->db, sql.data, -1, &st, NULL) != SQLITE_OK)
        rc = sql_fail(R, layer);
    if (rc == RG_OK && strcmp(layer, "kelurahan") == 0)
        rc = note_programmes(R, st, columns);
    record *records = NULL;
    size_t n = 0;
    if (rc == RG_OK)
        rc = read_rows(R, level, st, columns, &records, &n);
    sqlite3_finalize(st);
    if (rc == RG_OK)
        rc = write_groups(R, layer, records, n, level == 0);
    free_records(records, n);
    rc = rc == RG_OK ? write_csv(R, layer, cols.data, columns) : rc;
    if (R->count > R->sorted) /* qsort's array may not be NULL, even empty */
        qsort(R->areas, R->count, sizeof *R->areas, by_code);
    R->sorted = R->count;
    R->facts->areas[level] = (int64_t)n;
    rg__buf_free(&cols);
    rg__buf_free(&sql);
    return rc;
}

static int read_extent(reader *R)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(R->db, "SELECT min(minx), min(miny), max(maxx), max(maxy) FROM rtree_kelurahan_geom", -1,
                           &st, NULL) != SQLITE_OK)
        return sql_fail(R, "kelurahan");
    if (sqlite3_step(st) == SQLITE_ROW)
        for (int i = 0; i < 4; i++)
            R->facts->extent[i] = sqlite3_column_double(st, i);
    sqlite3_finalize(st);
    return RG_OK;
}

int rg_web__data(rg_ctx *ctx, const char *gpkg, const char *tmp, rg_web_facts *facts)
{
    reader R = {.ctx = ctx, .tmp = tmp, .facts = facts};
    int rc = RG_OK;
    if (sqlite3_open_v2(gpkg, &R.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        rc = sql_fail(&R, "opening");
    rc = rc == RG_OK ? rg__buf_appendf(&R.search, "{\"areas\":[\n") : rc;
    for (int level = 0; level < facts->levels && rc == RG_OK; level++)
        rc = read_level(&R, level);
    rc = rc == RG_OK ? read_extent(&R) : rc;
    rc = rc == RG_OK ? rg__buf_append(&R.search, "\n]}\n", 4) : rc;
    rc = rc == RG_OK ? rg_web__file(ctx, tmp, "search.json", R.search.data, R.search.len) : rc;
    for (size_t i = 0; i < R.count; i++)
        rg_free(R.areas[i].code), rg_free(R.areas[i].name), rg_free(R.areas[i].parent);
    rg_free(R.areas);
    rg__buf_free(&R.search);
    sqlite3_close(R.db);
    return rc;
}
