/*
 * A layer's rows into PostGIS by COPY, in its text form: each field as PostgreSQL reads it
 * (doubles with all 17 digits, so a value reads back as the GeoPackage holds it) and the
 * geometry as hex EWKB with its SRID, which the geometry column parses without a function
 * call a row.
 */
#include "export/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Small enough that the server never waits for the client: libpq sends a chunk whole, blocking
 * until the socket (~200 KB) takes it, so a chunk much larger than the socket left the server
 * idle while the next was made (1 MB chunks: half the machine idle). */
#define COPY_CHUNK (48 << 10)

/* A text value as COPY's text format reads it: \, tab, newline and carriage return escaped. */
static int put_text(rg_buf *b, const char *s)
{
    int rc = RG_OK;
    while (*s && rc == RG_OK) {
        size_t plain = strcspn(s, "\\\t\n\r");
        rc = rg__buf_append(b, s, plain);
        s += plain;
        if (*s && rc == RG_OK) {
            const char *esc = *s == '\\' ? "\\\\" : *s == '\t' ? "\\t" : *s == '\n' ? "\\n" : "\\r";
            rc = rg__buf_append(b, esc, 2);
            s++;
        }
    }
    return rc;
}

static int put_hex(rg_buf *b, const unsigned char *bytes, size_t n)
{
    static const char digits[] = "0123456789ABCDEF";
    int rc = rg__buf_reserve(b, b->len + 2 * n + 1);
    for (size_t i = 0; i < n && rc == RG_OK; i++) {
        b->data[b->len++] = digits[bytes[i] >> 4];
        b->data[b->len++] = digits[bytes[i] & 15];
    }
    return rc;
}

static void put_u32le(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

#define EWKB_SRID_FLAG 0x20000000u
#define WKB_POLYGON 3u
#define WKB_MULTIPOLYGON 6u

/* A point as little-endian EWKB with SRID 4326. */
static int put_point(rg_buf *b, double x, double y)
{
    unsigned char ewkb[25] = {1};
    put_u32le(ewkb + 1, 1u | EWKB_SRID_FLAG);
    put_u32le(ewkb + 5, 4326);
    memcpy(ewkb + 9, &x, 8); /* the machine is little-endian, as the byte-order mark says */
    memcpy(ewkb + 17, &y, 8);
    return put_hex(b, ewkb, sizeof ewkb);
}

/* A SpatiaLite AsBinary() polygon or multipolygon (2D WKB) as EWKB multipolygon, SRID 4326. */
static int put_multipolygon(rg_buf *b, const unsigned char *wkb, size_t n)
{
    if (n < 5 || wkb[0] != 1)
        return RG_EDATA;
    uint32_t type = (uint32_t)wkb[1] | (uint32_t)wkb[2] << 8 | (uint32_t)wkb[3] << 16 | (uint32_t)wkb[4] << 24;
    if (type != WKB_POLYGON && type != WKB_MULTIPOLYGON)
        return RG_EDATA;
    unsigned char head[13] = {1};
    put_u32le(head + 1, WKB_MULTIPOLYGON | EWKB_SRID_FLAG);
    put_u32le(head + 5, 4326);
    int rc = put_hex(b, head, 9);
    if (type == WKB_POLYGON) { /* one part: a count, then the polygon as it is */
        put_u32le(head, 1);
        rc = rc == RG_OK ? put_hex(b, head, 4) : rc;
        return rc == RG_OK ? put_hex(b, wkb, n) : rc;
    }
    return rc == RG_OK ? put_hex(b, wkb + 5, n - 5) : rc;
}

/* A polygon as the store keeps it (a SpatiaLite blob), read by the store's own decoder:
 * SpatiaLite's AsBinary() took most of the time of reading 84,000 desa. */
static int put_store_polygon(rg_buf *b, const unsigned char *blob, size_t n)
{
    unsigned char *wkb = NULL;
    size_t size = 0;
    double bounds[4];
    long vertices = 0;
    int rc = blob ? rg_io_spatialite_wkb(blob, n, &wkb, &size, bounds, &vertices) : RG_EDATA;
    if (rc == RG_OK)
        rc = put_multipolygon(b, wkb, size);
    rg_free(wkb);
    return rc == RG_EINVAL ? RG_EDATA : rc;
}

/* One field of the store's row, as it is typed in the layer. */
static int put_column(rg_buf *b, sqlite3_stmt *st, int i, OGRFieldType type)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return rg__buf_append(b, "\\N", 2);
    if (type == OFTReal)
        return rg__buf_appendf(b, "%.17g", sqlite3_column_double(st, i));
    if (type == OFTInteger)
        return rg__buf_appendf(b, "%lld", (long long)sqlite3_column_int64(st, i));
    return put_text(b, (const char *)sqlite3_column_text(st, i));
}

/* One field of a feature (an area row, suppressed for --public). */
static int put_field(rg_buf *b, OGRFeatureH f, int i, OGRFieldType type)
{
    if (!OGR_F_IsFieldSetAndNotNull(f, i))
        return rg__buf_append(b, "\\N", 2);
    if (type == OFTReal)
        return rg__buf_appendf(b, "%.17g", OGR_F_GetFieldAsDouble(f, i));
    if (type == OFTInteger)
        return rg__buf_appendf(b, "%d", OGR_F_GetFieldAsInteger(f, i));
    return put_text(b, OGR_F_GetFieldAsString(f, i));
}

static OGRFieldType type_at(const exporter *E, const layer_def *def, size_t i)
{
    return i < def->field_count ? def->fields[i].type : rg_export__extra_field(E, def, i - def->field_count)->type;
}

/* An area's fields as the feature holds them (suppressed for --public, then `suppressed`),
 * each followed by a tab. */
static int put_feature_fields(const exporter *E, const layer_def *def, OGRFeatureH f, rg_buf *b)
{
    size_t n = def->field_count + rg_export__extra_count_of(E, def);
    int rc = RG_OK;
    for (size_t i = 0; i < (size_t)OGR_F_GetFieldCount(f) && rc == RG_OK; i++) {
        rc = put_field(b, f, (int)i, i < n ? type_at(E, def, i) : OFTInteger); /* past n: suppressed */
        rc = rc == RG_OK ? rg__buf_append(b, "\t", 1) : rc;
    }
    return rc;
}

/* The row's line: its fields, [suppressed,] [the two partition codes,] its geometry. */
static int put_row(exporter *E, const layer_def *def, sqlite3_stmt *st, OGRFeatureH f, rg_buf *b)
{
    size_t n = def->field_count + rg_export__extra_count_of(E, def);
    int households = def->bit == RG_LAYER_HOUSEHOLDS;
    int rc = RG_OK;
    if (!households) {
        rg_export__feature_set_fields(E, def, st, f);
        if (E->opts->public_only)
            rg_export__suppress_small_cells(E, f, E->opts->min_count);
        rc = put_feature_fields(E, def, f, b);
    }
    for (size_t i = 0; households && i < n && rc == RG_OK; i++) {
        rc = put_column(b, st, (int)i, type_at(E, def, i));
        rc = rc == RG_OK ? rg__buf_append(b, "\t", 1) : rc;
    }
    int g = (int)n;
    if (!households) { /* the partition codes follow the geometry in the query */
        for (int k = 1; k <= 2 && rc == RG_OK; k++) {
            rc = put_column(b, st, g + k, OFTString);
            rc = rc == RG_OK ? rg__buf_append(b, "\t", 1) : rc;
        }
    }
    if (rc != RG_OK)
        return rc;
    if (sqlite3_column_type(st, g) == SQLITE_NULL)
        rc = rg__buf_append(b, "\\N", 2);
    else if (def->geom == GEOM_POINT_LONLAT)
        rc = put_point(b, sqlite3_column_double(st, g), sqlite3_column_double(st, g + 1));
    else
        rc = put_store_polygon(b, sqlite3_column_blob(st, g), (size_t)sqlite3_column_bytes(st, g));
    return rc == RG_OK ? rg__buf_append(b, "\n", 1) : rc;
}

/* COPY schema.layer (columns) FROM STDIN. */
static int copy_command(exporter *E, const layer_def *def, const char *schema, OGRFeatureH f, rg_buf *sql)
{
    int rc = rg__buf_appendf(sql, "COPY %s.%s (", schema, def->name);
    size_t n = def->field_count + rg_export__extra_count_of(E, def);
    for (size_t i = 0; i < n && rc == RG_OK; i++)
        rc = rg__buf_appendf(sql, "\"%s\", ", i < def->field_count ? def->fields[i].name
                                                                 : rg_export__extra_field(E, def, i - def->field_count)->name);
    if (rc == RG_OK && f && OGR_F_GetFieldCount(f) > (int)n)
        rc = rg__buf_appendf(sql, "suppressed, ");
    if (rc == RG_OK && def->bit != RG_LAYER_HOUSEHOLDS)
        rc = rg__buf_appendf(sql, "kabkota_code, provinsi_code, ");
    return rc == RG_OK ? rg__buf_appendf(sql, "geom) FROM STDIN") : rc;
}

/* Starts COPY schema.layer (columns) FROM STDIN. */
static int copy_begin(exporter *E, rg_pg *pg, const char *schema, const layer_def *def, OGRFeatureH f,
                      const char *table)
{
    rg_buf sql = {0};
    int rc = copy_command(E, def, schema, f, &sql);
    if (rc == RG_OK) {
        PGresult *res = PQexec(pg->conn, sql.data);
        if (PQresultStatus(res) != PGRES_COPY_IN)
            rc = rg_export__pg_fail(pg, res, table);
        PQclear(res);
    }
    rg__buf_free(&sql);
    return rc;
}

/* Ends the COPY: committed to the transaction when rc is RG_OK, else aborted on the server
 * (ending it with an error message), so nothing half-sent stays. Returns rc, or the
 * server's refusal. */
static int copy_end(rg_pg *pg, const char *table, int rc)
{
    if (PQputCopyEnd(pg->conn, rc == RG_OK ? NULL : "regsosek-geo stopped the export") != 1 && rc == RG_OK)
        rc = rg_export__pg_fail(pg, NULL, table);
    PGresult *res;
    while ((res = PQgetResult(pg->conn)) != NULL) {
        if (rc == RG_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = rg_export__pg_fail(pg, res, table);
        PQclear(res);
    }
    return rc;
}

static int send_chunk(rg_pg *pg, const char *table, rg_buf *b)
{
    if (b->len && PQputCopyData(pg->conn, b->data, (int)b->len) != 1)
        return rg_export__pg_fail(pg, NULL, table);
    b->len = 0;
    return RG_OK;
}

/* The feature the area rows are suppressed in: the layer's fields, and `suppressed`. */
static OGRFeatureDefnH area_defn(exporter *E, const layer_def *def)
{
    OGRFeatureDefnH defn = OGR_FD_Create(def->name);
    size_t n = def->field_count + rg_export__extra_count_of(E, def);
    for (size_t i = 0; i <= n; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(i < n ? (i < def->field_count ? def->fields[i].name
                                                                       : rg_export__extra_field(E, def, i - def->field_count)->name)
                                                : "suppressed",
                                          i < n ? type_at(E, def, i) : OFTInteger);
        if (i < n || E->opts->public_only)
            OGR_FD_AddFieldDefn(defn, fd);
        OGR_Fld_Destroy(fd);
    }
    OGR_FD_Reference(defn);
    return defn;
}

int rg_export__pg_copy_layer(exporter *E, rg_pg *pg, const char *schema, const layer_def *def, int64_t *rows)
{
    char table[160];
    snprintf(table, sizeof table, "%s.%s", schema, def->name);
    rg_buf sql = {0}, line = {0};
    sqlite3_stmt *st = NULL;
    OGRFeatureDefnH defn = def->bit == RG_LAYER_HOUSEHOLDS ? NULL : area_defn(E, def);
    OGRFeatureH f = defn ? OGR_F_Create(defn) : NULL;
    *rows = 0;
    int rc = rg_export__layer_sql(E, def, 0, &sql);
    if (rc == RG_OK && sqlite3_prepare_v2(rg_io_store_db(E->store), sql.data, -1, &st, NULL) != SQLITE_OK)
        rc = rg_io_store_sql_error(E->store);
    if (rc == RG_OK && def->bit == RG_LAYER_HOUSEHOLDS)
        rg_export__bind_json_paths(E, st);
    if (rc == RG_OK)
        rc = copy_begin(E, pg, schema, def, f, table);
    if (rc != RG_OK)
        goto done;
    int step;
    while (rc == RG_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        rc = put_row(E, def, st, f, &line);
        if (rc == RG_EDATA)
            rc = rg_ctx_error(E->ctx, RG_EDATA, "%s: row %lld: the store's geometry is not a polygon", table,
                              (long long)*rows + 1);
        (*rows)++;
        if (rc == RG_OK && line.len >= COPY_CHUNK)
            rc = send_chunk(pg, table, &line);
    }
    if (rc == RG_OK && step != SQLITE_DONE)
        rc = rg_io_store_sql_error(E->store);
    if (rc == RG_OK)
        rc = send_chunk(pg, table, &line);
    rc = copy_end(pg, table, rc);
done:
    sqlite3_finalize(st);
    rg__buf_free(&sql);
    rg__buf_free(&line);
    if (f)
        OGR_F_Destroy(f);
    if (defn)
        OGR_FD_Release(defn);
    return rc;
}

/* The provinsi's own fields from the store (code, name, parent) and, when it is published
 * whole, its polygon as the boundaries give it. */
static int store_provinsi(exporter *E, const char *code, OGRFeatureH f, rg_buf *wkb)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(E->store),
                           "SELECT a.code, a.name, a.parent_code, p.name, AsBinary(a.geom) FROM provinsi a"
                           " LEFT JOIN provinsi p ON p.code = a.parent_code WHERE a.code = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(E->store);
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int rc = RG_OK;
    if (sqlite3_step(st) == SQLITE_ROW) {
        for (int i = 0; i < 4; i++)
            if (sqlite3_column_type(st, i) != SQLITE_NULL)
                OGR_F_SetFieldString(f, i, (const char *)sqlite3_column_text(st, i));
        if (wkb)
            rc = put_multipolygon(wkb, sqlite3_column_blob(st, 4), (size_t)sqlite3_column_bytes(st, 4));
    } else {
        OGR_F_SetFieldString(f, 0, code);
    }
    sqlite3_finalize(st);
    return rc;
}

/* SELECT the sums of the provinsi's kab/kota as they stand in the national table: a cell
 * hidden (NULL) in any part is unknown in the sum. */
static int sums_query(exporter *E, const layer_def *def, const char *schema, rg_buf *sql)
{
    int rc = rg__buf_appendf(sql, "SELECT count(*)");
    size_t n = def->field_count + rg_export__extra_count_of(E, def);
    for (size_t i = AREA_FIRST_COUNT; i < n && rc == RG_OK; i++) {
        const char *name = i < def->field_count ? def->fields[i].name : rg_export__extra_field(E, def, i - def->field_count)->name;
        rc = i == AREA_RATE ? rg__buf_appendf(sql, ", NULL")
                            : rg__buf_appendf(sql, ", CASE WHEN count(\"%s\") = count(*) THEN sum(\"%s\") END", name, name);
    }
    return rc == RG_OK ? rg__buf_appendf(sql, " FROM %s.kabkota WHERE provinsi_code = $1", schema) : rc;
}

/* poverty_rate from the summed counts, as the store computes it. */
static void set_rate(OGRFeatureH f)
{
    int cells[] = {AREA_FIRST_COUNT, AREA_FIRST_COUNT + 1, AREA_FIRST_COUNT + 2, AREA_LAST_COUNT};
    for (size_t i = 0; i < sizeof cells / sizeof *cells; i++)
        if (!OGR_F_IsFieldSetAndNotNull(f, cells[i]))
            return;
    int households = OGR_F_GetFieldAsInteger(f, AREA_FIRST_COUNT);
    int classified = households - OGR_F_GetFieldAsInteger(f, AREA_LAST_COUNT);
    int poor = OGR_F_GetFieldAsInteger(f, AREA_FIRST_COUNT + 1) + OGR_F_GetFieldAsInteger(f, AREA_FIRST_COUNT + 2);
    if (classified > 0) {
        char text[32];
        snprintf(text, sizeof text, "%.4f", (double)poor / classified);
        OGR_F_SetFieldDouble(f, AREA_RATE, atof(text));
    }
}

/* The provinsi's row afresh: the sums of its kab/kota in the national table, its own polygon
 * when whole (else NULL: the caller unites its kab/kota's). */
int rg_export__pg_put_provinsi(exporter *E, rg_pg *pg, const char *schema, const char *code, int whole)
{
    const layer_def *def = &rg_export__layers[0];
    char table[160];
    snprintf(table, sizeof table, "%s.provinsi", schema);
    OGRFeatureDefnH defn = area_defn(E, def);
    OGRFeatureH f = OGR_F_Create(defn);
    rg_buf sql = {0}, line = {0}, wkb = {0};
    int rc = sums_query(E, def, schema, &sql);
    PGresult *res = rc == RG_OK ? rg_export__pg_query(pg, table, sql.data, 1, &code) : NULL;
    if (rc == RG_OK && !res)
        rc = RG_EPG;
    if (rc == RG_OK && PQntuples(res) == 1 && atoi(PQgetvalue(res, 0, 0)) > 0) {
        rc = store_provinsi(E, code, f, whole ? &wkb : NULL);
        for (int i = 1; i < PQnfields(res); i++)
            if (!PQgetisnull(res, 0, i))
                OGR_F_SetFieldInteger(f, AREA_FIRST_COUNT + i - 1, atoi(PQgetvalue(res, 0, i)));
        set_rate(f);
        if (E->opts->public_only)
            rg_export__suppress_small_cells(E, f, E->opts->min_count);
        rc = rc == RG_OK ? put_feature_fields(E, def, f, &line) : rc;
        rc = rc == RG_OK ? rg__buf_appendf(&line, "\\N\t%s\t", code) : rc;
        rc = rc == RG_OK ? (wkb.len ? rg__buf_append(&line, wkb.data, wkb.len) : rg__buf_append(&line, "\\N", 2)) : rc;
        rc = rc == RG_OK ? rg__buf_append(&line, "\n", 1) : rc;
    }
    PQclear(res);
    if (rc == RG_OK && line.len && (rc = copy_begin(E, pg, schema, def, f, table)) == RG_OK)
        rc = copy_end(pg, table, send_chunk(pg, table, &line));
    rg__buf_free(&sql);
    rg__buf_free(&line);
    rg__buf_free(&wkb);
    OGR_F_Destroy(f);
    OGR_FD_Release(defn);
    return rc;
}
