/*
 * Writing checked rows: households a statement of many rows at a time (a duplicate id undoes
 * the group, which then goes row by row so the first is kept), rejects with their line, raw
 * text and reason, and the load's counts.
 */
#include "load/internal.h"

#include <stdio.h>
#include <string.h>

static int reject_row(loader *L, long line, const char *raw, size_t raw_len, rg_reject_reason reason,
                      const char *message)
{
    sqlite3_stmt *st = L->reject;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, L->stats.run_id);
    sqlite3_bind_int64(st, 2, line);
    sqlite3_bind_text(st, 3, rg_load_reject_reason_name(reason), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, message, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, raw, (int)raw_len, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return rg_io_store_sql_error(L->store);
    L->stats.rejected++;
    L->stats.by_reason[reason]++;
    return RG_OK;
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
    int rc = rg_load__format_reject(&L->message, L->path, line, fmt, ap);
    va_end(ap);
    if (rc != RG_OK)
        return RG_ENOMEM;
    return reject_row(L, line, raw, raw_len, reason, L->message.data);
}

int rg_load__reject_duplicate(loader *L, long line, const char *raw, size_t raw_len, const char *id,
                              long first_line)
{
    return reject_with(L, line, raw, raw_len, RG_REJECT_DUPLICATE_ID,
                       "column '%s': household id '%.60s' already loaded from line %ld; the first is kept",
                       L->id_column, id, first_line);
}

/* Binds a household's values to parameters base+1 .. base+HOUSEHOLD_PARAMETERS of st. point must live until
 * the statement has run. Every parameter is bound, NULL when absent: cheaper than
 * clearing them all first. */
static void bind_household(const loader *L, sqlite3_stmt *st, int base, const row_batch *b, const checked_row *r,
                           unsigned char *point)
{
    sqlite3_bind_text(st, base + 1, rg_load__text_at(b, r->id), -1, SQLITE_STATIC);
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
    const size_t texts[] = {r->code, r->given, r->flags, r->desil, r->rank};
    for (int i = 0; i < 5; i++)
        if (texts[i] != NO_TEXT)
            sqlite3_bind_text(st, base + 8 + i, rg_load__text_at(b, texts[i]), -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, base + 8 + i);
    if (r->has_point) {
        rg_io_spatialite_point(point, r->lon, r->lat);
        sqlite3_bind_blob(st, base + 13, point, RG_SPATIALITE_POINT_SIZE, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(st, base + 13);
    }
}

/* Counts a row read, with a progress notice now and then. */
static void count_read(loader *L)
{
    L->stats.rows_read++;
    if (L->stats.rows_read % 100000 == 0)
        rg_ctx_notice(L->ctx, RG_NOTICE_PROGRESS, "%s: %lld rows read", L->path, (long long)L->stats.rows_read);
}

int rg_load__prepare_extras(loader *L)
{
    sqlite3 *db = rg_io_store_db(L->store);
    rg_buf sql = {0};
    int rc = rg__buf_appendf(&sql, "INSERT INTO household_extra(hh, extra) VALUES(?, ?)");
    for (int k = 1; k < ROWS_PER_INSERT && rc == RG_OK; k++)
        rc = rg__buf_appendf(&sql, ", (?, ?)");
    if (rc == RG_OK && (sqlite3_prepare_v2(db, sql.data, -1, &L->extra_many, NULL) != SQLITE_OK ||
                        sqlite3_prepare_v2(db, "INSERT INTO household_extra(hh, extra) VALUES(?, ?)", -1,
                                           &L->extra_one, NULL) != SQLITE_OK))
        rc = rg_io_store_sql_error(L->store);
    rg__buf_free(&sql);
    return rc;
}

/* Appends the extra columns kept so far to household_extra: a full set with one statement,
 * fewer one by one. Before the batch they point into is emptied. */
static int flush_extras(loader *L)
{
    int full = L->extra_count == ROWS_PER_INSERT;
    sqlite3_stmt *st = full ? L->extra_many : L->extra_one;
    for (int k = 0; k < L->extra_count; k++) {
        int at = full ? 2 * k : 0;
        sqlite3_bind_int64(st, at + 1, L->extras[k].hh);
        sqlite3_bind_text(st, at + 2, L->extras[k].text, -1, SQLITE_STATIC);
        if (!full || k + 1 == L->extra_count) {
            int done = sqlite3_step(st) == SQLITE_DONE;
            sqlite3_reset(st);
            if (!done)
                return rg_io_store_sql_error(L->store);
        }
    }
    L->extra_count = 0;
    return RG_OK;
}

/* Counts a household written, keeps its other columns for household_extra and gathers its
 * point for the spatial index. */
static int count_loaded(loader *L, const row_batch *b, const checked_row *r, int64_t rowid)
{
    L->stats.loaded++;
    if (r->flags != NO_TEXT)
        L->stats.flagged++;
    L->stats.without_point += !r->has_point;
    L->stats.swapped += r->swapped;
    if (r->suspect) {
        int rc = rg_load__duplicates_keep(L, rowid, rg_load__text_at(b, r->raw), r->raw_len);
        if (rc != RG_OK)
            return rc;
    }
    if (r->extra != NO_TEXT) {
        L->extras[L->extra_count].hh = rowid;
        L->extras[L->extra_count++].text = rg_load__text_at(b, r->extra);
        int rc = L->extra_count == ROWS_PER_INSERT ? flush_extras(L) : RG_OK;
        if (rc != RG_OK)
            return rc;
    }
    return r->has_point && L->points ? rg_io_points_add(L->points, rowid, r->lon, r->lat) : RG_OK;
}

/* Writes one checked row to households or rejects. */
static int store_row(loader *L, const row_batch *b, const checked_row *r)
{
    count_read(L);
    const char *raw = rg_load__text_at(b, r->raw);
    if (r->reason >= 0)
        return reject_row(L, r->line, raw, r->raw_len, (rg_reject_reason)r->reason, rg_load__text_at(b, r->message));

    const char *id = rg_load__text_at(b, r->id);
    int rc = rg_load__duplicates_order(L, id, r->line);
    if (rc != RG_OK)
        return rc;
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
        return rg_load__reject_duplicate(L, r->line, raw, r->raw_len, id, first_line);
    }
    if (step != SQLITE_DONE)
        return rg_io_store_sql_error(L->store);
    return count_loaded(L, b, r, sqlite3_last_insert_rowid(rg_io_store_db(L->store)));
}

/*
 * Writes ROWS_PER_INSERT households with one statement: a statement a row was a third
 * of the writing side's time. A duplicate id anywhere in them fails the statement, which
 * SQLite undoes whole; they are then written one by one, so the first is kept and the
 * others rejected exactly as alone. @return RG_OK, 1 for "write them one by one", or an error.
 */
static int store_households(loader *L, const row_batch *b, const checked_row *rows)
{
    for (int k = 0; k < ROWS_PER_INSERT; k++) {
        int rc = rg_load__duplicates_order(L, rg_load__text_at(b, rows[k].id), rows[k].line);
        if (rc != RG_OK)
            return rc;
    }
    sqlite3_stmt *st = L->insert_many;
    sqlite3_reset(st);
    for (int k = 0; k < ROWS_PER_INSERT; k++)
        bind_household(L, st, HOUSEHOLD_PARAMETERS * k, b, &rows[k], L->many_points[k]);
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
        rc = count_loaded(L, b, &rows[k], first + k);
    }
    return rc;
}

int rg_load__batch_full(const row_batch *b) { return b->count >= BATCH_ROWS || b->text.len >= BATCH_TEXT; }

/* Writes the batch's rows in order and empties it. */
int rg_load__store_batch(loader *L, row_batch *b)
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
    if (rc == RG_OK)
        rc = flush_extras(L);
    b->count = 0;
    b->text.len = 0;
    return rc;
}

void rg_load__batch_free(row_batch *b)
{
    rg_free(b->rows);
    rg__buf_free(&b->text);
    rg__buf_free(&b->json);
    rg__buf_free(&b->flags);
    rg__buf_free(&b->message);
}
