/*
 * The load step: every data row of the input ends in exactly one place, `household_records`
 * (perhaps flagged) or `rejects` (with line, raw text, reason), inside one transaction, so a
 * failed load leaves the store as it was; the run, with the input's SHA-256, in load_runs.
 */
#include "load/internal.h"

#include <errno.h>
#include <gdal.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char *const reason_names[RG_REJECT_COUNT] = {
    "empty_line",     "field_count",       "broken_quote",    "invalid_utf8",
    "too_long",       "missing_coordinate", "bad_coordinate", "out_of_range",
    "null_island",    "outside_indonesia", "missing_id",      "duplicate_id",
};

const char *rg_load_reject_reason_name(rg_reject_reason reason)
{
    return (unsigned)reason < RG_REJECT_COUNT ? reason_names[reason] : "unknown";
}

/* --crs: a transformation from the columns' CRS to EPSG:4326, lon/lat order. */
int rg_load__prepare_crs(loader *L)
{
    return L->opts->crs ? rg_io_crs_from_text(&L->to_wgs84, L->ctx, L->opts->crs, L->path) : RG_OK;
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
                           "INSERT INTO load_runs(input_path, input_size, sha256, mode, started, edition) "
                           "VALUES(?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'),"
                           " CASE WHEN ?7 THEN NULL ELSE coalesce(?5, date(?6, 'unixepoch')) END)",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(L->store);
    sqlite3_bind_text(st, 1, L->path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)sb.st_size);
    sqlite3_bind_text(st, 4, mode, -1, SQLITE_STATIC);
    /* Unnamed, a first load is the edition of the day its file was written (a DTSEN extract's date). */
    sqlite3_bind_text(st, 5, L->edition, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)sb.st_mtime);
    sqlite3_bind_int(st, 7, L->keep_unnamed);
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
                           "SELECT finished FROM load_runs WHERE sha256 = ? AND " RG_IO_LIVE_RUN " ORDER BY id LIMIT 1",
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
    return rg_load_reject_reason_name((rg_reject_reason)most);
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

/* An edition's name goes into every export's metadata and a comparison's columns: a line of
 * readable text, not a path or a paragraph. */
int rg_load_edition_check(rg_ctx *ctx, const char *e)
{
    size_t n = strlen(e);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)e[i] < 0x20 || e[i] == 0x7f)
            n = 0;
    if (n == 0 || n > 64)
        return rg_ctx_error(ctx, RG_EINVAL, "--edition: '%.80s' is not a name for an edition: give one line of"
                            " 1 to 64 characters, as 2025-Q3 or 'DTSEN Oktober 2025'", e);
    return RG_OK;
}

int rg_load_run(rg_store *store, const char *path, const rg_load_opts *opts, rg_load_stats *stats)
{
    static const rg_load_opts defaults = RG_LOAD_OPTS_INIT;
    loader L = {.store = store, .ctx = rg_io_store_ctx(store), .path = path, .opts = opts ? opts : &defaults};
    GDALAllRegister(); /* idempotent: the library's callers need not remember it */
    sqlite3 *db = rg_io_store_db(store);
    int rc;
    int64_t existing = 0;
    /* Negative turns the guard off on purpose; NaN would turn it off by accident. */
    if (isnan(L.opts->max_reject_rate) || L.opts->max_reject_rate > 1)
        return rg_ctx_error(L.ctx, RG_EINVAL, "the largest share of rejected rows must be from 0 to 1");
    if (L.opts->edition && (rc = rg_load_edition_check(L.ctx, L.opts->edition)) != RG_OK)
        return rc;

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
    if ((rc = rg_load__edition_begin(&L, existing > 0)) != RG_OK)
        goto done;
    /* Joins, classes and summaries describe the old households: the step drops them. */
    int replacing = L.opts->mode == RG_LOAD_REPLACE; /* rejects alone, with no household, go too */
    if ((rc = rg_io_store_step_begin(store, RG_STEP_LOAD, replacing ? RG_STEP_AFRESH : RG_STEP_ADD, 16384)) != RG_OK)
        goto done;
    /* With no households left from before, the points written are all the index holds. */
    static const double indonesia[4] = {INDONESIA_MIN_LON, INDONESIA_MIN_LAT, INDONESIA_MAX_LON, INDONESIA_MAX_LAT};
    if ((!existing || replacing) &&
        (rc = rg_io_points_new(&L.points, L.ctx, rg_io_store_path(store), indonesia, 0)) != RG_OK)
        goto done;
    static const char *const mode_names[] = {"new", "replace", "append"};
    if ((rc = begin_run(&L, existing ? mode_names[L.opts->mode] : "new")) != RG_OK)
        goto done;
    static const char insert_head[] = "INSERT INTO household_records(household_id, load_run, source_line, lon, lat,"
                                      " household_size, spending, reported_code, given_class, load_flags, given_desil,"
                                      " given_rank, geom)"
                                      " VALUES";
    static const char one_row[] = ",(?,?,?,?,?,?,?,?,?,?,?,?,?)";
    _Static_assert(sizeof one_row == 2 * HOUSEHOLD_PARAMETERS + 3, "a household's parameters, as bind_household binds them");
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
    if ((rc = rg_load__prepare_extras(&L)) != RG_OK)
        goto done;
    if (sqlite3_prepare_v2(db, "INSERT INTO rejects(load_run, line, reason, message, raw) VALUES(?,?,?,?,?)", -1,
                           &L.reject, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT source_line FROM household_records WHERE household_id = ?", -1, &L.find_first,
                           NULL) != SQLITE_OK) {
        rc = rg_io_store_sql_error(L.store);
        goto done;
    }

    if ((rc = rg_load__duplicates_begin(&L)) != RG_OK)
        goto done;
    rc = is_delimited_text(path) ? rg_load__from_csv(&L) : rg_load__from_ogr(&L);
    if (rc != RG_OK || (rc = rg_load__duplicates_settle(&L)) != RG_OK)
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
    if ((rc = finish_run(&L)) != RG_OK || (rc = rg_load__edition_finish(&L)) != RG_OK)
        goto done;
    if ((rc = L.points ? rg_io_rtree_pack_gathered(store, "household_records", L.points)
                       : rg_io_rtree_pack_points(store, "household_records", "hh", "lon", "lat")) != RG_OK)
        goto done;
    rc = rg_io_store_step_commit(store, path);

done:
    sqlite3_finalize(L.insert);
    sqlite3_finalize(L.insert_many);
    sqlite3_finalize(L.extra_one);
    sqlite3_finalize(L.extra_many);
    sqlite3_finalize(L.reject);
    sqlite3_finalize(L.find_first);
    rg_load__duplicates_free(&L);
    rg_io_store_step_end(store);
    rg_io_crs_free(L.to_wgs84);
    rg_free(L.specs);
    rg_free(L.spec_text);
    rg_free(L.parts_text);
    rg__buf_free(&L.message);
    rg_io_points_free(L.points);
    input_sha256(&L);
    if (stats)
        *stats = L.stats;
    return rc;
}
