/*
 * Publishing the map into PostGIS: many offices, one national database. Each export names
 * the areas it publishes (a kab/kota, or provinsi: --only, or those its households cover)
 * and replaces exactly their rows in the national tables in one transaction, so readers
 * (QGIS, GeoServer) see an area's previous rows or its new ones, never a mix, and a lost
 * connection leaves the previous ones.
 *
 * Locks: an area is written under a transaction-level advisory lock of its own (a kab/kota
 * also takes its provinsi's lock shared, a provinsi takes it exclusive), so two offices of
 * different kab/kota write side by side and two exports of one area take turns; the
 * provinsi's summary, the sum of its kab/kota as they stand, is recomputed last under a
 * lock of its own, which orders the offices of one provinsi so the last to commit sums
 * them all.
 */
#include "export/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One area a publication replaces. */
typedef struct {
    char code[32], provinsi[32], level[16];
} unit;

#define MAX_UNITS 128

typedef struct {
    exporter *E;
    rg_pg pg;
    const char *schema;
    unit units[MAX_UNITS];
    size_t unit_count;
    int created[RG_LAYER_FILES_MAX]; /* this publication made the layer's table: its indexes follow its rows */
    rg_buf inputs, boundaries, rules; /* what every area's record says it was made from */
} publication;

static const char *pg_type(OGRFieldType type)
{
    return type == OFTInteger ? "integer" : type == OFTReal ? "double precision" : "text";
}

/* Whether schema.table exists, read from pg_class under the statement's snapshot: to_regclass()
 * would answer from the session's catalog cache, which can still say no for a table another
 * transaction made and committed while this one waited for a lock. */
static int table_exists(publication *P, const char *table, int *exists)
{
    const char *params[] = {P->schema, table};
    PGresult *res = rg_export__pg_query(&P->pg, table,
                                        "SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid ="
                                        " c.relnamespace WHERE n.nspname = $1 AND c.relname = $2)",
                                        2, params);
    if (!res)
        return RG_EPG;
    *exists = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return RG_OK;
}

/* A layer's indexes: spatial, the partition keys, an area's code. Built by the publication
 * that makes the table, over its rows (building a GiST index over 1M points takes half the
 * time of growing it a row at a time), in the same transaction: a table others see has them. */
static int create_indexes(publication *P, const layer_def *def)
{
    const char *s = P->schema, *t = def->name;
    rg_buf sql = {0};
    int rc = rg__buf_appendf(&sql,
                             "CREATE INDEX %s_geom_idx ON %s.%s USING gist (geom);"
                             "CREATE INDEX %s_area_idx ON %s.%s (provinsi_code, kabkota_code);",
                             t, s, t, t, s, t);
    if (rc == RG_OK && def->bit != RG_LAYER_HOUSEHOLDS)
        rc = rg__buf_appendf(&sql, "CREATE UNIQUE INDEX %s_code_idx ON %s.%s (code);", t, s, t);
    if (rc == RG_OK)
        rc = rg_export__pg_exec(&P->pg, t, sql.data);
    rg__buf_free(&sql);
    return rc;
}

/* Polygons of thousands of vertices are stored compressed (TOAST): with lz4 rather than
 * PostgreSQL's default pglz, their COPY takes half the time (84,000 desa: 1.3 s against 2.8)
 * for the same size on disk. A server built without lz4 keeps pglz. */
static int compress_with_lz4(publication *P, const layer_def *def)
{
    int rc = rg_export__pg_exec(&P->pg, NULL, "SAVEPOINT lz4");
    if (rc != RG_OK)
        return rc;
    char sql[256];
    snprintf(sql, sizeof sql, "ALTER TABLE %s.%s ALTER COLUMN geom SET COMPRESSION lz4", P->schema, def->name);
    PGresult *res = PQexec(P->pg.conn, sql);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    return rg_export__pg_exec(&P->pg, NULL, ok ? "RELEASE SAVEPOINT lz4" : "ROLLBACK TO SAVEPOINT lz4");
}

/* A layer's table, made by the first publication into the schema, in its transaction: its
 * indexes follow its rows. */
static int create_layer_table(publication *P, const layer_def *def)
{
    exporter *E = P->E;
    int households = def->bit == RG_LAYER_HOUSEHOLDS;
    rg_buf sql = {0};
    int rc = rg__buf_appendf(&sql, "CREATE TABLE %s.%s (fid bigserial PRIMARY KEY", P->schema, def->name);
    for (size_t i = 0; i < def->field_count && rc == RG_OK; i++)
        rc = rg__buf_appendf(&sql, ", \"%s\" %s", def->fields[i].name, pg_type(def->fields[i].type));
    if (rc == RG_OK && !households)
        rc = rg__buf_appendf(&sql, "%s, kabkota_code text, provinsi_code text", E->opts->public_only ? ", suppressed integer" : "");
    if (rc == RG_OK)
        rc = rg__buf_appendf(&sql, ", geom geometry(%s, 4326)); COMMENT ON TABLE %s.%s IS $rg$%s$rg$;",
                             households ? "Point" : "MultiPolygon", P->schema, def->name, def->description);

    if (rc == RG_OK)
        rc = rg_export__pg_exec(&P->pg, def->name, sql.data);
    rg__buf_free(&sql);
    return rc == RG_OK && !households ? compress_with_lz4(P, def) : rc;
}

/* The columns this export adds to a table others made (its --fields, the rules' programmes):
 * added only when missing, since ALTER TABLE waits for every other office's transaction. */
static int add_missing_columns(publication *P, const layer_def *def)
{
    exporter *E = P->E;
    for (size_t i = 0; i < rg_export__extra_count_of(E, def); i++) {
        const field_def *fd = rg_export__extra_field(E, def, i);
        const char *params[] = {P->schema, def->name, fd->name};
        PGresult *res = rg_export__pg_query(&P->pg, def->name,
                                            "SELECT 1 FROM information_schema.columns WHERE table_schema = $1"
                                            " AND table_name = $2 AND column_name = $3",
                                            3, params);
        if (!res)
            return RG_EPG;
        int present = PQntuples(res) > 0;
        PQclear(res);
        int rc = present ? RG_OK
                         : rg_export__pg_execf(&P->pg, def->name, "ALTER TABLE %s.%s ADD COLUMN IF NOT EXISTS \"%s\" %s",
                                               P->schema, def->name, fd->name, pg_type(fd->type));
        if (rc != RG_OK)
            return rc;
    }
    return RG_OK;
}

/* What kind of publication the schema holds: a full one (households, every count) or a
 * --public one (summaries, small counts hidden). The two never share a schema. */
static int check_mode(publication *P)
{
    const char *mode = P->E->opts->public_only ? "public" : "full";
    int rc = rg_export__pg_execf(&P->pg, "about",
                                 "CREATE TABLE IF NOT EXISTS %s.about (key text PRIMARY KEY, value text);"
                                 "INSERT INTO %s.about VALUES ('mode', '%s') ON CONFLICT DO NOTHING",
                                 P->schema, P->schema, mode);
    if (rc != RG_OK)
        return rc;
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT value FROM %s.about WHERE key = 'mode'", P->schema);
    PGresult *res = rg_export__pg_query(&P->pg, "about", sql, 0, NULL);
    if (!res)
        return RG_EPG;
    if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), mode) != 0)
        rc = rg_ctx_error(P->E->ctx, RG_EINVAL,
                          "%s: schema %s holds a %s publication; a %s one goes to a schema of its own (--schema)",
                          P->pg.where, P->schema, PQgetvalue(res, 0, 0), mode);
    PQclear(res);
    return rc;
}

/* The provenance of every publication, and the latest of each area. */
static int create_publications(publication *P)
{
    return rg_export__pg_execf(
        &P->pg, "publications",
        "CREATE TABLE IF NOT EXISTS %s.publications (id bigserial PRIMARY KEY, area_code text NOT NULL,"
        " area_level text NOT NULL, area_name text, households bigint, mode text NOT NULL, tool_version text NOT NULL,"
        " command_line text, inputs text, boundaries text, rules text, published_by text NOT NULL DEFAULT current_user,"
        " published_at timestamptz NOT NULL DEFAULT now());"
        "COMMENT ON TABLE %s.publications IS 'Every publication of an area by regsosek-geo: which run (tool version,"
        " inputs with their SHA-256, boundaries, rules) wrote its rows, by whom and when.';"
        "CREATE OR REPLACE VIEW %s.published_areas AS SELECT DISTINCT ON (area_code) * FROM %s.publications"
        " ORDER BY area_code, id DESC",
        P->schema, P->schema, P->schema, P->schema);
}

/* The whole country: the sums of the provinsi, recomputed whenever it is read. */
static int create_national_view(publication *P)
{
    rg_buf sql = {0};
    const layer_def *def = &rg_export__layers[0];
    int rc = rg__buf_appendf(&sql, "CREATE OR REPLACE VIEW %s.national AS SELECT count(*) AS provinsi", P->schema);
    for (size_t i = AREA_FIRST_COUNT; i < def->field_count && rc == RG_OK; i++)
        if (i != AREA_RATE)
            rc = rg__buf_appendf(&sql, ", sum(\"%s\")::bigint AS \"%s\"", def->fields[i].name, def->fields[i].name);
    if (rc == RG_OK)
        rc = rg__buf_appendf(&sql,
                             ", round((sum(sangat_miskin) + sum(miskin))::numeric / nullif(sum(households) -"
                             " sum(unclassified), 0), 4) AS poverty_rate FROM %s.provinsi",
                             P->schema);
    if (rc == RG_OK)
        rc = rg_export__pg_exec(&P->pg, "national", sql.data);
    rg__buf_free(&sql);
    return rc;
}

static int schema_exists(publication *P, int *exists)
{
    const char *params[] = {P->schema};
    PGresult *res = rg_export__pg_query(&P->pg, NULL, "SELECT 1 FROM pg_namespace WHERE nspname = $1", 1, params);
    if (!res)
        return RG_EPG;
    *exists = PQntuples(res) > 0;
    PQclear(res);
    return RG_OK;
}

/* The schema and its tables, made once by whichever export comes first: in a transaction of
 * its own, under a lock, so two first exports do not race to make them. */
static int prepare_schema(publication *P, int chosen)
{
    rg_pg *pg = &P->pg;
    int rc = rg_export__pg_exec(pg, NULL, "BEGIN");
    if (rc == RG_OK)
        rc = rg_export__pg_execf(pg, NULL, "SELECT pg_advisory_xact_lock(hashtext('regsosek-geo:%s'))", P->schema);
    /* Made only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even
     * when the schema is there, and an administrator may have made it for a role that has
     * USAGE and CREATE on it alone. */
    int made = 0;
    if (rc == RG_OK)
        rc = schema_exists(P, &made);
    if (rc == RG_OK && !made)
        rc = rg_export__pg_execf(pg, NULL, "CREATE SCHEMA %s", P->schema);
    if (rc == RG_OK)
        rc = check_mode(P);
    for (size_t i = 0; i < RG_LAYER_FILES_MAX && rc == RG_OK; i++) {
        int exists = 0;
        if (chosen & rg_export__layers[i].bit)
            rc = table_exists(P, rg_export__layers[i].name, &exists);
        if (rc == RG_OK && exists)
            rc = add_missing_columns(P, &rg_export__layers[i]);
    }
    if (rc == RG_OK)
        rc = create_publications(P);
    if (rc == RG_OK)
        rc = rg_export__pg_styles(pg, P->schema, chosen);
    return rc == RG_OK ? rg_export__pg_exec(pg, NULL, "COMMIT") : rc;
}

/* In the publication's transaction, the tables no publication has made yet: under a lock, so
 * a second first publication waits for the first's tables rather than racing to make them. */
static int create_missing_tables(publication *P, int chosen)
{
    int rc = RG_OK, locked = 0;
    for (size_t i = 0; i < RG_LAYER_FILES_MAX && rc == RG_OK; i++) {
        const layer_def *def = &rg_export__layers[i];
        int exists = 1;
        if (chosen & def->bit)
            rc = table_exists(P, def->name, &exists);
        if (rc != RG_OK || exists)
            continue;
        if (!locked++) {
            rc = rg_export__pg_execf(&P->pg, NULL, "SELECT pg_advisory_xact_lock(hashtext('regsosek-geo:%s:tables'))",
                                     P->schema);
            if (rc == RG_OK)
                rc = table_exists(P, def->name, &exists); /* made while this one waited */
            if (rc != RG_OK || exists)
                continue;
        }
        rc = create_layer_table(P, def);
        if (rc == RG_OK)
            rc = add_missing_columns(P, def);
        P->created[i] = rc == RG_OK;
    }
    if (rc == RG_OK && P->created[0])
        rc = create_national_view(P);
    return rc;
}

/* PostGIS in the database, added when this role may. */
static int require_postgis(publication *P)
{
    PGresult *res = rg_export__pg_query(&P->pg, NULL, "SELECT 1 FROM pg_extension WHERE extname = 'postgis'", 0, NULL);
    if (!res)
        return RG_EPG;
    int present = PQntuples(res) > 0;
    PQclear(res);
    if (present)
        return RG_OK;
    res = PQexec(P->pg.conn, "CREATE EXTENSION IF NOT EXISTS postgis");
    int rc = RG_OK;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = rg_ctx_error(P->E->ctx, RG_EPG,
                          "%s: the database has no PostGIS, and this role cannot add it (%s): its owner can run"
                          " CREATE EXTENSION postgis",
                          P->pg.where, strtok(PQresultErrorMessage(res), "\n"));
    PQclear(res);
    return rc;
}

static int add_unit(publication *P, const char *level, const char *code, const char *provinsi)
{
    if (P->unit_count == MAX_UNITS)
        return rg_ctx_error(P->E->ctx, RG_EINVAL, "more than %d areas to publish: name them with --only", MAX_UNITS);
    unit *u = &P->units[P->unit_count++];
    snprintf(u->level, sizeof u->level, "%s", level);
    snprintf(u->code, sizeof u->code, "%s", code);
    snprintf(u->provinsi, sizeof u->provinsi, "%s", provinsi ? provinsi : code);
    return RG_OK;
}

/* --only's area, which must be a kab/kota or a provinsi: the pieces the national tables are
 * replaced by. */
static int unit_of_only(publication *P)
{
    rg_store *store = P->E->store;
    const char *level = NULL;
    int rc = rg_export_scope(store, P->E->opts->only, &level);
    if (rc != RG_OK)
        return rc;
    if (strcmp(level, "kabkota") != 0 && strcmp(level, "provinsi") != 0)
        return rg_ctx_error(P->E->ctx, RG_EINVAL,
                            "--only %s: a publication replaces a kab/kota's or a provinsi's rows, and this is a %s",
                            P->E->opts->only, level);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(store),
                           "SELECT s.code, k.parent_code FROM temp.export_scope s LEFT JOIN kabkota k"
                           " ON k.code = s.code WHERE s.level = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    sqlite3_bind_text(st, 1, level, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        rc = add_unit(P, level, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1));
    sqlite3_finalize(st);
    return rc;
}

/* Without --only: the kab/kota the households are in when they are in one, else each
 * provinsi they are in. */
static int units_of_data(publication *P)
{
    rg_store *store = P->E->store;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(store),
                           "SELECT k.code, k.parent_code FROM kabkota k JOIN kabkota_summary s ON s.code = k.code"
                           " WHERE s.households > 0 ORDER BY k.code",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    char first[32] = "", provinsi[32] = "";
    int kabkota = 0, rc = RG_OK;
    while (sqlite3_step(st) == SQLITE_ROW && kabkota++ == 0) {
        snprintf(first, sizeof first, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(provinsi, sizeof provinsi, "%s", (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    if (kabkota == 0)
        return rg_ctx_error(P->E->ctx, RG_EDATA, "no household is in any kab/kota of the boundaries: nothing to publish");
    if (kabkota == 1)
        return add_unit(P, "kabkota", first, provinsi);
    if (sqlite3_prepare_v2(rg_io_store_db(store),
                           "SELECT p.code FROM provinsi p JOIN provinsi_summary s ON s.code = p.code"
                           " WHERE s.households > 0 ORDER BY p.code",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    while (rc == RG_OK && sqlite3_step(st) == SQLITE_ROW)
        rc = add_unit(P, "provinsi", (const char *)sqlite3_column_text(st, 0), NULL);
    sqlite3_finalize(st);
    return rc;
}

/* The kab/kota and provinsi each area row belongs to: the keys its rows are replaced by. */
static int make_partition_codes(rg_store *store)
{
    return rg_io_store_exec(
        store, "publishing",
        "DROP TABLE IF EXISTS temp.publish_parents;"
        "CREATE TEMP TABLE publish_parents(level TEXT, code TEXT, kabkota_code TEXT, provinsi_code TEXT,"
        " PRIMARY KEY(level, code));"
        "INSERT INTO temp.publish_parents SELECT 'provinsi', code, NULL, code FROM provinsi;"
        "INSERT INTO temp.publish_parents SELECT 'kabkota', code, code, parent_code FROM kabkota;"
        "INSERT INTO temp.publish_parents SELECT 'kecamatan', c.code, c.parent_code, k.parent_code FROM kecamatan c"
        " LEFT JOIN kabkota k ON k.code = c.parent_code;"
        "INSERT INTO temp.publish_parents SELECT 'kelurahan', l.code, c.parent_code, k.parent_code FROM kelurahan l"
        " LEFT JOIN kecamatan c ON c.code = l.parent_code LEFT JOIN kabkota k ON k.code = c.parent_code;");
}

/* The lock an area is written under, and its provinsi's: see the top of the file. */
static int lock_unit(publication *P, const unit *u)
{
    int kabkota = strcmp(u->level, "kabkota") == 0;
    int rc = rg_export__pg_execf(&P->pg, NULL, "SELECT pg_advisory_xact_lock%s(hashtext('regsosek-geo:%s:area:%s'))",
                                 kabkota ? "_shared" : "", P->schema, u->provinsi);
    if (rc == RG_OK && kabkota)
        rc = rg_export__pg_execf(&P->pg, NULL, "SELECT pg_advisory_xact_lock(hashtext('regsosek-geo:%s:area:%s'))",
                                 P->schema, u->code);
    return rc;
}

/* Every area's rows in the layers under it (kab/kota .. households) go. */
static int delete_rows(publication *P, const unit *u, int chosen)
{
    int kabkota = strcmp(u->level, "kabkota") == 0;
    char *provinsi = PQescapeLiteral(P->pg.conn, u->provinsi, strlen(u->provinsi));
    char *code = PQescapeLiteral(P->pg.conn, u->code, strlen(u->code));
    int rc = provinsi && code ? RG_OK : rg_export__pg_fail(&P->pg, NULL, NULL);
    for (size_t i = 1; i < RG_LAYER_FILES_MAX && rc == RG_OK; i++)
        if (chosen & rg_export__layers[i].bit)
            rc = rg_export__pg_execf(&P->pg, rg_export__layers[i].name, "DELETE FROM %s.%s WHERE provinsi_code = %s%s%s",
                                     P->schema, rg_export__layers[i].name, provinsi,
                                     kabkota ? " AND kabkota_code = " : "", kabkota ? code : "");
    PQfreemem(provinsi);
    PQfreemem(code);
    return rc;
}

/* temp.export_scope holds every published area and what is in it: the layers' queries read
 * the store once for all of them. */
static int gather_scope(publication *P)
{
    rg_store *store = P->E->store;
    int rc = rg_io_store_exec(store, "publishing",
                              "DROP TABLE IF EXISTS temp.publish_scope;"
                              "CREATE TEMP TABLE publish_scope(level TEXT, code TEXT, PRIMARY KEY(level, code));");
    for (size_t i = 0; i < P->unit_count && rc == RG_OK; i++) {
        rc = rg_export_scope(store, P->units[i].code, NULL);
        if (rc == RG_OK)
            rc = rg_io_store_exec(store, "publishing", "INSERT OR IGNORE INTO temp.publish_scope SELECT * FROM temp.export_scope");
    }
    if (rc == RG_OK)
        rc = rg_io_store_exec(store, "publishing",
                              "DELETE FROM temp.export_scope; INSERT INTO temp.export_scope SELECT * FROM temp.publish_scope;"
                              "DROP TABLE IF EXISTS temp.publish_counts;"
                              "CREATE TEMP TABLE publish_counts AS SELECT pp.kabkota_code, pp.provinsi_code, count(*) AS n"
                              " FROM household_areas h JOIN temp.publish_parents pp"
                              " ON pp.level = CASE WHEN h.kelurahan_code IS NULL THEN 'kecamatan' ELSE 'kelurahan' END"
                              " AND pp.code = coalesce(h.kelurahan_code, h.kecamatan_code) GROUP BY 1, 2;");
    P->E->scoped = 1;
    return rc;
}

/* The store's rows of every published area, a layer at a time, then the indexes of the
 * tables this publication made. */
static int copy_rows(publication *P, int chosen)
{
    int rc = RG_OK;
    for (size_t i = 1; i < RG_LAYER_FILES_MAX && rc == RG_OK; i++) {
        const layer_def *def = rg_export__layer_at(P->E, i);
        if (!(chosen & def->bit))
            continue;
        int64_t rows = 0;
        rc = rg_export__pg_copy_layer(P->E, &P->pg, P->schema, def, &rows);
        rg_ctx_notice(P->E->ctx, RG_NOTICE_DETAIL, "%s.%s: %lld rows", P->schema, def->name, (long long)rows);
        if (rc == RG_OK && P->created[i])
            rc = create_indexes(P, def);

    }
    return rc;
}

/* The households the store publishes for the area, for its publication's record. */
static int households_of(publication *P, const unit *u, int64_t *n)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT coalesce(sum(n), 0) FROM temp.publish_counts WHERE %s = ?1",
             strcmp(u->level, "kabkota") == 0 ? "kabkota_code" : "provinsi_code");
    sqlite3_stmt *st = NULL;
    rg_store *store = P->E->store;
    if (sqlite3_prepare_v2(rg_io_store_db(store), sql, -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    sqlite3_bind_text(st, 1, u->code, -1, SQLITE_STATIC);
    *n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return RG_OK;
}

/* The provinsi's summary, the sum of its kab/kota as they stand once this transaction's are in. */
static int resum_provinsi(publication *P, const unit *u)
{
    int whole = strcmp(u->level, "provinsi") == 0;
    char *literal = PQescapeLiteral(P->pg.conn, u->provinsi, strlen(u->provinsi));
    if (!literal)
        return rg_export__pg_fail(&P->pg, NULL, "provinsi");
    int rc = rg_export__pg_execf(&P->pg, "provinsi",
                                 "SELECT pg_advisory_xact_lock(hashtext('regsosek-geo:%s:summary:' || %s));"
                                 "DELETE FROM %s.provinsi WHERE code = %s",
                                 P->schema, literal, P->schema, literal);
    if (rc == RG_OK)
        rc = rg_export__pg_put_provinsi(P->E, &P->pg, P->schema, u->provinsi, whole);
    if (rc == RG_OK && !whole)
        rc = rg_export__pg_execf(&P->pg, "provinsi",
                                 "UPDATE %s.provinsi SET geom = (SELECT ST_Multi(ST_Union(geom)) FROM %s.kabkota"
                                 " WHERE provinsi_code = %s) WHERE code = %s",
                                 P->schema, P->schema, literal, literal);
    PQfreemem(literal);
    return rc;
}

/* What the store says of its inputs, boundaries and rules, for the publication's record. */
static int provenance_text(rg_store *store, const char *sql, rg_buf *out)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(store), sql, -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    int rc = RG_OK;
    while (rc == RG_OK && sqlite3_step(st) == SQLITE_ROW)
        rc = rg__buf_appendf(out, "%s%s", out->len ? "; " : "", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return rc;
}

/* What the store was made from, read once for the records of every area it publishes. */
static int read_provenance(publication *P)
{
    rg_store *store = P->E->store;
    int rc = rg_export__inputs_text(store, &P->inputs);
    if (rc == RG_OK)
        rc = provenance_text(store, "SELECT " RG_EXPORT__BOUNDARIES_TEXT, &P->boundaries);
    if (rc == RG_OK)
        rc = provenance_text(store, "SELECT key || ': ' || value FROM classify_meta ORDER BY key", &P->rules);
    return rc;
}

static int record_publication(publication *P, const unit *u, int64_t households)
{
    exporter *E = P->E;
    char count[32], name[256] = "";
    snprintf(count, sizeof count, "%lld", (long long)households);
    char sql[400];
    snprintf(sql, sizeof sql, "SELECT name FROM %s WHERE code = ?1", u->level);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(E->store), sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, u->code, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    const char *params[] = {u->code, u->level, name, E->opts->public_only ? NULL : count,
                            E->opts->public_only ? "public" : "full", rg_version(), E->opts->command_line,
                            P->inputs.data, P->boundaries.data, P->rules.data};
    snprintf(sql, sizeof sql,
             "INSERT INTO %s.publications (area_code, area_level, area_name, households, mode, tool_version,"
             " command_line, inputs, boundaries, rules) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
             P->schema);
    PGresult *res = rg_export__pg_query(&P->pg, "publications", sql, 10, params);
    int rc = res ? RG_OK : RG_EPG;
    PQclear(res);
    return rc;
}

/* Every area in one transaction: all of them replaced, or none. */
static int publish_units(publication *P, int chosen)
{
    int rc = make_partition_codes(P->E->store);
    if (rc == RG_OK)
        rc = read_provenance(P);
    P->E->partition_join = 1;
    if (rc == RG_OK)
        rc = gather_scope(P);
    if (rc == RG_OK)
        rc = rg_export__pg_exec(&P->pg, NULL, "BEGIN");
    if (rc == RG_OK)
        rc = create_missing_tables(P, chosen);
    for (size_t i = 0; i < P->unit_count && rc == RG_OK; i++) {
        rg_ctx_notice(P->E->ctx, RG_NOTICE_PROGRESS, "publishing %s %s", P->units[i].level, P->units[i].code);
        rc = lock_unit(P, &P->units[i]);
        if (rc == RG_OK)
            rc = delete_rows(P, &P->units[i], chosen);
    }
    if (rc == RG_OK)
        rc = copy_rows(P, chosen);
    if (rc == RG_OK && P->created[0])
        rc = create_indexes(P, &rg_export__layers[0]); /* the provinsi: its rows come in resum_provinsi() */
    for (size_t i = 0; i < P->unit_count && rc == RG_OK; i++) {
        int64_t households = 0;
        rc = resum_provinsi(P, &P->units[i]);
        if (rc == RG_OK)
            rc = households_of(P, &P->units[i], &households);
        if (rc == RG_OK)
            rc = record_publication(P, &P->units[i], households);
    }
    if (rc == RG_OK)
        rc = rg_export__pg_exec(&P->pg, NULL, "COMMIT");
    P->E->partition_join = 0;
    return rc;
}

static int compare_units(const void *a, const void *b)
{
    return strcmp(((const unit *)a)->code, ((const unit *)b)->code);
}

int rg_export__postgis_run(exporter *E, const char *output)
{
    publication P = {.E = E, .schema = E->opts->schema ? E->opts->schema : E->opts->public_only ? "regsosek_public" : "regsosek"};
    if (rg_export__pg_schema_name_check(E->ctx, P.schema) != RG_OK)
        return RG_EINVAL;
    int chosen = RG_LAYER_ALL & ~(E->opts->public_only ? RG_LAYER_HOUSEHOLDS : 0);
    int rc = E->opts->only ? unit_of_only(&P) : units_of_data(&P);
    /* Always the same order: two exports of several areas take their locks alike. */
    qsort(P.units, P.unit_count, sizeof *P.units, compare_units);
    if (rc == RG_OK)
        rc = rg_export__pg_connect(E->ctx, output, &P.pg);
    if (rc == RG_OK)
        rc = rg_export__pg_schema_ok(&P.pg, P.schema);
    if (rc == RG_OK)
        rc = require_postgis(&P);
    if (rc == RG_OK)
        rc = prepare_schema(&P, chosen);
    if (rc == RG_OK)
        rc = publish_units(&P, chosen);
    int64_t unplaced = 0;
    if (rc == RG_OK && !E->opts->public_only)
        rc = rg_io_store_count(E->store, "SELECT count(*) FROM household_areas WHERE kecamatan_code IS NULL", &unplaced);
    if (rc == RG_OK && unplaced > 0)
        rg_ctx_notice(E->ctx, RG_NOTICE_WARNING,
                      "%lld households are in no area (unmatched, or a code for none): not published, since a"
                      " publication is of areas; `check` and the GeoPackage export list them",
                      (long long)unplaced);
    for (size_t i = 0; i < P.unit_count && rc == RG_OK; i++)
        rg_ctx_notice(E->ctx, RG_NOTICE_INFO, "%s: %s.* now hold %s %s as this store has it", P.pg.where, P.schema,
                      P.units[i].level, P.units[i].code);
    rg_export__pg_close(&P.pg);
    rg__buf_free(&P.inputs);
    rg__buf_free(&P.boundaries);
    rg__buf_free(&P.rules);
    return rc;
}
