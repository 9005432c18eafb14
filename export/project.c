/*
 * The QGIS project stored inside an exported GeoPackage, where QGIS keeps projects (the
 * table qgis_projects; Project > Open From > GeoPackage): the layers in order with their
 * styles, an overview sheet and an atlas of the kelurahan (export/styles/project.qgs, written by
 * scripts/make-project.py). Its layers' sources are relative, "./NAME.gpkg|layername=...",
 * which QGIS resolves beside the GeoPackage the project is read from: the file can move
 * folders, and no path of the machine that made it is inside.
 */
#include "export/internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

extern const char rg_project_project[], rg_project_project_public[];


static void put_le16(unsigned char *p, unsigned v) { p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8); }

/* A .qgz: a ZIP of one stored (uncompressed) entry, which QGIS reads as it reads its own. */
static int zip_one(const char *name, const rg_buf *data, rg_buf *out)
{
    size_t name_len = strlen(name);
    uint32_t crc = (uint32_t)crc32(0L, (const Bytef *)data->data, (uInt)data->len);
    unsigned char local[30] = {0}, central[46] = {0}, end[22] = {0};
    rg__put_le32(local, 0x04034b50);
    put_le16(local + 4, 20);
    rg__put_le32(local + 14, crc);
    rg__put_le32(local + 18, (uint32_t)data->len);
    rg__put_le32(local + 22, (uint32_t)data->len);
    put_le16(local + 26, (unsigned)name_len);
    rg__put_le32(central, 0x02014b50);
    put_le16(central + 4, 20);
    put_le16(central + 6, 20);
    rg__put_le32(central + 16, crc);
    rg__put_le32(central + 20, (uint32_t)data->len);
    rg__put_le32(central + 24, (uint32_t)data->len);
    put_le16(central + 28, (unsigned)name_len);
    size_t central_at = sizeof local + name_len + data->len;
    rg__put_le32(end, 0x06054b50);
    put_le16(end + 8, 1);
    put_le16(end + 10, 1);
    rg__put_le32(end + 12, (uint32_t)(sizeof central + name_len));
    rg__put_le32(end + 16, (uint32_t)central_at);
    int rc = rg__buf_append(out, (const char *)local, sizeof local);
    if (rc == RG_OK)
        rc = rg__buf_append(out, name, name_len);
    if (rc == RG_OK)
        rc = rg__buf_append(out, data->data, data->len);
    if (rc == RG_OK)
        rc = rg__buf_append(out, (const char *)central, sizeof central);
    if (rc == RG_OK)
        rc = rg__buf_append(out, name, name_len);
    if (rc == RG_OK)
        rc = rg__buf_append(out, (const char *)end, sizeof end);
    return rc;
}

/* QGIS keeps the project's bytes as hexadecimal text. */
static int hex_of(const rg_buf *bytes, rg_buf *out)
{
    static const char digits[] = "0123456789abcdef";
    int rc = RG_OK;
    for (size_t i = 0; i < bytes->len && rc == RG_OK; i++) {
        unsigned char b = (unsigned char)bytes->data[i];
        char two[2] = {digits[b >> 4], digits[b & 15]};
        rc = rg__buf_append(out, two, 2);
    }
    return rc == RG_OK ? rg__buf_append(out, "", 1) : rc;
}

/* The data's extent, the method and the inputs, for the layouts' texts and maps. */
static int read_facts(rg_store *store, double box[4], char *method, size_t mcap, char *source, size_t scap)
{
    sqlite3_stmt *st = NULL;
    int rc = rg_io_sources_describe(store, source, scap);
    /* An export cut with --only (temp.export_scope) frames its own kelurahan. */
    int64_t scoped = 0;
    if (rc == RG_OK)
        rc = rg_io_store_count(store, "SELECT count(*) FROM sqlite_temp_master WHERE name = 'export_scope'", &scoped);
    if (rc == RG_OK &&
        sqlite3_prepare_v2(rg_io_store_db(store),
                           scoped ? "SELECT min(MbrMinX(geom)), min(MbrMinY(geom)), max(MbrMaxX(geom)), max(MbrMaxY(geom)),"
                                    " " RG_IO_METHOD_TEXT " FROM kelurahan"
                                    " WHERE code IN (SELECT code FROM temp.export_scope WHERE level = 'kelurahan')"
                                  : "SELECT min(MbrMinX(geom)), min(MbrMinY(geom)), max(MbrMaxX(geom)), max(MbrMaxY(geom)),"
                                    " " RG_IO_METHOD_TEXT " FROM kelurahan",
                           -1, &st, NULL) != SQLITE_OK)
        rc = rg_io_store_sql_error(store);
    if (rc == RG_OK && sqlite3_step(st) == SQLITE_ROW) {
        for (int i = 0; i < 4; i++)
            box[i] = sqlite3_column_double(st, i);
        const unsigned char *m = sqlite3_column_text(st, 4);
        snprintf(method, mcap, "%s", m ? (const char *)m : "?");
    }
    sqlite3_finalize(st);
    return rc;
}

static int store_project(rg_ctx *ctx, const char *tmp_path, const char *target, const char *name, const char *hex)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc = RG_OK;
    char when[32], metadata[128];
    time_t now = time(NULL);
    struct tm utc;
    gmtime_r(&now, &utc);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &utc);
    snprintf(metadata, sizeof metadata, "{\"last_modified_time\": \"%s\", \"last_modified_user\": \"regsosek-geo\" }",
             when);
    if (sqlite3_open_v2(tmp_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
        sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS qgis_projects(name TEXT PRIMARY KEY, metadata BLOB, content BLOB)",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO qgis_projects(name, metadata, content) VALUES(?, ?, ?)", -1, &st,
                           NULL) != SQLITE_OK)
        rc = rg_ctx_error(ctx, RG_EIO, "%s: cannot store the QGIS project: %s", target, sqlite3_errmsg(db));
    if (rc == RG_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, metadata, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, hex, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = rg_ctx_error(ctx, RG_EIO, "%s: cannot store the QGIS project (disk full?): %s", target,
                              sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

int rg_export_qgis_project_store(rg_ctx *ctx, const char *gpkg_path, const char *target, const char *name,
                                 const char *qgs, size_t len)
{
    rg_buf text = {(char *)qgs, len, len}, zip = {0}, hex = {0};
    int rc = zip_one("project.qgs", &text, &zip);
    if (rc == RG_OK)
        rc = hex_of(&zip, &hex);
    if (rc == RG_OK)
        rc = store_project(ctx, gpkg_path, target, name, hex.data);
    rg__buf_free(&zip);
    rg__buf_free(&hex);
    return rc;
}

int rg_export__gpkg_project(rg_store *store, const char *tmp_path, const char *target, int public_only,
                            const char *poverty_rate)
{
    double box[4] = {0};
    char method[320] = "", source[512] = "", extent[4][32];
    int rc = read_facts(store, box, method, sizeof method, source, sizeof source);
    if (rc != RG_OK)
        return rc;
    for (int i = 0; i < 4; i++)
        snprintf(extent[i], sizeof extent[i], "\"%.9f\"", box[i]);
    const char *slash = strrchr(target, '/');
    /* The extent's marks are quoted attribute values, replaced quoted. */
    const rg__substitution subs[] = {
        {"@GPKG@", slash ? slash + 1 : target, 0}, {"@METHOD@", method, 0},
        {"@POVERTY_RATE@", poverty_rate ? poverty_rate : "", 0}, {"@SOURCE@", source, 0},
        {"\"11.125\"", extent[0], 1}, {"\"22.25\"", extent[1], 1}, {"\"33.375\"", extent[2], 1},
        {"\"44.5\"", extent[3], 1},
    };
    rg_buf qgs = {0};
    const char *template = public_only ? rg_project_project_public : rg_project_project;
    rc = rg__buf_append_template(&qgs, template, subs, sizeof subs / sizeof *subs);
    if (rc == RG_OK)
        rc = rg_export_qgis_project_store(rg_io_store_ctx(store), tmp_path, target, RG_EXPORT_PROJECT_NAME, qgs.data,
                                          qgs.len);
    rg__buf_free(&qgs);
    return rc;
}
