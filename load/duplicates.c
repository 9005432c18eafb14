/*
 * Duplicate household ids, settled after the rows are written rather than as each is.
 *
 * Registration ids come in no order. A unique index kept while a million of them arrive is
 * a random insert each, and was half of a load (5.4 s shuffled against 2.2 s sorted); built
 * once at the end it is a sort (0.4 s). So at the first id out of order the load sets the
 * index aside, writes every household, then keeps the first of each id and rejects the
 * others with their line, raw text and the line of the one kept, exactly as the check on
 * insert does while the ids come in order.
 *
 * The raw text of a row is gone once its batch is written, and a duplicate is known only at
 * the end. The checking side therefore marks each id in a bit filter of fixed size: a row
 * whose bit was set already may repeat an earlier id, and its raw text is kept aside (a
 * temporary table). Every true repeat is among those suspects; the few others cost a row
 * each. Memory is the filter's, whatever the number of rows.
 *
 * A store made before layout 7 keeps the table's own UNIQUE constraint, which cannot be set
 * aside: its load checks each insert, as it always did.
 */
#include "load/internal.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Half a bit per byte of input: a household row is 60 bytes or more, so about 1 row in 30
 * or fewer is a false suspect (measured: 1.6% at 1M rows, 8 MB); bounded both ways, at
 * 64 MB for files of 1 GB and more, where false suspects grow but stay correct. */
#define FILTER_MIN_BITS ((uint64_t)1 << 23)
#define FILTER_MAX_BITS ((uint64_t)1 << 29)
/* The second filter, of the suspects' ids alone (a few per thousand rows). */
#define SUSPECT_BITS ((uint64_t)1 << 24)

static uint64_t filter_bits(const char *path)
{
    struct stat sb;
    uint64_t want = stat(path, &sb) == 0 && S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size / 2 : 0;
    uint64_t bits = FILTER_MIN_BITS;
    while (bits < want && bits < FILTER_MAX_BITS)
        bits <<= 1;
    return bits;
}

static int mark_stored(loader *L);

static int set_index_aside(loader *L)
{
    L->index_live = 0;
    rg__buf_free(&L->last_id);
    return rg_io_store_exec(L->store, "setting the id index aside", "DROP INDEX IF EXISTS household_records_id");
}

int rg_load__duplicates_order(loader *L, const char *id, long line)
{
    /* A group of rows that failed as one statement comes again row by row. */
    if (!L->index_live || line <= L->last_line)
        return RG_OK;
    L->last_line = line;
    if (L->last_id.len && strcmp(id, L->last_id.data) < 0)
        return set_index_aside(L);
    L->last_id.len = 0;
    return rg__buf_append(&L->last_id, id, strlen(id) + 1);
}

int rg_load__duplicates_begin(loader *L)
{
    int64_t constrained = 0;
    int rc = rg_io_store_count(L->store,
                               "SELECT count(*) FROM pragma_index_list('household_records') WHERE origin = 'u'",
                               &constrained);
    if (rc != RG_OK || constrained)
        return rc;
    uint64_t bits = filter_bits(L->path);
    if (!(L->seen = rg_calloc(bits / 64, sizeof *L->seen)))
        return RG_ENOMEM;
    L->seen_mask = bits - 1;
    int64_t stored = 0;
    if ((rc = rg_io_store_count(L->store, "SELECT EXISTS (SELECT 1 FROM household_records)", &stored)) != RG_OK ||
        (rc = rg_io_store_exec(L->store, "preparing the load",
                               "CREATE TEMP TABLE IF NOT EXISTS load_suspects(hh INTEGER PRIMARY KEY, raw BLOB);"
                               "DELETE FROM temp.load_suspects;")) != RG_OK)
        return rc;
    /* Into an empty table, ids in order are appends to the index: it stays until one is not. */
    L->index_live = !stored;
    if (!L->index_live && (rc = set_index_aside(L)) != RG_OK)
        return rc;
    if (sqlite3_prepare_v2(rg_io_store_db(L->store), "INSERT INTO temp.load_suspects(hh, raw) VALUES(?, ?)", -1,
                           &L->keep_suspect, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(L->store);
    return mark_stored(L);
}

/* FNV-1a, then a 64-bit finaliser so that ids differing only in their last digits spread. */
static uint64_t id_hash(const char *id)
{
    uint64_t h = 14695981039346656037ull;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 33);
}

/* id's bit in a filter of mask + 1 bits (a power of two): whether it was set; set it too
 * when `set`. */
static int filter_bit(uint64_t *filter, uint64_t mask, const char *id, int set)
{
    uint64_t bit = id_hash(id) & mask, one = (uint64_t)1 << (bit & 63);
    int was = (filter[bit >> 6] & one) != 0;
    if (set)
        filter[bit >> 6] |= one;
    return was;
}

int rg_load__duplicates_mark(const loader *L, const char *id)
{
    return L->seen ? filter_bit(L->seen, L->seen_mask, id, 1) : 0;
}

int rg_load__duplicates_keep(loader *L, int64_t hh, const char *raw, size_t raw_len)
{
    sqlite3_stmt *st = L->keep_suspect;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, hh);
    sqlite3_bind_blob(st, 2, raw, (int)raw_len, SQLITE_STATIC);
    return sqlite3_step(st) == SQLITE_DONE ? RG_OK : rg_io_store_sql_error(L->store);
}

/* A load appending to households already stored marks their ids first: a new row repeating
 * one of them is a suspect too. */
static int mark_stored(loader *L)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(L->store), "SELECT household_id FROM household_records", -1, &st, NULL) !=
        SQLITE_OK)
        return rg_io_store_sql_error(L->store);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        rg_load__duplicates_mark(L, (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? RG_OK : rg_io_store_sql_error(L->store);
}

/* One household found to repeat the id of the row kept: counted out of the loaded ones as
 * the load counted it in, rejected, and left for deleting. */
static int reject_repeat(loader *L, sqlite3_stmt *st, long first_line, int64_t **gone, size_t *count, size_t *cap)
{
    int64_t hh = sqlite3_column_int64(st, 0);
    const char *id = (const char *)sqlite3_column_text(st, 1);
    const char *flags = (const char *)sqlite3_column_text(st, 3);
    int has_point = sqlite3_column_int(st, 4);
    if (sqlite3_column_type(st, 5) == SQLITE_NULL)
        return rg_ctx_error(L->ctx, RG_EDATA, "%s: internal error: household id '%.60s' repeats unseen", L->path, id);
    L->stats.loaded--;
    L->stats.flagged -= flags != NULL;
    L->stats.without_point -= !has_point;
    L->stats.swapped -= flags && sqlite3_column_int(st, 6);
    int rc = rg_load__reject_duplicate(L, sqlite3_column_int64(st, 2), sqlite3_column_blob(st, 5),
                                       (size_t)sqlite3_column_bytes(st, 5), id, first_line);
    if (rc == RG_OK && has_point && L->points)
        rc = rg_io_points_forget(L->points, hh);
    if (rc == RG_OK && (rc = rg__grow(gone, cap, *count + 1, sizeof **gone)) == RG_OK)
        (*gone)[(*count)++] = hh;
    return rc;
}

/* Whether an id may be a suspect's, by a second filter of only the suspects' ids: a function
 * call a row where SQLite's own IN test over a million rows cost 0.35 s of a 3 s load. */
static void suspect_id(sqlite3_context *context, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *id = (const char *)sqlite3_value_text(argv[0]);
    sqlite3_result_int(context, id && filter_bit(sqlite3_user_data(context), SUSPECT_BITS - 1, id, 0));
}

/* The ids of the households kept aside as suspects. */
#define SUSPECT_IDS "SELECT k.household_id FROM temp.load_suspects s CROSS JOIN household_records k ON k.hh = s.hh"

static int suspect_filter(loader *L, uint64_t *filter)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(L->store), SUSPECT_IDS, -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(L->store);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        filter_bit(filter, SUSPECT_BITS - 1, (const char *)sqlite3_column_text(st, 0), 1);
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? RG_OK : rg_io_store_sql_error(L->store);
}

/* Every household sharing an id with a suspect, by id and then in the order written: the
 * first of each id is kept, the others rejected. */
static int find_repeats(loader *L, int64_t **gone, size_t *count, size_t *cap)
{
    static const char sql[] =
        "SELECT r.hh, r.household_id, r.source_line, r.load_flags, r.geom IS NOT NULL, s.raw,"
        "  ',' || r.load_flags || ',' LIKE '%,swapped_latlon,%'"
        " FROM household_records r LEFT JOIN temp.load_suspects s ON s.hh = r.hh"
        " WHERE rg_load_suspect_id(r.household_id)"
        "   AND r.household_id IN (" SUSPECT_IDS ")"
        " ORDER BY r.household_id, r.hh";
    uint64_t *filter = rg_calloc(SUSPECT_BITS / 64, sizeof *filter);
    if (!filter)
        return RG_ENOMEM;
    sqlite3 *db = rg_io_store_db(L->store);
    sqlite3_stmt *st = NULL;
    int rc = suspect_filter(L, filter);
    if (rc == RG_OK && (sqlite3_create_function(db, "rg_load_suspect_id", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                                filter, suspect_id, NULL, NULL) != SQLITE_OK ||
                        sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK))
        rc = rg_io_store_sql_error(L->store);
    rg_buf kept = {0};
    long first_line = 0;
    int step = SQLITE_DONE;
    while (rc == RG_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 1);
        if (kept.len && strcmp(kept.data, id) == 0) {
            rc = reject_repeat(L, st, first_line, gone, count, cap);
            continue;
        }
        kept.len = 0;
        rc = rg__buf_append(&kept, id, strlen(id) + 1);
        first_line = (long)sqlite3_column_int64(st, 2);
    }
    if (rc == RG_OK && step != SQLITE_DONE)
        rc = rg_io_store_sql_error(L->store);
    sqlite3_finalize(st);
    sqlite3_create_function(db, "rg_load_suspect_id", 1, SQLITE_UTF8, NULL, NULL, NULL, NULL);
    rg_free(filter);
    rg__buf_free(&kept);
    return rc;
}

static int delete_rows(loader *L, const int64_t *gone, size_t count)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(L->store), "DELETE FROM household_records WHERE hh = ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return rg_io_store_sql_error(L->store);
    sqlite3_stmt *extra = NULL;
    int rc = RG_OK;
    if (sqlite3_prepare_v2(rg_io_store_db(L->store), "DELETE FROM household_extra WHERE hh = ?1", -1, &extra, NULL) !=
        SQLITE_OK)
        rc = rg_io_store_sql_error(L->store);
    for (size_t i = 0; i < count && rc == RG_OK; i++) {
        sqlite3_stmt *both[2] = {st, extra};
        for (int k = 0; k < 2 && rc == RG_OK; k++) {
            sqlite3_reset(both[k]);
            sqlite3_bind_int64(both[k], 1, gone[i]);
            if (sqlite3_step(both[k]) != SQLITE_DONE)
                rc = rg_io_store_sql_error(L->store);
        }
    }
    sqlite3_finalize(st);
    sqlite3_finalize(extra);
    return rc;
}

int rg_load__duplicates_settle(loader *L)
{
    if (!L->seen)
        return RG_OK;
    if (L->index_live) /* every id came in order, checked by the index as it was written */
        return rg_io_store_exec(L->store, "indexing household ids", "DELETE FROM temp.load_suspects");
    int64_t *gone = NULL;
    size_t count = 0, cap = 0;
    int rc = find_repeats(L, &gone, &count, &cap);
    if (rc == RG_OK)
        rc = delete_rows(L, gone, count);
    rg_free(gone);
    if (rc == RG_OK)
        rc = rg_io_store_exec(L->store, "indexing household ids",
                              "DELETE FROM temp.load_suspects; PRAGMA threads = 2;"
                              "CREATE UNIQUE INDEX household_records_id ON household_records(household_id);"
                              "PRAGMA threads = 0;");
    return rc;
}

void rg_load__duplicates_free(loader *L)
{
    sqlite3_finalize(L->keep_suspect);
    L->keep_suspect = NULL;
    rg_free(L->seen);
    L->seen = NULL;
    rg__buf_free(&L->last_id);
}
