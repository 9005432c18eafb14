/*
 * The PostgreSQL connection a publication goes through (libpq, not OGR: the replacement of
 * an area is one transaction with its own locks, and its rows go in by COPY). Messages name
 * the server, the database and the table, never a password: a password in the connection
 * string is refused before anything connects, since it would show in the process list, the
 * shell's history and any log that records the command.
 */
#include "export/internal.h"

#include <stdlib.h>
#include <strings.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int rg_export__pg_is_target(const char *output)
{
    return output && strncasecmp(output, "PG:", 3) == 0;
}

/* GDAL's PG: strings take keys libpq does not; --schema does their work here. */
static const char *const gdal_only_keys[] = {"active_schema", "schemas", "tables"};

int rg_export__pg_conninfo_check(rg_ctx *ctx, const char *output, char *where, size_t cap)
{
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(output + 3, &err);
    if (!opts) {
        int rc = RG_EINVAL;
        for (size_t i = 0; i < sizeof gdal_only_keys / sizeof *gdal_only_keys; i++)
            if (err && strstr(err, gdal_only_keys[i]))
                rc = rg_ctx_error(ctx, RG_EINVAL, "PG: connection string: '%s' is GDAL's; name the schema with --schema",
                                  gdal_only_keys[i]);
        if (rc == RG_EINVAL && !rg_ctx_errmsg(ctx)[0])
            rc = rg_ctx_error(ctx, RG_EINVAL, "PG: connection string: %s", err ? err : "cannot be read");
        PQfreemem(err);
        return rc;
    }
    const char *host = NULL, *db = NULL, *user = NULL;
    int password = 0;
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val)
            continue;
        if (strcmp(o->keyword, "password") == 0)
            password = 1;
        else if (strcmp(o->keyword, "host") == 0 || (strcmp(o->keyword, "hostaddr") == 0 && !host))
            host = o->val;
        else if (strcmp(o->keyword, "dbname") == 0)
            db = o->val;
        else if (strcmp(o->keyword, "user") == 0)
            user = o->val;
    }
    snprintf(where, cap, "PostgreSQL %s%s, database %s%s%s", host ? "on " : "(default host)", host ? host : "",
             db ? db : "(default)", user ? ", user " : "", user ? user : "");
    PQconninfoFree(opts);
    if (password)
        return rg_ctx_error(ctx, RG_EINVAL,
                            "%s: the connection string holds a password; give it in PGPASSWORD or ~/.pgpass instead"
                            " (on the command line it shows in the process list and the shell's history)",
                            where);
    return RG_OK;
}

/* libpq's messages end in a newline, which ours go on after. */
static size_t trimmed_length(const char *msg)
{
    size_t len = strlen(msg);
    while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
        len--;
    return len;
}

int rg_export__pg_connect(rg_ctx *ctx, const char *output, rg_pg *pg)
{
    memset(pg, 0, sizeof *pg);
    pg->ctx = ctx;
    int rc = rg_export__pg_conninfo_check(ctx, output, pg->where, sizeof pg->where);
    if (rc != RG_OK)
        return rc;
    pg->conn = PQconnectdb(output + 3);
    if (!pg->conn)
        return RG_ENOMEM;
    /* What libpq took from the environment (PGHOST, PGDATABASE, PGUSER) as well. */
    if (PQhost(pg->conn) && PQdb(pg->conn))
        snprintf(pg->where, sizeof pg->where, "PostgreSQL on %s, database %s, user %s", PQhost(pg->conn), PQdb(pg->conn),
                 PQuser(pg->conn) ? PQuser(pg->conn) : "?");
    if (PQstatus(pg->conn) != CONNECTION_OK) {
        const char *msg = PQerrorMessage(pg->conn);
        return rg_ctx_error(ctx, RG_EPG, "%s: cannot connect: %.*s", pg->where, (int)trimmed_length(msg), msg);
    }
    PQsetNoticeProcessor(pg->conn, NULL, NULL); /* NOTICEs of IF NOT EXISTS are not the user's concern */
    return rg_export__pg_exec(pg, NULL, "SET application_name = 'regsosek-geo'; SET client_min_messages = warning;"
                                        " SET client_encoding = 'UTF8'");
}

void rg_export__pg_close(rg_pg *pg)
{
    if (pg->conn)
        PQfinish(pg->conn);
    pg->conn = NULL;
}

int rg_export__pg_fail(rg_pg *pg, const PGresult *res, const char *table)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    /* The server's sentence, not libpq's whole text: its "LINE 1: <our SQL>" and caret say
     * nothing to a user. Without one (the connection went), libpq's own. */
    const char *msg = primary ? primary : PQerrorMessage(pg->conn);
    char on[160] = "";
    if (table)
        snprintf(on, sizeof on, ": %s", table);
    size_t len = trimmed_length(msg);
    const char *why = "";
    if (PQstatus(pg->conn) != CONNECTION_OK)
        why = " (the connection was lost: nothing of this export was committed, every area keeps its previous rows)";
    else if (state && strcmp(state, "42501") == 0)
        why = " (this role may not do that: the database's owner can GRANT CREATE ON DATABASE, or on the schema, to it)";
    else if (state && strncmp(state, "53", 2) == 0)
        why = " (the server is out of disk or memory: nothing of this export was committed, every area keeps its"
              " previous rows)";
    return rg_ctx_error(pg->ctx, RG_EPG, "%s%s: %.*s%s%s%s", pg->where, on, (int)len, msg, detail ? ": " : "",
                        detail ? detail : "", why);
}

int rg_export__pg_exec(rg_pg *pg, const char *table, const char *sql)
{
    PGresult *res = PQexec(pg->conn, sql);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
    int rc = ok ? RG_OK : rg_export__pg_fail(pg, res, table);
    PQclear(res);
    return rc;
}

int rg_export__pg_execf(rg_pg *pg, const char *table, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *sql = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!sql)
        return RG_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(sql, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = rg_export__pg_exec(pg, table, sql);
    free(sql);
    return rc;
}

PGresult *rg_export__pg_query(rg_pg *pg, const char *table, const char *sql, int nparams, const char *const *params)
{
    PGresult *res = PQexecParams(pg->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) == PGRES_TUPLES_OK || PQresultStatus(res) == PGRES_COMMAND_OK)
        return res;
    rg_export__pg_fail(pg, res, table);
    PQclear(res);
    return NULL;
}

int rg_export__pg_identifier_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 63 || !((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
            return 0;
    return 1;
}

/* A name PostgreSQL keeps for itself: its catalogs (pg_catalog, pg_toast, pg_temp_N, and
 * every pg_ name, which CREATE SCHEMA refuses) and the SQL standard's information_schema,
 * which pg_dump leaves out: tables published there would be lost from every backup. */
static int system_schema(const char *name)
{
    return strncmp(name, "pg_", 3) == 0 || strcmp(name, "information_schema") == 0;
}

int rg_export__pg_schema_name_check(rg_ctx *ctx, const char *schema)
{
    if (!rg_export__pg_identifier_ok(schema))
        return rg_ctx_error(ctx, RG_EINVAL, "--schema %s: lower-case letters, digits and _ only, at most 63", schema);
    if (system_schema(schema))
        return rg_ctx_error(ctx, RG_EINVAL, "--schema %s: a schema PostgreSQL keeps for itself (pg_*,"
                            " information_schema), which pg_dump leaves out; name a schema of your own", schema);
    return RG_OK;
}

int rg_export_pg_target_check(rg_ctx *ctx, const char *output, const char *schema)
{
    char where[300];
    rg_pg pg;
    int rc = rg_export__pg_conninfo_check(ctx, output, where, sizeof where);
    if (rc == RG_OK && schema)
        rc = rg_export__pg_schema_name_check(ctx, schema);
    if (rc != RG_OK || !schema)
        return rc;
    if ((rc = rg_export__pg_connect(ctx, output, &pg)) != RG_OK)
        return rc;
    rc = rg_export__pg_schema_ok(&pg, schema);
    rg_export__pg_close(&pg);
    return rc;
}

int rg_export__pg_schema_ok(rg_pg *pg, const char *schema)
{
    const char *params[] = {schema};
    PGresult *res = rg_export__pg_query(pg, NULL, "SELECT quote_ident($1) = $1", 1, params);
    if (!res)
        return RG_EPG;
    int plain = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return plain ? RG_OK
                 : rg_ctx_error(pg->ctx, RG_EINVAL, "--schema %s: a word PostgreSQL reserves; name the schema otherwise",
                                schema);
}
