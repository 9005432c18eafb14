/*
 * The forum groups as a file: the CSV `forums` writes for the office to read and edit, and the
 * office's own grouping taken back (--groups), checked as the forum needs it: every SLS of
 * the map in exactly one forum, at most 12 SLS to a forum, each forum in one desa.
 */
#include "forum/internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int csv_field(FILE *f, const char *text, int last)
{
    const char *t = text ? text : "";
    int quote = strpbrk(t, ",\"\n\r") != NULL, ok = !quote || fputc('"', f) != EOF;
    for (; ok && *t; t++)
        ok = (*t != '"' || fputc('"', f) != EOF) && fputc(*t, f) != EOF;
    return ok && (!quote || fputc('"', f) != EOF) && fputc(last ? '\n' : ',', f) != EOF;
}

static const char listing_sql[] =
    "SELECT g.idsls, g.forum, g.desa_code,"
    " (SELECT s.name FROM sls s WHERE s.code BETWEEN g.idsls AND g.idsls || 'z' ORDER BY s.code LIMIT 1),"
    " coalesce(f.n, 0) FROM forum_groups g LEFT JOIN " RG_FORUM_FAMILIES_BY_SLS " f ON f.k = g.idsls"
    " ORDER BY g.desa_code, (SELECT min(o.position) FROM forum_groups o WHERE o.forum = g.forum), g.position";

static int write_rows(rg_store *store, FILE *f)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(store), listing_sql, -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    int ok = fputs("idsls,forum,kode_desa,nmsls,keluarga\n", f) >= 0, step;
    while (ok && (step = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < 4 && ok; i++)
            ok = csv_field(f, (const char *)sqlite3_column_text(st, i), 0);
        ok = ok && fprintf(f, "%lld\n", (long long)sqlite3_column_int64(st, 4)) > 0;
    }
    int rc = !ok ? RG_EIO : step != SQLITE_DONE ? rg_io_store_sql_error(store) : RG_OK;
    sqlite3_finalize(st);
    return rc;
}

int rg_forum__groups_csv(rg_store *store, rg_io_atomic *out, const char *path)
{
    rg_ctx *ctx = rg_io_store_ctx(store);
    FILE *f = fopen(out->tmp, "w");
    if (!f) {
        rg_io_atomic_abandon(out);
        return rg_ctx_error(ctx, RG_EIO, "%s: cannot write: %s", path, strerror(errno));
    }
    int rc = write_rows(store, f);
    int closed = fclose(f) == 0;
    if (rc == RG_EIO || (rc == RG_OK && !closed))
        rc = rg_ctx_error(ctx, RG_EIO, "%s: cannot write (disk full?): %s", path, strerror(errno));
    if (rc == RG_OK)
        return rg_io_atomic_commit(ctx, out);
    rg_io_atomic_abandon(out);
    return rc;
}

static int column_of(const rg_csv_row *header, const char *name)
{
    for (size_t i = 0; i < header->count; i++)
        if (rg__strieq(header->fields[i], name))
            return (int)i;
    return -1;
}

/* One row of the office's file into forum_groups, or the error naming its row and column. */
static int take_row(rg_store *store, const char *path, const rg_csv_row *row, int col_sls, int col_forum,
                    sqlite3_stmt *find, sqlite3_stmt *insert)
{
    rg_ctx *ctx = rg_io_store_ctx(store);
    const char *sls = (size_t)col_sls < row->count ? row->fields[col_sls] : "";
    const char *forum = (size_t)col_forum < row->count ? row->fields[col_forum] : "";
    if (!*sls && !*forum)
        return RG_OK; /* an empty line */
    if (strlen(sls) != 14 || strspn(sls, "0123456789") != 14)
        return rg_ctx_error(ctx, RG_EDATA, "%s: line %ld: column 'idsls': '%.40s' is no SLS code (14 digits)", path,
                            row->line, sls);
    if (!*forum)
        return rg_ctx_error(ctx, RG_EDATA, "%s: line %ld: column 'forum': SLS %s has no forum", path, row->line, sls);
    sqlite3_reset(find);
    sqlite3_bind_text(find, 1, sls, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(find) != SQLITE_ROW)
        return rg_ctx_error(ctx, RG_EDATA, "%s: line %ld: column 'idsls': SLS %s is not in the SLS map joined", path,
                            row->line, sls);
    sqlite3_reset(insert);
    sqlite3_bind_text(insert, 1, sls, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 2, (const char *)sqlite3_column_text(find, 0), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 3, forum, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert, 4, row->line);
    sqlite3_bind_text(insert, 5, path, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(insert);
    if (step == SQLITE_CONSTRAINT)
        return rg_ctx_error(ctx, RG_EDATA, "%s: line %ld: column 'idsls': SLS %s is in the file twice", path,
                            row->line, sls);
    return step == SQLITE_DONE ? RG_OK : rg_io_store_sql_error(store);
}

static int read_rows(rg_store *store, const char *path, rg_csv *csv)
{
    rg_ctx *ctx = rg_io_store_ctx(store);
    rg_csv_row row;
    int got = rg_io_csv_next(csv, &row);
    if (got <= 0)
        return got < 0 ? got : rg_ctx_error(ctx, RG_EDATA, "%s: empty file: no header, no SLS", path);
    int col_sls = column_of(&row, "idsls"), col_forum = column_of(&row, "forum");
    if (col_sls < 0 || col_forum < 0)
        return rg_ctx_error(ctx, RG_EDATA, "%s: line 1: the columns 'idsls' and 'forum' are needed (as `forums -o`"
                            " writes them)", path);
    sqlite3_stmt *find = NULL, *insert = NULL;
    sqlite3 *db = rg_io_store_db(store);
    int rc = RG_OK;
    if (sqlite3_prepare_v2(db, "SELECT parent_code FROM sls WHERE code BETWEEN ?1 AND ?1 || 'z' LIMIT 1", -1, &find,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO forum_groups VALUES(?, ?, ?, ?, ?)", -1, &insert, NULL) != SQLITE_OK)
        rc = rg_io_store_sql_error(store);
    while (rc == RG_OK && (got = rg_io_csv_next(csv, &row)) == 1)
        rc = row.problem != RG_CSV_FINE
                 ? rg_ctx_error(ctx, RG_EDATA, "%s: line %ld: the line cannot be read as CSV", path, row.line)
                 : take_row(store, path, &row, col_sls, col_forum, find, insert);
    if (rc == RG_OK && got < 0)
        rc = got;
    sqlite3_finalize(find);
    sqlite3_finalize(insert);
    return rc;
}

/* What the rows alone cannot show: an SLS of the map in no forum, a forum too large or
 * across desa. The first such problem, with how many there are. */
static int check_grouping(rg_store *store, const char *path)
{
    static const char *const checks[][3] = {
        {"SELECT count(*), min(substr(code, 1, 14)) FROM sls WHERE substr(code, 1, 14) NOT IN"
         " (SELECT idsls FROM forum_groups)",
         "SLS of the map are in no forum (the first: ", "); every SLS needs one"},
        {"SELECT count(*), min(forum) FROM (SELECT forum FROM forum_groups GROUP BY forum HAVING count(*) > 12)",
         "forums hold more than 12 SLS (the first: ", ")"},
        {"SELECT count(*), min(forum) FROM (SELECT forum FROM forum_groups GROUP BY forum"
         " HAVING count(DISTINCT desa_code) > 1)",
         "forums hold SLS of more than one desa (the first: ", "); a forum is one desa's"},
    };
    rg_ctx *ctx = rg_io_store_ctx(store);
    int rc = RG_OK;
    for (size_t i = 0; i < sizeof checks / sizeof *checks && rc == RG_OK; i++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(rg_io_store_db(store), checks[i][0], -1, &st, NULL) != SQLITE_OK)
            return rg_io_store_sql_error(store);
        if (sqlite3_step(st) != SQLITE_ROW) {
            rc = rg_io_store_sql_error(store);
        } else if (sqlite3_column_int64(st, 0) > 0) {
            rc = rg_ctx_error(ctx, RG_EDATA, "%s: %lld %s%.40s%s", path, (long long)sqlite3_column_int64(st, 0),
                              checks[i][1], (const char *)sqlite3_column_text(st, 1), checks[i][2]);
        }
        sqlite3_finalize(st);
    }
    return rc;
}

int rg_forum__groups_read(rg_store *store, const char *path)
{
    rg_csv *csv = NULL;
    int rc = rg_io_csv_open(&csv, rg_io_store_ctx(store), path);
    if (rc == RG_OK)
        rc = read_rows(store, path, csv);
    rg_io_csv_free(csv);
    return rc == RG_OK ? check_grouping(store, path) : rc;
}
