/*
 * amend: a forum's decisions back into the store. The forum's file is read with GDAL (its
 * XLSX and CSV drivers), so a workbook that went through Excel or LibreOffice, or was saved
 * as CSV, reads the same. Each row is checked as the load checks a household, and ends in
 * one place: a decision, unchanged, or a reject with its reason.
 */
#include "forum/internal.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "classify/classify.h"

static const char *const reason_names[RG_AMEND_REASON_COUNT] = {
    "unknown_household", "other_kelurahan", "unreadable_class", "duplicate_row", "missing_id",
};

const char *rg_forum_amend_reason_name(rg_amend_reason reason)
{
    return (unsigned)reason < RG_AMEND_REASON_COUNT ? reason_names[reason] : "unknown";
}

/* The list's columns by the names pack writes, or their English names. */
enum { AMEND_ID, AMEND_AGREED, AMEND_NOTE, AMEND_KELURAHAN, AMEND_COLUMNS };
static const char *const column_names[AMEND_COLUMNS][5] = {
    {"ID keluarga", "household_id", "id_keluarga", NULL},
    {"Kelas disepakati", "agreed_class", "poverty_class_final", NULL},
    {"Catatan forum", "note", "catatan", NULL},
    {"Kode kelurahan", "kelurahan_code", "kode_kelurahan", "kode_kel", NULL},
};

typedef struct {
    rg_store *store;
    rg_ctx *ctx;
    const char *path;
    rg_amend_report r;
    int column[AMEND_COLUMNS];
    int row_offset; /* added to a feature's id to give the row a person sees */
    sqlite3_stmt *find, *seen, *decide, *reject;
} amender;

static int find_column(OGRFeatureDefnH defn, const char *const *names)
{
    for (const char *const *n = names; *n; n++)
        for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++)
            if (rg__strieq(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)), *n))
                return i;
    return -1;
}

/* A pack of a kelurahan without families is its header row alone, which GDAL reads as the one
 * row of a sheet without a header (Field1, ...): a list with nothing to decide. */
static int header_alone(OGRLayerH layer)
{
    if (OGR_L_GetFeatureCount(layer, 1) != 1)
        return 0;
    OGR_L_ResetReading(layer);
    OGRFeatureH f = OGR_L_GetNextFeature(layer);
    int id = 0, agreed = 0;
    for (int i = 0; f && i < OGR_F_GetFieldCount(f); i++) {
        const char *v = OGR_F_GetFieldAsString(f, i);
        id |= rg__strieq(v, column_names[AMEND_ID][0]);
        agreed |= rg__strieq(v, column_names[AMEND_AGREED][0]);
    }
    if (f)
        OGR_F_Destroy(f);
    return id && agreed;
}

/* RG_OK, 1 for a list without families (nothing to read), or RG_EDATA. */
static int map_columns(amender *A, OGRLayerH layer)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    for (int c = 0; c < AMEND_COLUMNS; c++)
        A->column[c] = find_column(defn, column_names[c]);
    if (A->column[AMEND_ID] >= 0 && A->column[AMEND_AGREED] >= 0)
        return RG_OK;
    if (header_alone(layer))
        return 1;
    rg_buf found = {0};
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++)
        rg__buf_appendf(&found, "%s%s", i ? ", " : "", OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
    int rc = rg_ctx_error(A->ctx, RG_EDATA,
                          "%s: layer '%s' has no '%s' and '%s' columns (as pack writes them); columns found: %s",
                          A->path, OGR_L_GetName(layer), column_names[AMEND_ID][0], column_names[AMEND_AGREED][0],
                          found.data ? found.data : "none");
    rg__buf_free(&found);
    return rc;
}

/* The workbook's recap names its kelurahan (row "Kode kelurahan"): rows of other kelurahan
 * in the list are then a mistake, not decisions. */
static void read_kelurahan(amender *A, GDALDatasetH ds)
{
    OGRLayerH recap = GDALDatasetGetLayerByName(ds, "Rekap");
    if (!recap)
        return;
    OGRFeatureH f;
    OGR_L_ResetReading(recap);
    while ((f = OGR_L_GetNextFeature(recap)) != NULL) {
        if (OGR_F_GetFieldCount(f) >= 2 && rg__strieq(OGR_F_GetFieldAsString(f, 0), "Kode kelurahan"))
            snprintf(A->r.kelurahan_code, sizeof A->r.kelurahan_code, "%s", OGR_F_GetFieldAsString(f, 1));
        OGR_F_Destroy(f);
    }
}

static const char *field_text(OGRFeatureH f, int column)
{
    if (column < 0 || !OGR_F_IsFieldSetAndNotNull(f, column))
        return NULL;
    const char *v = OGR_F_GetFieldAsString(f, column);
    while (*v == ' ')
        v++;
    return *v ? v : NULL;
}

static int reject(amender *A, long row, rg_amend_reason reason, const char *raw, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int reject(amender *A, long row, rg_amend_reason reason, const char *raw, const char *fmt, ...)
{
    char detail[400], message[800];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    snprintf(message, sizeof message, "%s: row %ld: %s", A->path, row, detail);
    sqlite3_stmt *st = A->reject;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, A->r.run_id);
    sqlite3_bind_int64(st, 2, row);
    sqlite3_bind_text(st, 3, reason_names[reason], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, message, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, raw, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE)
        return rg_io_store_sql_error(A->store);
    A->r.rejected++;
    A->r.by_reason[reason]++;
    return RG_OK;
}

/* The household's kelurahan, that kelurahan's code in the other scheme, and its class now
 * (after earlier forums); 0 when no such id. */
static int current_class(amender *A, const char *id, char kelurahan[2][64], char *cls, size_t ccap)
{
    sqlite3_stmt *st = A->find;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_ROW)
        return 0;
    const unsigned char *k = sqlite3_column_text(st, 0), *c = sqlite3_column_text(st, 1);
    const unsigned char *alt = sqlite3_column_text(st, 2);
    snprintf(kelurahan[0], 64, "%s", k ? (const char *)k : "");
    snprintf(kelurahan[1], 64, "%s", alt ? (const char *)alt : "");
    snprintf(cls, ccap, "%s", c ? (const char *)c : "");
    return 1;
}

/* Whether a list's kelurahan code (either scheme) names the household's kelurahan. */
static int same_kelurahan(const char *listed, char kelurahan[2][64])
{
    return strcmp(listed, kelurahan[0]) == 0 || (kelurahan[1][0] && strcmp(listed, kelurahan[1]) == 0);
}

/* 1 when this file has listed the household before. */
static int seen_before(amender *A, const char *id, int *seen)
{
    sqlite3_reset(A->seen);
    sqlite3_bind_text(A->seen, 1, id, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(A->seen) != SQLITE_DONE)
        return rg_io_store_sql_error(A->store);
    *seen = sqlite3_changes(rg_io_store_db(A->store)) == 0;
    return RG_OK;
}

static int decide(amender *A, long row, const char *id, const char *kelurahan, const char *before,
                  rg_poverty_class after, const char *note)
{
    sqlite3_stmt *st = A->decide;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, A->r.run_id);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
    if (*kelurahan)
        sqlite3_bind_text(st, 3, kelurahan, -1, SQLITE_TRANSIENT);
    else /* placed in a kecamatan alone: NULL, as household_areas has it */
        sqlite3_bind_null(st, 3);
    if (*before)
        sqlite3_bind_text(st, 4, before, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 4);
    sqlite3_bind_text(st, 5, rg_classify_class_name(after), -1, SQLITE_STATIC);
    if (note)
        sqlite3_bind_text(st, 6, note, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 6);
    sqlite3_bind_int64(st, 7, row);
    if (sqlite3_step(st) != SQLITE_DONE)
        return rg_io_store_sql_error(A->store);
    A->r.applied++;
    return RG_OK;
}

static int amend_row(amender *A, OGRFeatureH f, long row, const char *raw)
{
    const char *id = field_text(f, A->column[AMEND_ID]), *agreed = field_text(f, A->column[AMEND_AGREED]);
    const char *note = field_text(f, A->column[AMEND_NOTE]);
    if (!id) {
        if (!agreed && !note) {
            A->r.unchanged++;
            return RG_OK;
        }
        return reject(A, row, RG_AMEND_MISSING_ID, raw, "an agreed class or a note without a household id");
    }
    int seen = 0, rc = seen_before(A, id, &seen);
    if (rc != RG_OK || seen)
        return rc != RG_OK ? rc : reject(A, row, RG_AMEND_DUPLICATE_ROW, raw, "household %s listed again", id);
    char kelurahan[2][64], before[32];
    if (!current_class(A, id, kelurahan, before, sizeof before))
        return reject(A, row, RG_AMEND_UNKNOWN_HOUSEHOLD, raw, "no household %.60s in the database", id);
    /* The list's kelurahan (its recap), and the row's own, where the file has them: a forum
     * decides for its own families only. */
    if (A->r.kelurahan_code[0] && !same_kelurahan(A->r.kelurahan_code, kelurahan))
        return reject(A, row, RG_AMEND_OTHER_KELURAHAN, raw, "household %s is of kelurahan %s, the list of %s", id,
                      kelurahan[0][0] ? kelurahan[0] : "(none)", A->r.kelurahan_code);
    const char *listed = field_text(f, A->column[AMEND_KELURAHAN]);
    if (listed && !same_kelurahan(listed, kelurahan))
        return reject(A, row, RG_AMEND_OTHER_KELURAHAN, raw, "household %s is of kelurahan %s, the row says %.40s", id,
                      kelurahan[0][0] ? kelurahan[0] : "(none)", listed);
    rg_poverty_class after;
    if (agreed && rg_classify_class_parse(agreed, &after) != RG_OK)
        return reject(A, row, RG_AMEND_UNREADABLE_CLASS, raw,
                      "'%.40s' is none of sangat miskin, miskin, rentan miskin, tidak miskin", agreed);
    if (!agreed || strcmp(rg_classify_class_name(after), before) == 0) {
        A->r.unchanged++;
        return RG_OK;
    }
    return decide(A, row, id, kelurahan[0], before, after, note);
}

/* "row 7: ID keluarga=KPG-1|Kelas disepakati=miskin": what the row said, for its reject. */
static void describe(OGRFeatureH f, rg_buf *raw)
{
    raw->len = 0;
    if (raw->data)
        raw->data[0] = '\0';
    OGRFeatureDefnH defn = OGR_F_GetDefnRef(f);
    for (int i = 0; i < OGR_F_GetFieldCount(f); i++)
        if (OGR_F_IsFieldSetAndNotNull(f, i))
            rg__buf_appendf(raw, "%s%s=%s", raw->len ? "|" : "", OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)),
                            OGR_F_GetFieldAsString(f, i));
}

static int amend_rows(amender *A, OGRLayerH layer)
{
    int rc = map_columns(A, layer);
    if (rc == 1)
        return RG_OK;
    rg_buf raw = {0};
    OGRFeatureH f;
    OGR_L_ResetReading(layer);
    while (rc == RG_OK && (f = OGR_L_GetNextFeature(layer)) != NULL) {
        long row = (long)OGR_F_GetFID(f) + A->row_offset;
        describe(f, &raw);
        A->r.rows_read++;
        rc = amend_row(A, f, row, raw.data ? raw.data : "");
        OGR_F_Destroy(f);
    }
    rg__buf_free(&raw);
    return rc;
}

static int prepare(amender *A)
{
    sqlite3 *db = rg_io_store_db(A->store);
    int rc = rg_io_store_exec(A->store, "amending",
                              "CREATE TEMP TABLE IF NOT EXISTS amend_seen(household_id TEXT PRIMARY KEY);"
                              "DELETE FROM temp.amend_seen");
    if (rc == RG_OK &&
        (sqlite3_prepare_v2(db, "SELECT h.kelurahan_code, h.poverty_class_final, k.alt_code FROM households h"
                                " LEFT JOIN kelurahan k ON k.code = h.kelurahan_code WHERE h.household_id = ?",
                            -1, &A->find, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO temp.amend_seen(household_id) VALUES(?)", -1, &A->seen,
                            NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(db,
                            "INSERT INTO forum_decisions(run, household_id, kelurahan_code, class_before, class_after,"
                            " note, source_row, decided, edition) VALUES(?, ?, ?, ?, ?, ?, ?,"
                            " strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), " RG_IO_LIVE_EDITION ")",
                            -1, &A->decide, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(db, "INSERT INTO forum_rejects(run, source_row, reason, message, raw) VALUES(?, ?, ?, ?, ?)",
                            -1, &A->reject, NULL) != SQLITE_OK))
        rc = rg_io_store_sql_error(A->store);
    return rc;
}

static void finalize(amender *A)
{
    sqlite3_finalize(A->find);
    sqlite3_finalize(A->seen);
    sqlite3_finalize(A->decide);
    sqlite3_finalize(A->reject);
}

static int begin_run(amender *A)
{
    char digest[RG__SHA256_HEX] = "";
    struct stat sb;
    int hashed = rg__sha256_file(A->path, digest); /* 1 when hashed */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(A->store),
                           "INSERT INTO forum_runs(path, size, sha256, kelurahan_code) VALUES(?, ?, ?, ?)", -1, &st,
                           NULL) != SQLITE_OK)
        return rg_io_store_sql_error(A->store);
    sqlite3_bind_text(st, 1, A->path, -1, SQLITE_STATIC);
    if (stat(A->path, &sb) == 0)
        sqlite3_bind_int64(st, 2, (sqlite3_int64)sb.st_size);
    if (hashed)
        sqlite3_bind_text(st, 3, digest, -1, SQLITE_STATIC);
    if (A->r.kelurahan_code[0])
        sqlite3_bind_text(st, 4, A->r.kelurahan_code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? RG_OK : rg_io_store_sql_error(A->store);
    sqlite3_finalize(st);
    A->r.run_id = sqlite3_last_insert_rowid(rg_io_store_db(A->store));
    return rc;
}

static int finish_run(amender *A)
{
    if (A->r.rows_read != A->r.applied + A->r.unchanged + A->r.rejected)
        return rg_ctx_error(A->ctx, RG_EDATA, "%s: accounting error: %lld rows, %lld applied, %lld unchanged, %lld rejected",
                            A->path, (long long)A->r.rows_read, (long long)A->r.applied, (long long)A->r.unchanged,
                            (long long)A->r.rejected);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(A->store),
                           "UPDATE forum_runs SET finished = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), rows_read = ?,"
                           " applied = ?, unchanged = ?, rejected = ? WHERE id = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(A->store);
    const int64_t v[] = {A->r.rows_read, A->r.applied, A->r.unchanged, A->r.rejected, A->r.run_id};
    for (int i = 0; i < 5; i++)
        sqlite3_bind_int64(st, i + 1, v[i]);
    int rc = sqlite3_step(st) == SQLITE_DONE ? RG_OK : rg_io_store_sql_error(A->store);
    sqlite3_finalize(st);
    return rc;
}

/* The family list: the workbook's sheet, or a CSV's one layer. */
static OGRLayerH list_layer(amender *A, GDALDatasetH ds)
{
    OGRLayerH layer = GDALDatasetGetLayerByName(ds, "Daftar keluarga");
    if (layer)
        return layer;
    A->row_offset = 1; /* a CSV's first data row is its line 2 */
    return GDALDatasetGetLayerCount(ds) == 1 ? GDALDatasetGetLayer(ds, 0) : NULL;
}

static int amend_file(amender *A, GDALDatasetH ds)
{
    OGRLayerH layer = list_layer(A, ds);
    if (!layer)
        return rg_ctx_error(A->ctx, RG_EDATA, "%s: no sheet 'Daftar keluarga' (the family list pack writes)", A->path);
    read_kelurahan(A, ds);
    int rc = prepare(A);
    if (rc == RG_OK)
        rc = begin_run(A);
    if (rc == RG_OK)
        rc = amend_rows(A, layer);
    if (rc == RG_OK)
        rc = finish_run(A);
    /* Before the summaries are made anew: a lookup left on a row would hold forum_decisions
     * locked (a second amend of the same file found its rows' earlier decisions). */
    finalize(A);
    if (rc == RG_OK)
        rc = rg_classify_resummarise(A->store);
    return rc;
}

/* GDAL's XLSX driver holds a whole sheet in memory, ~330 bytes a row: a 0.5 MB workbook of
 * three million empty rows took 1 GB. A forum's list is one kelurahan's families, tens of
 * thousands at the most: a sheet past these limits is refused before GDAL reads it. */
#define SHEET_MAX_BYTES (64 << 20)
#define SHEET_MAX_ROWS 200000

/* The rows of a worksheet's XML, counted as "<row" tags as it streams out of the zip: -2 past
 * SHEET_MAX_BYTES, the count once past SHEET_MAX_ROWS, -1 when it cannot be read. */
static long long sheet_rows(const char *sheet)
{
    VSILFILE *f = VSIFOpenL(sheet, "rb");
    if (!f)
        return -1;
    char buf[1 << 16];
    long long rows = 0, bytes = 0;
    size_t n, carry = 0;
    while (rows <= SHEET_MAX_ROWS && bytes <= SHEET_MAX_BYTES &&
           (n = VSIFReadL(buf + carry, 1, sizeof buf - carry, f)) > 0) {
        size_t len = carry + n;
        bytes += (long long)n;
        for (size_t i = 0; i + 4 <= len; i++)
            rows += memcmp(buf + i, "<row", 4) == 0;
        carry = len < 3 ? len : 3; /* a tag cut by the buffer's end is counted with the next */
        memmove(buf, buf + len - carry, carry);
    }
    VSIFCloseL(f);
    return bytes > SHEET_MAX_BYTES ? -2 : rows;
}

static int check_workbook_size(rg_ctx *ctx, const char *path)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "/vsizip/%s/xl/worksheets", path);
    char **sheets = VSIReadDir(dir); /* NULL: not a workbook (a CSV is read as it streams) */
    int rc = RG_OK;
    for (char **s = sheets; s && *s && rc == RG_OK; s++) {
        char sheet[4400];
        snprintf(sheet, sizeof sheet, "%s/%s", dir, *s);
        long long rows = strstr(*s, ".xml") ? sheet_rows(sheet) : 0;
        if (rows == -2 || rows > SHEET_MAX_ROWS)
            rc = rg_ctx_error(ctx, RG_EDATA,
                              "%s: worksheet %s holds more than a forum's list (at most %d rows, %d MB of cells):"
                              " not read", path, *s, SHEET_MAX_ROWS, SHEET_MAX_BYTES >> 20);
    }
    CSLDestroy(sheets);
    return rc;
}

int rg_forum_amend(rg_store *store, const char *path, rg_amend_report *report)
{
    amender A = {.store = store, .ctx = rg_io_store_ctx(store), .path = path};
    GDALAllRegister();
    int rc = rg_io_store_step_require(store, RG_STEP_CLASSIFY, "nothing to amend yet");
    /* Headers forced (GDAL 3.6 has it as a configuration option, read as the sheet is): a list
     * whose cells are all text would otherwise read its header as data. */
    CPLSetThreadLocalConfigOption("OGR_XLSX_HEADERS", "FORCE");
    GDALDatasetH ds = NULL;
    if (rc == RG_OK)
        rc = check_workbook_size(A.ctx, path);
    if (rc == RG_OK && !(ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL))) {
        char why[256];
        rc = rg_ctx_error(A.ctx, RG_EGDAL, "%s: not a workbook or CSV GDAL can read: %s", path,
                          rg__open_failure(path, CPLGetLastErrorMsg(), why, sizeof why));
    }
    if (rc == RG_OK && (rc = rg_io_store_step_begin(store, RG_STEP_FORUM, RG_STEP_ADD, 0)) == RG_OK &&
        (rc = amend_file(&A, ds)) == RG_OK)
        rc = rg_io_store_step_commit(store, path);
    rg_io_store_step_end(store);
    if (ds)
        GDALClose(ds);
    CPLSetThreadLocalConfigOption("OGR_XLSX_HEADERS", NULL);
    if (report)
        *report = A.r;
    return rc;
}

int rg_forum_drop_decisions(rg_store *store, int64_t *dropped)
{
    int64_t n = 0;
    int rc = rg_io_store_step_require(store, RG_STEP_CLASSIFY, "no decisions to drop");
    if (rc == RG_OK)
        rc = rg_io_store_count(store, "SELECT count(*) FROM forum_decisions", &n);
    if (rc == RG_OK && (rc = rg_io_store_step_begin(store, RG_STEP_FORUM, RG_STEP_ADD, 0)) == RG_OK &&
        (rc = rg_io_store_exec(store, "dropping the forum's decisions",
                               "DELETE FROM forum_decisions; DELETE FROM forum_rejects; DELETE FROM forum_runs")) ==
            RG_OK &&
        (rc = rg_classify_resummarise(store)) == RG_OK)
        rc = rg_io_store_step_commit(store, "decisions dropped");
    rg_io_store_step_end(store);
    if (dropped)
        *dropped = n;
    return rc;
}
