/* Shared inside forum/ only. */
#ifndef RG_FORUM_INTERNAL_H
#define RG_FORUM_INTERNAL_H

#include "core/internal.h"
#include "export/export.h"
#include "forum/forum.h"

#include <sqlite3.h>

#define RG_FORUM_MAX_FIELDS 16

/* groups.c and groups_file.c. Families by SLS: the 14 digits of the households' sls_code. */
#define RG_FORUM_FAMILIES_BY_SLS                                                                               \
    "(SELECT substr(sls_code, 1, 14) AS k, count(*) AS n FROM household_areas WHERE sls_code IS NOT NULL"        \
    " GROUP BY 1)"
/* The office's grouping at path into forum_groups (made and emptied by the caller, inside its
 * transaction), checked: RG_OK, or RG_EDATA naming the file, line and column, RG_EIO, RG_ESQL. */
int rg_forum__groups_read(rg_store *store, const char *path);
/* forum_groups as the CSV `forums` writes, into out (begun by the caller), which this ends:
 * committed on RG_OK, abandoned otherwise. RG_OK, RG_EIO, RG_ESQL. */
int rg_forum__groups_csv(rg_store *store, rg_io_atomic *out, const char *path);

/* What a pack says of its kelurahan, gathered once for every file written of it. */
typedef struct {
    char code[32], alt_code[32], name[160];
    char kecamatan_code[32], kecamatan_name[160], kabkota_code[8], provinsi_code[4];
    char data_version[512];   /* the households' and boundaries' files and checksums (rg_io_sources_describe) */
    char method[320], poverty_rate[1024], made[32];
    char rules[2048];         /* the rules in force, as classify recorded them (INI text) */
    int64_t households, by_class[5]; /* [0]: unclassified; then by rg_poverty_class */
    int64_t by_desil[11];            /* [0]: no desil */
    int64_t with_point, without_point, noted;
    /* A pack of one forum of SLS (pack --forums): its name and its SLS; "" for a kelurahan's. */
    char forum[RG_AREA_ID_MAX + 16], forum_sls[1200];
} rg_forum__area;

/* The families' list, poorest first (see list_head in area.c): these columns, then one per
 * --fields name. CLASS is the class in force (after the forums), DECIDED the forum's
 * decision in force, NULL where no forum decided. */
enum {
    RG_FORUM_COL_RANK, RG_FORUM_COL_ID, RG_FORUM_COL_KELURAHAN, RG_FORUM_COL_CLASS, RG_FORUM_COL_DESIL,
    RG_FORUM_COL_SIZE, RG_FORUM_COL_METHOD, RG_FORUM_COL_DISTANCE, RG_FORUM_COL_JOIN_FLAGS,
    RG_FORUM_COL_CODE_MISMATCH, RG_FORUM_COL_LOAD_FLAGS, RG_FORUM_COL_DECIDED, RG_FORUM_COL_FIELDS
};

typedef struct {
    const char *names[RG_FORUM_MAX_FIELDS];
    size_t count;
    char *text;    /* owns the names */
    int sls_first; /* names[0] is "SLS", the household's SLS, not an input column */
} rg_forum__fields;

/* Splits --fields; a name that could not be an input column is an error. Free with rg_forum__fields_free. */
int rg_forum__fields_parse(rg_ctx *ctx, const char *spec, rg_forum__fields *out);
void rg_forum__fields_free(rg_forum__fields *f);

/* The kelurahan's identity and its counts per class and by point, from the store; the
 * counts per desil and of noted households are the list's, counted as it is written
 * (rg_forum__area_count). */
int rg_forum__area_read(rg_store *store, const char *code, rg_forum__area *out);
/* Counts a list row into the area's desil and noted counts. */
void rg_forum__area_count(rg_forum__area *area, sqlite3_stmt *row, const char *notes);
/* The families in rank order, the unranked last: of one kelurahan (code), or of all, by
 * kelurahan code (code NULL). Caller finalizes *out. */
int rg_forum__list_prepare(rg_store *store, const char *code, const rg_forum__fields *fields, sqlite3_stmt **out);
/* The families of a forum of SLS, SLS by SLS in the forum's order, each in rank order.
 * fields->sls_first must be set. Caller finalizes *out. */
int rg_forum__forum_list_prepare(rg_store *store, const char *forum, const rg_forum__fields *fields,
                                 sqlite3_stmt **out);
/* Counts a list row into a forum's area: households, class, point, desil and notes. */
void rg_forum__forum_count(rg_forum__area *area, sqlite3_stmt *row, const char *notes);

/* What a supervisor should look at for the household in the list row, in words ("" when
 * nothing), into buf. */
void rg_forum__notes(sqlite3_stmt *row, char *buf, size_t cap);

/* One family of a list, as the pack's files show it. Texts are offsets into the list's
 * text buffer (NO_TEXT: none). */
#define RG_FORUM_NO_TEXT SIZE_MAX
typedef struct {
    int64_t rank;        /* 0: not ranked */
    int desil, size;     /* 0 / -1: none */
    size_t id, kelurahan, cls, method, notes, decided;
    size_t fields[RG_FORUM_MAX_FIELDS];
} rg_forum__family;

/* A kelurahan's families in rank order, gathered once for every file of its pack. */
typedef struct {
    rg_forum__family *items;
    size_t count, cap;
    rg_buf text;
    size_t field_count;
} rg_forum__families;

/* Appends the list row (and its notes) as a family. */
int rg_forum__families_add(rg_forum__families *list, sqlite3_stmt *row, const char *notes);
/* Keeps v (NULL or "" : none) in the list's text; *at its offset. */
int rg_forum__keep_text(rg_forum__families *list, const char *v, size_t *at);
/* The family's text at offset at, or NULL. Borrowed from list. */
const char *rg_forum__text(const rg_forum__families *list, size_t at);
void rg_forum__families_clear(rg_forum__families *list);
void rg_forum__families_free(rg_forum__families *list);

/* workbook.c: the kelurahan's workbook at path (the caller's temporary name). */
int rg_forum__workbook_write(rg_ctx *ctx, const char *path, const rg_forum__area *area,
                             const rg_forum__families *list, const rg_forum__fields *fields);

/* sheet.c: the kelurahan's printable sheet (PDF) at path: the map, the recap, the list. */
int rg_forum__sheet_write(rg_store *store, const char *path, const rg_forum__area *area,
                          const rg_forum__families *list, const rg_forum__fields *fields);

#endif
