/*
 * GeoPackage layers filled at the speed of SQLite. A GeoPackage is an SQLite file, and
 * OGR writes it one feature at a time (about 75,000 points a second here, most of an
 * export). So GDAL makes each layer's table, fields, SRS, description and (empty) R-tree
 * with its triggers and extension rows, the ones it writes for any GeoPackage; then the
 * rows go in with one INSERT ... SELECT from the store, their geometries encoded by the
 * SQL functions below, and the R-tree's nodes are the store's own index copied, or packed
 * (GDAL's CreateSpatialIndex inserted a million points one by one in 8 s).
 */
#include "export/internal.h"

#include <gdal.h>
#include <ogr_api.h>
#include <stdio.h>
#include <string.h>

/* The GeoPackage geometry header (GeoPackage 1.3, 2.1.3): "GP", version 0, flags (bit 0
 * little-endian; bits 1-3 the envelope: 0 none, 1 minx maxx miny maxy), the SRS id. */
#define GPKG_HEADER 8
#define GPKG_ENVELOPE 32
#define WKB_POINT 21

/* rg_gpkg_point(lon, lat): a point's GeoPackage blob, NULL when lon or lat is NULL. Like
 * GDAL, a point carries no envelope: it is its own. */
static void sql_gpkg_point(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    unsigned char blob[GPKG_HEADER + WKB_POINT] = {'G', 'P', 0, 0x01};
    rg__put_le32(blob + 4, 4326);
    blob[8] = 0x01;
    rg__put_le32(blob + 9, 1);
    rg__put_le_double(blob + 13, sqlite3_value_double(argv[0]));
    rg__put_le_double(blob + 21, sqlite3_value_double(argv[1]));
    sqlite3_result_blob(c, blob, sizeof blob, SQLITE_TRANSIENT);
}

/* rg_gpkg_geom(spatialite_blob): a (multi)polygon's GeoPackage blob with its envelope,
 * taken from the MBR SpatiaLite keeps; NULL for NULL; an error for anything else. */
static void sql_gpkg_geom(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    const unsigned char *b = sqlite3_value_blob(argv[0]);
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    unsigned char header[GPKG_HEADER + GPKG_ENVELOPE] = {'G', 'P', 0, 0x03}, *wkb = NULL, *out = NULL;
    size_t size = 0;
    double bounds[4];
    long vertices;
    if (b && n >= 39) {
        double mbr[4];
        for (int i = 0; i < 4; i++)
            memcpy(&mbr[i], b + 6 + 8 * i, 8); /* minx miny maxx maxy, little-endian as checked below */
        rg__put_le32(header + 4, 4326);
        rg__put_le_double(header + 8, mbr[0]);
        rg__put_le_double(header + 16, mbr[2]);
        rg__put_le_double(header + 24, mbr[1]);
        rg__put_le_double(header + 32, mbr[3]);
    }
    if (!b || rg_io_spatialite_wkb(b, n, &wkb, &size, bounds, &vertices) != RG_OK ||
        !(out = rg_malloc(sizeof header + size))) {
        rg_free(wkb);
        sqlite3_result_error(c, "rg_gpkg_geom: not a SpatiaLite polygon or multipolygon of this store", -1);
        return;
    }
    memcpy(out, header, sizeof header);
    memcpy(out + sizeof header, wkb, size);
    rg_free(wkb);
    sqlite3_result_blob(c, out, (int)(sizeof header + size), rg_free);
}

/* rg_gpkg_box(blob, k): side k (0 minx, 1 maxx, 2 miny, 3 maxy) of a GeoPackage blob this
 * file wrote: its envelope, or a point's coordinates. */
static void sql_gpkg_box(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    const unsigned char *b = sqlite3_value_blob(argv[0]);
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    int k = sqlite3_value_int(argv[1]);
    double v;
    if (!b || n < GPKG_HEADER || k < 0 || k > 3) {
        sqlite3_result_null(c);
    } else if (((b[3] >> 1) & 7) == 1 && n >= GPKG_HEADER + GPKG_ENVELOPE) {
        memcpy(&v, b + GPKG_HEADER + 8 * k, 8);
        sqlite3_result_double(c, v);
    } else if (((b[3] >> 1) & 7) == 0 && n == GPKG_HEADER + WKB_POINT) {
        memcpy(&v, b + GPKG_HEADER + 5 + (k < 2 ? 0 : 8), 8);
        sqlite3_result_double(c, v);
    } else {
        sqlite3_result_null(c);
    }
}

int rg_export_gpkg_register(sqlite3 *db)
{
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    if (sqlite3_create_function(db, "rg_gpkg_point", 2, flags, NULL, sql_gpkg_point, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(db, "rg_gpkg_geom", 1, flags, NULL, sql_gpkg_geom, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(db, "rg_gpkg_box", 2, flags, NULL, sql_gpkg_box, NULL, NULL) != SQLITE_OK)
        return RG_ESQL;
    return RG_OK;
}

/* The triggers GDAL puts on a layer that fire on each insert: one counts features, one
 * inserts into the R-tree. Both would cost a statement per row; the count is set once and
 * the R-tree packed after the rows. */
/* Suspends them in the attached file; *restore gets the SQL that re-makes them (the
 * caller's; rg_free). */
static int drop_insert_triggers(rg_store *store, const char *table, char **restore)
{
    rg_buf condition = {0};
    *restore = NULL;
    int rc = rg__buf_appendf(&condition, "name IN ('trigger_insert_feature_count_%s', 'rtree_%s_geom_insert')", table,
                             table);
    if (rc == RG_OK)
        rc = rg_io_store_suspend_triggers(store, "ex", condition.data, restore);
    rg__buf_free(&condition);
    return rc;
}

/*
 * The store's own spatial index of the same rows, copied node for node: a layer whose fids
 * are the store's row ids (the export writes them so) has exactly the tree the store keeps,
 * an SQLite R*Tree of the same columns (id, minx, maxx, miny, maxy). Only when node sizes
 * and entries agree; *copied says whether it was.
 */
static int copy_index(rg_store *store, const rg_export__gpkg_fill *fill, int *copied)
{
    rg_buf sql = {0};
    int64_t same = 0;
    *copied = 0;
    int rc = rg__buf_appendf(&sql,
                             "SELECT (SELECT length(data) FROM main.\"%s_node\" WHERE nodeno = 1)"
                             "  = (SELECT length(data) FROM ex.\"rtree_%s_geom_node\" WHERE nodeno = 1)"
                             " AND (SELECT count(*) FROM main.\"%s_rowid\")"
                             "  = (SELECT count(*) FROM ex.\"%s\" WHERE geom IS NOT NULL)"
                             " AND NOT EXISTS (SELECT 1 FROM ex.\"%s\" l WHERE l.geom IS NOT NULL AND NOT EXISTS"
                             "  (SELECT 1 FROM main.\"%s_rowid\" r WHERE r.rowid = l.fid))",
                             fill->store_rtree, fill->table, fill->store_rtree, fill->table, fill->table,
                             fill->store_rtree);
    if (rc == RG_OK)
        rc = rg_io_store_count(store, sql.data, &same);
    sql.len = 0;
    if (rc == RG_OK && same) {
        static const char *const shadows[] = {"node", "rowid", "parent"};
        for (int i = 0; i < 3 && rc == RG_OK; i++)
            rc = rg__buf_appendf(&sql, "DELETE FROM ex.\"rtree_%s_geom_%s\";"
                                       " INSERT INTO ex.\"rtree_%s_geom_%s\" SELECT * FROM main.\"%s_%s\";",
                                 fill->table, shadows[i], fill->table, shadows[i], fill->store_rtree, shadows[i]);
        if (rc == RG_OK)
            rc = rg_io_store_exec(store, "writing the GeoPackage's spatial index", sql.data);
        *copied = rc == RG_OK;
    }
    rg__buf_free(&sql);
    return rc;
}

/* The layer's R-tree, packed in Hilbert order over the layer's extent. */
static int pack_index(rg_store *store, const char *table)
{
    rg_buf sql = {0}, rtree = {0};
    int64_t n = 0;
    int rc = rg__buf_appendf(&sql, "SELECT count(*) FROM ex.\"%s\" WHERE geom IS NOT NULL", table);
    if (rc == RG_OK)
        rc = rg_io_store_count(store, sql.data, &n);
    sql.len = 0;
    if (rc == RG_OK)
        rc = rg__buf_appendf(
            &sql,
            "WITH e AS (SELECT min_x AS x0, min_y AS y0, max_x AS x1, max_y AS y1 FROM ex.gpkg_contents"
            "  WHERE lower(table_name) = lower('%s')),"
            " b AS (SELECT fid, rg_gpkg_box(geom, 0) AS x0, rg_gpkg_box(geom, 1) AS x1, rg_gpkg_box(geom, 2) AS y0,"
            "  rg_gpkg_box(geom, 3) AS y1 FROM ex.\"%s\" WHERE geom IS NOT NULL)"
            " SELECT b.fid, b.x0, b.x1, b.y0, b.y1 FROM b, e"
            " ORDER BY rg_hilbert((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2, e.x0, e.y0, e.x1, e.y1), b.fid",
            table, table);
    if (rc == RG_OK)
        rc = rg__buf_appendf(&rtree, "rtree_%s_geom", table);
    if (rc == RG_OK)
        rc = rg_io_rtree_pack_boxes(store, "ex", rtree.data, sql.data, n);
    rg__buf_free(&sql);
    rg__buf_free(&rtree);
    return rc;
}

static int fill_table(rg_store *store, const rg_export__gpkg_fill *fill)
{
    sqlite3_stmt *st = NULL;
    rg_buf sql = {0};
    char *restore = NULL;
    int rc = drop_insert_triggers(store, fill->table, &restore);
    if (rc == RG_OK && sqlite3_prepare_v2(rg_io_store_db(store), fill->insert_sql, -1, &st, NULL) != SQLITE_OK)
        rc = rg_io_store_sql_error(store);
    if (rc == RG_OK && fill->bind)
        fill->bind(st, fill->userdata);
    if (rc == RG_OK && sqlite3_step(st) != SQLITE_DONE)
        rc = rg_io_store_sql_error(store);
    sqlite3_finalize(st);
    if (rc == RG_OK && restore[0])
        rc = rg_io_store_exec(store, "writing the GeoPackage", restore);
    if (rc == RG_OK)
        rc = rg__buf_appendf(&sql,
                             "UPDATE ex.gpkg_ogr_contents SET feature_count = (SELECT count(*) FROM ex.\"%s\")"
                             " WHERE lower(table_name) = lower('%s');"
                             "UPDATE ex.gpkg_contents SET min_x = e.x0, min_y = e.y0, max_x = e.x1, max_y = e.y1"
                             " FROM (%s) e WHERE lower(table_name) = lower('%s')",
                             fill->table, fill->table, fill->extent_sql, fill->table);
    if (rc == RG_OK)
        rc = rg_io_store_exec(store, "writing the GeoPackage", sql.data);
    int copied = 0;
    if (rc == RG_OK && fill->store_rtree)
        rc = copy_index(store, fill, &copied);
    if (rc == RG_OK && !copied)
        rc = pack_index(store, fill->table);
    rg__buf_free(&sql);
    rg_free(restore);
    return rc;
}

int rg_export__gpkg_fill_layers(rg_store *store, const char *path, const char *target, const rg_export__gpkg_fill *fills,
                                size_t count)
{
    rg_ctx *ctx = rg_io_store_ctx(store);
    sqlite3 *db = rg_io_store_db(store);
    sqlite3_stmt *attach = NULL;
    /* The encoders the layers' INSERT ... SELECT calls, on the store's own connection. */
    if (rg_export_gpkg_register(db) != RG_OK ||
        sqlite3_prepare_v2(db, "ATTACH DATABASE ? AS ex", -1, &attach, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    sqlite3_bind_text(attach, 1, path, -1, SQLITE_STATIC);
    int step = sqlite3_step(attach);
    sqlite3_finalize(attach);
    if (step != SQLITE_DONE)
        return rg_ctx_error(ctx, RG_EIO, "%s: cannot write: %s", target, sqlite3_errmsg(db));
    /* The file is a temporary one, renamed into place only when complete: a crash loses
     * it whole, so there is nothing for a journal to protect. */
    int rc = rg_io_store_exec(store, "writing the GeoPackage",
                              "PRAGMA ex.journal_mode = OFF; PRAGMA ex.synchronous = OFF; BEGIN");
    for (size_t i = 0; i < count && rc == RG_OK; i++) {
        double started = rg__seconds_now();
        rc = fill_table(store, &fills[i]);
        rg_ctx_notice(ctx, RG_NOTICE_DETAIL, "%s: layer %s written in %.2f s", target, fills[i].table,
                      rg__seconds_now() - started);
    }
    if (rc == RG_OK)
        rc = rg_io_store_exec(store, "writing the GeoPackage", "COMMIT");
    /* The message names the file the user asked for, with SQLite's reason: copied before
     * the rollback replaces it (and before the context's message is written over). */
    char why[512] = "";
    if (rc != RG_OK) {
        int code = sqlite3_errcode(db);
        if (code == SQLITE_OK || code == SQLITE_DONE || code == SQLITE_ROW)
            snprintf(why, sizeof why, "%s", rg_ctx_errmsg(ctx)); /* not SQLite's: ours */
        else
            snprintf(why, sizeof why, "%s%s", sqlite3_errmsg(db),
                     code == SQLITE_FULL || code == SQLITE_IOERR ? " (is the disk full, or the file size limited?)"
                                                                 : "");
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_exec(db, "DETACH DATABASE ex", NULL, NULL, NULL);
    if (rc != RG_OK)
        return rg_ctx_error(ctx, rc, "%s: cannot write: %s", target, why);
    return rc;
}
