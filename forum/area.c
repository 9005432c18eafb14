/*
 * What a pack tells of its kelurahan: who it is (codes and names up to the provinsi), which
 * data and which method made the ranking, the counts, and for each family what a
 * supervisor should look at before the forum relies on its place in the list.
 */
#include "forum/internal.h"
#include "classify/classify.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int rg_forum__fields_parse(rg_ctx *ctx, const char *spec, rg_forum__fields *out)
{
    memset(out, 0, sizeof *out);
    if (!spec || !*spec)
        return RG_OK;
    if (!(out->text = rg_strdup(spec)))
        return RG_ENOMEM;
    char *save = NULL;
    for (char *name = strtok_r(out->text, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        /* The name goes into a JSON path: quotes and backslashes cannot be column names here. */
        if (strpbrk(name, "\"\\") || out->count == RG_FORUM_MAX_FIELDS)
            return rg_ctx_error(ctx, RG_EDATA, "--fields: '%s': at most %d input column names, without quotes",
                                name, RG_FORUM_MAX_FIELDS);
        out->names[out->count++] = name;
    }
    return RG_OK;
}

void rg_forum__fields_free(rg_forum__fields *f)
{
    rg_free(f->text);
    memset(f, 0, sizeof *f);
}

static void copy_text(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
    const unsigned char *v = sqlite3_column_text(st, col);
    snprintf(dst, cap, "%s", v ? (const char *)v : "");
}

/* Kab/kota and provinsi are the kecamatan code's ancestors, in its scheme. */
static void ancestors(rg_forum__area *a)
{
    rg_area_code c;
    if (rg_code_parse(a->kecamatan_code, &c) != RG_OK)
        return;
    if (rg_code_parent(&c, &c) == RG_OK)
        rg_code_format(&c, a->kabkota_code, sizeof a->kabkota_code);
    if (rg_code_parent(&c, &c) == RG_OK)
        rg_code_format(&c, a->provinsi_code, sizeof a->provinsi_code);
}

static int read_identity(rg_store *store, const char *code, rg_forum__area *a)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(store),
                           "SELECT k.code, k.alt_code, k.name, k.parent_code, c.name, s.households, s.unclassified,"
                           " s.sangat_miskin, s.miskin, s.rentan_miskin, s.tidak_miskin, s.with_point, s.without_point"
                           " FROM kelurahan k LEFT JOIN kecamatan c ON c.code = k.parent_code"
                           " LEFT JOIN kelurahan_summary s ON s.code = k.code WHERE k.code = ?1 OR k.alt_code = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        copy_text(a->code, sizeof a->code, st, 0);
        copy_text(a->alt_code, sizeof a->alt_code, st, 1);
        copy_text(a->name, sizeof a->name, st, 2);
        copy_text(a->kecamatan_code, sizeof a->kecamatan_code, st, 3);
        copy_text(a->kecamatan_name, sizeof a->kecamatan_name, st, 4);
        a->households = sqlite3_column_int64(st, 5);
        for (int c = 0; c <= 4; c++)
            a->by_class[c] = sqlite3_column_int64(st, 6 + c);
        a->with_point = sqlite3_column_int64(st, 11);
        a->without_point = sqlite3_column_int64(st, 12);
    }
    sqlite3_finalize(st);
    if (step == SQLITE_ROW)
        return RG_OK;
    if (step != SQLITE_DONE)
        return rg_io_store_sql_error(store);
    return rg_ctx_error(rg_io_store_ctx(store), RG_ENOTFOUND, "no kelurahan with code %s in %s", code,
                        rg_io_store_path(store));
}

/* The inputs the ranking was made from, and the method: what a forum should be told. */
static int read_provenance(rg_store *store, rg_forum__area *a)
{
    sqlite3_stmt *st = NULL;
    int rc = rg_io_sources_describe(store, a->data_version, sizeof a->data_version);
    if (rc == RG_OK && sqlite3_prepare_v2(rg_io_store_db(store),
                                          "SELECT " RG_IO_METHOD_TEXT ","
                                          " (SELECT value FROM classify_meta WHERE key = 'poverty_rate'),"
                                          " (SELECT value FROM classify_meta WHERE key = 'rules')",
                                          -1, &st, NULL) != SQLITE_OK)
        rc = rg_io_store_sql_error(store);
    if (rc == RG_OK && sqlite3_step(st) == SQLITE_ROW) {
        copy_text(a->method, sizeof a->method, st, 0);
        copy_text(a->poverty_rate, sizeof a->poverty_rate, st, 1);
        copy_text(a->rules, sizeof a->rules, st, 2);
    }
    sqlite3_finalize(st);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(a->made, sizeof a->made, "%Y-%m-%d %H:%M UTC", &tm);
    return rc;
}

int rg_forum__area_read(rg_store *store, const char *code, rg_forum__area *out)
{
    memset(out, 0, sizeof *out);
    int rc = read_identity(store, code, out);
    if (rc == RG_OK)
        ancestors(out);
    return rc == RG_OK ? read_provenance(store, out) : rc;
}

void rg_forum__area_count(rg_forum__area *area, sqlite3_stmt *row, const char *notes)
{
    int desil = sqlite3_column_int(row, RG_FORUM_COL_DESIL);
    area->by_desil[desil >= 1 && desil <= 10 ? desil : 0]++;
    area->noted += notes[0] != '\0';
}

static const char list_head[] =
    "SELECT welfare_rank, household_id, kelurahan_code, poverty_class_final, desil, household_size, join_method,"
    " join_distance_m, join_flags, code_mismatch, load_flags, forum_class";

/* The list's columns: the head, then the fields (the first the SLS's name in a forum's). */
static int list_columns(rg_buf *sql, const rg_forum__fields *fields)
{
    int rc = rg__buf_appendf(sql, "%s", list_head);
    for (size_t i = 0; i < fields->count && rc == RG_OK; i++)
        rc = i == 0 && fields->sls_first ? rg__buf_appendf(sql, ", sls_name")
                                         : rg__buf_appendf(sql, ", json_extract(extra, '$.\"%s\"')", fields->names[i]);
    return rc;
}

int rg_forum__forum_list_prepare(rg_store *store, const char *forum, const rg_forum__fields *fields,
                                 sqlite3_stmt **out)
{
    rg_buf sql = {0};
    int rc = list_columns(&sql, fields);
    if (rc == RG_OK)
        rc = rg__buf_appendf(&sql, " FROM households h JOIN forum_groups g ON g.idsls = substr(h.sls_code, 1, 14)"
                                   " WHERE g.forum = ?1 ORDER BY g.position, welfare_rank IS NULL, welfare_rank,"
                                   " household_id");
    if (rc == RG_OK && sqlite3_prepare_v2(rg_io_store_db(store), sql.data, -1, out, NULL) != SQLITE_OK)
        rc = rg_io_store_sql_error(store);
    if (rc == RG_OK)
        sqlite3_bind_text(*out, 1, forum, -1, SQLITE_TRANSIENT);
    rg__buf_free(&sql);
    return rc;
}

void rg_forum__forum_count(rg_forum__area *area, sqlite3_stmt *row, const char *notes)
{
    rg_poverty_class c = RG_CLASS_NONE;
    const char *text = (const char *)sqlite3_column_text(row, RG_FORUM_COL_CLASS);
    if (!text || rg_classify_class_parse(text, &c) != RG_OK)
        c = RG_CLASS_NONE;
    area->households++;
    area->by_class[c >= RG_CLASS_SANGAT_MISKIN && c <= RG_CLASS_TIDAK_MISKIN ? c : 0]++;
    const char *method = (const char *)sqlite3_column_text(row, RG_FORUM_COL_METHOD);
    if (method && (strcmp(method, "code") == 0 || strcmp(method, "unmatched") == 0))
        area->without_point++;
    else
        area->with_point++;
    rg_forum__area_count(area, row, notes);
}

int rg_forum__list_prepare(rg_store *store, const char *code, const rg_forum__fields *fields, sqlite3_stmt **out)
{
    rg_buf sql = {0};
    int rc = list_columns(&sql, fields);
    if (rc == RG_OK)
        rc = rg__buf_appendf(&sql, " FROM households WHERE %s ORDER BY %s welfare_rank IS NULL, welfare_rank,"
                                   " household_id",
                             code ? "kelurahan_code = ?1" : "kelurahan_code IS NOT NULL",
                             code ? "" : "kelurahan_code,");
    if (rc == RG_OK && sqlite3_prepare_v2(rg_io_store_db(store), sql.data, -1, out, NULL) != SQLITE_OK)
        rc = rg_io_store_sql_error(store);
    if (rc == RG_OK && code)
        sqlite3_bind_text(*out, 1, code, -1, SQLITE_TRANSIENT);
    rg__buf_free(&sql);
    return rc;
}

static void add_note(char *buf, size_t cap, const char *note)
{
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n, "%s%s", n ? "; " : "", note);
}

void rg_forum__notes(sqlite3_stmt *row, char *buf, size_t cap)
{
    buf[0] = '\0';
    const char *method = (const char *)sqlite3_column_text(row, RG_FORUM_COL_METHOD);
    const char *join_flags = (const char *)sqlite3_column_text(row, RG_FORUM_COL_JOIN_FLAGS);
    const char *load_flags = (const char *)sqlite3_column_text(row, RG_FORUM_COL_LOAD_FLAGS);
    if (method && strcmp(method, "nearest") == 0) {
        char note[96];
        double d = sqlite3_column_double(row, RG_FORUM_COL_DISTANCE);
        snprintf(note, sizeof note, d < 10 ? "GPS %.1f m di luar batas" : "GPS %.0f m di luar batas", d);
        add_note(buf, cap, note);
    }
    if (join_flags && strstr(join_flags, "overlap"))
        add_note(buf, cap, "GPS di poligon tumpang tindih");
    if (join_flags && strstr(join_flags, "kecamatan_mismatch"))
        add_note(buf, cap, "GPS di poligon kecamatan lain");
    if (sqlite3_column_int(row, RG_FORUM_COL_CODE_MISMATCH) == 1)
        add_note(buf, cap, "kode tercatat: kelurahan lain");
    if (load_flags)
        add_note(buf, cap, load_flags);
}

static int keep(rg_forum__families *list, sqlite3_stmt *row, int col, size_t *at)
{
    const unsigned char *v = col >= 0 ? sqlite3_column_text(row, col) : NULL;
    return rg_forum__keep_text(list, v ? (const char *)v : NULL, at);
}

int rg_forum__keep_text(rg_forum__families *list, const char *v, size_t *at)
{
    *at = RG_FORUM_NO_TEXT;
    if (!v || !*v)
        return RG_OK;
    *at = list->text.len;
    return rg__buf_append(&list->text, v, strlen(v) + 1);
}

int rg_forum__families_add(rg_forum__families *list, sqlite3_stmt *row, const char *notes)
{
    if (rg__grow(&list->items, &list->cap, list->count + 1, sizeof *list->items) != RG_OK)
        return RG_ENOMEM;
    rg_forum__family *f = &list->items[list->count];
    memset(f, 0, sizeof *f);
    f->rank = sqlite3_column_int64(row, RG_FORUM_COL_RANK);
    f->desil = sqlite3_column_int(row, RG_FORUM_COL_DESIL);
    f->size = sqlite3_column_type(row, RG_FORUM_COL_SIZE) == SQLITE_NULL ? -1 : sqlite3_column_int(row, RG_FORUM_COL_SIZE);
    int rc = keep(list, row, RG_FORUM_COL_ID, &f->id);
    if (rc == RG_OK)
        rc = keep(list, row, RG_FORUM_COL_KELURAHAN, &f->kelurahan);
    if (rc == RG_OK)
        rc = keep(list, row, RG_FORUM_COL_CLASS, &f->cls);
    if (rc == RG_OK)
        rc = keep(list, row, RG_FORUM_COL_METHOD, &f->method);
    if (rc == RG_OK)
        rc = keep(list, row, RG_FORUM_COL_DECIDED, &f->decided);
    if (rc == RG_OK)
        rc = rg_forum__keep_text(list, notes, &f->notes);
    for (size_t i = 0; i < list->field_count && rc == RG_OK; i++)
        rc = keep(list, row, RG_FORUM_COL_FIELDS + (int)i, &f->fields[i]);
    if (rc == RG_OK)
        list->count++;
    return rc;
}

const char *rg_forum__text(const rg_forum__families *list, size_t at)
{
    return at == RG_FORUM_NO_TEXT ? NULL : list->text.data + at;
}

void rg_forum__families_clear(rg_forum__families *list)
{
    list->count = 0;
    list->text.len = 0;
}

void rg_forum__families_free(rg_forum__families *list)
{
    rg_free(list->items);
    rg__buf_free(&list->text);
    memset(list, 0, sizeof *list);
}
