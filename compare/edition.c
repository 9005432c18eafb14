/*
 * One edition, read: a GeoPackage that `regsosek-geo export` wrote, or a working database,
 * opened read-only. Its metadata (an export's) or its tables (a database's) name the edition
 * and hold the rules its programmes were counted by; its
 * households layer is copied into the scratch database in id order (the merge reads it so),
 * the point read out of its GeoPackage geometry.
 */
#include "compare/internal.h"

#include <errno.h>
#include <gdal.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int rg_compare__gpkg_wkb_at(const unsigned char *b, int n)
{
    /* The header's flags say how long an envelope follows (bits 1-3) and whether the
     * geometry is empty (bit 4). */
    static const int envelope[8] = {0, 32, 48, 48, 64, 0, 0, 0};
    if (!b || n < 8 || b[0] != 'G' || b[1] != 'P' || (b[3] & 0x10))
        return -1;
    return 8 + envelope[(b[3] >> 1) & 7];
}

/* A GeoPackage geometry of a point: its x (which 0) or y (1); NULL for anything else. */
static void gpkg_point_coordinate(sqlite3_context *c, sqlite3_value *v, int which)
{
    const unsigned char *b = sqlite3_value_blob(v);
    int n = sqlite3_value_bytes(v);
    int at = rg_compare__gpkg_wkb_at(b, n);
    if (at < 0 || n < at + 21 || b[at] != 1 || b[at + 1] != 1 || b[at + 2] || b[at + 3] || b[at + 4]) {
        sqlite3_result_null(c); /* big-endian WKB or not a point: this tool writes neither */
        return;
    }
    double d;
    memcpy(&d, b + at + 5 + 8 * which, sizeof d);
    sqlite3_result_double(c, d);
}

static void sql_gpkg_x(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    gpkg_point_coordinate(c, argv[0], 0);
}

static void sql_gpkg_y(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    gpkg_point_coordinate(c, argv[0], 1);
}

/* The metadata export wrote (EDITION, RULES), read through GDAL, which keeps it as XML. */
static int read_export_metadata(rg_compare__run *R, rg_compare__edition *e)
{
    const char *drivers[] = {"GPKG", NULL};
    GDALDatasetH ds = GDALOpenEx(e->path, GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, NULL, NULL);
    if (!ds)
        return rg_ctx_error(R->ctx, RG_EDATA, "%s: not a GeoPackage: compare reads the GeoPackages"
                            " `regsosek-geo export` writes", e->path);
    const char *edition = GDALGetMetadataItem(ds, "EDITION", NULL);
    const char *rules = GDALGetMetadataItem(ds, "RULES", NULL);
    int rc = RG_OK;
    if (edition && *edition) {
        snprintf(e->edition, sizeof e->edition, "%s", edition);
    } else {
        /* Exports made before editions were named: the file's name says which it is. */
        const char *slash = strrchr(e->path, '/');
        snprintf(e->edition, sizeof e->edition, "%s", slash ? slash + 1 : e->path);
    }
    if (rules)
        rc = rg_classify_rules_parse(&e->rules, R->ctx, rules, strlen(rules), e->path);
    else
        rc = rg_ctx_error(R->ctx, RG_EDATA, "%s: no RULES in its metadata: not a classified export of"
                          " regsosek-geo (export the store again)", e->path);
    GDALClose(ds);
    return rc;
}

/* "file:" URI of path opened read-only: what SQLite would take as a URI's own characters is
 * percent-encoded. */
static int attach(rg_compare__run *R, sqlite3 *db, const rg_compare__edition *e)
{
    rg_buf uri = {0}, sql = {0};
    int rc = rg__buf_appendf(&uri, "file:");
    for (const unsigned char *p = (const unsigned char *)e->path; *p && rc == RG_OK; p++)
        rc = *p == '%' || *p == '?' || *p == '#' || *p <= ' ' || *p >= 0x7f ? rg__buf_appendf(&uri, "%%%02X", *p)
                                                                           : rg__buf_appendf(&uri, "%c", *p);
    if (rc == RG_OK)
        rc = rg__buf_appendf(&uri, "?mode=ro");
    sqlite3_stmt *st = NULL;
    if (rc == RG_OK && (rc = rg__buf_appendf(&sql, "ATTACH DATABASE ? AS %s", e->schema)) == RG_OK &&
        sqlite3_prepare_v2(db, sql.data, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, uri.data, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = rg_ctx_error(R->ctx, RG_EIO, "%s: cannot read: %s", e->path, sqlite3_errmsg(db));
    } else if (rc == RG_OK) {
        rc = rg_ctx_error(R->ctx, RG_ESQL, "%s: %s", e->path, sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    rg__buf_free(&uri);
    rg__buf_free(&sql);
    return rc;
}

/* The households must have every column compare reads. */
/* A working database's edition, rules and state, as its own tables hold them: it must be
 * classified since its last join, and of this release's layout. */
static int read_store_metadata(rg_compare__run *R, rg_compare__edition *e)
{
    char sql[512];
    int64_t n = 0;
    snprintf(sql, sizeof sql, "PRAGMA %s.user_version", e->schema);
    int rc = rg_compare__count(R, sql, &n);
    if (rc == RG_OK && n != RG_IO_SCHEMA_VERSION)
        return rg_ctx_error(R->ctx, RG_EDATA, "%s: a working database of layout %lld, this release reads %d: run a"
                            " step that writes (classify) to upgrade it, or compare exports", e->path, (long long)n,
                            RG_IO_SCHEMA_VERSION);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s.store_steps WHERE step = 'classify'", e->schema);
    if (rc == RG_OK && (rc = rg_compare__count(R, sql, &n)) == RG_OK && !n)
        return rg_ctx_error(R->ctx, RG_EDATA, "%s: not classified since its last load or join: run"
                            " `regsosek-geo classify --db %s` first", e->path, e->path);
    sqlite3_stmt *st = NULL;
    snprintf(sql, sizeof sql,
             "SELECT (SELECT value FROM %1$s.classify_meta WHERE key = 'rules'), (SELECT edition FROM %1$s.load_runs"
             " WHERE id = (SELECT max(id) FROM %1$s.load_runs WHERE finished IS NOT NULL AND mode IN ('new', 'replace')))",
             e->schema);
    if (rc == RG_OK && sqlite3_prepare_v2(R->db, sql, -1, &st, NULL) != SQLITE_OK)
        rc = rg_ctx_error(R->ctx, RG_ESQL, "%s: %s", e->path, sqlite3_errmsg(R->db));
    if (rc == RG_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *rules = (const char *)sqlite3_column_text(st, 0), *edition = (const char *)sqlite3_column_text(st, 1);
        const char *slash = strrchr(e->path, '/');
        snprintf(e->edition, sizeof e->edition, "%s", edition ? edition : slash ? slash + 1 : e->path);
        rc = rg_classify_rules_parse(&e->rules, R->ctx, rules ? rules : "", rules ? strlen(rules) : 0, e->path);
    }
    sqlite3_finalize(st);
    return rc;
}

/* An export's households are a table; a working database's, a view over its steps' tables. */
static int read_kind(rg_compare__run *R, rg_compare__edition *e)
{
    char sql[160];
    int64_t view = 0, table = 0;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s.sqlite_master WHERE name = 'households' AND type = 'view'",
             e->schema);
    int rc = rg_compare__count(R, sql, &view);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s.sqlite_master WHERE name = 'households' AND type = 'table'",
             e->schema);
    if (rc == RG_OK)
        rc = rg_compare__count(R, sql, &table);
    if (rc == RG_OK && !view && !table)
        return rg_ctx_error(R->ctx, RG_EDATA, "%s: no households layer (a --public export?): households are"
                            " compared by id, so compare reads a full export (`regsosek-geo export FILE.gpkg`) or"
                            " a working database", e->path);
    e->is_store = view > 0;
    return rc;
}

static int check_households(rg_compare__run *R, rg_compare__edition *e)
{
    static const char *const needed[] = {"household_id", "provinsi_code", "kabkota_code", "kecamatan_code",
                                         "kelurahan_code", "kelurahan_name", "sls_code", "desil", "poverty_class",
                                         "poverty_class_final", "geom"};
    char sql[256];
    int64_t found = 0;
    int rc = RG_OK;
    for (size_t i = 0; i < sizeof needed / sizeof *needed && rc == RG_OK; i++) {
        snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_table_info('households', '%s') WHERE name = '%s'",
                 e->schema, needed[i]);
        if ((rc = rg_compare__count(R, sql, &found)) == RG_OK && !found)
            rc = rg_ctx_error(R->ctx, RG_EDATA, "%s: layer households has no column %s: made by an earlier"
                              " regsosek-geo? export the store again", e->path, needed[i]);
    }
    return rc;
}

static int register_functions(sqlite3 *db)
{
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    return sqlite3_create_function(db, "rg_gpkg_x", 1, flags, NULL, sql_gpkg_x, NULL, NULL) == SQLITE_OK &&
                   sqlite3_create_function(db, "rg_gpkg_y", 1, flags, NULL, sql_gpkg_y, NULL, NULL) == SQLITE_OK
               ? RG_OK
               : RG_ENOMEM;
}

int rg_compare__edition_open(rg_compare__run *R, rg_compare__edition *e, const char *path, const char *schema)
{
    e->path = path;
    snprintf(e->schema, sizeof e->schema, "%s", schema);
    struct stat sb;
    if (stat(path, &sb) != 0)
        return rg_ctx_error(R->ctx, RG_EIO, "%s: cannot open: %s", path, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return rg_ctx_error(R->ctx, RG_EIO, "%s: not a file", path);
    int rc = attach(R, R->db, e);
    if (rc == RG_OK)
        rc = read_kind(R, e);
    if (rc == RG_OK)
        rc = e->is_store ? read_store_metadata(R, e) : read_export_metadata(R, e);
    return rc == RG_OK ? check_households(R, e) : rc;
}

/* Copying an edition's households sorted by id is most of reading it: the two editions are
 * copied at once, the later into a scratch database of its own on a thread of its own. */
typedef struct {
    sqlite3 *db;
    const rg_compare__edition *edition;
    char *sql, *err;
    int rc;
} copy_job;

static void *copy_households(void *arg)
{
    copy_job *job = arg;
    job->rc = sqlite3_exec(job->db, job->sql, NULL, NULL, &job->err);
    return NULL;
}

static int copy_sql(const rg_compare__edition *e, char **out)
{
    rg_buf sql = {0};
    /* A working database keeps a household's coordinates beside its point, which is NULL where
     * they were unusable. */
    int rc = rg__buf_appendf(&sql,
                             "CREATE TABLE h_%s AS SELECT household_id AS id, provinsi_code AS p,"
                             " kabkota_code AS k, kecamatan_code AS c, kelurahan_code AS l, kelurahan_name AS ln,"
                             " sls_code AS s, desil AS d, poverty_class AS cls0, poverty_class_final AS cls, %s"
                             " FROM %s.households ORDER BY household_id",
                             e->schema,
                             e->is_store ? "CASE WHEN geom IS NOT NULL THEN lon END AS x,"
                                           " CASE WHEN geom IS NOT NULL THEN lat END AS y"
                                         : "rg_gpkg_x(geom) AS x, rg_gpkg_y(geom) AS y",
                             e->schema);
    *out = sql.data;
    return rc;
}

int rg_compare__editions_copy(rg_compare__run *R)
{
    copy_job jobs[2] = {{R->db, &R->old, NULL, NULL, SQLITE_OK}, {R->db2, &R->later, NULL, NULL, SQLITE_OK}};
    int rc = register_functions(R->db);
    if (rc == RG_OK)
        rc = register_functions(R->db2);
    if (rc == RG_OK)
        rc = attach(R, R->db2, &R->later);
    for (int i = 0; i < 2 && rc == RG_OK; i++)
        rc = copy_sql(jobs[i].edition, &jobs[i].sql);
    pthread_t thread;
    int threaded = rc == RG_OK && pthread_create(&thread, NULL, copy_households, &jobs[1]) == 0;
    if (rc == RG_OK)
        copy_households(&jobs[0]);
    if (threaded)
        pthread_join(thread, NULL);
    else if (rc == RG_OK)
        copy_households(&jobs[1]);
    for (int i = 0; i < 2 && rc == RG_OK; i++)
        if (jobs[i].rc != SQLITE_OK)
            rc = rg_ctx_error(R->ctx, RG_ESQL, "compare: %s: reading the households: %s%s",
                              i ? R->later.path : R->old.path, jobs[i].err ? jobs[i].err : "out of memory",
                              jobs[i].rc == SQLITE_FULL ? " (the temporary folder is full: set SQLITE_TMPDIR to a"
                                                          " larger one)" : "");
    for (int i = 0; i < 2; i++) {
        rg_free(jobs[i].sql);
        sqlite3_free(jobs[i].err);
    }
    return rc;
}

void rg_compare__edition_close(rg_compare__edition *e)
{
    rg_classify_rules_free(e->rules);
    e->rules = NULL;
}
