/*
 * The ranked list a consultation forum works from: one kelurahan's households from the
 * poorest up, with the class, the welfare figures and every flag a supervisor reviews.
 * Households that could not be ranked are listed after the ranked ones, never left out.
 */
#include "export/internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char list_sql[] =
    "SELECT welfare_rank, household_id, poverty_class, desil, welfare, spending, household_size, join_method,"
    " join_distance_m, join_flags, code_mismatch, reported_code, load_flags"
    " FROM households WHERE kelurahan_code = ?"
    " ORDER BY welfare_rank IS NULL, welfare_rank, household_id";

static const char header[] = "welfare_rank,household_id,poverty_class,desil,welfare,spending,household_size,"
                             "join_method,join_distance_m,join_flags,code_mismatch,reported_code,load_flags\n";

/* A text a spreadsheet would take for a formula (=, +, -, @, and the tab and carriage
 * return that can smuggle one in) opening a CSV: a household id "=HYPERLINK(...)" must stay
 * an id. A leading apostrophe keeps it text in Excel and LibreOffice (OWASP's advice). */
int rg_export_looks_like_formula(const char *text)
{
    return text && (*text == '=' || *text == '+' || *text == '-' || *text == '@' || *text == '\t' || *text == '\r');
}

static int write_field(FILE *f, const char *text, int neutralise)
{
    int quoted_text = neutralise && rg_export_looks_like_formula(text);
    if (!quoted_text && !strpbrk(text, ",\"\r\n"))
        return fputs(text, f) < 0 ? -1 : 0;
    if (fputc('"', f) == EOF || (quoted_text && fputc('\'', f) == EOF))
        return -1;
    for (const char *p = text; *p; p++)
        if ((*p == '"' && fputc('"', f) == EOF) || fputc(*p, f) == EOF)
            return -1;
    return fputc('"', f) == EOF ? -1 : 0;
}

/* One value as a person reads it: numbers without a trailing ".0" (179000, not 179000.0),
 * texts safe from being run as formulas. */
static int write_value(FILE *f, sqlite3_stmt *st, int i)
{
    char number[32];
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL: return 0;
    case SQLITE_FLOAT:
        snprintf(number, sizeof number, "%.15g", sqlite3_column_double(st, i));
        return fputs(number, f) < 0 ? -1 : 0;
    case SQLITE_INTEGER: return write_field(f, (const char *)sqlite3_column_text(st, i), 0);
    default: return write_field(f, (const char *)sqlite3_column_text(st, i), 1);
    }
}

int rg_export_csv_rows(FILE *f, sqlite3_stmt *st, int64_t *written)
{
    *written = 0;
    int step, io_failed = 0;
    while (!io_failed && (step = sqlite3_step(st)) == SQLITE_ROW) {
        int n = sqlite3_column_count(st);
        for (int i = 0; i < n && !io_failed; i++)
            io_failed = (i && fputc(',', f) == EOF) || write_value(f, st, i) < 0;
        io_failed = io_failed || fputc('\n', f) == EOF;
        (*written)++;
    }
    return io_failed ? -1 : step != SQLITE_DONE;
}

/* Accepts the kelurahan's code in the scheme the boundaries use or in the other one. */
static int resolve_code(rg_store *store, const char *code, char *out, size_t cap, char *name, size_t name_cap)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(store), "SELECT code, name FROM kelurahan WHERE code = ?1 OR alt_code = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_ctx_error(rg_io_store_ctx(store), RG_EDATA, "%s: no boundaries joined yet: run join first",
                            rg_io_store_path(store));
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int rc = RG_ENOTFOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(name, name_cap, "%s", sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1) : "");
        rc = RG_OK;
    }
    sqlite3_finalize(st);
    if (rc != RG_OK)
        rc = rg_ctx_error(rg_io_store_ctx(store), RG_ENOTFOUND, "no kelurahan with code %s in %s", code,
                          rg_io_store_path(store));
    return rc;
}

static int write_list(rg_store *store, const char *code, const char *path, int overwrite, int64_t *written)
{
    rg_ctx *ctx = rg_io_store_ctx(store);
    rg_io_atomic out;
    int rc = rg_io_atomic_begin(ctx, path, "", overwrite, &out);
    if (rc != RG_OK)
        return rc;
    FILE *f = fopen(out.tmp, "w");
    if (!f) {
        rg_io_atomic_abandon(&out);
        return rg_ctx_error(ctx, RG_EIO, "%s: cannot write: %s", path, strerror(errno));
    }
    sqlite3_stmt *st = NULL;
    int io_failed = fputs(header, f) < 0;
    if (sqlite3_prepare_v2(rg_io_store_db(store), list_sql, -1, &st, NULL) != SQLITE_OK) {
        rc = rg_io_store_sql_error(store);
        goto done;
    }
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int got = io_failed ? -1 : rg_export_csv_rows(f, st, written);
    io_failed = got < 0;
    if (got > 0)
        rc = rg_io_store_sql_error(store);

done:
    sqlite3_finalize(st);
    io_failed = fclose(f) != 0 || io_failed;
    if (rc == RG_OK && io_failed)
        rc = rg_ctx_error(ctx, RG_EIO, "%s: cannot write (disk full?): %s", path, strerror(errno));
    if (rc == RG_OK)
        return rg_io_atomic_commit(ctx, &out);
    rg_io_atomic_abandon(&out);
    return rc;
}

static int is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

void rg_export_area_file_name(const char *folder, const char *code, const char *name, const char *ext, char *out,
                              size_t cap)
{
    /* Letters and digits of the name, so a person finds the kelurahan; of the code its dots
     * and dashes too, after a letter or digit ("53.71.01.1001": never "..", never a leading
     * dot): the join refuses a code that could name a path, and nothing a boundary file
     * holds leaves the folder even so. */
    char safe_code[RG_AREA_ID_MAX + 1], safe[128];
    size_t n = 0, j = 0;
    for (const char *p = code; *p && n + 1 < sizeof safe_code; p++, n++)
        safe_code[n] = is_alnum(*p) || (n && is_alnum(safe_code[n - 1]) && (*p == '.' || *p == '-')) ? *p : '_';
    safe_code[n] = '\0';
    for (const char *p = name ? name : ""; *p && j + 1 < sizeof safe; p++)
        safe[j++] = is_alnum(*p) ? *p : '_';
    safe[j] = '\0';
    size_t stem = strlen(folder);
    while (stem > 1 && folder[stem - 1] == '/') /* "forum/" names the folder as "forum" does */
        stem--;
    snprintf(out, cap, "%.*s/%s%s%s%s", (int)stem, folder, safe_code, j ? "-" : "", safe, ext);
}

static int check_classified(rg_store *store)
{
    return rg_io_store_step_require(store, RG_STEP_CLASSIFY, "no ranks yet");
}

int rg_export_ranklist_write(rg_store *store, const char *kelurahan_code, const char *path, int overwrite,
                             int64_t *households)
{
    char code[64], name[256];
    int64_t written = 0;
    int rc = check_classified(store);
    if (rc == RG_OK)
        rc = resolve_code(store, kelurahan_code, code, sizeof code, name, sizeof name);
    if (rc == RG_OK)
        rc = write_list(store, code, path, overwrite, &written);
    if (households)
        *households = written;
    return rc;
}

int rg_export_ranklist_write_all(rg_store *store, const char *folder, int overwrite, int64_t *files)
{
    rg_ctx *ctx = rg_io_store_ctx(store);
    int rc = check_classified(store);
    if (rc != RG_OK)
        return rc;
    if ((rc = rg_io_folder_make(ctx, folder, 0700)) != RG_OK)
        return rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(store), "SELECT code, name FROM kelurahan ORDER BY code", -1, &st, NULL) !=
        SQLITE_OK)
        return rg_ctx_error(ctx, RG_EDATA, "%s: no boundaries joined yet: run join first", rg_io_store_path(store));
    int64_t count = 0;
    while (rc == RG_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(st, 0);
        const char *name = sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1) : "";
        char path[4200];
        rg_export_area_file_name(folder, code, name, ".csv", path, sizeof path);
        int64_t written = 0;
        rc = write_list(store, code, path, overwrite, &written);
        count++;
    }
    sqlite3_finalize(st);
    if (files)
        *files = count;
    return rc;
}
