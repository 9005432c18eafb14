/*
 * pack: the files a kelurahan's forum works from, one set per kelurahan. The families of
 * every kelurahan come from one query in kelurahan order, which the packs take in turn,
 * so `--all` reads the households once however many kelurahan there are.
 */
#include "forum/internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    rg_store *store;
    rg_ctx *ctx;
    const char *folder;
    const rg_forum_pack_opts *opts;
    rg_forum__fields fields;
    sqlite3_stmt *list; /* the families, by kelurahan */
    int pending;        /* list holds a row not yet taken */
    rg_forum__families families; /* the kelurahan's, reused */
    rg_forum_pack_report report;
} packer;

/* The list's rows of kelurahan `code` (the list is in kelurahan order), into P->families. */
static int gather_families(packer *P, const char *code, rg_forum__area *area)
{
    int rc = RG_OK;
    rg_forum__families_clear(&P->families);
    P->families.field_count = P->fields.count;
    while (rc == RG_OK && P->pending) {
        const char *kel = (const char *)sqlite3_column_text(P->list, RG_FORUM_COL_KELURAHAN);
        int order = strcmp(kel, code);
        if (order > 0)
            break;
        if (order == 0) {
            char notes[512];
            rg_forum__notes(P->list, notes, sizeof notes);
            rg_forum__area_count(area, P->list, notes);
            rc = rg_forum__families_add(&P->families, P->list, notes);
        }
        int step = sqlite3_step(P->list);
        P->pending = step == SQLITE_ROW;
        if (!P->pending && step != SQLITE_DONE)
            rc = rg_io_store_sql_error(P->store);
    }
    return rc;
}

/* One file of the pack, written atomically. */
static int write_file(packer *P, const rg_forum__area *area, const char *ext)
{
    char path[4200];
    rg_export_area_file_name(P->folder, area->forum[0] ? area->forum : area->code, area->name, ext, path,
                             sizeof path);
    rg_io_atomic out;
    int rc = rg_io_atomic_begin(P->ctx, path, ext, P->opts->overwrite, &out);
    if (rc != RG_OK)
        return rc;
    rc = strcmp(ext, ".xlsx") == 0 ? rg_forum__workbook_write(P->ctx, out.tmp, area, &P->families, &P->fields)
                                   : rg_forum__sheet_write(P->store, out.tmp, area, &P->families, &P->fields);
    if (rc != RG_OK) {
        rg_io_atomic_abandon(&out);
        return rc;
    }
    if ((rc = rg_io_atomic_commit(P->ctx, &out)) == RG_OK)
        P->report.files++;
    return rc;
}

/* The pack's two files, counted in the report. */
static int write_pack(packer *P, const rg_forum__area *area)
{
    int rc = write_file(P, area, ".pdf");
    if (rc == RG_OK)
        rc = write_file(P, area, ".xlsx");
    if (rc == RG_OK) {
        P->report.kelurahan++;
        P->report.households += (int64_t)P->families.count;
    }
    return rc;
}

static int pack_one(packer *P, const char *code)
{
    rg_forum__area area;
    int rc = rg_forum__area_read(P->store, code, &area);
    if (rc == RG_OK)
        rc = gather_families(P, area.code, &area);
    /* The list and the summaries are two readings of one classification: they must agree. */
    if (rc == RG_OK && (int64_t)P->families.count != area.households)
        rc = rg_ctx_error(P->ctx, RG_EDATA, "pack: kelurahan %s: %zu families listed, %lld in its summary",
                          area.code, P->families.count, (long long)area.households);
    return rc == RG_OK ? write_pack(P, &area) : rc;
}

static int start_list(packer *P, const char *code)
{
    int rc = rg_forum__list_prepare(P->store, code, &P->fields, &P->list);
    if (rc != RG_OK)
        return rc;
    int step = sqlite3_step(P->list);
    P->pending = step == SQLITE_ROW;
    return P->pending || step == SQLITE_DONE ? RG_OK : rg_io_store_sql_error(P->store);
}

static int pack_all(packer *P)
{
    sqlite3_stmt *st = NULL;
    int rc = start_list(P, NULL);
    if (rc == RG_OK && sqlite3_prepare_v2(rg_io_store_db(P->store), "SELECT code FROM kelurahan ORDER BY code", -1, &st,
                                          NULL) != SQLITE_OK)
        rc = rg_io_store_sql_error(P->store);
    while (rc == RG_OK && sqlite3_step(st) == SQLITE_ROW)
        rc = pack_one(P, (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return rc;
}

/* A forum's pack: its kelurahan's identity, its own families (SLS by SLS) and their counts. */
static int pack_forum(packer *P, const char *forum, const char *desa, const char *sls_names)
{
    rg_forum__area area;
    int rc = rg_forum__area_read(P->store, desa, &area);
    if (rc != RG_OK)
        return rc;
    area.households = area.with_point = area.without_point = 0;
    memset(area.by_class, 0, sizeof area.by_class);
    snprintf(area.forum, sizeof area.forum, "%s", forum);
    snprintf(area.forum_sls, sizeof area.forum_sls, "%s", sls_names ? sls_names : "");
    sqlite3_stmt *list = NULL;
    rg_forum__families_clear(&P->families);
    P->families.field_count = P->fields.count;
    rc = rg_forum__forum_list_prepare(P->store, forum, &P->fields, &list);
    int step = SQLITE_DONE;
    while (rc == RG_OK && (step = sqlite3_step(list)) == SQLITE_ROW) {
        char notes[512];
        rg_forum__notes(list, notes, sizeof notes);
        rg_forum__forum_count(&area, list, notes);
        rc = rg_forum__families_add(&P->families, list, notes);
    }
    if (rc == RG_OK && step != SQLITE_DONE)
        rc = rg_io_store_sql_error(P->store);
    sqlite3_finalize(list);
    return rc == RG_OK ? write_pack(P, &area) : rc;
}

/* The forums `forums` kept, of kelurahan code (NULL: all), in their order. */
static const char forums_sql[] =
    "SELECT forum, desa_code, group_concat(coalesce((SELECT s.name FROM sls s WHERE s.code BETWEEN g.idsls AND"
    " g.idsls || 'z' ORDER BY s.code LIMIT 1), g.idsls), ', ') FROM (SELECT * FROM forum_groups ORDER BY position) g"
    " WHERE ?1 IS NULL OR desa_code = ?1 GROUP BY forum ORDER BY desa_code, min(position)";

static int pack_forums(packer *P, const char *code)
{
    int64_t kept = 0;
    int rc = rg_io_store_count(P->store, "SELECT count(*) FROM sqlite_master WHERE name = 'forum_groups'", &kept);
    if (rc == RG_OK && kept)
        rc = rg_io_store_count(P->store, "SELECT count(*) FROM forum_groups", &kept);
    if (rc == RG_OK && !kept)
        return rg_ctx_error(P->ctx, RG_EDATA, "%s: no forums of SLS kept: group them first (`regsosek-geo forums -o"
                            " groups.csv`, with an SLS map joined)", rg_io_store_path(P->store));
    sqlite3_stmt *st = NULL;
    if (rc == RG_OK && sqlite3_prepare_v2(rg_io_store_db(P->store), forums_sql, -1, &st, NULL) != SQLITE_OK)
        rc = rg_io_store_sql_error(P->store);
    if (rc == RG_OK && code)
        sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    while (rc == RG_OK && sqlite3_step(st) == SQLITE_ROW)
        rc = pack_forum(P, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
                        (const char *)sqlite3_column_text(st, 2));
    sqlite3_finalize(st);
    if (rc == RG_OK && P->report.kelurahan == 0)
        rc = rg_ctx_error(P->ctx, RG_ENOTFOUND, "no forum of SLS kept for kelurahan %s", code ? code : "?");
    return rc;
}

int rg_forum_pack(rg_store *store, const char *kelurahan_code, const char *folder, const rg_forum_pack_opts *opts,
                  rg_forum_pack_report *report)
{
    static const rg_forum_pack_opts defaults = RG_FORUM_PACK_OPTS_INIT;
    packer P = {.store = store, .ctx = rg_io_store_ctx(store), .folder = folder, .opts = opts ? opts : &defaults};
    int rc = rg_io_store_step_require(store, RG_STEP_CLASSIFY, "no ranks to pack yet");
    char with_sls[1100];
    /* A forum's list is read SLS by SLS: the SLS is its first column. */
    snprintf(with_sls, sizeof with_sls, "SLS%s%s", P.opts->fields ? "," : "", P.opts->fields ? P.opts->fields : "");
    if (rc == RG_OK)
        rc = rg_forum__fields_parse(P.ctx, P.opts->by_forum ? with_sls : P.opts->fields, &P.fields);
    P.fields.sls_first = P.opts->by_forum;
    rg_forum__area area;
    /* The kelurahan is found before the folder is made: an unknown code leaves nothing. */
    if (rc == RG_OK && kelurahan_code)
        rc = rg_forum__area_read(store, kelurahan_code, &area);
    if (rc == RG_OK)
        rc = rg_io_folder_make(P.ctx, folder, 0700);
    if (rc == RG_OK && P.opts->by_forum) {
        rc = pack_forums(&P, kelurahan_code ? area.code : NULL);
    } else if (rc == RG_OK && kelurahan_code) {
        /* The list is of the boundaries' own code, whichever scheme the caller gave. */
        if ((rc = start_list(&P, area.code)) == RG_OK)
            rc = pack_one(&P, area.code);
    } else if (rc == RG_OK) {
        rc = pack_all(&P);
    }
    sqlite3_finalize(P.list);
    rg_forum__fields_free(&P.fields);
    rg_forum__families_free(&P.families);
    if (report)
        *report = P.report;
    return rc;
}
