/*
 * `check PG:...`: a PostGIS publication re-verified on its own, from the national tables:
 * what a supervisor runs after an office publishes, or after the server went down during a
 * publication, to know that every area holds whole rows of one run.
 */
#include "export/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *check;
    const char *sql; /* counts violations; @S stands for the schema */
    int full_only;   /* needs the households (not in a --public schema) */
} pg_check;

/* A publication of an area is current unless a later one overlaps it (its provinsi's, or one
 * of its kab/kota's): then its count no longer describes the rows. */
#define CURRENT_PUBLICATIONS                                                                                   \
    "(SELECT p.* FROM @S.published_areas p WHERE NOT EXISTS (SELECT 1 FROM @S.published_areas q"            \
    " WHERE q.id > p.id AND ((q.area_level = 'provinsi' AND p.area_level = 'kabkota' AND q.area_code ="       \
    " (SELECT provinsi_code FROM @S.kabkota WHERE code = p.area_code)) OR (q.area_level = 'kabkota' AND"     \
    " p.area_level = 'provinsi' AND p.area_code = (SELECT provinsi_code FROM @S.kabkota WHERE code ="        \
    " q.area_code)))))"

/* The sum check of a level over the one below, on households (a --public cell hidden in a part
 * leaves the sum unknown, and unchecked). */
#define SUM_OF_ROWS(parent, rows)                                                                              \
    "SELECT count(*) FROM @S." parent " a JOIN (SELECT code, sum(households) AS households,"                  \
    " count(*) - count(households) AS hidden FROM (" rows ") r GROUP BY 1) c ON c.code = a.code"                \
    " WHERE c.hidden = 0 AND a.households IS DISTINCT FROM c.households"
#define SUM_CHECK(parent, child, link) SUM_OF_ROWS(parent, "SELECT " link " AS code, households FROM @S." child)

static const pg_check checks[] = {
    {"each published area holds the households its latest publication counted",
     "SELECT count(*) FROM " CURRENT_PUBLICATIONS " p WHERE p.households IS DISTINCT FROM (SELECT count(*) FROM"
     " @S.households h WHERE CASE p.area_level WHEN 'kabkota' THEN h.kabkota_code ELSE h.provinsi_code END ="
     " p.area_code)",
     1},
    {"each kelurahan counts the households in it",
     "SELECT count(*) FROM @S.kelurahan k LEFT JOIN (SELECT kelurahan_code, count(*) AS n FROM @S.households"
     " GROUP BY 1) h ON h.kelurahan_code = k.code WHERE k.households IS DISTINCT FROM coalesce(h.n, 0)",
     1},
    {"each kecamatan = the sum of its kelurahan, with the households placed in it alone",
     SUM_OF_ROWS("kecamatan", "SELECT parent_code AS code, households FROM @S.kelurahan UNION ALL SELECT"
                              " kecamatan_code, 1 FROM @S.households WHERE kelurahan_code IS NULL"),
     1},
    {"each kab/kota = the sum of its kecamatan", SUM_CHECK("kabkota", "kecamatan", "parent_code"), 0},
    {"each provinsi = the sum of its kab/kota", SUM_CHECK("provinsi", "kabkota", "provinsi_code"), 0},
    {"every provinsi has its kab/kota",
     "SELECT count(*) FROM @S.provinsi p WHERE NOT EXISTS (SELECT 1 FROM @S.kabkota k WHERE k.provinsi_code ="
     " p.code)",
     0},
    {"every kab/kota row belongs to a published area",
     "SELECT count(*) FROM @S.kabkota k WHERE NOT EXISTS (SELECT 1 FROM @S.publications p WHERE"
     " p.area_code IN (k.code, k.provinsi_code))",
     0},
    {"every household belongs to a published area",
     "SELECT count(*) FROM (SELECT DISTINCT kabkota_code, provinsi_code FROM @S.households) h WHERE NOT EXISTS"
     " (SELECT 1 FROM @S.publications p WHERE p.area_code IN (h.kabkota_code, h.provinsi_code))",
     1},
};

/* The check's SQL with its @S made the schema's name. */
static int with_schema(const char *sql, const char *schema, rg_buf *out)
{
    int rc = RG_OK;
    for (const char *at; rc == RG_OK && (at = strstr(sql, "@S")) != NULL; sql = at + 2) {
        rc = rg__buf_append(out, sql, (size_t)(at - sql));
        rc = rc == RG_OK ? rg__buf_appendf(out, "%s", schema) : rc;
    }
    return rc == RG_OK ? rg__buf_appendf(out, "%s", sql) : rc;
}

/* One line a published area: which run its rows are from. */
static int report_publications(rg_pg *pg, const char *schema)
{
    char sql[600];
    snprintf(sql, sizeof sql,
             "SELECT area_level, area_code, coalesce(area_name, ''), id, to_char(published_at AT TIME ZONE 'UTC',"
             " 'YYYY-MM-DD HH24:MI:SS'), published_by, tool_version, coalesce(households::text, 'no')"
             " FROM %s.published_areas ORDER BY area_code",
             schema);
    PGresult *res = rg_export__pg_query(pg, "published_areas", sql, 0, NULL);
    if (!res)
        return RG_EPG;
    for (int i = 0; i < PQntuples(res); i++)
        rg_ctx_notice(pg->ctx, RG_NOTICE_INFO, "%s %s %s: publication %s of %s UTC by %s (regsosek-geo %s), %s households",
                      PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
                      PQgetvalue(res, i, 4), PQgetvalue(res, i, 5), PQgetvalue(res, i, 6), PQgetvalue(res, i, 7));
    PQclear(res);
    return RG_OK;
}

static int schema_mode(rg_pg *pg, const char *schema, int *full)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT value FROM %s.about WHERE key = 'mode'", schema);
    PGresult *res = PQexec(pg->conn, sql);
    int rc = RG_OK;
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
        rc = rg_ctx_error(pg->ctx, RG_EPG, "%s: schema %s holds no publication of regsosek-geo", pg->where, schema);
    else
        *full = strcmp(PQgetvalue(res, 0, 0), "full") == 0;
    PQclear(res);
    return rc;
}

int rg_export_postgis_check(rg_ctx *ctx, const char *output, const char *schema,
                            void (*report)(const char *check, int64_t violations, void *userdata), void *userdata,
                            int *failed)
{
    *failed = 0;
    rg_pg pg;
    int full = 0;
    if (!schema)
        schema = "regsosek";
    int rc = rg_export__pg_schema_name_check(ctx, schema);
    if (rc == RG_OK)
        rc = rg_export__pg_connect(ctx, output, &pg);
    if (rc == RG_OK)
        rc = rg_export__pg_schema_ok(&pg, schema);
    if (rc == RG_OK)
        rc = schema_mode(&pg, schema, &full);
    /* One snapshot for every check: a publication committing meanwhile cannot split them. */
    if (rc == RG_OK)
        rc = rg_export__pg_exec(&pg, NULL, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    if (rc == RG_OK)
        rc = report_publications(&pg, schema);
    for (size_t i = 0; i < sizeof checks / sizeof *checks && rc == RG_OK; i++) {
        if (checks[i].full_only && !full)
            continue;
        rg_buf sql = {0};
        rc = with_schema(checks[i].sql, schema, &sql);
        PGresult *res = rc == RG_OK ? rg_export__pg_query(&pg, NULL, sql.data, 0, NULL) : NULL;
        rg__buf_free(&sql);
        if (!res) {
            rc = RG_EPG;
            break;
        }
        int64_t violations = atoll(PQgetvalue(res, 0, 0));
        PQclear(res);
        *failed += violations != 0;
        if (report)
            report(checks[i].check, violations, userdata);
    }
    if (rc == RG_OK)
        rc = rg_export__pg_exec(&pg, NULL, "COMMIT");
    rg_export__pg_close(&pg);
    return rc;
}
